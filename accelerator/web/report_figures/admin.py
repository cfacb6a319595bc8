"""The admin dashboard's figures: compliance by week, the quote funnel, time to quote, checks by route, premiums."""

from __future__ import annotations

from datetime import date

from accelerator.services import metrics
from accelerator.web.charts import (
    ChartTable,
    Series,
    bar_chart,
    format_hours,
    format_money,
    format_percent,
    stacked_bar_chart,
)
from accelerator.web.report_figures.figures import (
    COUNT_AXIS,
    ROUTE_LABELS,
    Figure,
    by_week,
    count_cell,
    draw_figure,
    figure_tables,
    hours_cell,
    share_cell,
    text_cell,
)

# --- Admin ------------------------------------------------------------------------------------------------

def compliance_figure(weeks: list[metrics.WeeklyCompliance]) -> Figure:
    """The share of required sellers who are compliant at each week's end (n/a in a week nobody is required)."""
    shares = [(w.week_start, w.share if w.required else None) for w in weeks]
    series = Series.of("Compliant", shares)
    chart = draw_figure(bar_chart, series, "compliance-by-week", title="Required sellers who are compliant, by week",
                  description="Share of the sellers who must be insured that are compliant at each week's end.",
                  x_label="Week starting", y_label="Compliant", value_format=format_percent, y_max=1)
    rows = [(w.week_start, w.on, w.required, w.compliant, w.pending_verification, w.due, w.overdue,
             w.share if w.required else None) for w in weeks]
    table, data = figure_tables(
        ("Week starting", "Judged on", "Required", "Compliant", "Pending verification", "Due", "Overdue",
         "Share compliant"),
        ("week_start", "as_of", "required", "compliant", "pending_verification", "due", "overdue", "share_compliant"),
        rows, (text_cell, text_cell) + (count_cell,) * 5 + (format_percent,), (text_cell,) * 7 + (share_cell,))
    return Figure("compliance-by-week", "Required sellers who are compliant", chart, table, data,
                  "Sellers who must be insured, by status at each week's end",
                  "A week is judged on its Sunday, or on the range's last day when that comes first.")


def funnel_figure(funnel: metrics.Funnel) -> Figure:
    """Quote requests made in the range, how many got a quote, how many were bought."""
    stages = [("Requested", funnel.requested), ("Quoted", funnel.quoted), ("Bought", funnel.bought)]
    chart = draw_figure(bar_chart, Series.of("Requests", stages), "quote-funnel", title="From request to policy",
                  description="Quote requests made in the period: requested, with at least one quote, bought.",
                  x_label="Stage", y_label="Quote requests", y_max=COUNT_AXIS)
    rows = [(name, count, count / funnel.requested if funnel.requested else None) for name, count in stages]
    table, data = figure_tables(("Stage", "Requests", "Share of all"),
                          ("stage", "requests", "share_of_requested"), rows,
                          (text_cell, count_cell, format_percent), (text_cell, text_cell, share_cell))
    return Figure("quote-funnel", "From request to policy", chart, table, data,
                  "Quote requests made in the period, by how far they went")


def time_to_quote_figure(rows: list[metrics.InsurerQuoteTime]) -> Figure:
    """Each insurer's median time from a request reaching it to its first quote."""
    series = Series.of("Median time to first quote", [(r.insurer_name, r.median_hours) for r in rows])
    chart = draw_figure(bar_chart, series, "time-to-quote", title="Insurers' median time to quote",
                  description="Median hours from a request being routed to the insurer to its first quote.",
                  x_label="Hours to first quote (median)", y_label="Insurer", value_format=format_hours,
                  horizontal=True, narrow_label="Median hours")
    table, data = figure_tables(
        ("Insurer", "Requests routed", "Quoted", "Median time to quote"),
        ("insurer_id", "insurer", "requests_routed", "quoted", "median_hours"),
        [(r.insurer_name, r.routed, r.quoted, r.median_hours) for r in rows],
        (text_cell, count_cell, count_cell, format_hours), (text_cell, text_cell, text_cell, hours_cell))
    # The CSV also names each insurer by id (names can change); the table shows the name alone.
    data = ChartTable(data.header, tuple((str(r.insurer_id), *cells) for r, cells in zip(rows, data.rows, strict=True)))
    return Figure("time-to-quote", "Insurers' median time to quote", chart, table, data,
                  "Requests routed to each insurer in the period, and its median time to a first quote",
                  "n/a: the insurer quoted none of the requests routed to it in the period.")


def checks_figure(days: list[metrics.DailyChecks], period: metrics.DateRange) -> Figure:
    """Coverage checks per day (or per week on a long range), stacked by the route each one took."""
    weekly = by_week(period)
    rows = _weekly_checks(days) if weekly else [(d.day, d.marketplace, d.insurer, d.review, d.seller) for d in days]
    series = [Series.of(ROUTE_LABELS[route], [(row[0], row[i + 1]) for row in rows])
              for i, route in enumerate(metrics.ROUTES)]
    unit = "week" if weekly else "day"
    chart = draw_figure(stacked_bar_chart, series, "checks-by-route", title=f"Coverage checks per {unit} by route",
                  description=f"Coverage checks made each {unit}, by who pays: the marketplace, "
                              "the insurer, a person reviewing, or the seller.",
                  x_label="Week starting" if weekly else "Day", y_label="Coverage checks")
    first = "Week starting" if weekly else "Day"
    table, data = figure_tables(
        (first, *(ROUTE_LABELS[r] for r in metrics.ROUTES), "Total"),
        ("week_start" if weekly else "day", *metrics.ROUTES, "total"),
        [(*row, sum(row[1:])) for row in rows], (text_cell,) + (count_cell,) * 5, (text_cell,) * 6)
    return Figure("checks-by-route", f"Coverage checks per {unit} by route", chart, table, data,
                  f"Coverage checks each {unit}, by route",
                  "Weeks count only their days inside the period." if weekly else "")


def _weekly_checks(days: list[metrics.DailyChecks]) -> list[tuple]:
    """Daily checks summed by ISO week (labelled by the Monday), in order."""
    weeks: dict[date, list[int]] = {}
    for d in days:
        monday = date.fromordinal(d.day.toordinal() - d.day.weekday())
        totals = weeks.setdefault(monday, [0, 0, 0, 0])
        for i, value in enumerate((d.marketplace, d.insurer, d.review, d.seller)):
            totals[i] += value
    return [(monday, *totals) for monday, totals in weeks.items()]


def premiums_figure(premiums: metrics.PremiumsByCategory) -> Figure:
    """Premium of the policies effective in the range, by category, largest first."""
    rows = premiums.categories
    series = Series.of("Premium", [(r.name, r.premium) for r in rows])
    chart = draw_figure(bar_chart, series, "premiums-by-category", title="Premiums by category",
                  description="Premium of the policies that took effect in the period, by product category.",
                  x_label="Premium", y_label="Category", value_format=format_money, horizontal=True)
    table, data = figure_tables(("Category", "Policies", "Premium"), ("category", "name", "policies", "premium"),
                          [(r.name, r.policies, r.premium) for r in rows], (text_cell, count_cell, format_money),
                          (text_cell, text_cell, text_cell))
    data = ChartTable(data.header, tuple((r.category, *cells) for r, cells in zip(rows, data.rows, strict=True)))
    count = premiums.policies
    note = (f"{count:,} polic{'y' if count == 1 else 'ies'} with {format_money(premiums.premium)} of premium in all. "
            "A policy in several categories counts in each of them.") if count else ""
    return Figure("premiums-by-category", "Premiums by category", chart, table, data,
                  "Premium of the policies that took effect in the period, by category", note)

"""The insurer dashboard's figures: requests received, win rate, policies in force, claims against aggregates."""

from __future__ import annotations

from accelerator.services import metrics
from accelerator.web.charts import ChartTable, Series, bar_chart, format_money, format_percent, line_chart
from accelerator.web.report_figures.figures import (
    CLAIMS_TOP,
    COUNT_AXIS,
    Figure,
    by_week,
    count_cell,
    draw_figure,
    figure_tables,
    share_cell,
    text_cell,
)

# --- Insurer ------------------------------------------------------------------------------------------------

def requests_figure(received: metrics.RequestsReceived) -> Figure:
    """Quote requests routed to the insurer, week by week."""
    weeks = [(w.week_start, w.count) for w in received.by_week]
    chart = draw_figure(bar_chart, Series.of("Requests", weeks), "requests-received", title="Quote requests received",
                  description="Quote requests routed to you each week.", x_label="Week starting",
                  y_label="Quote requests", y_max=COUNT_AXIS)
    table, data = figure_tables(("Week starting", "Requests received"), ("week_start", "requests"), weeks,
                          (text_cell, count_cell), (text_cell, text_cell))
    statuses = ", ".join(f"{count:,} {status}" for status, count in received.by_status.items())
    return Figure("requests-received", "Quote requests received", chart, table, data,
                  "Quote requests routed to you each week",
                  f"{received.total:,} in all; as they stand now: {statuses}. "
                  "Weeks count only their days inside the period.")


def win_rate_figure(rate: metrics.WinRate) -> Figure:
    """The insurer's quotes made in the range and how many were won (accepted or bought); no rate without quotes."""
    share = rate.rate if rate.offered else None
    chart = draw_figure(bar_chart, Series.of("Quotes", [("Offered", rate.offered), ("Won", rate.won)]), "win-rate",
                  title=f"Quote win rate: {format_percent(share)}",
                  description="Quotes you made in the period, and those accepted or bought.",
                  x_label="Your quotes in the period", y_label="Quotes", y_max=COUNT_AXIS)
    _table, data = figure_tables(("Quotes offered", "Quotes won", "Win rate"),
                                 ("quotes_offered", "quotes_won", "win_rate"),
                                 [(rate.offered, rate.won, share)], (count_cell, count_cell, format_percent),
                                 (text_cell, text_cell, share_cell))
    # For people the one row reads better down the page; the CSV keeps one record with a column per figure.
    table = ChartTable(("Quotes", "In the period"), tuple(zip(("Offered", "Won", "Win rate"), _table.rows[0],
                                                              strict=True)))
    return Figure("win-rate", "Quote win rate", chart, table, data, "Your quotes made in the period",
                  "A quote is won when the seller accepts or buys it.")


def in_force_figure(counts: list[metrics.DailyCount], period: metrics.DateRange) -> Figure:
    """The insurer's policies in force each day (or on each week's last day on a long range)."""
    if by_week(period):
        last_days = {on for _monday, on in period.weeks()}
        counts = [c for c in counts if c.day in last_days]
    points = [(c.day, c.count) for c in counts]
    chart = draw_figure(line_chart, [Series.of("Policies in force", points)], "policies-in-force",
                  title="Policies in force", description="Your policies in force on each day shown.",
                  x_label="Day", y_label="Policies in force", y_max=COUNT_AXIS)
    table, data = figure_tables(("Day", "Policies in force"), ("day", "policies_in_force"), points,
                                (text_cell, count_cell), (text_cell, text_cell))
    return Figure("policies-in-force", "Policies in force", chart, table, data, "Your policies in force on each day",
                  "One point a week: each week's last day in the period." if by_week(period) else "")


def claims_figure(claims: metrics.ClaimsAgainstAggregate) -> Figure:
    """Claims paid against aggregate limits: all policies in force together, then those with the most used."""
    total_label = f"All {claims.policies:,} in force"
    shares = [(total_label, claims.used_share)] + [(p.policy_number, p.used_share) for p in claims.top]
    chart = draw_figure(bar_chart, Series.of("Aggregate used", shares), "claims-against-aggregate",
                  title="Claims paid against aggregate limits",
                  description=f"Share of the aggregate limit used by claims paid, for your policies in force on "
                              f"{claims.on.isoformat()}: all of them together, then those with the most used.",
                  x_label="Share of the aggregate limit used", y_label="Policy", value_format=format_percent,
                  horizontal=True, y_max=1, narrow_label="Aggregate used")
    rows = [(total_label, "", claims.aggregate_limit, claims.claims_paid, claims.aggregate_remaining,
             claims.used_share)]
    rows += [(p.policy_number, p.seller_id, p.aggregate_limit, p.claims_paid, p.aggregate_remaining, p.used_share)
             for p in claims.top]
    table, data = figure_tables(
        ("Policy", "Seller", "Aggregate limit", "Claims paid", "Aggregate remaining", "Used"),
        ("policy", "seller_id", "aggregate_limit", "claims_paid", "aggregate_remaining", "used_share"),
        rows, (text_cell, text_cell, format_money, format_money, format_money, format_percent),
        (text_cell,) * 5 + (share_cell,))
    return Figure("claims-against-aggregate", "Claims paid against aggregate limits", chart, table, data,
                  f"Your policies in force on {claims.on.isoformat()}: all together, then the {CLAIMS_TOP} with the "
                  "largest share of their aggregate used",
                  "Claims paid are each policy's total so far.")

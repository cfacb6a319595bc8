"""The dashboards' figures: each metric (services/metrics/) drawn as an SVG chart (web/charts/), with the
same numbers as a table for people and as plain cells for a CSV download.

Pure functions of the metrics' results and the range: no request and no database, so a page and its CSV
build the very same rows. A range longer than LONG_RANGE_DAYS shows its daily series a week at a time
(a bar per ISO week, or a point on each week's last day), so a three-year range stays a readable chart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from accelerator.services import metrics
from accelerator.web.charts import (
    ChartTable,
    Series,
    bar_chart,
    format_hours,
    format_money,
    format_number,
    format_percent,
    line_chart,
    stacked_bar_chart,
    to_csv,
)

# Up to about three months a daily series is drawn day by day; beyond, week by week.
LONG_RANGE_DAYS = 92
ROUTE_LABELS = {"marketplace": "Marketplace pays", "insurer": "Insurer pays", "review": "Needs review",
                "seller": "Seller pays"}
CLAIMS_TOP = 10
# The least top of a count axis: with few or no counts the ticks stay whole numbers (0, 1, 2, ...).
COUNT_AXIS = 5
# Each chart is drawn twice: wide for screens, narrow for phones, whose text then stays readable once scaled.
WIDE, NARROW, NARROW_HEIGHT = 720, 360, 300
NARROW_LABEL = 16


@dataclass(frozen=True)
class Figure:
    """One chart of a dashboard: its drawing, its numbers for people, and the same rows for CSV."""

    key: str  # the chart's id on the page and the stem of its CSV endpoint and file name
    title: str
    charts: tuple[Markup, Markup]  # (wide, narrow): the page shows one of them, by the screen's width
    table: ChartTable  # formatted cells
    data: ChartTable  # the same rows and columns as plain values
    caption: str  # what the table's rows are
    note: str = ""

    def csv(self) -> str:
        """The figure's numbers as CSV text, header first."""
        return to_csv(self.data.rows, self.data.header)


def _draw(draw: Callable[..., Markup], series, key: str, *, narrow_label: str | None = None,
          **options) -> tuple[Markup, Markup]:
    """The chart wide (chart id `key`) and narrow (`key`-narrow), with the same series and words.

    Horizontal bars give their labels a column of their own: on the narrow chart the labels are cut to
    NARROW_LABEL characters (the table beside it has them whole) and `narrow_label` replaces the value axis's
    label, so the bars keep room to be read.
    """
    wide = draw(series, chart_id=key, width=WIDE, **options)
    if options.get("horizontal"):
        series = Series(series.name, tuple((_cut(label), value) for label, value in series.points))
        options["x_label"] = narrow_label or options["x_label"]
    return wide, draw(series, chart_id=f"{key}-narrow", width=NARROW, height=NARROW_HEIGHT, **options)


def _cut(label: str) -> str:
    """A label at most NARROW_LABEL characters long, cut with an ellipsis."""
    return label if len(label) <= NARROW_LABEL else label[:NARROW_LABEL - 1].rstrip() + "…"


def by_week(period: metrics.DateRange) -> bool:
    """Whether daily series of this range are shown a week at a time."""
    return period.days > LONG_RANGE_DAYS


def _share(value: float | None) -> str:
    """A share (0..1) as a plain cell with four decimals; "" for no figure."""
    return "" if value is None else f"{value:.4f}"


def _hours(value: float | None) -> str:
    """Hours as a plain cell with two decimals; "" for no figure."""
    return "" if value is None else f"{value:.2f}"


def _tables(header: Sequence[str], csv_header: Sequence[str], rows: Sequence[Sequence[object]],
            formats: Sequence[Callable[[object], str]], raws: Sequence[Callable[[object], str]]
            ) -> tuple[ChartTable, ChartTable]:
    """The people's table and the CSV table of the same rows, each cell through its column's formatter."""
    people = tuple(tuple(fmt(v) for fmt, v in zip(formats, row, strict=True)) for row in rows)
    plain = tuple(tuple(raw(v) for raw, v in zip(raws, row, strict=True)) for row in rows)
    return ChartTable(tuple(header), people), ChartTable(tuple(csv_header), plain)


def _text(value: object) -> str:
    """A cell shown as it is ("" for None)."""
    return "" if value is None else (value.isoformat() if isinstance(value, date) else str(value))


def _count(value: object) -> str:
    """A whole number for people: 1,234."""
    return format_number(value)  # type: ignore[arg-type]


# --- Admin ------------------------------------------------------------------------------------------------

def compliance_figure(weeks: list[metrics.WeeklyCompliance]) -> Figure:
    """The share of required sellers who are compliant at each week's end (n/a in a week nobody is required)."""
    shares = [(w.week_start, w.share if w.required else None) for w in weeks]
    series = Series.of("Compliant", shares)
    chart = _draw(bar_chart, series, "compliance-by-week", title="Required sellers who are compliant, by week",
                  description="Share of the sellers who must be insured that are compliant at each week's end.",
                  x_label="Week starting", y_label="Compliant", value_format=format_percent, y_max=1)
    rows = [(w.week_start, w.on, w.required, w.compliant, w.pending_verification, w.due, w.overdue,
             w.share if w.required else None) for w in weeks]
    table, data = _tables(
        ("Week starting", "Judged on", "Required", "Compliant", "Pending verification", "Due", "Overdue",
         "Share compliant"),
        ("week_start", "as_of", "required", "compliant", "pending_verification", "due", "overdue", "share_compliant"),
        rows, (_text, _text) + (_count,) * 5 + (format_percent,), (_text,) * 7 + (_share,))
    return Figure("compliance-by-week", "Required sellers who are compliant", chart, table, data,
                  "Sellers who must be insured, by status at each week's end",
                  "A week is judged on its Sunday, or on the range's last day when that comes first.")


def funnel_figure(funnel: metrics.Funnel) -> Figure:
    """Quote requests made in the range, how many got a quote, how many were bought."""
    stages = [("Requested", funnel.requested), ("Quoted", funnel.quoted), ("Bought", funnel.bought)]
    chart = _draw(bar_chart, Series.of("Requests", stages), "quote-funnel", title="From request to policy",
                  description="Quote requests made in the period: requested, with at least one quote, bought.",
                  x_label="Stage", y_label="Quote requests", y_max=COUNT_AXIS)
    rows = [(name, count, count / funnel.requested if funnel.requested else None) for name, count in stages]
    table, data = _tables(("Stage", "Requests", "Share of all"),
                          ("stage", "requests", "share_of_requested"), rows,
                          (_text, _count, format_percent), (_text, _text, _share))
    return Figure("quote-funnel", "From request to policy", chart, table, data,
                  "Quote requests made in the period, by how far they went")


def time_to_quote_figure(rows: list[metrics.InsurerQuoteTime]) -> Figure:
    """Each insurer's median time from a request reaching it to its first quote."""
    series = Series.of("Median time to first quote", [(r.insurer_name, r.median_hours) for r in rows])
    chart = _draw(bar_chart, series, "time-to-quote", title="Insurers' median time to quote",
                  description="Median hours from a request being routed to the insurer to its first quote.",
                  x_label="Hours to first quote (median)", y_label="Insurer", value_format=format_hours,
                  horizontal=True, narrow_label="Median hours")
    table, data = _tables(
        ("Insurer", "Requests routed", "Quoted", "Median time to quote"),
        ("insurer_id", "insurer", "requests_routed", "quoted", "median_hours"),
        [(r.insurer_name, r.routed, r.quoted, r.median_hours) for r in rows],
        (_text, _count, _count, format_hours), (_text, _text, _text, _hours))
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
    chart = _draw(stacked_bar_chart, series, "checks-by-route", title=f"Coverage checks per {unit} by route",
                  description=f"Coverage checks made each {unit}, by who pays: the marketplace, "
                              "the insurer, a person reviewing, or the seller.",
                  x_label="Week starting" if weekly else "Day", y_label="Coverage checks")
    first = "Week starting" if weekly else "Day"
    table, data = _tables(
        (first, *(ROUTE_LABELS[r] for r in metrics.ROUTES), "Total"),
        ("week_start" if weekly else "day", *metrics.ROUTES, "total"),
        [(*row, sum(row[1:])) for row in rows], (_text,) + (_count,) * 5, (_text,) * 6)
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
    chart = _draw(bar_chart, series, "premiums-by-category", title="Premiums by category",
                  description="Premium of the policies that took effect in the period, by product category.",
                  x_label="Premium", y_label="Category", value_format=format_money, horizontal=True)
    table, data = _tables(("Category", "Policies", "Premium"), ("category", "name", "policies", "premium"),
                          [(r.name, r.policies, r.premium) for r in rows], (_text, _count, format_money),
                          (_text, _text, _text))
    data = ChartTable(data.header, tuple((r.category, *cells) for r, cells in zip(rows, data.rows, strict=True)))
    count = premiums.policies
    note = (f"{count:,} polic{'y' if count == 1 else 'ies'} with {format_money(premiums.premium)} of premium in all. "
            "A policy in several categories counts in each of them.") if count else ""
    return Figure("premiums-by-category", "Premiums by category", chart, table, data,
                  "Premium of the policies that took effect in the period, by category", note)


# --- Insurer ------------------------------------------------------------------------------------------------

def requests_figure(received: metrics.RequestsReceived) -> Figure:
    """Quote requests routed to the insurer, week by week."""
    weeks = [(w.week_start, w.count) for w in received.by_week]
    chart = _draw(bar_chart, Series.of("Requests", weeks), "requests-received", title="Quote requests received",
                  description="Quote requests routed to you each week.", x_label="Week starting",
                  y_label="Quote requests", y_max=COUNT_AXIS)
    table, data = _tables(("Week starting", "Requests received"), ("week_start", "requests"), weeks,
                          (_text, _count), (_text, _text))
    statuses = ", ".join(f"{count:,} {status}" for status, count in received.by_status.items())
    return Figure("requests-received", "Quote requests received", chart, table, data,
                  "Quote requests routed to you each week",
                  f"{received.total:,} in all; as they stand now: {statuses}. "
                  "Weeks count only their days inside the period.")


def win_rate_figure(rate: metrics.WinRate) -> Figure:
    """The insurer's quotes made in the range and how many were won (accepted or bought); no rate without quotes."""
    share = rate.rate if rate.offered else None
    chart = _draw(bar_chart, Series.of("Quotes", [("Offered", rate.offered), ("Won", rate.won)]), "win-rate",
                  title=f"Quote win rate: {format_percent(share)}",
                  description="Quotes you made in the period, and those accepted or bought.",
                  x_label="Your quotes in the period", y_label="Quotes", y_max=COUNT_AXIS)
    _table, data = _tables(("Quotes offered", "Quotes won", "Win rate"), ("quotes_offered", "quotes_won", "win_rate"),
                           [(rate.offered, rate.won, share)], (_count, _count, format_percent),
                           (_text, _text, _share))
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
    chart = _draw(line_chart, [Series.of("Policies in force", points)], "policies-in-force",
                  title="Policies in force", description="Your policies in force on each day shown.",
                  x_label="Day", y_label="Policies in force", y_max=COUNT_AXIS)
    table, data = _tables(("Day", "Policies in force"), ("day", "policies_in_force"), points, (_text, _count),
                          (_text, _text))
    return Figure("policies-in-force", "Policies in force", chart, table, data, "Your policies in force on each day",
                  "One point a week: each week's last day in the period." if by_week(period) else "")


def claims_figure(claims: metrics.ClaimsAgainstAggregate) -> Figure:
    """Claims paid against aggregate limits: all policies in force together, then those with the most used."""
    total_label = f"All {claims.policies:,} in force"
    shares = [(total_label, claims.used_share)] + [(p.policy_number, p.used_share) for p in claims.top]
    chart = _draw(bar_chart, Series.of("Aggregate used", shares), "claims-against-aggregate",
                  title="Claims paid against aggregate limits",
                  description=f"Share of the aggregate limit used by claims paid, for your policies in force on "
                              f"{claims.on.isoformat()}: all of them together, then those with the most used.",
                  x_label="Share of the aggregate limit used", y_label="Policy", value_format=format_percent,
                  horizontal=True, y_max=1, narrow_label="Aggregate used")
    rows = [(total_label, "", claims.aggregate_limit, claims.claims_paid, claims.aggregate_remaining,
             claims.used_share)]
    rows += [(p.policy_number, p.seller_id, p.aggregate_limit, p.claims_paid, p.aggregate_remaining, p.used_share)
             for p in claims.top]
    table, data = _tables(
        ("Policy", "Seller", "Aggregate limit", "Claims paid", "Aggregate remaining", "Used"),
        ("policy", "seller_id", "aggregate_limit", "claims_paid", "aggregate_remaining", "used_share"),
        rows, (_text, _text, format_money, format_money, format_money, format_percent), (_text,) * 5 + (_share,))
    return Figure("claims-against-aggregate", "Claims paid against aggregate limits", chart, table, data,
                  f"Your policies in force on {claims.on.isoformat()}: all together, then the {CLAIMS_TOP} with the "
                  "largest share of their aggregate used",
                  "Claims paid are each policy's total so far.")


# --- Headline figures ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stat:
    """A headline figure above the charts: the number and what it counts."""

    figure: str
    label: str


def _plural(count: int, one: str, many: str) -> str:
    """`one` or `many` by the count."""
    return one if count == 1 else many


def admin_stats(weeks: list[metrics.WeeklyCompliance], funnel: metrics.Funnel, days: list[metrics.DailyChecks],
                premiums: metrics.PremiumsByCategory) -> list[Stat]:
    """The admin dashboard's headline figures, from the same numbers as its charts."""
    last = weeks[-1] if weeks else None
    checks = sum(d.total for d in days)
    compliant = (Stat(format_percent(last.share), f"of {last.required:,} required "
                      f"{_plural(last.required, 'seller', 'sellers')} compliant on {last.on.isoformat()}")
                 if last and last.required else Stat("n/a", "no seller is required to be insured"))
    return [
        compliant,
        Stat(f"{funnel.requested:,}", f"quote {_plural(funnel.requested, 'request', 'requests')}, "
                                      f"{funnel.bought:,} bought"),
        Stat(f"{checks:,}", f"coverage {_plural(checks, 'check', 'checks')}"),
        Stat(format_money(premiums.premium), "of premium on policies taking effect"),
    ]


def insurer_stats(received: metrics.RequestsReceived, rate: metrics.WinRate, in_force_today: int,
                  claims: metrics.ClaimsAgainstAggregate) -> list[Stat]:
    """The insurer dashboard's headline figures, from the same numbers as its charts (and today's count)."""
    return [
        Stat(f"{received.total:,}", f"quote {_plural(received.total, 'request', 'requests')} received"),
        Stat(format_percent(rate.rate) if rate.offered else "n/a",
             f"win rate ({rate.won:,} of {rate.offered:,} {_plural(rate.offered, 'quote', 'quotes')})"),
        Stat(f"{in_force_today:,}", f"{_plural(in_force_today, 'policy', 'policies')} in force on "
                                    f"{claims.on.isoformat()}"),
        Stat(format_percent(claims.used_share), "of their aggregate limits used by claims paid"),
    ]

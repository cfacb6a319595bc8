"""What every dashboard figure shares: the Figure, the chart sizes and axes, drawing wide and narrow, the cells.

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
from accelerator.web.charts import ChartTable, Series, format_number, to_csv

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


def draw_figure(draw: Callable[..., Markup], series, key: str, *, narrow_label: str | None = None,
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


def share_cell(value: float | None) -> str:
    """A share (0..1) as a plain cell with four decimals; "" for no figure."""
    return "" if value is None else f"{value:.4f}"


def hours_cell(value: float | None) -> str:
    """Hours as a plain cell with two decimals; "" for no figure."""
    return "" if value is None else f"{value:.2f}"


def figure_tables(header: Sequence[str], csv_header: Sequence[str], rows: Sequence[Sequence[object]],
            formats: Sequence[Callable[[object], str]], raws: Sequence[Callable[[object], str]]
            ) -> tuple[ChartTable, ChartTable]:
    """The people's table and the CSV table of the same rows, each cell through its column's formatter."""
    people = tuple(tuple(fmt(v) for fmt, v in zip(formats, row, strict=True)) for row in rows)
    plain = tuple(tuple(raw(v) for raw, v in zip(raws, row, strict=True)) for row in rows)
    return ChartTable(tuple(header), people), ChartTable(tuple(csv_header), plain)


def text_cell(value: object) -> str:
    """A cell shown as it is ("" for None)."""
    return "" if value is None else (value.isoformat() if isinstance(value, date) else str(value))


def count_cell(value: object) -> str:
    """A whole number for people: 1,234."""
    return format_number(value)  # type: ignore[arg-type]

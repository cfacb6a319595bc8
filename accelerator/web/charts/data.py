"""The charts' data: Series and ChartTable, number formatting, and a chart's numbers as a table or CSV.

Pure functions of their arguments (no request, no database): build a `Series`, draw it, and put the
returned Markup straight into a template (`{{ chart }}`); show `table_for(...)` beside it and offer
`to_csv(...)` as a download.

    weeks = metrics.compliance_by_week(start, end)
    share = Series.of("Compliant", [(w.week_start, w.share) for w in weeks])
    chart = line_chart([share], chart_id="compliance", title="Required sellers who are compliant",
                       description="Share of required sellers compliant at each week's end.",
                       x_label="Week starting", y_label="Compliant", value_format=format_percent, y_max=1)
    table = table_for([share], label_header="Week starting", value_format=format_percent)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accelerator.domain.money import display_money
from accelerator.services.exports import csv_line

Number = int | float | Decimal
Formatter = Callable[[Number], str]


# --- Data ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    """One named series of (label, value) points; a value of None is "no figure"."""

    name: str
    points: tuple[tuple[str, Number | None], ...]

    @classmethod
    def of(cls, name: str, points: Iterable[tuple[object, Number | None]]) -> Series:
        """A series from (label, value) pairs; dates become YYYY-MM-DD labels, anything else str()."""
        return cls(str(name), tuple((_label(label), value) for label, value in points))

    @property
    def labels(self) -> list[str]:
        """The point labels, in order."""
        return [label for label, _value in self.points]


@dataclass(frozen=True)
class ChartTable:
    """A chart's numbers: a header row and one row of text cells per label (for <table> or CSV)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _label(value: object) -> str:
    """A point label as text: YYYY-MM-DD for dates."""
    return value.isoformat() if isinstance(value, date) else str(value)


# --- Formatting ---------------------------------------------------------------------------------------

def format_number(value: Number | None) -> str:
    """1,234 for whole numbers, 1,234.5 for fractions, 1,234.50 for Decimals; "n/a" for no figure."""
    if value is None:
        return "n/a"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    number = float(value)
    if not math.isfinite(number):
        return "n/a"
    return f"{number:,.0f}" if number == round(number) else f"{number:,.1f}"


def format_percent(value: Number | None) -> str:
    """A share (0..1) as a whole percentage: 0.42 -> "42%"."""
    return "n/a" if value is None else f"{float(value) * 100:.0f}%"


def format_money(value: Number | None) -> str:
    """Dollars for people: $1,234.00."""
    return "n/a" if value is None else display_money(Decimal(str(value)))


def format_hours(value: Number | None) -> str:
    """Hours with one decimal: 3.5 h."""
    return "n/a" if value is None else f"{float(value):,.1f} h"


def _raw(value: Number | None) -> str:
    """A machine-readable cell: as given for int and Decimal, six significant digits for floats."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


# --- Tables and CSV -------------------------------------------------------------------------------------

def table_for(series: Series | Sequence[Series], *, label_header: str = "",
              value_format: Formatter | None = None) -> ChartTable:
    """The numbers of a chart: one row per label (in first-seen order), one column per series.

    With `value_format` the cells are for people (a <table>); without it they are plain numbers
    (for CSV: "1850.00", "0.425", "" for no figure).
    """
    many = [series] if isinstance(series, Series) else list(series)
    labels = list(dict.fromkeys(label for s in many for label in s.labels))
    values = [dict(s.points) for s in many]
    cell = value_format or _raw
    rows = tuple((label, *(cell(v.get(label)) if label in v else "" for v in values)) for label in labels)
    return ChartTable(header=(label_header, *(s.name for s in many)), rows=rows)


def to_csv(rows: Iterable[Sequence[object]], header: Sequence[object]) -> str:
    """CSV text (CRLF lines, header first) of a chart's numbers, every cell CSV-injection safe."""
    return csv_line(header) + "".join(csv_line(row) for row in rows)

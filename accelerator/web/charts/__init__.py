"""Charts drawn on the server as accessible SVG (no script, no style), and each chart's numbers as a table
or CSV: pure functions of their arguments."""

from __future__ import annotations

from accelerator.web.charts.bars import bar_chart, stacked_bar_chart
from accelerator.web.charts.data import (
    ChartTable,
    Formatter,
    Number,
    Series,
    format_hours,
    format_money,
    format_number,
    format_percent,
    table_for,
    to_csv,
)
from accelerator.web.charts.drawing import BACKGROUND, COLOURS
from accelerator.web.charts.lines import line_chart

__all__ = [
    "BACKGROUND",
    "COLOURS",
    "ChartTable",
    "Formatter",
    "Number",
    "Series",
    "bar_chart",
    "format_hours",
    "format_money",
    "format_number",
    "format_percent",
    "line_chart",
    "stacked_bar_chart",
    "table_for",
    "to_csv",
]

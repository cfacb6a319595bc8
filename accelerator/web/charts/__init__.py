"""Charts drawn on the server as accessible SVG, and each chart's numbers as a table or CSV.

Pure functions of their arguments (no request, no database): build a `Series`, draw it, and put the
returned Markup straight into a template (`{{ chart }}`); show `table_for(...)` beside it and offer
`to_csv(...)` as a download.

    weeks = metrics.compliance_by_week(start, end)
    share = Series.of("Compliant", [(w.week_start, w.share) for w in weeks])
    chart = line_chart([share], chart_id="compliance", title="Required sellers who are compliant",
                       description="Share of required sellers compliant at each week's end.",
                       x_label="Week starting", y_label="Compliant", value_format=format_percent, y_max=1)
    table = table_for([share], label_header="Week starting", value_format=format_percent)

Every chart is `<svg role="img" aria-labelledby="ID-title ID-desc">` (ID: `chart_id`, unique on the
page) with a <title> and a <desc> that also states the figures, axis labels and numbered ticks, and is
readable without colour: bars carry their values, stacked segments are patterned and labelled, lines
differ by dash and marker shape, and a legend names each series in text. There is no script and no
style attribute (the site's CSP forbids inline styles): only presentation attributes (fill, stroke,
stroke-dasharray, ...). Text follows the page's colour (currentColor). Every label is escaped. Values
are drawn from 0 up (negatives as 0); None means "no figure" (a gap in a line, "n/a" on a bar).

Where things live (import them from here, `accelerator.web.charts`):
    data.py     Series, ChartTable, the format_* functions, table_for and to_csv
    drawing.py  the private SVG helpers the charts share (colours, escaping, axes, legends, markers, <svg>)
    bars.py     bar_chart (vertical or horizontal) and stacked_bar_chart
    lines.py    line_chart
"""

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
from accelerator.web.charts.drawing import BACKGROUND, COLOURS, DASHES, FONT, GRID
from accelerator.web.charts.lines import line_chart

__all__ = [
    "BACKGROUND", "COLOURS", "DASHES", "FONT", "GRID", "ChartTable", "Formatter", "Number", "Series", "bar_chart",
    "format_hours", "format_money", "format_number", "format_percent", "line_chart", "stacked_bar_chart",
    "table_for", "to_csv",
]

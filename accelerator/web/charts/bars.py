"""Bar charts: bar_chart (vertical or horizontal bars of one series) and stacked_bar_chart."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from accelerator.web.charts.data import Formatter, Series, format_number
from accelerator.web.charts.drawing import (
    CHAR_PX,
    COLOURS,
    GRID,
    LABEL_GAP,
    as_float,
    axis_labels,
    band_plot_right,
    empty_note,
    esc,
    left_margin,
    legend_rows,
    nice_ticks,
    num,
    pattern_defs,
    shorten,
    summary,
    svg_document,
    text_element,
    tick_value,
    x_labels,
    y_axis,
)

# --- Charts ----------------------------------------------------------------------------------------------

def bar_chart(series: Series, *, chart_id: str, title: str, description: str, x_label: str, y_label: str,
              value_format: Formatter = format_number, horizontal: bool = False, width: int = 720,
              height: int = 360, y_max: float | None = None) -> Markup:
    """One series as bars, each labelled with its value; `horizontal` for long category names.

    `y_max` fixes the top of the value axis (1 for shares). Returns an SVG Markup.
    """
    desc = f"{description} {summary([series], value_format)}".strip()
    if horizontal:
        return _horizontal_bars(series, chart_id, title, desc, x_label, y_label, value_format, width, y_max)
    labels = series.labels
    values = [v for _label, v in series.points]
    ticks = nice_ticks(max([as_float(v) for v in values] + [y_max or 0.0]))
    left = left_margin(value_format(tick_value(t)) for t in ticks)
    x0, x1, y_top, y0 = left, band_plot_right(width, left, labels), 28.0, height - 52.0
    top = ticks[-1]

    def y_of(v: float) -> float:
        """The y coordinate of a value."""
        return y0 - (y0 - y_top) * min(v, top) / top

    body = y_axis(ticks, x0, x1, y_of, value_format)
    body += axis_labels(width, height, y_top, y0, x_label, y_label)
    if not labels:
        body.append(empty_note((x0 + x1) / 2, (y_top + y0) / 2))
    band = (x1 - x0) / max(1, len(labels))
    bar = band * 0.7
    show_values = max((len(value_format(v)) for v in values), default=0) * CHAR_PX + LABEL_GAP <= band
    for i, (label, value) in enumerate(series.points):
        x, y = x0 + i * band + (band - bar) / 2, y_of(as_float(value))
        body.append(f'<rect x="{num(x)}" y="{num(y)}" width="{num(bar)}" height="{num(y0 - y)}" fill="{COLOURS[0]}">'
                    f"<title>{esc(label)}: {esc(value_format(value))}</title></rect>")
        if show_values:
            body.append(text_element(x + bar / 2, y - 5, value_format(value), size=11, weight="600"))
    body += x_labels(labels, lambda i: x0 + (i + 0.5) * band, y0 + 16, x1 - x0)
    body.append(f'<line x1="{num(x0)}" y1="{num(y0)}" x2="{num(x1)}" y2="{num(y0)}" stroke="currentColor"/>')
    return svg_document(chart_id, width, height, title, desc, body)


def _horizontal_bars(series: Series, chart_id: str, title: str, desc: str, x_label: str, y_label: str,
                     value_format: Formatter, width: int, y_max: float | None) -> Markup:
    """Bars across, one row per label: the label on the left, the value at the bar's end."""
    points = series.points
    row = 30.0
    ticks = nice_ticks(max([as_float(v) for _l, v in points] + [y_max or 0.0]))
    longest_label = max((len(shorten(label, 30)) for label, _v in points), default=0)
    longest_value = max((len(value_format(v)) for _l, v in points), default=0)
    x0 = min(260.0, max(60.0, 34 + longest_label * CHAR_PX))
    x1 = width - max(24.0, 12 + longest_value * CHAR_PX)
    y_top = 16.0
    y0 = y_top + row * max(1, len(points))
    height = y0 + 60
    top = ticks[-1]

    def x_of(v: float) -> float:
        """The x coordinate of the i-th label."""
        return x0 + (x1 - x0) * min(v, top) / top

    body = []
    for tick in ticks:
        x = x_of(tick)
        body.append(f'<line x1="{num(x)}" y1="{num(y_top)}" x2="{num(x)}" y2="{num(y0)}" stroke="{GRID}"/>')
        body.append(text_element(x, y0 + 16, value_format(tick_value(tick)), size=11))
    body += [text_element((x0 + x1) / 2, height - 8, x_label, weight="600"),
             text_element(12, y_top - 4, y_label, anchor="start", weight="600")]
    if not points:
        body.append(empty_note((x0 + x1) / 2, (y_top + y0) / 2))
    for i, (label, value) in enumerate(points):
        y = y_top + i * row + 6
        end = x_of(as_float(value))
        body.append(f'<rect x="{num(x0)}" y="{num(y)}" width="{num(end - x0)}" height="{num(row - 12)}" '
                    f'fill="{COLOURS[0]}"><title>{esc(label)}: {esc(value_format(value))}</title></rect>')
        body.append(text_element(x0 - 8, y + row / 2 - 2, shorten(label, 30), anchor="end"))
        body.append(text_element(end + 6, y + row / 2 - 2, value_format(value), anchor="start", size=11, weight="600"))
    body.append(f'<line x1="{num(x0)}" y1="{num(y_top)}" x2="{num(x0)}" y2="{num(y0)}" stroke="currentColor"/>')
    return svg_document(chart_id, width, height, title, desc, body)


def stacked_bar_chart(series: Sequence[Series], *, chart_id: str, title: str, description: str, x_label: str,
                      y_label: str, value_format: Formatter = format_number, width: int = 720,
                      height: int = 380) -> Markup:
    """Several series stacked per label (e.g. checks per day by route): each series a colour and a
    texture, named in a legend; segments carry their values where they fit, and each bar its total."""
    series = list(series)
    labels = list(dict.fromkeys(label for s in series for label in s.labels))
    values = [dict(s.points) for s in series]
    totals = [sum(as_float(v.get(label)) for v in values) for label in labels]
    ticks = nice_ticks(max(totals, default=0.0))
    left = left_margin(value_format(tick_value(t)) for t in ticks)

    def swatch(i: int, x: float, y: float) -> str:
        """The legend's sample of series i."""
        return (f'<rect x="{num(x)}" y="{num(y - 8)}" width="24" height="16" fill="url(#{chart_id}-p{i})" '
                f'stroke="currentColor" stroke-width="0.5"/>')

    legend, legend_height = legend_rows([s.name for s in series], width, swatch) if series else ([], 8.0)
    x0, x1, y_top, y0 = left, band_plot_right(width, left, labels), legend_height + 20, height - 52.0
    top = ticks[-1]

    def y_of(v: float) -> float:
        """The y coordinate of a value."""
        return y0 - (y0 - y_top) * min(v, top) / top

    body = y_axis(ticks, x0, x1, y_of, value_format) + legend
    body += axis_labels(width, height, y_top, y0, x_label, y_label)
    if not labels:
        body.append(empty_note((x0 + x1) / 2, (y_top + y0) / 2))
    band = (x1 - x0) / max(1, len(labels))
    bar = band * 0.72
    for j, label in enumerate(labels):
        x, base = x0 + j * band + (band - bar) / 2, 0.0
        for i, s in enumerate(series):
            value = values[i].get(label)
            amount = as_float(value)
            if amount <= 0:
                continue
            y_high, y_low = y_of(base + amount), y_of(base)
            body.append(f'<rect x="{num(x)}" y="{num(y_high)}" width="{num(bar)}" height="{num(y_low - y_high)}" '
                        f'fill="url(#{chart_id}-p{i})" stroke="#ffffff" stroke-width="0.5">'
                        f"<title>{esc(label)}, {esc(s.name)}: {esc(value_format(value))}</title></rect>")
            text = value_format(value)
            if y_low - y_high >= 15 and len(text) * CHAR_PX <= bar:
                body.append(text_element(x + bar / 2, (y_high + y_low) / 2 + 4, text, size=11, halo=True))
            base += amount
        total = value_format(tick_value(totals[j]))
        if len(total) * CHAR_PX + LABEL_GAP <= band:
            body.append(text_element(x + bar / 2, y_of(totals[j]) - 5, total, size=11, weight="600"))
    body += x_labels(labels, lambda i: x0 + (i + 0.5) * band, y0 + 16, x1 - x0)
    body.append(f'<line x1="{num(x0)}" y1="{num(y0)}" x2="{num(x1)}" y2="{num(y0)}" stroke="currentColor"/>')
    totals_series = Series("Total", tuple(zip(labels, [tick_value(t) for t in totals], strict=True)))
    desc = f"{description} {summary([*series, totals_series], value_format)}".strip()
    return svg_document(chart_id, width, height, title, desc, body, defs=pattern_defs(chart_id, len(series)))

"""Line charts: line_chart, one or more series as lines over shared labels."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from accelerator.web.charts.data import Formatter, Series, format_number
from accelerator.web.charts.drawing import (
    CHAR_PX,
    COLOURS,
    DASHES,
    as_float,
    axis_labels,
    empty_note,
    esc,
    left_margin,
    legend_rows,
    marker_shape,
    nice_ticks,
    num,
    summary,
    svg_document,
    text_element,
    tick_value,
    x_labels,
    y_axis,
)

# --- Charts ----------------------------------------------------------------------------------------------

def line_chart(series: Sequence[Series], *, chart_id: str, title: str, description: str, x_label: str,
               y_label: str, value_format: Formatter = format_number, width: int = 720, height: int = 360,
               y_max: float | None = None) -> Markup:
    """One or more series as lines over shared labels: each its own dash pattern and marker shape,
    named in a legend; values are written at each point when few, else at each line's last point."""
    series = list(series)
    labels = list(dict.fromkeys(label for s in series for label in s.labels))
    index = {label: i for i, label in enumerate(labels)}
    ticks = nice_ticks(max([as_float(v) for s in series for _l, v in s.points] + [y_max or 0.0]))
    left = left_margin(value_format(tick_value(t)) for t in ticks)

    def swatch(i: int, x: float, y: float) -> str:
        """The legend's sample of series i."""
        colour = COLOURS[i % len(COLOURS)]
        dash = f' stroke-dasharray="{DASHES[i % len(DASHES)]}"' if DASHES[i % len(DASHES)] else ""
        return (f'<line x1="{num(x)}" y1="{num(y)}" x2="{num(x + 24)}" y2="{num(y)}" stroke="{colour}" '
                f'stroke-width="2.5"{dash}/>' + marker_shape(i, x + 12, y, colour))

    legend, legend_height = legend_rows([s.name for s in series], width, swatch) if series else ([], 8.0)
    # The first and last labels sit centred on the plot's edges: leave each half a label of room.
    half = min(16, max((len(label) for label in labels), default=0)) * CHAR_PX / 2 + 6
    x0, x1, y_top, y0 = max(left, half), width - max(24.0, half), legend_height + 14, height - 52.0
    top = ticks[-1]

    def y_of(v: float) -> float:
        """The y coordinate of a value."""
        return y0 - (y0 - y_top) * min(v, top) / top

    def x_of(i: int) -> float:
        """The x coordinate of the i-th label."""
        return (x0 + x1) / 2 if len(labels) <= 1 else x0 + (x1 - x0) * i / (len(labels) - 1)

    body = y_axis(ticks, x0, x1, y_of, value_format) + legend
    body += axis_labels(width, height, y_top, y0, x_label, y_label)
    if not any(v is not None for s in series for _l, v in s.points):
        body.append(empty_note((x0 + x1) / 2, (y_top + y0) / 2))
    label_every_point = len(labels) <= 12 and len(series) <= 2
    for i, s in enumerate(series):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        path, pen_down = [], False
        for label, value in s.points:
            if value is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{num(x_of(index[label]))},{num(y_of(as_float(value)))}")
            pen_down = True
        if path:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            body.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2.5"'
                        f' stroke-linejoin="round"{dash_attr}><title>{esc(s.name)}</title></path>')
        known = [(label, v) for label, v in s.points if v is not None]
        for label, value in known:
            x, y = x_of(index[label]), y_of(as_float(value))
            if len(labels) <= 60:
                body.append(f"<g><title>{esc(s.name)}, {esc(label)}: {esc(value_format(value))}</title>"
                            f"{marker_shape(i, x, y, colour)}</g>")
            if label_every_point or label == known[-1][0]:
                # Alternate above/below between series so two labels at one x do not overlap.
                dy = -9 if i % 2 == 0 else 17
                body.append(text_element(x, y + dy, value_format(value), size=11, weight="600", halo=True))
    body += x_labels(labels, x_of, y0 + 16, x1 - x0)
    body.append(f'<line x1="{num(x0)}" y1="{num(y0)}" x2="{num(x1)}" y2="{num(y0)}" stroke="currentColor"/>')
    desc = f"{description} {summary(series, value_format)}".strip()
    return svg_document(chart_id, width, height, title, desc, body)

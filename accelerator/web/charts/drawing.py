"""The SVG drawing helpers the charts share: colours, escaping, ticks, axes, legends, markers, <svg>.

Every chart is `<svg role="img" aria-labelledby="ID-title ID-desc">` (ID: `chart_id`, unique on the
page) with a <title> and a <desc> that also states the figures, axis labels and numbered ticks, and is
readable without colour: bars carry their values, stacked segments are patterned and labelled, lines
differ by dash and marker shape, and a legend names each series in text. There is no script and no
style attribute (the site's CSP forbids inline styles): only presentation attributes (fill, stroke,
stroke-dasharray, ...). Text follows the page's colour (currentColor). Every label is escaped. Values
are drawn from 0 up (negatives as 0); None means "no figure" (a gap in a line, "n/a" on a bar).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence

from markupsafe import Markup, escape

from accelerator.web.charts.data import Formatter, Number, Series

# Series colours, each at least 3:1 against the white card behind the chart (WCAG 1.4.11, graphics) and never
# the only difference (dashes, markers, patterns, legends). The first four are the Okabe-Ito colours that reach
# 3:1 (blue, vermillion, bluish green, reddish purple), told apart with any common colour-vision deficiency;
# Okabe-Ito's orange, sky blue and yellow are too light on white, so purple, ochre and a mid blue follow black.
BACKGROUND = "#ffffff"
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#6A3D9A", "#946800", "#000000", "#4A8DB8")
DASHES = ("", "8 4", "2 3", "10 3 2 3", "5 5", "1 4", "12 2", "3 6")
GRID = "#d6dce4"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
CHAR_PX = 6.6  # the width of an average character at 11-12 px, for laying labels out
LABEL_GAP = 6.0  # the least room between two neighbouring value labels, so they never read as one


# --- Drawing helpers ------------------------------------------------------------------------------------

def esc(value: object) -> str:
    """Text escaped for SVG content and attribute values."""
    return str(escape(str(value)))


def num(value: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def as_float(value: Number | None) -> float:
    """A value as a drawable float: None, negative or not finite count as 0."""
    if value is None:
        return 0.0
    number = float(value)
    return number if math.isfinite(number) and number > 0 else 0.0


def nice_ticks(top_value: float, count: int = 5) -> list[float]:
    """0 and round steps up to at least `top_value` (1, 2, 2.5 or 5 times a power of ten)."""
    if top_value <= 0:
        top_value = 1.0
    raw = top_value / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    steps = math.ceil(top_value / step - 1e-9)
    return [step * i for i in range(steps + 1)]


def shorten(text: str, limit: int) -> str:
    """Text cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"


def text_element(x: float, y: float, content: str, *, anchor: str = "middle", size: int = 12, weight: str | None = None,
          halo: bool = False, extra: str = "") -> str:
    """A <text> element (escaped), in the page's text colour or dark with a white halo."""
    attrs = f'x="{num(x)}" y="{num(y)}" text-anchor="{anchor}" font-size="{size}"'
    if weight:
        attrs += f' font-weight="{weight}"'
    if halo:
        # A white outline drawn under the glyphs keeps a label legible over patterns, bars and lines.
        attrs += ' fill="#111111" stroke="#ffffff" stroke-width="3" paint-order="stroke" stroke-linejoin="round"'
    else:
        attrs += ' fill="currentColor"'
    return f"<text {attrs}{extra}>{esc(content)}</text>"


def summary(series: Sequence[Series], value_format: Formatter) -> str:
    """The figures in words, for the <desc> that screen readers announce."""
    parts = []
    for s in series:
        known = [(label, v) for label, v in s.points if v is not None]
        prefix = f"{s.name}: " if s.name else ""
        if not known:
            parts.append(f"{prefix}no figures.")
        elif len(s.points) <= 12:
            parts.append(prefix + "; ".join(f"{label} {value_format(v)}" for label, v in s.points) + ".")
        else:
            high = max(known, key=lambda p: float(p[1]))
            parts.append(f"{prefix}{len(s.points)} points from {s.points[0][0]} to {s.points[-1][0]}; "
                         f"highest {value_format(high[1])} ({high[0]}), last {value_format(known[-1][1])}.")
    return " ".join(parts)


def svg_document(chart_id: str, width: float, height: float, title: str, description: str, body: list[str],
         defs: str = "") -> Markup:
    """The <svg> root with its title and desc around the drawn `body`."""
    if not isinstance(chart_id, str) or not _ID.fullmatch(chart_id):
        raise ValueError("chart_id must be 1-64 letters, digits, - or _, starting with a letter")
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {num(width)} {num(height)}" '
            f'width="100%" preserveAspectRatio="xMidYMid meet" font-family="{esc(FONT)}" font-size="12">'
            f'<title id="{chart_id}-title">{esc(title)}</title><desc id="{chart_id}-desc">{esc(description)}</desc>')
    defs_part = f"<defs>{defs}</defs>" if defs else ""
    # Markup: every piece of text above and in `body` went through escape().
    return Markup(head + defs_part + "".join(body) + "</svg>")  # noqa: S704


def empty_note(x: float, y: float) -> str:
    """The sentence drawn in place of a chart with no points."""
    return text_element(x, y, "No data for this period.", size=13)


def y_axis(ticks: list[float], x0: float, x1: float, y_of: Callable[[float], float], fmt: Formatter) -> list[str]:
    """Gridlines and numbered ticks of a vertical value axis."""
    out = []
    for tick in ticks:
        y = y_of(tick)
        out.append(f'<line x1="{num(x0)}" y1="{num(y)}" x2="{num(x1)}" y2="{num(y)}" stroke="{GRID}"/>')
        out.append(text_element(x0 - 6, y + 4, fmt(tick_value(tick)), anchor="end", size=11))
    return out


def tick_value(tick: float) -> Number:
    """A tick as an int when whole (so 5.0 reads 5)."""
    return int(tick) if tick == int(tick) else tick


def axis_labels(width: float, height: float, plot_top: float, plot_bottom: float, x_label: str,
                 y_label: str) -> list[str]:
    """The x-axis label under the plot and the y-axis label turned along the left edge."""
    middle = (plot_top + plot_bottom) / 2
    return [
        text_element(width / 2, height - 6, x_label, weight="600"),
        text_element(14, middle, y_label, weight="600", extra=f' transform="rotate(-90 14 {num(middle)})"'),
    ]


def left_margin(tick_labels: Iterable[str]) -> float:
    """Room on the left for the longest tick label."""
    longest = max((len(t) for t in tick_labels), default=1)
    return min(130.0, max(48.0, 30 + longest * CHAR_PX))


def band_plot_right(width: float, x0: float, labels: Sequence[str]) -> float:
    """The right edge of a plot of equal bands starting at x0, leaving the last band's centred label room
    to end inside the SVG (a band narrower than its label would otherwise push it past the right edge)."""
    limit = width - 16.0
    if not labels:
        return limit
    half = min(16, max(len(label) for label in labels)) * CHAR_PX / 2
    edge = 1 / (2 * len(labels))  # the last band's centre lies this share of the plot's width before its end
    return min(limit, (width - 4 - half - x0 * edge) / (1 - edge))


def x_labels(labels: Sequence[str], x_of: Callable[[int], float], y: float, room: float) -> list[str]:
    """Category labels under the axis, every k-th one when they would not fit side by side."""
    if not labels:
        return []
    longest = min(16, max(len(label) for label in labels))
    step = max(1, math.ceil(len(labels) * (longest * CHAR_PX + 8) / max(room, 1)))
    return [text_element(x_of(i), y, shorten(label, 16), size=11) for i, label in enumerate(labels) if i % step == 0]


def pattern_defs(chart_id: str, count: int) -> str:
    """A fill per series: its colour plus a distinct texture (solid, hatch, dots, cross, ...)."""
    marks = (
        "",
        '<path d="M-1,1 l2,-2 M0,8 l8,-8 M7,9 l2,-2" stroke="#ffffff" stroke-width="1.6"/>',
        '<circle cx="4" cy="4" r="1.6" fill="#ffffff"/>',
        '<path d="M0,0 L8,8 M8,0 L0,8" stroke="#ffffff" stroke-width="1.2"/>',
        '<path d="M0,4 H8" stroke="#ffffff" stroke-width="1.6"/>',
        '<path d="M4,0 V8" stroke="#ffffff" stroke-width="1.6"/>',
        '<path d="M0,2 H8 M0,6 H8 M2,0 V8 M6,0 V8" stroke="#ffffff" stroke-width="0.9"/>',
        '<path d="M-1,7 l2,2 M0,0 l8,8 M7,-1 l2,2" stroke="#ffffff" stroke-width="1.6"/>',
    )
    out = []
    for i in range(count):
        colour = COLOURS[i % len(COLOURS)]
        out.append(f'<pattern id="{chart_id}-p{i}" patternUnits="userSpaceOnUse" width="8" height="8">'
                   f'<rect width="8" height="8" fill="{colour}"/>{marks[i % len(marks)]}</pattern>')
    return "".join(out)


def marker_shape(i: int, x: float, y: float, colour: str) -> str:
    """A marker shape per series (circle, square, triangle, diamond, ...), so lines differ without colour."""
    shape = i % 4
    if shape == 0:
        return f'<circle cx="{num(x)}" cy="{num(y)}" r="3.5" fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
    if shape == 1:
        return (f'<rect x="{num(x - 3.5)}" y="{num(y - 3.5)}" width="7" height="7" fill="{colour}" '
                f'stroke="#ffffff" stroke-width="1"/>')
    if shape == 2:
        return (f'<path d="M{num(x)},{num(y - 4.5)} L{num(x + 4.5)},{num(y + 3.5)} L{num(x - 4.5)},{num(y + 3.5)} Z" '
                f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>')
    return (f'<path d="M{num(x)},{num(y - 5)} L{num(x + 5)},{num(y)} L{num(x)},{num(y + 5)} L{num(x - 5)},{num(y)} Z" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>')


def legend_rows(names: Sequence[str], width: float,
                swatch: Callable[[int, float, float], str]) -> tuple[list[str], float]:
    """A legend in rows across the top: a swatch and the series' name; returns (elements, its height)."""
    out, x, y = [], 12.0, 18.0
    for i, name in enumerate(names):
        label = shorten(name, 32)
        need = 30 + len(label) * CHAR_PX + 16
        if x + need > width - 8 and x > 12:
            x, y = 12.0, y + 20
        out.append(swatch(i, x, y - 4))
        out.append(text_element(x + 30, y, label, anchor="start"))
        x += need
    return out, y + 10

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
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from markupsafe import Markup, escape

from accelerator.domain.money import display_money
from accelerator.services.exports import csv_line

Number = int | float | Decimal
Formatter = Callable[[Number], str]

# Okabe-Ito colours: told apart by people with any common colour-vision deficiency (and never alone).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
DASHES = ("", "8 4", "2 3", "10 3 2 3", "5 5", "1 4", "12 2", "3 6")
GRID = "#d6dce4"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_CHAR_PX = 6.6  # the width of an average character at 11-12 px, for laying labels out
_LABEL_GAP = 6.0  # the least room between two neighbouring value labels, so they never read as one


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


# --- Drawing helpers ------------------------------------------------------------------------------------

def _e(value: object) -> str:
    """Text escaped for SVG content and attribute values."""
    return str(escape(str(value)))


def _n(value: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _float(value: Number | None) -> float:
    """A value as a drawable float: None, negative or not finite count as 0."""
    if value is None:
        return 0.0
    number = float(value)
    return number if math.isfinite(number) and number > 0 else 0.0


def _nice_ticks(top_value: float, count: int = 5) -> list[float]:
    """0 and round steps up to at least `top_value` (1, 2, 2.5 or 5 times a power of ten)."""
    if top_value <= 0:
        top_value = 1.0
    raw = top_value / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    steps = math.ceil(top_value / step - 1e-9)
    return [step * i for i in range(steps + 1)]


def _short(text: str, limit: int) -> str:
    """Text cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"


def _text(x: float, y: float, content: str, *, anchor: str = "middle", size: int = 12, weight: str | None = None,
          halo: bool = False, extra: str = "") -> str:
    """A <text> element (escaped), in the page's text colour or dark with a white halo."""
    attrs = f'x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}"'
    if weight:
        attrs += f' font-weight="{weight}"'
    if halo:
        # A white outline drawn under the glyphs keeps a label legible over patterns, bars and lines.
        attrs += ' fill="#111111" stroke="#ffffff" stroke-width="3" paint-order="stroke" stroke-linejoin="round"'
    else:
        attrs += ' fill="currentColor"'
    return f"<text {attrs}{extra}>{_e(content)}</text>"


def _summary(series: Sequence[Series], value_format: Formatter) -> str:
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


def _svg(chart_id: str, width: float, height: float, title: str, description: str, body: list[str],
         defs: str = "") -> Markup:
    """The <svg> root with its title and desc around the drawn `body`."""
    if not isinstance(chart_id, str) or not _ID.fullmatch(chart_id):
        raise ValueError("chart_id must be 1-64 letters, digits, - or _, starting with a letter")
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {_n(width)} {_n(height)}" '
            f'width="100%" preserveAspectRatio="xMidYMid meet" font-family="{_e(FONT)}" font-size="12">'
            f'<title id="{chart_id}-title">{_e(title)}</title><desc id="{chart_id}-desc">{_e(description)}</desc>')
    defs_part = f"<defs>{defs}</defs>" if defs else ""
    # Markup: every piece of text above and in `body` went through escape().
    return Markup(head + defs_part + "".join(body) + "</svg>")  # noqa: S704


def _empty_note(x: float, y: float) -> str:
    """The sentence drawn in place of a chart with no points."""
    return _text(x, y, "No data for this period.", size=13)


def _y_axis(ticks: list[float], x0: float, x1: float, y_of: Callable[[float], float], fmt: Formatter) -> list[str]:
    """Gridlines and numbered ticks of a vertical value axis."""
    out = []
    for tick in ticks:
        y = y_of(tick)
        out.append(f'<line x1="{_n(x0)}" y1="{_n(y)}" x2="{_n(x1)}" y2="{_n(y)}" stroke="{GRID}"/>')
        out.append(_text(x0 - 6, y + 4, fmt(_tick_value(tick)), anchor="end", size=11))
    return out


def _tick_value(tick: float) -> Number:
    """A tick as an int when whole (so 5.0 reads 5)."""
    return int(tick) if tick == int(tick) else tick


def _axis_labels(width: float, height: float, plot_top: float, plot_bottom: float, x_label: str,
                 y_label: str) -> list[str]:
    """The x-axis label under the plot and the y-axis label turned along the left edge."""
    middle = (plot_top + plot_bottom) / 2
    return [
        _text(width / 2, height - 6, x_label, weight="600"),
        _text(14, middle, y_label, weight="600", extra=f' transform="rotate(-90 14 {_n(middle)})"'),
    ]


def _left_margin(tick_labels: Iterable[str]) -> float:
    """Room on the left for the longest tick label."""
    longest = max((len(t) for t in tick_labels), default=1)
    return min(130.0, max(48.0, 30 + longest * _CHAR_PX))


def _x_labels(labels: Sequence[str], x_of: Callable[[int], float], y: float, room: float) -> list[str]:
    """Category labels under the axis, every k-th one when they would not fit side by side."""
    if not labels:
        return []
    longest = min(16, max(len(label) for label in labels))
    step = max(1, math.ceil(len(labels) * (longest * _CHAR_PX + 8) / max(room, 1)))
    return [_text(x_of(i), y, _short(label, 16), size=11) for i, label in enumerate(labels) if i % step == 0]


def _patterns(chart_id: str, count: int) -> str:
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


def _marker(i: int, x: float, y: float, colour: str) -> str:
    """A marker shape per series (circle, square, triangle, diamond, ...), so lines differ without colour."""
    shape = i % 4
    if shape == 0:
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
    if shape == 1:
        return (f'<rect x="{_n(x - 3.5)}" y="{_n(y - 3.5)}" width="7" height="7" fill="{colour}" '
                f'stroke="#ffffff" stroke-width="1"/>')
    if shape == 2:
        return (f'<path d="M{_n(x)},{_n(y - 4.5)} L{_n(x + 4.5)},{_n(y + 3.5)} L{_n(x - 4.5)},{_n(y + 3.5)} Z" '
                f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>')
    return (f'<path d="M{_n(x)},{_n(y - 5)} L{_n(x + 5)},{_n(y)} L{_n(x)},{_n(y + 5)} L{_n(x - 5)},{_n(y)} Z" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>')


def _legend(names: Sequence[str], width: float, swatch: Callable[[int, float, float], str]) -> tuple[list[str], float]:
    """A legend in rows across the top: a swatch and the series' name; returns (elements, its height)."""
    out, x, y = [], 12.0, 18.0
    for i, name in enumerate(names):
        label = _short(name, 32)
        need = 30 + len(label) * _CHAR_PX + 16
        if x + need > width - 8 and x > 12:
            x, y = 12.0, y + 20
        out.append(swatch(i, x, y - 4))
        out.append(_text(x + 30, y, label, anchor="start"))
        x += need
    return out, y + 10


# --- Charts ----------------------------------------------------------------------------------------------

def bar_chart(series: Series, *, chart_id: str, title: str, description: str, x_label: str, y_label: str,
              value_format: Formatter = format_number, horizontal: bool = False, width: int = 720,
              height: int = 360, y_max: float | None = None) -> Markup:
    """One series as bars, each labelled with its value; `horizontal` for long category names.

    `y_max` fixes the top of the value axis (1 for shares). Returns an SVG Markup.
    """
    desc = f"{description} {_summary([series], value_format)}".strip()
    if horizontal:
        return _horizontal_bars(series, chart_id, title, desc, x_label, y_label, value_format, width, y_max)
    labels = series.labels
    values = [v for _label, v in series.points]
    ticks = _nice_ticks(max([_float(v) for v in values] + [y_max or 0.0]))
    left = _left_margin(value_format(_tick_value(t)) for t in ticks)
    x0, x1, y_top, y0 = left, width - 16.0, 28.0, height - 52.0
    top = ticks[-1]

    def y_of(v: float) -> float:
        """The y coordinate of a value."""
        return y0 - (y0 - y_top) * min(v, top) / top

    body = _y_axis(ticks, x0, x1, y_of, value_format)
    body += _axis_labels(width, height, y_top, y0, x_label, y_label)
    if not labels:
        body.append(_empty_note((x0 + x1) / 2, (y_top + y0) / 2))
    band = (x1 - x0) / max(1, len(labels))
    bar = band * 0.7
    show_values = max((len(value_format(v)) for v in values), default=0) * _CHAR_PX + _LABEL_GAP <= band
    for i, (label, value) in enumerate(series.points):
        x, y = x0 + i * band + (band - bar) / 2, y_of(_float(value))
        body.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(bar)}" height="{_n(y0 - y)}" fill="{COLOURS[0]}">'
                    f"<title>{_e(label)}: {_e(value_format(value))}</title></rect>")
        if show_values:
            body.append(_text(x + bar / 2, y - 5, value_format(value), size=11, weight="600"))
    body += _x_labels(labels, lambda i: x0 + (i + 0.5) * band, y0 + 16, x1 - x0)
    body.append(f'<line x1="{_n(x0)}" y1="{_n(y0)}" x2="{_n(x1)}" y2="{_n(y0)}" stroke="currentColor"/>')
    return _svg(chart_id, width, height, title, desc, body)


def _horizontal_bars(series: Series, chart_id: str, title: str, desc: str, x_label: str, y_label: str,
                     value_format: Formatter, width: int, y_max: float | None) -> Markup:
    """Bars across, one row per label: the label on the left, the value at the bar's end."""
    points = series.points
    row = 30.0
    ticks = _nice_ticks(max([_float(v) for _l, v in points] + [y_max or 0.0]))
    longest_label = max((len(_short(label, 30)) for label, _v in points), default=0)
    longest_value = max((len(value_format(v)) for _l, v in points), default=0)
    x0 = min(260.0, max(60.0, 34 + longest_label * _CHAR_PX))
    x1 = width - max(24.0, 12 + longest_value * _CHAR_PX)
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
        body.append(f'<line x1="{_n(x)}" y1="{_n(y_top)}" x2="{_n(x)}" y2="{_n(y0)}" stroke="{GRID}"/>')
        body.append(_text(x, y0 + 16, value_format(_tick_value(tick)), size=11))
    body += [_text((x0 + x1) / 2, height - 8, x_label, weight="600"),
             _text(12, y_top - 4, y_label, anchor="start", weight="600")]
    if not points:
        body.append(_empty_note((x0 + x1) / 2, (y_top + y0) / 2))
    for i, (label, value) in enumerate(points):
        y = y_top + i * row + 6
        end = x_of(_float(value))
        body.append(f'<rect x="{_n(x0)}" y="{_n(y)}" width="{_n(end - x0)}" height="{_n(row - 12)}" '
                    f'fill="{COLOURS[0]}"><title>{_e(label)}: {_e(value_format(value))}</title></rect>')
        body.append(_text(x0 - 8, y + row / 2 - 2, _short(label, 30), anchor="end"))
        body.append(_text(end + 6, y + row / 2 - 2, value_format(value), anchor="start", size=11, weight="600"))
    body.append(f'<line x1="{_n(x0)}" y1="{_n(y_top)}" x2="{_n(x0)}" y2="{_n(y0)}" stroke="currentColor"/>')
    return _svg(chart_id, width, height, title, desc, body)


def line_chart(series: Sequence[Series], *, chart_id: str, title: str, description: str, x_label: str,
               y_label: str, value_format: Formatter = format_number, width: int = 720, height: int = 360,
               y_max: float | None = None) -> Markup:
    """One or more series as lines over shared labels: each its own dash pattern and marker shape,
    named in a legend; values are written at each point when few, else at each line's last point."""
    series = list(series)
    labels = list(dict.fromkeys(label for s in series for label in s.labels))
    index = {label: i for i, label in enumerate(labels)}
    ticks = _nice_ticks(max([_float(v) for s in series for _l, v in s.points] + [y_max or 0.0]))
    left = _left_margin(value_format(_tick_value(t)) for t in ticks)

    def swatch(i: int, x: float, y: float) -> str:
        """The legend's sample of series i."""
        colour = COLOURS[i % len(COLOURS)]
        dash = f' stroke-dasharray="{DASHES[i % len(DASHES)]}"' if DASHES[i % len(DASHES)] else ""
        return (f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 24)}" y2="{_n(y)}" stroke="{colour}" '
                f'stroke-width="2.5"{dash}/>' + _marker(i, x + 12, y, colour))

    legend, legend_height = _legend([s.name for s in series], width, swatch) if series else ([], 8.0)
    # The first and last labels sit centred on the plot's edges: leave each half a label of room.
    half = min(16, max((len(label) for label in labels), default=0)) * _CHAR_PX / 2 + 6
    x0, x1, y_top, y0 = max(left, half), width - max(24.0, half), legend_height + 14, height - 52.0
    top = ticks[-1]

    def y_of(v: float) -> float:
        """The y coordinate of a value."""
        return y0 - (y0 - y_top) * min(v, top) / top

    def x_of(i: int) -> float:
        """The x coordinate of the i-th label."""
        return (x0 + x1) / 2 if len(labels) <= 1 else x0 + (x1 - x0) * i / (len(labels) - 1)

    body = _y_axis(ticks, x0, x1, y_of, value_format) + legend
    body += _axis_labels(width, height, y_top, y0, x_label, y_label)
    if not any(v is not None for s in series for _l, v in s.points):
        body.append(_empty_note((x0 + x1) / 2, (y_top + y0) / 2))
    label_every_point = len(labels) <= 12 and len(series) <= 2
    for i, s in enumerate(series):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        path, pen_down = [], False
        for label, value in s.points:
            if value is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{_n(x_of(index[label]))},{_n(y_of(_float(value)))}")
            pen_down = True
        if path:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            body.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2.5"'
                        f' stroke-linejoin="round"{dash_attr}><title>{_e(s.name)}</title></path>')
        known = [(label, v) for label, v in s.points if v is not None]
        for label, value in known:
            x, y = x_of(index[label]), y_of(_float(value))
            if len(labels) <= 60:
                body.append(f"<g><title>{_e(s.name)}, {_e(label)}: {_e(value_format(value))}</title>"
                            f"{_marker(i, x, y, colour)}</g>")
            if label_every_point or label == known[-1][0]:
                # Alternate above/below between series so two labels at one x do not overlap.
                dy = -9 if i % 2 == 0 else 17
                body.append(_text(x, y + dy, value_format(value), size=11, weight="600", halo=True))
    body += _x_labels(labels, x_of, y0 + 16, x1 - x0)
    body.append(f'<line x1="{_n(x0)}" y1="{_n(y0)}" x2="{_n(x1)}" y2="{_n(y0)}" stroke="currentColor"/>')
    desc = f"{description} {_summary(series, value_format)}".strip()
    return _svg(chart_id, width, height, title, desc, body)


def stacked_bar_chart(series: Sequence[Series], *, chart_id: str, title: str, description: str, x_label: str,
                      y_label: str, value_format: Formatter = format_number, width: int = 720,
                      height: int = 380) -> Markup:
    """Several series stacked per label (e.g. checks per day by route): each series a colour and a
    texture, named in a legend; segments carry their values where they fit, and each bar its total."""
    series = list(series)
    labels = list(dict.fromkeys(label for s in series for label in s.labels))
    values = [dict(s.points) for s in series]
    totals = [sum(_float(v.get(label)) for v in values) for label in labels]
    ticks = _nice_ticks(max(totals, default=0.0))
    left = _left_margin(value_format(_tick_value(t)) for t in ticks)

    def swatch(i: int, x: float, y: float) -> str:
        """The legend's sample of series i."""
        return (f'<rect x="{_n(x)}" y="{_n(y - 8)}" width="24" height="16" fill="url(#{chart_id}-p{i})" '
                f'stroke="currentColor" stroke-width="0.5"/>')

    legend, legend_height = _legend([s.name for s in series], width, swatch) if series else ([], 8.0)
    x0, x1, y_top, y0 = left, width - 16.0, legend_height + 20, height - 52.0
    top = ticks[-1]

    def y_of(v: float) -> float:
        """The y coordinate of a value."""
        return y0 - (y0 - y_top) * min(v, top) / top

    body = _y_axis(ticks, x0, x1, y_of, value_format) + legend
    body += _axis_labels(width, height, y_top, y0, x_label, y_label)
    if not labels:
        body.append(_empty_note((x0 + x1) / 2, (y_top + y0) / 2))
    band = (x1 - x0) / max(1, len(labels))
    bar = band * 0.72
    for j, label in enumerate(labels):
        x, base = x0 + j * band + (band - bar) / 2, 0.0
        for i, s in enumerate(series):
            value = values[i].get(label)
            amount = _float(value)
            if amount <= 0:
                continue
            y_high, y_low = y_of(base + amount), y_of(base)
            body.append(f'<rect x="{_n(x)}" y="{_n(y_high)}" width="{_n(bar)}" height="{_n(y_low - y_high)}" '
                        f'fill="url(#{chart_id}-p{i})" stroke="#ffffff" stroke-width="0.5">'
                        f"<title>{_e(label)}, {_e(s.name)}: {_e(value_format(value))}</title></rect>")
            text = value_format(value)
            if y_low - y_high >= 15 and len(text) * _CHAR_PX <= bar:
                body.append(_text(x + bar / 2, (y_high + y_low) / 2 + 4, text, size=11, halo=True))
            base += amount
        total = value_format(_tick_value(totals[j]))
        if len(total) * _CHAR_PX + _LABEL_GAP <= band:
            body.append(_text(x + bar / 2, y_of(totals[j]) - 5, total, size=11, weight="600"))
    body += _x_labels(labels, lambda i: x0 + (i + 0.5) * band, y0 + 16, x1 - x0)
    body.append(f'<line x1="{_n(x0)}" y1="{_n(y0)}" x2="{_n(x1)}" y2="{_n(y0)}" stroke="currentColor"/>')
    totals_series = Series("Total", tuple(zip(labels, [_tick_value(t) for t in totals], strict=True)))
    desc = f"{description} {_summary([*series, totals_series], value_format)}".strip()
    return _svg(chart_id, width, height, title, desc, body, defs=_patterns(chart_id, len(series)))

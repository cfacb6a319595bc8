"""Server-drawn SVG charts: valid, accessible, escaped, free of inline styles and scripts, values labelled."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

import pytest
from markupsafe import Markup

from accelerator.web import charts
from accelerator.web.charts import Series

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>alert("x")</script> & "Bob\'s"'


def parse(markup: Markup) -> ET.Element:
    """Parse a chart as XML (which fails on anything that is not well-formed)."""
    assert isinstance(markup, Markup)
    return ET.fromstring(str(markup))


def texts(root: ET.Element) -> list[str]:
    """The content of every <text> of the chart."""
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def everything(root: ET.Element):
    """Every element of the chart, the root included."""
    return list(root.iter())


def assert_accessible(root: ET.Element, chart_id: str, title: str) -> str:
    """role=img, labelled by its own <title> and <desc>; no script, no style anywhere. Returns the desc."""
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    title_el, desc_el = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title_el is not None and title_el.get("id") == f"{chart_id}-title" and title_el.text == title
    assert desc_el is not None and desc_el.get("id") == f"{chart_id}-desc" and desc_el.text
    for element in everything(root):
        assert "style" not in element.attrib, element.tag
        assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")
        assert not any(name.startswith("on") for name in element.attrib), element.attrib
    return desc_el.text


def bar(points, **kwargs) -> Markup:
    """A bar chart of `points` with test defaults for the other arguments."""
    options = dict(chart_id="funnel", title="Quote funnel", description="Requests by stage.", x_label="Stage",
                   y_label="Requests")
    options.update(kwargs)
    return charts.bar_chart(Series.of("Requests", points), **options)


def test_bar_chart_is_valid_accessible_svg_with_every_value_written():
    root = parse(bar([("Requested", 120), ("Quoted", 80), ("Bought", 31)]))
    desc = assert_accessible(root, "funnel", "Quote funnel")
    assert "Requested 120; Quoted 80; Bought 31." in desc
    written = texts(root)
    for expected in ("120", "80", "31", "Requested", "Quoted", "Bought", "Stage", "Requests"):
        assert expected in written
    assert {"0", "25", "50", "75", "100", "125"} <= set(written)  # numbered value axis
    bars = [r for r in root.iter(f"{SVG}rect")]
    assert len(bars) == 3
    heights = [float(r.get("height")) for r in bars]
    assert heights[0] > heights[1] > heights[2] > 0


def test_labels_are_escaped_everywhere():
    markup = bar([(NASTY, 5)], title=NASTY, description=NASTY, x_label=NASTY, y_label=NASTY)
    assert "<script>" not in str(markup)
    root = parse(markup)
    assert_accessible(root, "funnel", NASTY)
    assert NASTY in texts(root)
    line = charts.line_chart([Series.of(NASTY, [(NASTY, 1), ("b", 2)])], chart_id="l", title="t", description="d",
                             x_label="x", y_label="y")
    stacked = charts.stacked_bar_chart([Series.of(NASTY, [(NASTY, 1)])], chart_id="s", title="t",
                                       description="d", x_label="x", y_label="y")
    for markup in (line, stacked):
        assert "<script>" not in str(markup)
        root = parse(markup)
        # Long labels are shortened on the drawing; the tooltips and the desc keep them whole.
        assert any(NASTY in (el.text or "") for el in root.iter(f"{SVG}title"))
        assert NASTY in root.find(f"{SVG}desc").text
        assert any(t.startswith('<script>alert("x")') for t in texts(root))


def test_horizontal_bars_keep_long_names_and_money_values():
    points = [("Clothing, Shoes & Jewelry", Decimal("125000.00")), ("Toys & Games", Decimal("980.50"))]
    root = parse(bar(points, chart_id="premiums", title="Premiums by category", horizontal=True,
                     value_format=charts.format_money))
    assert_accessible(root, "premiums", "Premiums by category")
    written = texts(root)
    assert "Clothing, Shoes & Jewelry" in written and "$125,000.00" in written and "$980.50" in written
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > 0


@pytest.mark.parametrize("draw", ["bar", "horizontal", "line", "stacked"])
def test_an_empty_chart_says_so_and_is_still_valid(draw):
    empty = Series.of("Checks", [])
    common = dict(chart_id="empty", title="Nothing yet", description="No figures.", x_label="Day", y_label="N")
    markup = {
        "bar": lambda: charts.bar_chart(empty, **common),
        "horizontal": lambda: charts.bar_chart(empty, horizontal=True, **common),
        "line": lambda: charts.line_chart([empty], **common),
        "stacked": lambda: charts.stacked_bar_chart([], **common),
    }[draw]()
    root = parse(markup)
    assert_accessible(root, "empty", "Nothing yet")
    assert "No data for this period." in texts(root)


def test_all_zero_and_missing_values_draw_flat_and_say_n_a():
    root = parse(bar([("Mon", 0), ("Tue", None)]))
    assert [float(r.get("height")) for r in root.iter(f"{SVG}rect")] == [0.0, 0.0]
    written = texts(root)
    assert "0" in written and "n/a" in written


def test_line_chart_series_differ_by_dash_and_marker_and_are_named_in_a_legend():
    weeks = [date(2026, 3, 2) + timedelta(days=7 * i) for i in range(4)]
    share = Series.of("Compliant", [(w, v) for w, v in zip(weeks, [0.5, 0.6, None, 0.8], strict=True)])
    other = Series.of("Overdue", [(w, v) for w, v in zip(weeks, [0.2, 0.1, 0.1, 0.0], strict=True)])
    root = parse(charts.line_chart([share, other], chart_id="compliance", title="Compliance", description="Share.",
                                   x_label="Week starting", y_label="Share", value_format=charts.format_percent,
                                   y_max=1))
    desc = assert_accessible(root, "compliance", "Compliance")
    assert "Compliant: 2026-03-02 50%; 2026-03-09 60%; 2026-03-16 n/a; 2026-03-23 80%." in desc
    written = texts(root)
    assert {"Compliant", "Overdue", "50%", "60%", "80%", "20%", "0%", "100%", "2026-03-02"} <= set(written)
    lines = [p for p in root.iter(f"{SVG}path") if p.get("fill") == "none"]
    # The gap (None) splits the first line into two pieces: two M commands.
    assert [p.get("d").count("M") for p in lines] == [2, 1]
    assert lines[0].get("stroke-dasharray") != lines[1].get("stroke-dasharray")
    markers = {child.tag for g in root.iter(f"{SVG}g") for child in g if child.tag != f"{SVG}title"}
    assert {f"{SVG}circle", f"{SVG}rect"} <= markers


def test_a_long_line_labels_its_last_value_and_summarises_in_the_desc():
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    series = Series.of("In force", [(d, 100 + i) for i, d in enumerate(days)])
    root = parse(charts.line_chart([series], chart_id="inforce", title="In force", description="Policies.",
                                   x_label="Day", y_label="Policies"))
    desc = assert_accessible(root, "inforce", "In force")
    assert "365 points from 2026-01-01 to 2026-12-31; highest 464 (2026-12-31), last 464." in desc
    written = texts(root)
    assert "464" in written and "101" not in written  # only the last point is written
    assert sum(1 for t in written if t.startswith("2026-")) <= 12  # thinned axis labels


def test_stacked_bars_use_patterns_a_legend_segment_values_and_totals():
    days = ["2026-03-01", "2026-03-02"]
    routes = [Series.of(name, zip(days, counts, strict=True)) for name, counts in (
        ("marketplace", [20, 5]), ("insurer", [10, 0]), ("review", [3, 1]), ("seller", [7, 2]))]
    root = parse(charts.stacked_bar_chart(routes, chart_id="checks", title="Checks by route",
                                          description="Per day.", x_label="Day", y_label="Checks"))
    desc = assert_accessible(root, "checks", "Checks by route")
    assert "Total: 2026-03-01 40; 2026-03-02 8." in desc
    patterns = [p.get("id") for p in root.iter(f"{SVG}pattern")]
    assert patterns == ["checks-p0", "checks-p1", "checks-p2", "checks-p3"]
    # Each pattern but the first carries a texture over its colour.
    assert all(len(list(p)) == 2 for p in list(root.iter(f"{SVG}pattern"))[1:])
    segments = [r for r in root.iter(f"{SVG}rect") if (r.get("fill") or "").startswith("url(#checks-p")]
    assert len(segments) == 4 + 7  # 4 legend swatches + 7 non-zero segments (insurer has 0 on day 2)
    written = texts(root)
    assert {"marketplace", "insurer", "review", "seller", "40", "8", "20", "10"} <= set(written)


def test_chart_ids_must_be_safe_identifiers():
    for bad in ("", "1abc", 'x" onload="alert(1)', "a b", None):
        with pytest.raises(ValueError, match="chart_id"):
            bar([("a", 1)], chart_id=bad)


def test_table_for_gives_one_row_per_label_and_a_column_per_series():
    a = Series.of("marketplace", [(date(2026, 3, 1), 2), (date(2026, 3, 2), 0)])
    b = Series.of("review", [(date(2026, 3, 2), 1), (date(2026, 3, 3), None)])
    table = charts.table_for([a, b], label_header="Day")
    assert table.header == ("Day", "marketplace", "review")
    assert table.rows == (("2026-03-01", "2", ""), ("2026-03-02", "0", "1"), ("2026-03-03", "", ""))
    shares = charts.table_for(Series.of("Compliant", [("w1", 0.425), ("w2", None)]), label_header="Week",
                              value_format=charts.format_percent)
    assert shares.rows == (("w1", "42%"), ("w2", "n/a"))
    money = charts.table_for(Series.of("Premium", [("toys", Decimal("1850.00"))]))
    assert money.rows == (("toys", "1850.00"),)


def test_to_csv_writes_the_table_safely():
    table = charts.table_for(Series.of("Premium", [("=SUM(A1:A9)", Decimal("10.00")), ("a,b", 0.5)]),
                             label_header="Category")
    text = charts.to_csv(table.rows, table.header)
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["Category", "Premium"], ["'=SUM(A1:A9)", "10.00"], ["a,b", "0.5"]]
    assert charts.to_csv([], ["Day", "Checks"]) == "Day,Checks\r\n"


@pytest.mark.parametrize(("formatter", "value", "expected"), [
    (charts.format_number, 1234, "1,234"), (charts.format_number, 2.5, "2.5"), (charts.format_number, 3.0, "3"),
    (charts.format_number, Decimal("1234.5"), "1,234.50"), (charts.format_number, None, "n/a"),
    (charts.format_number, float("nan"), "n/a"), (charts.format_percent, 0.425, "42%"),
    (charts.format_percent, 1, "100%"), (charts.format_money, Decimal("1850"), "$1,850.00"),
    (charts.format_money, 0.5, "$0.50"), (charts.format_hours, 3.25, "3.2 h"), (charts.format_hours, None, "n/a"),
])
def test_formatters(formatter, value, expected):
    assert formatter(value) == expected


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(str(svg))
    return [el.text or "" for el in root.iter() if el.tag.endswith("text")]


@pytest.mark.parametrize("days, labelled", [(5, True), (78, False)])
def test_stacked_totals_are_labelled_only_where_neighbours_cannot_touch(days, labelled):
    labels = [date(2026, 9, 1) + timedelta(days=i) for i in range(days)]
    series = [Series.of("Marketplace pays", [(d, 4) for d in labels]),
              Series.of("Seller pays", [(d, 3) for d in labels])]
    svg = charts.stacked_bar_chart(series, chart_id="checks", title="Checks", description="", x_label="Day",
                                   y_label="Checks")
    assert ("7" in _texts(svg)) is labelled


def _contrast(colour: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two #rrggbb colours."""
    def luminance(hex_colour: str) -> float:
        """Relative luminance (WCAG 2)."""
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_as_wcag_defines_it():
    assert _contrast("#000000", "#ffffff") == pytest.approx(21)
    assert _contrast("#E69F00", "#ffffff") == pytest.approx(2.25, abs=0.01)  # the orange that was too light
    assert _contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_every_series_colour_stands_out_3_to_1_against_the_chart_background():
    """WCAG 1.4.11: the bars, lines and markers are graphics a person must make out (3:1)."""
    assert charts.BACKGROUND.lower() == "#ffffff"  # the cards the charts sit on
    assert len(set(c.lower() for c in charts.COLOURS)) == len(charts.COLOURS) == 8
    for colour in charts.COLOURS:
        assert _contrast(colour, charts.BACKGROUND) >= 3, colour


def test_the_charts_draw_their_series_in_those_colours():
    routes = [Series.of(name, [("2026-03-01", 1)]) for name in ("marketplace", "insurer", "review", "seller")]
    root = parse(charts.stacked_bar_chart(routes, chart_id="checks", title="Checks", description="",
                                          x_label="Day", y_label="Checks"))
    fills = [rect.get("fill") for p in root.iter(f"{SVG}pattern") for rect in p.iter(f"{SVG}rect")]
    assert fills == list(charts.COLOURS[:4])
    lines = parse(charts.line_chart(routes[:2], chart_id="lines", title="Lines", description="", x_label="Day",
                                    y_label="Checks"))
    strokes = [p.get("stroke") for p in lines.iter(f"{SVG}path") if p.get("fill") == "none"]
    assert strokes == list(charts.COLOURS[:2])


# At 11 px the average character of a label (digits and dashes) is at most this wide.
LABEL_CHAR_PX = 6.6


def _draw_days(kind: str, days: int, width: int) -> ET.Element:
    """A chart of `kind` with one label a day, as the dashboards draw coverage checks."""
    labels = [date(2026, 3, 1) + timedelta(days=i) for i in range(days)]
    routes = [Series.of(name, [(d, (i * 7 + n) % 5) for i, d in enumerate(labels)])
              for n, name in enumerate(("Marketplace pays", "Insurer pays", "Needs review", "Seller pays"))]
    options = dict(chart_id="checks", title="Coverage checks per day by route", description="", x_label="Day",
                   y_label="Coverage checks", width=width)
    if kind == "stacked":
        return parse(charts.stacked_bar_chart(routes, **options))
    if kind == "bars":
        return parse(charts.bar_chart(routes[0], **options))
    return parse(charts.line_chart(routes[:2], **options))


@pytest.mark.parametrize("kind", ["stacked", "bars", "line"])
@pytest.mark.parametrize("width", [720, 360])
@pytest.mark.parametrize("days", [1, 7, 10, 13, 14, 22, 29, 30, 31, 45, 60, 91, 92])
def test_the_last_date_label_lies_within_the_svg(kind, width, days):
    root = _draw_days(kind, days, width)
    assert root.get("viewBox").split()[2] == str(width)
    dates = [t for t in root.iter(f"{SVG}text") if (t.text or "").startswith("2026-")
             and t.get("text-anchor") == "middle" and t.get("font-size") == "11"]
    assert dates, "the axis has date labels"
    last = max(dates, key=lambda t: float(t.get("x")))
    first = min(dates, key=lambda t: float(t.get("x")))
    half = len(last.text) * LABEL_CHAR_PX / 2
    assert float(last.get("x")) + half <= width, (last.text, last.get("x"))
    assert float(first.get("x")) - half >= 0, (first.text, first.get("x"))

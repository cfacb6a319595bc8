"""Helpers for the site's tests: read a page's HTML the way a person (or a screen reader) would."""

from __future__ import annotations

from html.parser import HTMLParser


class PageParser(HTMLParser):
    """Collects a page's form controls, labels, ids, links, scripts and inline styles."""

    def __init__(self):
        """Start with nothing collected."""
        super().__init__(convert_charrefs=True)
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.ids: dict[str, dict] = {}
        self.scripts: list[dict] = []
        self.links: list[dict] = []
        self.inline_styles: list[str] = []
        self.style_blocks = 0
        self.inline_handlers: list[str] = []
        self._script_depth = 0
        self.script_text = ""

    def handle_starttag(self, tag, attrs):
        """Record what matters of each element."""
        a = dict(attrs)
        if "id" in a:
            self.ids[a["id"]] = {"tag": tag, **a}
        if "style" in a:
            self.inline_styles.append(tag)
        self.inline_handlers += [k for k in a if k.startswith("on")]
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea"):
            self.controls.append({"tag": tag, **a})
        if tag == "script":
            self.scripts.append(a)
            self._script_depth += 1
        if tag == "style":
            self.style_blocks += 1
        if tag == "link":
            self.links.append(a)

    def handle_endtag(self, tag):
        """Leave a script element."""
        if tag == "script":
            self._script_depth -= 1

    def handle_data(self, data):
        """Keep any text written inside a script element (there must be none)."""
        if self._script_depth:
            self.script_text += data


def parse_page(html: str) -> PageParser:
    """Parse a page's HTML."""
    parser = PageParser()
    parser.feed(html)
    return parser


def field_control(html: str, name: str) -> dict:
    """The first form control named `name` on the page, as a dict of its attributes."""
    for control in parse_page(html).controls:
        if control.get("name") == name:
            return control
    raise AssertionError(f"no control named {name!r}")


def error_for(html: str, name: str) -> str:
    """The error message tied to the control `name` by aria-describedby (fails if there is none)."""
    page = parse_page(html)
    control = next(c for c in page.controls if c.get("name") == name)
    assert control.get("aria-invalid") == "true", f"{name} is not marked invalid"
    described = (control.get("aria-describedby") or "").split()
    error_ids = [i for i in described if i.endswith("-error")]
    assert error_ids, f"{name} has no error in aria-describedby"
    start = html.index(f'id="{error_ids[0]}"')
    end = html.index("</p>", start)
    return html[start:end]

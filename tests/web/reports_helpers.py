"""Helpers for the report pages' tests: read a figure's table and a CSV download the way a person would."""

from __future__ import annotations

import csv
import html
import io
import re

_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
_TAG = re.compile(r"<[^>]+>")


def section(page: str, key: str) -> str:
    """The HTML of the figure `key` (its <section id=key>), or AssertionError when the page has none."""
    marker = f'<section class="card report" id="{key}"'
    assert marker in page, f"no figure {key} on the page"
    start = page.index(marker)
    return page[start:page.index("</section>", start)]


def table_rows(fragment: str) -> list[list[str]]:
    """The rows of the first table in `fragment` as lists of cell texts (header row first)."""
    start = fragment.index("<table")
    table = fragment[start:fragment.index("</table>", start)]
    return [[html.unescape(_TAG.sub("", cell.replace("<br>", "\n"))).strip() for cell in _CELL.findall(row)]
            for row in _ROW.findall(table)]


def read_csv(response) -> list[list[str]]:
    """A CSV response's records (every line CRLF-terminated), after checking what makes it a download."""
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


def filename(response) -> str:
    """The file name a download is saved under."""
    match = re.fullmatch(r'attachment; filename="([^"]+)"', response.headers["Content-Disposition"])
    assert match, response.headers["Content-Disposition"]
    return match.group(1)

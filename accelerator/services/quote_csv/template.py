"""The template a portal user downloads, and the formula-safe cell it is written with."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from accelerator.services.quote_csv.columns import COLUMNS

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- the template -------------------------------------------------------------------------------


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one that could start a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def template_csv(today: date) -> str:
    """The template: the header and one example row (every cell formula-safe)."""
    example = ["1234", "1850.00", "1000000.00", "2000000.00", "1000.00", (today + timedelta(days=30)).isoformat(),
               "true", "true", "baby;health", "Example row: replace it with your quotes."]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in COLUMNS])
    writer.writerow([safe_cell(c) for c in example])
    return out.getvalue()

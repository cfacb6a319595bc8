"""The coverage question: `CheckInput`, `parse_check` (every field checked), MAX_BATCH and new check ids."""

from __future__ import annotations

import secrets
from datetime import date

from accelerator.shapes.coverage import MAX_BATCH, CheckInput, CoverageItem
from accelerator.shapes.errors import validate

__all__ = ["MAX_BATCH", "CheckInput", "parse_check"]


def parse_check(seller_id: object, incident_date: object, amount: object, category: object = None) -> CheckInput:
    """Check the four inputs of a coverage check (strings, or a date and a Decimal); one ValidationError names
    every wrong field, read by the declaration the API reads them with (accelerator/shapes/coverage.py)."""
    values = {"seller_id": seller_id, "incident_date": incident_date.isoformat()
              if isinstance(incident_date, date) else incident_date, "amount": amount, "category": category}
    return validate(CoverageItem, values, "Check the coverage question.").question()


def new_check_id(now_ns: int) -> str:
    """`chk_` + milliseconds (so the index grows at its end) + 64 random bits (so ids cannot be guessed)."""
    return f"chk_{now_ns // 1_000_000:012x}{secrets.token_hex(8)}"

"""The coverage question: `CheckInput`, `parse_check` (every field checked), MAX_BATCH and new check ids."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.errors import ValidationError
from accelerator.domain.money import parse_money
from accelerator.domain.values import normalize_seller_id, parse_date

MAX_BATCH = 500


class CheckInput:
    """One coverage question, every field checked and normalized."""

    __slots__ = ("amount", "category", "incident_date", "seller_id")

    def __init__(self, seller_id: str, incident_date: date, amount: Decimal, category: str | None):
        self.seller_id = seller_id
        self.incident_date = incident_date
        self.amount = amount
        self.category = category


def _parse_date(value: object) -> date:
    """A date as given (within the contract's range) or parsed from `YYYY-MM-DD`."""
    return parse_date(value.isoformat() if isinstance(value, date) else value)


def parse_check(seller_id: object, incident_date: object, amount: object, category: object = None) -> CheckInput:
    """Check the four inputs of a coverage check (strings, or a date and a Decimal as the API parsed
    them); one ValidationError names every wrong field."""
    errors: dict[str, str] = {}
    values: list[object] = []
    for name, raw, parse in (("seller_id", seller_id, normalize_seller_id),
                             ("incident_date", incident_date, _parse_date),
                             ("amount", amount, parse_money)):
        if raw is None:
            errors[name] = "is required"
            values.append(None)
            continue
        try:
            values.append(parse(raw))
        except ValueError as exc:
            errors[name] = str(exc)
            values.append(None)
    if category is not None and (not isinstance(category, str) or category not in CATEGORY_CODES):
        errors["category"] = "must be a category code from GET /api/v1/categories"
    if errors:
        raise ValidationError("Check the coverage question.", fields=errors)
    return CheckInput(values[0], values[1], values[2], category)


def new_check_id(now_ns: int) -> str:
    """`chk_` + milliseconds (so the index grows at its end) + 64 random bits (so ids cannot be guessed)."""
    return f"chk_{now_ns // 1_000_000:012x}{secrets.token_hex(8)}"

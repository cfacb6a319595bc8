"""Money: USD as Decimal with two places, parsed and formatted here and nowhere else."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_MONEY = Decimal("999999999.99")

# Plain decimal notation: digits, optionally a point and at most two digits. No sign, no exponent.
_PLAIN = re.compile(r"^(0|[1-9][0-9]{0,8})(\.[0-9]{1,2})?$")


def parse_money(value: object, *, allow_zero: bool = False) -> Decimal:
    """Parse a contract money input (JSON string or number) into a Decimal, or raise ValueError.

    Accepts plain decimal notation with at most two decimals, no sign, no exponent, no NaN or
    Infinity; greater than 0 (or 0 itself where `allow_zero`) and at most 999999999.99.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError("must be an amount such as \"2500.00\"")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        # A JSON number arrives as float; repr gives the shortest round-tripping text.
        text = repr(value)
        if "e" in text or "E" in text or text in ("inf", "-inf", "nan"):
            raise ValueError("must be written in plain decimal notation")
        if text.endswith(".0"):
            text = text[:-2]
    elif isinstance(value, Decimal):
        text = str(value)  # keeps an exponent visible ("1E+3"), which is then refused
    elif isinstance(value, str):
        text = value
    else:
        raise ValueError("must be an amount such as \"2500.00\"")
    if text.startswith("-"):
        raise ValueError("must not be negative")
    if not _PLAIN.fullmatch(text):
        if re.fullmatch(r"[0-9]+\.[0-9]{3,}", text):
            raise ValueError("must have at most two decimals")
        if re.fullmatch(r"[0-9]{10,}(\.[0-9]*)?", text):
            raise ValueError(f"must be at most {format_money(MAX_MONEY)}")
        raise ValueError("must be an amount in plain decimal notation, such as \"2500.00\"")
    try:
        amount = Decimal(text).quantize(CENT)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid text
        raise ValueError("must be an amount such as \"2500.00\"") from exc
    if amount > MAX_MONEY:
        raise ValueError(f"must be at most {format_money(MAX_MONEY)}")
    if amount == 0 and not allow_zero:
        raise ValueError("must be greater than 0")
    return amount


def to_money(value: Decimal | int | str) -> Decimal:
    """Quantize a trusted value (from the database or arithmetic) to cents."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal) -> str:
    """The contract's money string: exactly two decimals, no grouping (`"2500.00"`)."""
    return format(to_money(amount), "f")


def display_money(amount: Decimal | None) -> str:
    """Money for people: `$2,500.00`."""
    if amount is None:
        return "—"
    return f"${to_money(amount):,.2f}"

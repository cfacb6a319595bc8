"""Small value rules of the contract: seller IDs, policy numbers, dates, months, ratings."""

from __future__ import annotations

import re
from datetime import date, timedelta

SELLER_ID = re.compile(r"^[A-Z0-9]{6,20}$")
POLICY_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}$")
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)

# AM Best financial strength ratings, best first.
AM_BEST_RATINGS: tuple[str, ...] = (
    "A++", "A+", "A", "A-", "B++", "B+", "B", "B-", "C++", "C+", "C", "C-", "D", "E", "F", "S",
)
_RATING_RANK = {r: i for i, r in enumerate(AM_BEST_RATINGS)}


def normalize_seller_id(value: object) -> str:
    """Upper-case a seller ID and check it matches ^[A-Z0-9]{6,20}$, else raise ValueError."""
    if not isinstance(value, str):
        raise ValueError("must be a seller ID of 6 to 20 letters and digits")
    # Reject non-ASCII first: upper() would turn "ß" into "SS" and let it through.
    if not value.isascii():
        raise ValueError("must be 6 to 20 letters A-Z and digits 0-9")
    text = value.upper()
    if not SELLER_ID.fullmatch(text):
        raise ValueError("must be 6 to 20 letters A-Z and digits 0-9")
    return text


def check_policy_number(value: object) -> str:
    """Return the policy number if it is 1-64 of A-Z a-z 0-9 - _ . starting alphanumeric."""
    if not isinstance(value, str) or not POLICY_NUMBER.fullmatch(value):
        raise ValueError("must be 1 to 64 characters of A-Z a-z 0-9 - _ . starting with a letter or digit")
    return value


def parse_date(value: object) -> date:
    """Parse `YYYY-MM-DD` into a real calendar date between 1900-01-01 and 2999-12-31."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("is not a real calendar date") from exc
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError("must be between 1900-01-01 and 2999-12-31")
    return day


def parse_month(value: object) -> date:
    """Parse `YYYY-MM` into the first day of that month, within the contract's date range."""
    if not isinstance(value, str) or not _MONTH.fullmatch(value):
        raise ValueError("must be a month written YYYY-MM")
    year, month = int(value[:4]), int(value[5:])
    if not 1 <= month <= 12:
        raise ValueError("is not a real month")
    first = date(year, month, 1) if year >= 1 else None
    if first is None or not MIN_DATE <= first <= MAX_DATE:
        raise ValueError("must be between 1900-01 and 2999-12")
    return first


def month_end(first_day: date) -> date:
    """The last day of the month that `first_day` falls in."""
    nxt = date(first_day.year + (first_day.month == 12), first_day.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def format_month(day: date) -> str:
    """`YYYY-MM` of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def rating_at_least(rating: str | None, minimum: str) -> bool:
    """Whether an AM Best rating is `minimum` or better; unknown or missing ratings are not."""
    if rating is None or rating not in _RATING_RANK:
        return False
    return _RATING_RANK[rating] <= _RATING_RANK[minimum]

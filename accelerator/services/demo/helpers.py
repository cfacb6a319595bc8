"""Helpers every demo loader shares: the Decimal shorthand, and timestamps and months counted from a day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

D = Decimal


def at_hour(day: date, hour: int = 10) -> datetime:
    """A UTC timestamp on a given day."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


def month_back(today: date, back: int) -> date:
    """The first day of the month `back` months before this one."""
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)

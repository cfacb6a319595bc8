"""The one clock: every "now" and "today" of the application is read here, and tests pin it.

In production it is the machine's clock. `pin(moment)` makes it read `moment` from then on and run
forward in real time (measured on the monotonic clock, so a change of the machine's date does not
move it): the test suite pins it at the start of every test, so no answer depends on the day the
suite runs. `ACCELERATOR_CLOCK` (an RFC 3339 moment) pins it in a server process started by a test;
`create_app` refuses it in production.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

_pinned: tuple[datetime, float] | None = None


def now() -> datetime:
    """The current moment, timezone-aware UTC."""
    pinned = _pinned
    if pinned is None:
        return datetime.now(UTC)
    moment, started = pinned
    return moment + timedelta(seconds=time.monotonic() - started)


def now_ns() -> int:
    """The current moment as Unix nanoseconds (the coverage hot path's check ids and records)."""
    pinned = _pinned
    if pinned is None:
        return time.time_ns()
    moment, started = pinned
    return round(moment.timestamp() * 1_000_000_000) + round((time.monotonic() - started) * 1_000_000_000)


def today() -> date:
    """Today's date in UTC, the day every business rule of the marketplace counts in."""
    return now().date()


def timestamp() -> int:
    """The current moment as whole Unix seconds (webhook signatures)."""
    return int(now().timestamp())


def pin(moment: datetime) -> None:
    """Make the clock read `moment` now and run on from there (tests and test servers only)."""
    if moment.tzinfo is None:
        raise ValueError("the clock is pinned to a timezone-aware moment")
    global _pinned
    _pinned = (moment.astimezone(UTC), time.monotonic())


def unpin() -> None:
    """Give the clock back to the machine."""
    global _pinned
    _pinned = None


@contextmanager
def moved_to(moment: datetime) -> Iterator[None]:
    """Read `moment` (running on from there) inside the block, then the clock as it was (the demo's past)."""
    global _pinned
    before = _pinned
    pin(moment)
    try:
        yield
    finally:
        _pinned = before


def is_pinned() -> bool:
    """Whether a test has pinned the clock."""
    return _pinned is not None


def parse_moment(text: str) -> datetime:
    """An RFC 3339 moment (`2026-11-24T12:00:00Z`) as an aware datetime; ValueError otherwise."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} names no timezone")
    return moment

"""Dates and ranges, and the helpers every figure shares: SQL per dialect, the insurer check, cover's end.

Each function takes its dates as arguments (a `date` or a `YYYY-MM-DD` string; never the clock) and
returns plain frozen dataclasses and lists. A range is whole UTC days, both ends included, at most
MAX_RANGE_DAYS long; a bad one raises ValidationError with `fields={"start" or "end": message}` (pages
may call parse_range/parse_day first to show the message at the field); a range with no data gives
zeros and empty or zero-filled series, never an error. Insurer figures take the insurer's id:
ValidationError when it is not a whole number, NotFound when there is no such insurer.

Weeks are ISO weeks (Monday to Sunday), labelled by their Monday. The first and last week of a range may
be partial: they count only the days inside the range, and a week's "as of" day is its Sunday or the
range's end, whichever comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, cast, extract, func, type_coerce

from accelerator.domain.errors import NotFound, ValidationError
from accelerator.domain.values import parse_date
from accelerator.extensions import db
from accelerator.models import Insurer, Policy

# Three calendar years always fit (366 + 365 + 365 days); anything longer is refused as absurd.
MAX_RANGE_DAYS = 1096


# --- Dates and ranges ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class DateRange:
    """Whole UTC days from `start` to `end`, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the range holds."""
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        """Every day of the range, in order."""
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def weeks(self) -> list[tuple[date, date]]:
        """(Monday, as-of day) of each ISO week touching the range; the as-of day is clipped to `end`."""
        monday = self.start - timedelta(days=self.start.weekday())
        weeks = []
        while monday <= self.end:
            weeks.append((monday, min(monday + timedelta(days=6), self.end)))
            monday += timedelta(days=7)
        return weeks

    def bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00 UTC, the day after end 00:00 UTC): the timestamps inside the range."""
        return (datetime.combine(self.start, time(), UTC),
                datetime.combine(self.end + timedelta(days=1), time(), UTC))


def _day_value(value: object, name: str, errors: dict[str, str]) -> date | None:
    """A date given as `date` or `YYYY-MM-DD`, within 1900..2999; else a message in `errors[name]`."""
    if value is None or value == "":
        errors[name] = "is required"
        return None
    if isinstance(value, datetime):
        errors[name] = "must be a date, not a time"
        return None
    try:
        return parse_date(value.isoformat() if isinstance(value, date) else value)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def parse_day(value: object, name: str = "on") -> date:
    """One day (`date` or `YYYY-MM-DD`), or ValidationError naming the field `name`."""
    errors: dict[str, str] = {}
    day = _day_value(value, name, errors)
    if day is None:
        raise ValidationError("Check the date.", fields=errors)
    return day


def parse_range(start: object, end: object) -> DateRange:
    """A range of days (`date` or `YYYY-MM-DD` each), at most MAX_RANGE_DAYS long, else ValidationError."""
    errors: dict[str, str] = {}
    first = _day_value(start, "start", errors)
    last = _day_value(end, "end", errors)
    if first is not None and last is not None:
        if last < first:
            errors["end"] = "must be on or after the start date"
        elif (last - first).days + 1 > MAX_RANGE_DAYS:
            errors["end"] = f"must be at most {MAX_RANGE_DAYS:,} days after the start date (about three years)"
    if errors:
        raise ValidationError("Check the dates.", fields=errors)
    return DateRange(first, last)


def _dialect() -> str:
    """The database's dialect name (sqlite or postgresql)."""
    return db.session.get_bind().dialect.name


def utc_day(column):
    """The UTC calendar day of a timestamp column, as a SQL expression typed Date on either database."""
    if _dialect() == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    # SQLite keeps UTC timestamps as "YYYY-MM-DD HH:MM:SS.ffffff"; date() gives the day as text.
    return type_coerce(func.date(column), Date)


def seconds_between(later, earlier):
    """`later - earlier` in seconds (a float) as SQL, for two UTC timestamp expressions."""
    if _dialect() == "postgresql":
        return extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def json_elements(column):
    """The elements of a JSON list of strings as a table-valued function with a `value` column."""
    if _dialect() == "postgresql":
        return func.json_array_elements_text(column).table_valued("value")
    return func.json_each(column).table_valued("value")


def check_insurer(insurer_id: object) -> Insurer:
    """The insurer named by id, or ValidationError (not a whole number) / NotFound (no such insurer)."""
    if isinstance(insurer_id, bool) or not isinstance(insurer_id, int):
        raise ValidationError("Check the insurer.", fields={"insurer_id": "must be a whole number"})
    insurer = db.session.get(Insurer, insurer_id)
    if insurer is None:
        raise NotFound("No such insurer.")
    return insurer


def share_of(part: int, whole: int) -> float:
    """part / whole, or 0.0 when there is nothing to divide."""
    return part / whole if whole else 0.0


def cover_end():
    """The day cover stops: the cancellation date where cancelled (always before expiration), else expiration."""
    return func.coalesce(Policy.cancellation_date, Policy.expiration_date)

"""How the site's pages write values (Jinja filters and globals): money, dates, UTC times, the rating notice."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app

from accelerator.domain.compliance import rating_shortfall
from accelerator.domain.money import display_money, to_money


def money(amount, cents: bool = True) -> str:
    """`$2,500.00`; with cents=False a whole amount drops its cents (`$1,000,000`)."""
    if amount is None or cents or to_money(amount) != to_money(amount).to_integral_value():
        return display_money(amount)
    return f"${int(to_money(amount)):,}"


def rating_notice(rating: str | None) -> str | None:
    """The notice for an insurer rated below the marketplace's minimum AM Best rating, or None."""
    return rating_shortfall(rating, current_app.config["REQUIREMENT"].min_rating)


def utc_time(value: datetime | None) -> str:
    """A timestamp for people, in UTC: `2026-11-23 18:00 UTC`."""
    if value is None:
        return "—"
    return value.strftime("%Y-%m-%d %H:%M UTC")


def long_date(value: date | None) -> str:
    """A date for people: `June 1, 2026`."""
    if value is None:
        return "—"
    return f"{value:%B} {value.day}, {value.year}"


_MONEY_FIELDS = frozenset({"per_occurrence_limit", "aggregate_limit", "deductible"})
_DATE_FIELDS = frozenset({"effective_date", "expiration_date"})
_YES_NO = {"occurrence_based": ("Occurrence", "Claims-made"), "additional_insured": ("Named", "Not named")}


def certificate_value(value: object, name: str) -> str:
    """A certificate field's value (the contract's form) for people: `$1,000,000.00`, `January 1, 2026`,
    `Occurrence`; `—` where there is none."""
    if value is None:
        return "—"
    if name in _MONEY_FIELDS:
        return money(to_money(str(value)))
    if name in _DATE_FIELDS:
        return long_date(date.fromisoformat(str(value)))
    if name in _YES_NO:
        return _YES_NO[name][0 if value else 1]
    return str(value)

"""A policy's standing on a day (domain/standing.py): in force, or why not, and the day the reason names."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accelerator.domain.standing import (
    EXPIRING_WITHIN_DAYS,
    POLICY_GROUPS,
    STANDINGS,
    Standing,
    policy_group,
    standing_on,
)
from tests.factories import make_terms

START, END = date(2026, 1, 1), date(2027, 1, 1)


@pytest.mark.parametrize("day, cancelled, expected", [
    (date(2025, 12, 31), None, Standing("upcoming", START)),
    (START, None, Standing("in_force")),
    (date(2026, 12, 31), None, Standing("in_force")),
    (END, None, Standing("expired", END)),
    (date(2027, 6, 1), None, Standing("expired", END)),
    (date(2026, 11, 30), date(2026, 12, 1), Standing("in_force")),
    (date(2026, 12, 1), date(2026, 12, 1), Standing("cancelled", date(2026, 12, 1))),
    (date(2027, 6, 1), date(2026, 12, 1), Standing("cancelled", date(2026, 12, 1))),
    # Cancelled from its first day: it never starts, so it is cancelled even before that day.
    (date(2025, 12, 1), START, Standing("cancelled", START)),
])
def test_the_standing_names_its_reason_and_day(day, cancelled, expected):
    terms = make_terms(effective_date=START, expiration_date=END, cancellation_date=cancelled)
    assert standing_on(terms, day) == expected


@pytest.mark.parametrize("verification", ["pending", "rejected"])
def test_a_policy_the_marketplace_does_not_recognise_is_withdrawn(verification):
    terms = make_terms(effective_date=START, expiration_date=END, verification=verification)
    assert standing_on(terms, date(2026, 6, 1)) == Standing("withdrawn")


@pytest.mark.parametrize("cancelled", [None, date(2026, 3, 15), START])
def test_in_force_exactly_when_the_terms_say_cover_runs(cancelled):
    terms = make_terms(effective_date=START, expiration_date=END, cancellation_date=cancelled)
    day = START - timedelta(days=3)
    while day <= END + timedelta(days=3):
        standing = standing_on(terms, day)
        assert standing.code in STANDINGS
        assert standing.in_force is terms.in_force_on(day), day
        day += timedelta(days=1)


@pytest.mark.parametrize("day, verification, cancelled, group", [
    (date(2026, 6, 1), "verified", None, "in_force"),
    (END - timedelta(days=EXPIRING_WITHIN_DAYS + 1), "verified", None, "in_force"),
    (END - timedelta(days=EXPIRING_WITHIN_DAYS), "verified", None, "expiring"),
    (END - timedelta(days=1), "verified", None, "expiring"),
    (END, "verified", None, "expired"),
    (date(2025, 12, 31), "verified", None, "upcoming"),
    (date(2026, 12, 1), "verified", date(2026, 12, 1), "cancelled"),
    (date(2026, 11, 30), "verified", date(2026, 12, 1), "expiring"),
    (date(2026, 6, 1), "pending", None, "pending"),
    (date(2027, 6, 1), "rejected", date(2026, 12, 1), "rejected"),
])
def test_the_policy_group_on_a_day(day, verification, cancelled, group):
    """The seller's pages group a policy by verification first, then cancellation, expiry, start, the window."""
    terms = make_terms(effective_date=START, expiration_date=END, cancellation_date=cancelled,
                       verification=verification)
    assert policy_group(terms, day) == group
    assert group in dict(POLICY_GROUPS)


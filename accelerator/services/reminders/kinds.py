"""The reminder kinds and their constants, the Reminder record, and the small helpers the rules and the outbox share."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from flask import current_app

EXPIRY_NOTICES = (30, 7)  # days before expiration, widest first
VERIFICATION_LOOKBACK_DAYS = 14
CHUNK = 500  # ids per IN (...) list

KIND_QUOTE = "quote_received"
KIND_EXPIRING = "policy_expiring"
KIND_DUE = "requirement_due"
KIND_OVERDUE = "requirement_overdue"
KIND_VERIFICATION = "verification_decision"
KIND_NOT_RENEWED = "policy_not_renewed"
KINDS = (KIND_QUOTE, KIND_EXPIRING, KIND_DUE, KIND_OVERDUE, KIND_VERIFICATION, KIND_NOT_RENEWED)
# An admin's reminder from the seller record (services/seller_records): queued there, not by a rule
# here, but re-checked at send time like requirement_due/overdue.
KIND_ADMIN = "compliance_reminder"


@dataclass(frozen=True)
class Reminder:
    """One reminder due: its identity, recipient, what it is about, and what its email says."""

    key: str
    kind: str
    to_address: str
    related_type: str
    related_id: str
    subject: str
    link: str
    context: dict = field(default_factory=dict, compare=False)


def site_link(path: str) -> str:
    """An absolute link to a page of the site, from SITE_URL."""
    return current_app.config["SITE_URL"].rstrip("/") + path


def chunks(values: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def day_start(day: date) -> datetime:
    """00:00 UTC of `day`."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def one_line(text: str) -> str:
    """A header-safe subject: no line breaks, single spaces, at most 300 characters."""
    return " ".join(text.split())[:300]


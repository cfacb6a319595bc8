"""A policy's standing on a day, as a certificate's verification states it: in force, or why not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accelerator.domain.terms import PolicyTerms

STANDINGS = ("in_force", "upcoming", "cancelled", "expired", "withdrawn")


@dataclass(frozen=True)
class Standing:
    """One of STANDINGS and the day its reason names (when cover starts, was cancelled, or expired)."""

    code: str
    on: date | None = None

    @property
    def in_force(self) -> bool:
        """Whether cover runs on the day asked about."""
        return self.code == "in_force"


def standing_on(terms: PolicyTerms, day: date) -> Standing:
    """Whether the policy is in force on `day` and, if not, why: the marketplace withdrew its verification,
    it was cancelled (also when cancelled from its first day, so it never starts), it expired, or it has not
    started yet. In force exactly when `terms.in_force_on(day)` and the policy is verified."""
    if terms.verification != "verified":
        return Standing("withdrawn")
    cancelled = terms.cancellation_date
    if cancelled is not None and (cancelled <= day or cancelled == terms.effective_date):
        return Standing("cancelled", cancelled)
    if terms.expiration_date <= day:
        return Standing("expired", terms.expiration_date)
    if day < terms.effective_date:
        return Standing("upcoming", terms.effective_date)
    return Standing("in_force")

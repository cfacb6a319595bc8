"""A policy's standing on a day: in force or why not (as a certificate's verification states it), and the
group the seller's pages show it in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accelerator.domain.terms import PolicyTerms

STANDINGS = ("in_force", "upcoming", "cancelled", "expired", "withdrawn")
EXPIRING_WITHIN_DAYS = 60  # a policy in force this close to its expiration is "expiring" (and can be renewed)

# The policy groups of the seller's pages, in the order they are shown: (key, heading).
POLICY_GROUPS: tuple[tuple[str, str], ...] = (
    ("in_force", "In force"),
    ("expiring", f"Expiring within {EXPIRING_WITHIN_DAYS} days"),
    ("upcoming", "Starting later"),
    ("pending", "Pending verification"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
)


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


def policy_group(terms: PolicyTerms, today: date) -> str:
    """Which of POLICY_GROUPS a policy falls in on `today`."""
    if terms.verification == "rejected":
        return "rejected"
    if terms.verification == "pending":
        return "pending"
    if terms.cancellation_date is not None and terms.cancellation_date <= today:
        return "cancelled"
    if terms.expiration_date <= today:
        return "expired"
    if terms.effective_date > today:
        return "upcoming"
    if (terms.expiration_date - today).days <= EXPIRING_WITHIN_DAYS:
        return "expiring"
    return "in_force"

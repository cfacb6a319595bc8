"""The values the pure rules judge: a policy's terms and the marketplace's requirement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

SOURCES = ("marketplace", "insurer", "seller_upload")
VERIFICATIONS = ("verified", "pending", "rejected")


@dataclass(frozen=True)
class PolicyTerms:
    """What the coverage and compliance rules need to know of one policy."""

    policy_number: str
    insurer_id: int | None
    insurer_rating: str | None
    source: str
    verification: str
    effective_date: date
    expiration_date: date
    cancellation_date: date | None
    per_occurrence_limit: Decimal
    aggregate_limit: Decimal
    aggregate_remaining: Decimal
    deductible: Decimal
    occurrence_based: bool
    additional_insured: bool
    excluded_categories: frozenset[str] = field(default_factory=frozenset)
    key: object = None  # the caller's handle on the policy (its row id); never judged

    def in_force_on(self, day: date) -> bool:
        """Cover runs 12:01 a.m. effective date to 12:01 a.m. expiration (or cancellation) date."""
        if not self.effective_date <= day < self.expiration_date:
            return False
        return self.cancellation_date is None or day < self.cancellation_date


@dataclass(frozen=True)
class Requirement:
    """The marketplace's insurance requirement; each figure is configurable."""

    sales_threshold: Decimal = Decimal("10000.00")
    grace_days: int = 30
    min_per_occurrence: Decimal = Decimal("1000000.00")
    min_aggregate: Decimal = Decimal("1000000.00")
    max_deductible: Decimal = Decimal("10000.00")
    min_rating: str = "A-"
    additional_insured: bool = True
    occurrence_based: bool = True

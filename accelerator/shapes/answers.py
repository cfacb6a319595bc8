"""The answers' JSON shapes not yet declared as models: the policy object and claims.

(Quotes: quotes.py; claim cases and webhooks: claim_cases.py and webhooks.py of this package.)

They live in this top-level package of declarations, not in accelerator/api/, because webhook events
(written by the services) carry the same objects the API answers: both sides import them from here.

Ids are strings of digits (`"7"`); money is `format_money` (`"2500.00"`); dates are `YYYY-MM-DD`;
timestamps RFC 3339 UTC with a `Z`. Each function takes model rows and returns plain dicts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app

from accelerator.domain.compliance import meets_requirement
from accelerator.domain.money import format_money
from accelerator.models import Claim, Policy


def timestamp(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with a `Z` (`2026-11-23T18:00:00Z`), or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(value: date | None) -> str | None:
    """`YYYY-MM-DD`, or None."""
    return value.isoformat() if value is not None else None


def ident(value: int | None) -> str | None:
    """An id as the API writes it: a string of digits, or None."""
    return str(value) if value is not None else None


def policy_json(policy: Policy) -> dict:
    """The contract's policy object, field for field."""
    return {
        "policy_number": policy.policy_number,
        "insurer": {
            "id": ident(policy.insurer_id),
            "name": policy.insurer_name,
            "naic_code": policy.insurer_naic_code,
            "am_best_rating": policy.insurer_rating,
        },
        "seller_id": policy.seller_id,
        "source": policy.source,
        "verification": policy.verification,
        "effective_date": day(policy.effective_date),
        "expiration_date": day(policy.expiration_date),
        "cancellation_date": day(policy.cancellation_date),
        "per_occurrence_limit": format_money(policy.per_occurrence_limit),
        "aggregate_limit": format_money(policy.aggregate_limit),
        "aggregate_remaining": format_money(policy.aggregate_remaining),
        "deductible": format_money(policy.deductible),
        "occurrence_based": policy.occurrence_based,
        "additional_insured": policy.additional_insured,
        "excluded_categories": sorted(policy.excluded_categories),
        "meets_requirement": meets_requirement(policy.terms(), current_app.config["REQUIREMENT"]),
    }


def claim_json(claim: Claim) -> dict:
    """A claim paid, as POST /claims first answered it."""
    return {
        "claim_id": claim.claim_id,
        "policy_number": claim.policy.policy_number,
        "seller_id": claim.seller_id,
        "incident_date": day(claim.incident_date),
        "amount_paid": format_money(claim.amount_paid),
        "aggregate_remaining": format_money(claim.aggregate_remaining),
    }

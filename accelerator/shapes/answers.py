"""The answers' JSON shapes not yet declared as models: the policy object, quotes, quote requests, claims.

(Claim cases and webhooks are declared in claim_cases.py and webhooks.py of this package.)

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
from accelerator.domain.terms import PolicyTerms
from accelerator.models import Claim, Policy, Quote, QuoteRequest, QuoteRouting


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


def quote_terms(quote: Quote) -> PolicyTerms:
    """The policy a quote would become, for judging it against the requirement."""
    return PolicyTerms(
        policy_number=f"quote-{quote.id}",
        insurer_id=quote.insurer_id,
        insurer_rating=quote.insurer.am_best_rating if quote.insurer else None,
        source="marketplace",
        verification="verified",
        effective_date=quote.quote_request.desired_start_date,
        expiration_date=date.max,
        cancellation_date=None,
        per_occurrence_limit=quote.per_occurrence_limit,
        aggregate_limit=quote.aggregate_limit,
        aggregate_remaining=quote.aggregate_limit,
        deductible=quote.deductible,
        occurrence_based=quote.occurrence_based,
        additional_insured=quote.additional_insured,
        excluded_categories=frozenset(quote.excluded_categories),
        key=quote.id,
    )


def quote_json(quote: Quote) -> dict:
    """An insurer's quote on a quote request."""
    return {
        "id": ident(quote.id),
        "quote_request_id": ident(quote.quote_request_id),
        "insurer_id": ident(quote.insurer_id),
        "status": quote.status,
        "annual_premium": format_money(quote.annual_premium),
        "per_occurrence_limit": format_money(quote.per_occurrence_limit),
        "aggregate_limit": format_money(quote.aggregate_limit),
        "deductible": format_money(quote.deductible),
        "valid_until": day(quote.valid_until),
        "occurrence_based": quote.occurrence_based,
        "additional_insured": quote.additional_insured,
        "excluded_categories": sorted(quote.excluded_categories),
        "notes": quote.notes or "",
        "meets_requirement": meets_requirement(quote_terms(quote), current_app.config["REQUIREMENT"]),
        "created_at": timestamp(quote.created_at),
    }


def routing_status(request: QuoteRequest, routing: QuoteRouting) -> str:
    """The request's status as this insurer sees it: closed once the request closed, else its routing's."""
    return "closed" if request.status == "closed" else routing.status


def quote_request_json(request: QuoteRequest, routing: QuoteRouting, quotes: list[Quote]) -> dict:
    """A seller's quote request as one insurer sees it, with that insurer's quotes on it."""
    return {
        "id": ident(request.id),
        "status": routing_status(request, routing),
        "seller_id": request.seller_id,
        "legal_name": request.legal_name,
        "state": request.state,
        "categories": sorted(request.categories),
        "annual_revenue": format_money(request.annual_revenue),
        "top_products": request.top_products or "",
        "states_shipped": sorted(request.states_shipped),
        "claims_last_3_years": request.claims_last_3_years,
        "per_occurrence_limit": format_money(request.per_occurrence_limit),
        "aggregate_limit": format_money(request.aggregate_limit),
        "deductible": format_money(request.deductible),
        "desired_start_date": day(request.desired_start_date),
        "routed_at": timestamp(routing.routed_at),
        "responded_at": timestamp(routing.responded_at),
        "decline_reason": routing.decline_reason,
        "withdrawn_at": timestamp(request.withdrawn_at),
        "quotes": [quote_json(q) for q in sorted(quotes, key=lambda q: q.id)],
    }

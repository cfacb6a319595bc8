"""The answers' JSON shapes: the contract's policy object, claims, claim cases, webhooks (quotes: shapes/quotes.py).

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
from accelerator.models import Claim, Policy, WebhookEndpoint, WebhookEvent


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


def claim_case_json(view) -> dict:
    """The contract's claim case object, `check` the coverage check answer it stands on (a CaseView)."""
    case = view.case
    payment = None
    if case.payment_payer is not None:
        payment = {"payer": case.payment_payer, "amount": format_money(case.payment_amount),
                   "paid_at": timestamp(case.paid_at)}
    recovery = None
    if case.recovery_from is not None:
        recovery = {"from": case.recovery_from, "due": format_money(case.recovery_due),
                    "recovered": format_money(case.recovery_recovered)}
    return {
        "case_id": case.case_id,
        "seller_id": case.seller_id,
        "kind": case.kind,
        "incident_date": day(case.incident_date),
        "amount_claimed": format_money(case.amount_claimed),
        "category": case.category,
        "order_id": case.order_id,
        "description": case.description,
        "opened_at": timestamp(case.opened_at),
        "check": view.check,
        "route": case.route,
        "insurer_id": ident(case.insurer_id),
        "state": case.state,
        "escalation": case.escalation,
        "respond_by": timestamp(case.respond_by),
        "payment": payment,
        "recovery": recovery,
        "history": [{"at": timestamp(e.at), "event": e.event, "by": e.by, "note": e.note} for e in case.events],
    }


def webhook_endpoint_json(endpoint: WebhookEndpoint, *, secret: str | None = None) -> dict:
    """A registered webhook endpoint; the signing secret only in the answer that created it."""
    body = {
        "id": ident(endpoint.id),
        "url": endpoint.url,
        "active": endpoint.active,
        "created_at": timestamp(endpoint.created_at),
    }
    if secret is not None:
        body["secret"] = secret
    return body


def webhook_delivery_json(event: WebhookEvent, attempts: list) -> dict:
    """One event for one endpoint, its delivery state and every attempt so far."""
    return {
        "event_id": event.event_id,
        "type": event.event_type,
        "endpoint_id": ident(event.endpoint_id),
        "status": event.status,
        "attempts": [
            {
                "attempted_at": timestamp(a.attempted_at),
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in attempts
        ],
        "created_at": timestamp(event.created_at),
        "next_attempt_at": timestamp(event.next_attempt_at) if event.status == "pending" else None,
        "delivered_at": timestamp(event.delivered_at),
    }

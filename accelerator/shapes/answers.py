"""The answers' JSON shapes: quotes, quote requests, claim cases, webhooks (the policy object and the claim
object are declared in shapes/policies.py).

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
from accelerator.models import Quote, QuoteRequest, QuoteRouting, WebhookEndpoint, WebhookEvent


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

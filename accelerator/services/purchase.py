"""Buying a quote: one transaction turns a seller's chosen quote into a verified marketplace policy.

The race between two buys on one request (a double click, two tabs, two quotes at once) is decided
by the database: a conditional `UPDATE quote_requests SET status='closed' WHERE id=:id AND
status='open'` changes one row for exactly one of them; the other sees no row changed and stops.
The policy's `quote_id` is unique as well, so no second policy can come from one quote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from accelerator import clock
from accelerator.domain.errors import Conflict, NotFound
from accelerator.extensions import db
from accelerator.models import Policy, Quote, QuoteRequest, QuoteRouting
from accelerator.services import audit, claim_cases
from accelerator.services.quotes import emit_quote_accepted
from accelerator.services.sellers import QuoteLine, quote_line


@dataclass(frozen=True)
class Purchase:
    """The policy a buy produced, and whether this call made it (False: an earlier click already had)."""

    policy: Policy
    created: bool


def one_year_after(day: date) -> date:
    """The same calendar day a year later (February 29 becomes March 1)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, month=3, day=1)


def policy_dates(desired_start: date, today: date) -> tuple[date, date]:
    """The policy period of a bought quote: from the desired start (never before today) for one year."""
    effective = max(desired_start, today)
    return effective, one_year_after(effective)


def policy_number_for(prefix: str, effective: date, quote_id: int) -> str:
    """A marketplace policy's number: the insurer's prefix, the year it starts and the quote id."""
    return f"{prefix}-{effective.year}-{quote_id:06d}"


def quote_for_purchase(seller_id: str, request_id: int, quote_id: int) -> Quote:
    """A quote on one of the seller's requests, or NotFound (another seller's, or on another request)."""
    quote = db.session.get(Quote, quote_id)
    if quote is None or quote.quote_request_id != request_id or quote.quote_request.seller_id != seller_id:
        raise NotFound("No such quote on your quote request.")
    return quote


@dataclass(frozen=True)
class Preview:
    """The confirm step: the quote judged against the requirement, the policy period, and any obstacle."""

    quote: Quote
    line: QuoteLine
    effective_date: date
    expiration_date: date
    policy_number: str
    problem: str | None


def preview(seller_id: str, request_id: int, quote_id: int, today: date | None = None) -> Preview:
    """What buying a quote of the seller's would make, and why it cannot be bought (if so)."""
    today = today or clock.now().date()
    quote = quote_for_purchase(seller_id, request_id, quote_id)
    effective, expiration = policy_dates(quote.quote_request.desired_start_date, today)
    return Preview(
        quote=quote, line=quote_line(quote, current_app.config["REQUIREMENT"], today), effective_date=effective,
        expiration_date=expiration, policy_number=policy_number_for(quote.insurer.policy_prefix, effective, quote.id),
        problem=purchase_problem(quote, today),
    )


def _bought_from(quote_id: int) -> Policy | None:
    """The policy made from a quote, if it was bought."""
    return db.session.execute(select(Policy).where(Policy.quote_id == quote_id)).scalar_one_or_none()


def purchase_problem(quote: Quote, today: date) -> str | None:
    """Why a quote cannot be bought today, in words, or None when it can."""
    if quote.quote_request.withdrawn_at is not None:
        return "You withdrew this quote request: its quotes can no longer be bought."
    if quote.quote_request.status != "open":
        return "This quote request is closed: a quote on it was already bought."
    if quote.status != "offered":
        return "This quote is no longer on offer."
    if quote.valid_until < today:
        return (f"This quote expired on {quote.valid_until.isoformat()}. Ask {quote.insurer.name} for a new "
                "one, or choose another quote.")
    if quote.insurer is None or quote.insurer.status != "approved":
        return "This insurer is not taking new business on the Accelerator at the moment."
    return None


def buy_quote(actor: audit.Actor, seller_id: str, request_id: int, quote_id: int,
              today: date | None = None) -> Purchase:
    """Buy a quote: record the policy, accept the quote, close the rest and tell the insurer, at once.

    Buying the same quote again (a double click) answers the policy already made; buying a second
    quote of a request that was just closed is a Conflict, as is an expired quote.
    """
    today = today or clock.now().date()
    quote = quote_for_purchase(seller_id, request_id, quote_id)
    earlier = _bought_from(quote.id)
    if earlier is not None:
        return Purchase(earlier, False)
    problem = purchase_problem(quote, today)
    if problem:
        code = "quote_expired" if quote.valid_until < today else "quote_request_closed"
        raise Conflict(problem, code=code)
    now = clock.now()
    won = db.session.execute(
        update(QuoteRequest)
        .where(QuoteRequest.id == request_id, QuoteRequest.status == "open")
        .values(status="closed", closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        return _lost_race(quote.id, request_id)
    insurer = quote.insurer
    effective, expiration = policy_dates(quote.quote_request.desired_start_date, today)
    policy = Policy(
        policy_number=policy_number_for(insurer.policy_prefix, effective, quote.id),
        seller_id=seller_id, insurer_id=insurer.id, insurer_name=insurer.name,
        insurer_naic_code=insurer.naic_code, insurer_rating=insurer.am_best_rating,
        source="marketplace", verification="verified", verified_at=now,
        effective_date=effective, expiration_date=expiration,
        per_occurrence_limit=quote.per_occurrence_limit, aggregate_limit=quote.aggregate_limit,
        deductible=quote.deductible, occurrence_based=quote.occurrence_based,
        additional_insured=quote.additional_insured, excluded_categories=list(quote.excluded_categories),
        premium=quote.annual_premium, quote_id=quote.id,
    )
    db.session.add(policy)
    db.session.execute(
        update(Quote).where(Quote.quote_request_id == request_id, Quote.id != quote.id)
        .values(status="closed").execution_options(synchronize_session=False))
    db.session.execute(
        update(QuoteRouting).where(QuoteRouting.quote_request_id == request_id, QuoteRouting.status != "declined")
        .values(status="closed").execution_options(synchronize_session=False))
    quote.status = "accepted"
    try:
        db.session.flush()
        # The rows changed by the bulk updates above are read afresh for the event's payload.
        db.session.expire_all()
        emit_quote_accepted(quote.id)
        audit.record(actor, "buy", "policy", policy.id, policy_number=policy.policy_number, quote=quote.id,
                     quote_request=request_id, annual_premium=quote.annual_premium)
        db.session.commit()
    except IntegrityError as exc:
        # The same quote bought at the same moment elsewhere (unique quote_id), or the insurer already
        # holds this policy number.
        db.session.rollback()
        earlier = _bought_from(quote_id)
        if earlier is not None:
            return Purchase(earlier, False)
        raise Conflict("The policy could not be recorded; nothing was bought. Try again.") from exc
    claim_cases.recheck_seller(seller_id)  # the seller's waiting claim cases follow its cover
    return Purchase(policy, True)


def _lost_race(quote_id: int, request_id: int) -> Purchase:
    """Another buy (or a withdrawal) closed the request first: the same quote answers its policy, another is
    a Conflict."""
    db.session.rollback()
    earlier = _bought_from(quote_id)
    if earlier is not None:
        return Purchase(earlier, False)
    withdrawn = db.session.execute(select(QuoteRequest.withdrawn_at).where(QuoteRequest.id == request_id)).scalar()
    if withdrawn is not None:
        raise Conflict("You withdrew this quote request a moment ago: its quotes can no longer be bought.",
                       code="quote_request_closed")
    raise Conflict("Another quote on this request was bought a moment ago; this one was not.",
                   code="quote_request_closed")


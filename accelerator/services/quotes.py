"""Quote requests and quotes: a seller's request routed to fitting insurers, their quotes and declines.

- `submit_quote_request(seller_id, data)` creates a request, routes it (domain/routing.py: every
  approved insurer whose appetite holds its categories, state and revenue, rated at least the
  marketplace's minimum unless the seller asked for the others too) and emits
  `quote_request.routed` to each insurer it reaches.
- Insurers list and read the requests routed to them, offer quotes and decline.
- `emit_quote_accepted(quote_id)` is called when a seller buys a quote (in the caller's transaction).
- A seller withdraws a request still open (`withdraw_quote_request`): it is closed like a bought one, so
  it takes no more quotes, and `withdrawn_at` tells the two apart. An expired quote can be asked for again
  (`ask_again`): a new request with the old one's answers, routed to that insurer only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import and_, or_, select, update

from accelerator import clock
from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.domain.routing import InsurerAppetite, RequestProfile, route_quote_request
from accelerator.domain.states import STATE_CODES
from accelerator.domain.values import normalize_seller_id
from accelerator.domain.warnings import (
    Shortfall,
    UnconfirmedShortfalls,
    excluded_requested,
    offer_rules,
    request_rules,
    shortfalls,
    unconfirmed,
)
from accelerator.extensions import db
from accelerator.models import Insurer, Quote, QuoteRequest, QuoteRouting
from accelerator.services import audit, webhooks
from accelerator.services.paging import Page, fetch_page
from accelerator.services.policies import ensure_seller, term_errors
from accelerator.shapes import quotes as shapes  # events carry the API's answers
from accelerator.shapes.quotes import MAX_NOTES, MAX_REASON  # the limits the API declares (one definition)


@dataclass(frozen=True)
class QuoteRequestData:
    """What a seller asks quotes for (parsed values)."""

    legal_name: str
    state: str
    categories: tuple[str, ...]
    annual_revenue: Decimal
    per_occurrence_limit: Decimal
    aggregate_limit: Decimal
    deductible: Decimal
    desired_start_date: date
    top_products: str = ""
    states_shipped: tuple[str, ...] = ()
    claims_last_3_years: int = 0
    renewal_of_policy_id: int | None = None
    accepts_below_minimum_rating: bool = False  # also ask insurers rated below the marketplace's minimum


@dataclass(frozen=True)
class QuoteOffer:
    """An insurer's offer (parsed values)."""

    annual_premium: Decimal
    per_occurrence_limit: Decimal
    aggregate_limit: Decimal
    deductible: Decimal
    valid_until: date
    occurrence_based: bool = True
    additional_insured: bool = True
    excluded_categories: tuple[str, ...] = field(default_factory=tuple)
    notes: str = ""


@dataclass(frozen=True)
class RoutedRequest:
    """A quote request as one insurer sees it: the request, its routing row, that insurer's quotes."""

    request: QuoteRequest
    routing: QuoteRouting
    quotes: list[Quote]


def _request_json(request: QuoteRequest, routing: QuoteRouting, quotes: list[Quote]) -> dict:
    """The API's quote request answer, as a webhook event carries it."""
    return shapes.QuoteRequest.of(request, routing, quotes, current_app.config["REQUIREMENT"]).model_dump(mode="json")


def _request_errors(data: QuoteRequestData) -> dict[str, str]:
    errors = {}
    if not data.legal_name.strip() or len(data.legal_name) > 200:
        errors["legal_name"] = "Give the legal business name (at most 200 characters)."
    if data.state not in STATE_CODES:
        errors["state"] = "Must be a US state's postal code."
    if not data.categories or any(c not in CATEGORY_CODES for c in data.categories):
        errors["categories"] = "Give one or more category codes from the list."
    if any(s not in STATE_CODES for s in data.states_shipped):
        errors["states_shipped"] = "Must be US states' postal codes."
    if data.claims_last_3_years < 0:
        errors["claims_last_3_years"] = "Must not be negative."
    errors.update(term_errors(effective_date=None, expiration_date=None,
                              per_occurrence_limit=data.per_occurrence_limit,
                              aggregate_limit=data.aggregate_limit, deductible=data.deductible))
    return errors


def appetites() -> list[InsurerAppetite]:
    """Every insurer's appetite as the routing rule judges it (the rule itself ignores non-approved ones)."""
    rows = db.session.execute(
        select(Insurer.id, Insurer.status, Insurer.categories, Insurer.licensed_states,
               Insurer.min_revenue, Insurer.max_revenue, Insurer.am_best_rating)
    ).all()
    return [InsurerAppetite(insurer_id=r.id, status=r.status, categories=frozenset(r.categories or ()),
                            states=frozenset(r.licensed_states or ()), min_revenue=r.min_revenue,
                            max_revenue=r.max_revenue, rating=r.am_best_rating) for r in rows]


def request_profile(categories, state: str, annual_revenue: Decimal,
                    accepts_below_minimum_rating: bool) -> RequestProfile:
    """A quote request as the routing rule judges it, against the marketplace's minimum AM Best rating."""
    return RequestProfile(categories=frozenset(categories), state=state, annual_revenue=annual_revenue,
                          min_rating=current_app.config["REQUIREMENT"].min_rating,
                          accepts_below_minimum_rating=accepts_below_minimum_rating)


def request_shortfalls(data: QuoteRequestData) -> list[Shortfall]:
    """Where the cover a request asks for falls short of the marketplace's requirement."""
    return shortfalls(request_rules(current_app.config["REQUIREMENT"]), {
        "per_occurrence_limit": data.per_occurrence_limit, "aggregate_limit": data.aggregate_limit,
        "deductible": data.deductible})


def submit_quote_request(seller_id: str, data: QuoteRequestData, confirmed: Collection[str] | None = None,
                         only_insurer_id: int | None = None) -> tuple[QuoteRequest, list[int]]:
    """Create a seller's quote request, route it, and tell each insurer it reaches (webhook).

    `confirmed`: given (the site), the shortfall sentences the seller confirmed sending anyway; any other
    shortfall raises UnconfirmedShortfalls and nothing is saved. None (the API) sends without asking.
    With `only_insurer_id`, the request goes to that insurer alone, and only if the routing rule still
    sends it there (Conflict otherwise, before anything is written).
    """
    try:
        seller_id = normalize_seller_id(seller_id)
    except ValueError as exc:
        raise ValidationError("Check the seller ID.", fields={"seller_id": f"Seller ID {exc}."}) from exc
    errors = _request_errors(data)
    if errors:
        raise ValidationError("The quote request was not sent: some fields are not right.", fields=errors)
    if confirmed is not None:
        found = request_shortfalls(data)
        if unconfirmed(found, confirmed):
            raise UnconfirmedShortfalls(found)
    insurer_ids = route_quote_request(appetites(), request_profile(
        data.categories, data.state, data.annual_revenue, data.accepts_below_minimum_rating))
    if only_insurer_id is not None:
        if only_insurer_id not in insurer_ids:
            raise Conflict("This insurer no longer takes requests like this one: ask every insurer that fits "
                           "instead.", code="insurer_does_not_fit")
        insurer_ids = [only_insurer_id]
    ensure_seller(seller_id)
    request = QuoteRequest(
        seller_id=seller_id, status="open", legal_name=data.legal_name.strip(), state=data.state,
        categories=list(data.categories), annual_revenue=data.annual_revenue, top_products=data.top_products,
        states_shipped=list(data.states_shipped), claims_last_3_years=data.claims_last_3_years,
        per_occurrence_limit=data.per_occurrence_limit, aggregate_limit=data.aggregate_limit,
        deductible=data.deductible, desired_start_date=data.desired_start_date,
        renewal_of_policy_id=data.renewal_of_policy_id,
        accepts_below_minimum_rating=bool(data.accepts_below_minimum_rating),
    )
    db.session.add(request)
    db.session.flush()
    routings = [QuoteRouting(quote_request_id=request.id, insurer_id=i, status="open", routed_at=clock.now())
                for i in insurer_ids]
    db.session.add_all(routings)
    db.session.flush()
    for routing in routings:
        webhooks.emit(routing.insurer_id, "quote_request.routed",
                      {"quote_request": _request_json(request, routing, [])})
    # The log names each insurer as it was called then (and keeps its id, which names do not).
    names = dict(db.session.execute(select(Insurer.id, Insurer.name).where(Insurer.id.in_(insurer_ids))).all())
    audit.record(audit.Actor(f"seller {seller_id}"), "submit", "quote_request", request.id,
                 routed_to=[{"id": i, "name": names[i]} for i in insurer_ids])
    db.session.commit()
    return request, insurer_ids


@dataclass(frozen=True)
class Withdrawal:
    """A withdrawn request; `withdrawn` is False when an earlier click had already withdrawn it."""

    request: QuoteRequest
    withdrawn: bool


def _sellers_request(seller_id: str, request_id: int) -> QuoteRequest:
    """One of the seller's quote requests, or NotFound (also for another seller's)."""
    request = db.session.get(QuoteRequest, request_id)
    if request is None or request.seller_id != seller_id:
        raise NotFound("No such quote request of yours.")
    return request


def withdraw_quote_request(actor: audit.Actor, seller_id: str, request_id: int) -> Withdrawal:
    """The seller withdraws an open request: it closes, its open routings and offered quotes close with it.

    Like buying, the conditional UPDATE on the open request decides a race (two clicks, a buy at the same
    moment): one of them changes the row. Withdrawing again answers the first withdrawal; a request closed
    by a purchase is a Conflict and stays as it was.
    """
    request = _sellers_request(seller_id, request_id)
    now = clock.now()
    changed = db.session.execute(
        update(QuoteRequest)
        .where(QuoteRequest.id == request.id, QuoteRequest.status == "open")
        .values(status="closed", closed_at=now, withdrawn_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        db.session.refresh(request)
        if request.withdrawn_at is not None:
            return Withdrawal(request, False)
        raise Conflict("This request is closed: it can no longer be withdrawn.", code="quote_request_closed")
    db.session.execute(
        update(QuoteRouting).where(QuoteRouting.quote_request_id == request.id, QuoteRouting.status != "declined")
        .values(status="closed").execution_options(synchronize_session=False))
    db.session.execute(
        update(Quote).where(Quote.quote_request_id == request.id, Quote.status == "offered")
        .values(status="closed").execution_options(synchronize_session=False))
    audit.record(actor, "withdraw", "quote_request", request.id)
    db.session.commit()
    db.session.refresh(request)
    return Withdrawal(request, True)


@dataclass(frozen=True)
class AskedAgain:
    """The request that asks an insurer again; `created` is False when an earlier click had made it."""

    request: QuoteRequest
    created: bool


def _same_answers(a: QuoteRequest, b: QuoteRequest) -> bool:
    """Whether two requests ask the same thing of the same business (the start date aside)."""
    fields = ("legal_name", "state", "annual_revenue", "top_products", "claims_last_3_years",
              "per_occurrence_limit", "aggregate_limit", "deductible")
    return (all(getattr(a, f) == getattr(b, f) for f in fields)
            and sorted(a.categories) == sorted(b.categories) and sorted(a.states_shipped) == sorted(b.states_shipped))


def ask_again(seller_id: str, request_id: int, quote_id: int, today: date | None = None) -> AskedAgain:
    """A new request with an expired quote's request's answers, sent to that quote's insurer only.

    The start date is the old one, or today once that has passed. An open request asking the same of
    that insurer alone, made since, is answered instead of a second one (a double click).
    """
    today = today or clock.today()
    quote = db.session.get(Quote, quote_id)
    if quote is None or quote.quote_request_id != request_id or quote.quote_request.seller_id != seller_id:
        raise NotFound("No such quote of yours.")
    if quote.valid_until >= today:
        raise Conflict("This quote is still valid: you can buy it as it is.", code="quote_still_valid")
    old = quote.quote_request
    since = db.session.execute(
        select(QuoteRequest).join(QuoteRouting, QuoteRouting.quote_request_id == QuoteRequest.id)
        .where(QuoteRequest.seller_id == seller_id, QuoteRequest.status == "open", QuoteRequest.id > old.id,
               QuoteRouting.insurer_id == quote.insurer_id)
        .order_by(QuoteRequest.id)
    ).scalars().all()
    for candidate in since:
        if len(candidate.routings) == 1 and _same_answers(candidate, old):
            return AskedAgain(candidate, False)
    data = QuoteRequestData(
        legal_name=old.legal_name, state=old.state, categories=tuple(old.categories),
        annual_revenue=old.annual_revenue, per_occurrence_limit=old.per_occurrence_limit,
        aggregate_limit=old.aggregate_limit, deductible=old.deductible,
        desired_start_date=max(old.desired_start_date, today), top_products=old.top_products or "",
        states_shipped=tuple(old.states_shipped or ()), claims_last_3_years=old.claims_last_3_years,
        accepts_below_minimum_rating=old.accepts_below_minimum_rating,
    )
    request, _ = submit_quote_request(seller_id, data, only_insurer_id=quote.insurer_id)
    return AskedAgain(request, True)


def _status_filter(status: str):
    if status == "closed":
        return or_(QuoteRequest.status == "closed", QuoteRouting.status == "closed")
    return and_(QuoteRequest.status != "closed", QuoteRouting.status == status)


def _quotes_of(insurer_id: int, request_ids: list[int]) -> dict[int, list[Quote]]:
    quotes: dict[int, list[Quote]] = {i: [] for i in request_ids}
    if request_ids:
        for quote in db.session.execute(
            select(Quote).where(Quote.insurer_id == insurer_id, Quote.quote_request_id.in_(request_ids))
            .order_by(Quote.id)
        ).scalars():
            quotes[quote.quote_request_id].append(quote)
    return quotes


def list_routed(insurer_id: int, status: str | None, page: int, per_page: int) -> Page:
    """The requests routed to an insurer (items are RoutedRequest), newest first, by its status."""
    query = (select(QuoteRequest, QuoteRouting)
             .join(QuoteRouting, QuoteRouting.quote_request_id == QuoteRequest.id)
             .where(QuoteRouting.insurer_id == insurer_id))
    if status:
        query = query.where(_status_filter(status))
    result = fetch_page(query.order_by(QuoteRouting.routed_at.desc(), QuoteRequest.id.desc()),
                        page, per_page, scalars=False)
    quotes = _quotes_of(insurer_id, [row[0].id for row in result.items])
    items = [RoutedRequest(request=r, routing=routing, quotes=quotes[r.id]) for r, routing in result.items]
    return Page(items=items, page=result.page, per_page=result.per_page, total=result.total)


def get_routed(insurer_id: int, request_id: int) -> RoutedRequest:
    """One request routed to the insurer, or NotFound (also when routed only to others)."""
    row = db.session.execute(
        select(QuoteRequest, QuoteRouting)
        .join(QuoteRouting, QuoteRouting.quote_request_id == QuoteRequest.id)
        .where(QuoteRequest.id == request_id, QuoteRouting.insurer_id == insurer_id)
    ).first()
    if row is None:
        raise NotFound("No such quote request routed to you.")
    request, routing = row
    return RoutedRequest(request=request, routing=routing, quotes=_quotes_of(insurer_id, [request.id])[request.id])


def _open_for(insurer_id: int, request_id: int) -> RoutedRequest:
    routed = get_routed(insurer_id, request_id)
    if routed.request.status == "closed" or routed.routing.status == "closed":
        raise Conflict("This quote request is closed.", code="quote_request_closed")
    return routed


def offer_errors(offer: QuoteOffer, today: date) -> dict[str, str]:
    """The rules across a quote's fields (a value not given, None, is not judged)."""
    errors = term_errors(effective_date=None, expiration_date=None,
                         per_occurrence_limit=offer.per_occurrence_limit,
                         aggregate_limit=offer.aggregate_limit, deductible=offer.deductible)
    if offer.valid_until is not None and offer.valid_until < today:
        errors["valid_until"] = "Must be today or later."
    if len(offer.notes or "") > MAX_NOTES:
        errors["notes"] = f"Must be at most {MAX_NOTES:,} characters."
    return errors


def add_offered_quote(routing: QuoteRouting, offer: QuoteOffer, now: datetime) -> Quote:
    """The quote `offer` on `routing`'s request, added to the session, and the routing marked quoted.

    The caller has checked the offer and that the request takes quotes, then flushes, audits and
    commits (one quote from the portal or the API, or a whole CSV file at once).
    """
    quote = Quote(
        quote_request_id=routing.quote_request_id, insurer_id=routing.insurer_id, status="offered",
        annual_premium=offer.annual_premium, per_occurrence_limit=offer.per_occurrence_limit,
        aggregate_limit=offer.aggregate_limit, deductible=offer.deductible, valid_until=offer.valid_until,
        occurrence_based=offer.occurrence_based, additional_insured=offer.additional_insured,
        excluded_categories=list(offer.excluded_categories), notes=offer.notes,
    )
    db.session.add(quote)
    routing.status = "quoted"
    routing.responded_at = routing.responded_at or now
    return quote


def offer_shortfalls(offer: QuoteOffer, requested_categories: Collection[str]) -> list[Shortfall]:
    """Where an offer falls short of the requirement, or excludes a category its request asked to cover."""
    found = shortfalls(offer_rules(current_app.config["REQUIREMENT"]), {
        "per_occurrence_limit": offer.per_occurrence_limit, "aggregate_limit": offer.aggregate_limit,
        "deductible": offer.deductible, "occurrence_based": offer.occurrence_based,
        "additional_insured": offer.additional_insured})
    excluded = excluded_requested(offer.excluded_categories, requested_categories)
    return found + ([excluded] if excluded else [])


def offer_quote(actor: audit.Actor, insurer_id: int, request_id: int, offer: QuoteOffer,
                confirmed: Collection[str] | None = None) -> Quote:
    """An insurer's quote on a request routed to it (404 otherwise; 409 when closed or declined).

    `confirmed`: as for submit_quote_request (the portal asks; the API does not).
    """
    routed = _open_for(insurer_id, request_id)
    errors = offer_errors(offer, clock.today())
    if errors:
        raise ValidationError("The quote was not sent: some fields are not right.", fields=errors)
    if routed.routing.status == "declined":
        raise Conflict("You declined this quote request.", code="quote_request_declined")
    if confirmed is not None:
        found = offer_shortfalls(offer, routed.request.categories)
        if unconfirmed(found, confirmed):
            raise UnconfirmedShortfalls(found)
    quote = add_offered_quote(routed.routing, offer, clock.now())
    db.session.flush()
    audit.record(actor, "offer", "quote", quote.id, quote_request=routed.request.id,
                 annual_premium=offer.annual_premium)
    db.session.commit()
    return quote


def decline(actor: audit.Actor, insurer_id: int, request_id: int, reason: str) -> RoutedRequest:
    """Decline a request routed to the insurer; declining again answers the same (409 once quoted)."""
    routed = _open_for(insurer_id, request_id)
    if routed.routing.status == "declined":
        return routed
    if routed.routing.status == "quoted":
        raise Conflict("You already quoted this request.", code="already_quoted")
    if not reason.strip() or len(reason) > MAX_REASON:
        raise ValidationError("Give a reason.", fields={"reason": f"Give 1 to {MAX_REASON:,} characters."})
    routed.routing.status = "declined"
    routed.routing.decline_reason = reason
    routed.routing.responded_at = clock.now()
    audit.record(actor, "decline", "quote_request", routed.request.id, reason=reason)
    db.session.commit()
    return routed


def emit_quote_accepted(quote_id: int) -> None:
    """Tell the quote's insurer a seller accepted it (adds the event; the caller commits its change)."""
    quote = db.session.get(Quote, quote_id)
    if quote is None:
        raise NotFound("No such quote.")
    routing = db.session.execute(
        select(QuoteRouting).where(QuoteRouting.quote_request_id == quote.quote_request_id,
                                   QuoteRouting.insurer_id == quote.insurer_id)
    ).scalar_one_or_none()
    data: dict = {"quote": shapes.Quote.of(quote, current_app.config["REQUIREMENT"]).model_dump(mode="json")}
    if routing is not None:
        data["quote_request"] = _request_json(quote.quote_request, routing, [quote])
    webhooks.emit(quote.insurer_id, "quote.accepted", data)

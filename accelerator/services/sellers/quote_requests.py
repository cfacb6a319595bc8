"""One quote request of a seller: its quotes judged against the requirement, why it reached nobody."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from accelerator import clock
from accelerator.domain.categories import category_name, category_names
from accelerator.domain.compliance import (
    excluded_sold_categories,
    limit_shortfalls,
    meets_requirement,
    rating_shortfall,
    requirement_failures,
)
from accelerator.domain.errors import NotFound
from accelerator.domain.money import display_money
from accelerator.domain.routing import fits
from accelerator.domain.states import state_name
from accelerator.domain.terms import Requirement
from accelerator.extensions import db
from accelerator.models import Insurer, Policy, Quote, QuoteRequest, QuoteRouting
from accelerator.services.quotes import appetites, request_profile
from accelerator.shapes.quotes import quote_terms  # one definition of "the policy a quote would be"

QUOTE_SORTS = ("premium", "limit")


@dataclass(frozen=True)
class TermChange:
    """One term of a renewal quote beside the current policy's, with the difference in words."""

    label: str
    current: Decimal | None
    renewal: Decimal
    change: str  # "same", "$150.00 more", "$50.00 less"; "" when the current figure is not known
    cents: bool  # whether the figures are shown with cents (premiums, deductibles) or not (limits)


def _amount(amount: Decimal, cents: bool) -> str:
    """`$2,500.00`; without cents a whole amount is written as the limits are (`$1,000,000`)."""
    if not cents and amount == amount.to_integral_value():
        return f"${amount:,.0f}"
    return display_money(amount)


def _change(current: Decimal | None, renewal: Decimal, cents: bool) -> str:
    """The difference in words."""
    if current is None:
        return ""
    if renewal == current:
        return "same"
    word = "more" if renewal > current else "less"
    return f"{_amount(abs(renewal - current), cents)} {word}"


def compare_terms(policy: Policy, quote: Quote) -> list[TermChange]:
    """A quote's premium, limits and deductible beside the current policy's."""
    rows = (("Annual premium", policy.premium, quote.annual_premium, True),
            ("Per occurrence", policy.per_occurrence_limit, quote.per_occurrence_limit, False),
            ("Aggregate", policy.aggregate_limit, quote.aggregate_limit, False),
            ("Deductible", policy.deductible, quote.deductible, True))
    return [TermChange(label, current, renewal, _change(current, renewal, cents), cents)
            for label, current, renewal, cents in rows]


@dataclass(frozen=True)
class QuoteLine:
    """One quote as the seller compares it."""

    quote: Quote
    meets_requirement: bool
    failures: list[str]  # why it does not meet the requirement, in words
    expired: bool


@dataclass(frozen=True)
class AskedInsurer:
    """One insurer a request went to, by name: whether it answered, and why it declined."""

    name: str
    status: str  # open (no answer yet), quoted, declined, closed (the request closed before it answered)
    decline_reason: str | None


@dataclass(frozen=True)
class RequestDetail:
    """A seller's quote request: where it went, why it went nowhere, and its quotes."""

    request: QuoteRequest
    insurers_asked: int
    declined: int
    no_match_reasons: list[str]
    quotes: list[QuoteLine]
    sort: str
    policy: Policy | None  # the policy bought from this request, if any
    renewal_of: Policy | None = None  # the policy a renewal request renews
    renewal_of_meets: bool = False  # whether that policy's terms meet the requirement
    changes: dict[int, list[TermChange]] = field(default_factory=dict)  # quote id -> beside the renewed policy
    asked: list[AskedInsurer] = field(default_factory=list)  # the insurers it went to, by name

    @property
    def can_withdraw(self) -> bool:
        """Whether the seller can still withdraw the request (it is open)."""
        return self.request.status == "open"


def get_request(seller_id: str, request_id: int, sort: str = "premium", today: date | None = None) -> RequestDetail:
    """One of the seller's quote requests with its quotes sorted by premium or limit (NotFound for others')."""
    today = today or clock.now().date()
    request = db.session.get(QuoteRequest, request_id)
    if request is None or request.seller_id != seller_id:
        raise NotFound("No such quote request of yours.")
    sort = sort if sort in QUOTE_SORTS else "premium"
    quotes = db.session.execute(select(Quote).where(Quote.quote_request_id == request.id)).scalars().all()
    quoted_by = {q.insurer_id for q in quotes}
    rows = db.session.execute(
        select(Insurer.id, Insurer.name, QuoteRouting.status, QuoteRouting.decline_reason)
        .join(Insurer, Insurer.id == QuoteRouting.insurer_id)
        .where(QuoteRouting.quote_request_id == request.id).order_by(Insurer.name, Insurer.id)).all()
    routings = [status for _id, _name, status, _reason in rows]
    # A routing closes when the request does (bought or withdrawn): an insurer that quoted still "quoted".
    asked = [AskedInsurer(name, "quoted" if status == "closed" and insurer_id in quoted_by else status, reason)
             for insurer_id, name, status, reason in rows]
    requirement: Requirement = current_app.config["REQUIREMENT"]
    lines = [quote_line(q, requirement, today) for q in quotes]
    if sort == "limit":
        lines.sort(key=lambda line: (-line.quote.per_occurrence_limit, -line.quote.aggregate_limit,
                                     line.quote.annual_premium, line.quote.id))
    else:
        lines.sort(key=lambda line: (line.quote.annual_premium, -line.quote.per_occurrence_limit, line.quote.id))
    policy = None
    if request.status == "closed" and request.withdrawn_at is None:
        policy = db.session.execute(
            select(Policy).join(Quote, Policy.quote_id == Quote.id).where(Quote.quote_request_id == request.id)
        ).scalars().first()
    renewal_of = db.session.get(Policy, request.renewal_of_policy_id) if request.renewal_of_policy_id else None
    changes: dict[int, list[TermChange]] = {}
    if renewal_of is not None and renewal_of.seller_id == seller_id:

        changes = {line.quote.id: compare_terms(renewal_of, line.quote) for line in lines}
    else:
        renewal_of = None
    return RequestDetail(
        request=request, insurers_asked=len(routings), declined=sum(1 for s in routings if s == "declined"),
        no_match_reasons=no_match_reasons(request) if not routings else [], quotes=lines, sort=sort,
        policy=policy, renewal_of=renewal_of,
        renewal_of_meets=renewal_of is not None and meets_requirement(renewal_of.terms(), requirement,
                                                                      request.seller.categories or ()),
        changes=changes, asked=asked,
    )


def quote_line(quote: Quote, requirement: Requirement, today: date) -> QuoteLine:
    """A quote judged against the requirement for the categories its quote request asked to cover,
    with the reasons in words."""
    terms = quote_terms(quote)
    asked = quote.quote_request.categories or ()
    codes = requirement_failures(terms, requirement, asked)
    excluded = excluded_sold_categories(terms, asked)
    return QuoteLine(quote=quote, meets_requirement=not codes,
                     failures=[_quote_failure(code, quote, requirement, excluded) for code in codes],
                     expired=quote.valid_until < today)


def _quote_failure(code: str, quote: Quote, requirement: Requirement, excluded: list[str]) -> str:
    """Why a quote falls short of the requirement, in one sentence."""
    if code == "category_excluded":
        return f"It excludes {category_names(excluded)}, which your request asked to cover."
    if code == "limit_too_low":
        parts = limit_shortfalls(quote.per_occurrence_limit, quote.aggregate_limit, requirement)
        return "The " + " and the ".join(parts) + "."
    if code == "deductible_too_high":
        return (f"The deductible {display_money(quote.deductible)} is above the allowed "
                f"{display_money(requirement.max_deductible)}.")
    if code == "not_additional_insured":
        return f"It does not name {current_app.config['MARKETPLACE_LEGAL_NAME']} as additional insured."
    if code == "claims_made":
        return "It is claims-made; the requirement is occurrence-based cover."
    return rating_shortfall(quote.insurer.am_best_rating if quote.insurer else None, requirement.min_rating) or ""


def no_match_reasons(request: QuoteRequest) -> list[str]:
    """Why no approved insurer received a request: which of categories, state and revenue nobody fits, or
    that those fitting are rated below the minimum (and the seller did not ask for them)."""
    approved = [a for a in appetites() if a.status == "approved"]
    if not approved:
        return ["There is no approved insurer on the Accelerator yet."]
    categories = frozenset(request.categories)
    names = ", ".join(category_name(c) for c in sorted(categories))
    state = state_name(request.state)
    revenue = display_money(request.annual_revenue)
    profile = request_profile(categories, request.state, request.annual_revenue,
                              request.accepts_below_minimum_rating)
    if any(fits(a, profile) for a in approved):
        return ["An insurer that fits this request joined or changed its appetite after you asked: "
                "ask again to reach it."]
    any_rating = replace(profile, min_rating=None)
    if any(fits(a, any_rating) for a in approved):
        return [f"The approved insurers that write your categories in {state} for annual revenue of {revenue} "
                f"are rated below {profile.min_rating} by AM Best: their policies do not meet the marketplace's "
                "requirement. To get their offers anyway, ask again and tick the box for insurers rated below "
                f"{profile.min_rating}."]
    # Each part judged by the routing rule itself, with the insurer's other two parts (and its rating) opened up.
    anywhere = {"states": frozenset({request.state})}
    any_size = {"min_revenue": None, "max_revenue": None}
    writes_all = [a for a in approved if fits(replace(a, **anywhere, **any_size), any_rating)]
    licensed = [a for a in approved if fits(replace(a, categories=categories, **any_size), any_rating)]
    takes_revenue = [a for a in approved if fits(replace(a, categories=categories, **anywhere), any_rating)]
    reasons = []
    nobody = sorted(c for c in categories if not any(c in a.categories for a in approved))
    if nobody:
        reasons.append("No approved insurer writes " + ", ".join(category_name(c) for c in nobody) + ".")
    elif not writes_all:
        reasons.append(f"No single approved insurer writes all of your categories together ({names}).")
    if not licensed:
        reasons.append(f"No approved insurer is licensed in {state}.")
    if not takes_revenue:
        reasons.append(f"No approved insurer takes sellers with annual revenue of {revenue}.")
    if not reasons:
        reasons.append(
            f"Some approved insurers write your categories ({len(writes_all)}), some are licensed in {state} "
            f"({len(licensed)}) and some take annual revenue of {revenue} ({len(takes_revenue)}), but none "
            "does all three.")
    return reasons

"""Renewals: the prefilled renewal request of a seller's policy and sending it (one open per policy at a time),
and the policy's page with its renewal quotes beside the current terms."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from accelerator import clock
from accelerator.domain.compliance import meets_requirement
from accelerator.domain.errors import Conflict, DomainError, ValidationError
from accelerator.domain.money import display_money
from accelerator.domain.terms import Requirement
from accelerator.extensions import db
from accelerator.models import Policy, Quote, QuoteRequest, Seller
from accelerator.services.certificates import PolicyPage
from accelerator.services.certificates import policy_page as certificate_page
from accelerator.services.quotes import QuoteRequestData, submit_quote_request
from accelerator.services.renewal_rule import (
    InsurerNotice,
    RenewalState,
    insurer_notice,
    open_renewal_requests,
    other_policies,
    renewal_state,
    seller_policy,
)
from accelerator.services.sellers import QuoteLine, TermChange, compare_terms, get_request, get_seller

# --- the prefilled request ----------------------------------------------------------------------


@dataclass(frozen=True)
class RenewalPrefill:
    """The renewal request's starting values, by the quote request form's field names."""

    legal_name: str
    state: str
    categories: tuple[str, ...]
    annual_revenue: Decimal | None
    per_occurrence_limit: Decimal
    aggregate_limit: Decimal
    deductible: Decimal
    desired_start_date: date
    top_products: str
    states_shipped: tuple[str, ...]
    claims_last_3_years: int


@dataclass(frozen=True)
class RenewalDraft:
    """The policy to renew, its state, the prefilled request, and what was raised to meet the requirement."""

    policy: Policy
    state: RenewalState
    prefill: RenewalPrefill
    adjusted: list[str]  # sentences: terms changed from the policy's so the renewal meets the requirement


def original_request(policy: Policy) -> QuoteRequest | None:
    """The quote request a marketplace policy was bought from, if any."""
    if policy.quote_id is None:
        return None
    quote = db.session.get(Quote, policy.quote_id)
    return quote.quote_request if quote is not None else None


def prefill_for(policy: Policy, seller, original: QuoteRequest | None,
                requirement: Requirement) -> tuple[RenewalPrefill, list[str]]:
    """The renewal request's values: terms from the policy (raised to the requirement where they fall short),
    the business from the profile, what the profile lacks from the policy's original request."""
    adjusted = []
    per_occurrence = policy.per_occurrence_limit
    if per_occurrence < requirement.min_per_occurrence:
        per_occurrence = requirement.min_per_occurrence
        adjusted.append(f"The per-occurrence limit was raised from {display_money(policy.per_occurrence_limit)} "
                        f"to the required {display_money(per_occurrence)}.")
    aggregate = max(policy.aggregate_limit, per_occurrence)
    if aggregate < requirement.min_aggregate:
        aggregate = requirement.min_aggregate
    if aggregate != policy.aggregate_limit:
        adjusted.append(f"The aggregate limit was raised from {display_money(policy.aggregate_limit)} to "
                        f"{display_money(aggregate)}.")
    deductible = policy.deductible
    if deductible > requirement.max_deductible:
        deductible = requirement.max_deductible
        adjusted.append(f"The deductible was lowered from {display_money(policy.deductible)} to the allowed "
                        f"{display_money(deductible)}.")
    revenue = seller.monthly_gross_sales * 12 if seller.monthly_gross_sales else None
    if revenue is None and original is not None:
        revenue = original.annual_revenue
    prefill = RenewalPrefill(
        legal_name=seller.legal_name or (original.legal_name if original else ""),
        state=seller.state or (original.state if original else ""),
        categories=tuple(seller.categories or (original.categories if original else ())),
        annual_revenue=revenue,
        per_occurrence_limit=per_occurrence, aggregate_limit=aggregate, deductible=deductible,
        desired_start_date=policy.expiration_date,
        top_products=original.top_products if original else "",
        states_shipped=tuple(original.states_shipped) if original else (),
        claims_last_3_years=original.claims_last_3_years if original else 0,
    )
    return prefill, adjusted


def draft(seller_id: str, policy_id: int, today: date | None = None) -> RenewalDraft:
    """The renewal request of one of the seller's policies, prefilled (NotFound for another seller's)."""
    today = today or clock.now().date()
    policy = seller_policy(seller_id, policy_id)
    open_id = open_renewal_requests(seller_id, [policy.id]).get(policy.id)
    state = renewal_state(policy, other_policies(policy), open_id, today)
    prefill, adjusted = prefill_for(policy, get_seller(seller_id), original_request(policy),
                                    current_app.config["REQUIREMENT"])
    return RenewalDraft(policy=policy, state=state, prefill=prefill, adjusted=adjusted)


@dataclass(frozen=True)
class SubmittedRenewal:
    """The renewal request, the insurers it reached, and whether this call made it (False: one was open)."""

    request: QuoteRequest
    routed: list[int]
    created: bool


def submit_renewal(seller_id: str, policy_id: int, data: QuoteRequestData,
                   today: date | None = None, confirmed: Collection[str] | None = None) -> SubmittedRenewal:
    """Send the renewal request of one of the seller's policies, routed like any request.

    While a renewal request of the policy is open, that one is answered instead (created=False): a double
    click or a second tab never makes two. A policy that cannot be renewed is a Conflict saying why.
    `confirmed`: the shortfalls the seller confirmed, as for submit_quote_request.
    """
    today = today or clock.now().date()
    try:
        policy = seller_policy(seller_id, policy_id, lock=True)
        open_id = open_renewal_requests(seller_id, [policy.id]).get(policy.id)
        if open_id is not None:
            db.session.rollback()  # ends the transaction (and the lock): nothing to write
            return SubmittedRenewal(db.session.get(QuoteRequest, open_id), [], False)
        state = renewal_state(policy, other_policies(policy), None, today)
        if state.problem:
            raise Conflict(state.problem, code="not_renewable")
        if data.desired_start_date < today:
            raise ValidationError("The renewal request was not sent: some fields are not right.",
                                  fields={"desired_start_date": "The start date cannot be in the past."})
        request, routed = submit_quote_request(seller_id, replace(data, renewal_of_policy_id=policy.id),
                                               confirmed=confirmed)
    except DomainError:
        db.session.rollback()
        raise
    return SubmittedRenewal(request, routed, True)


# --- beside the current policy ------------------------------------------------------------------


@dataclass(frozen=True)
class RenewalQuote:
    """A renewal quote as the seller compares it with the current policy."""

    line: QuoteLine
    changes: list[TermChange]


@dataclass(frozen=True)
class PolicyRenewal:
    """A policy's renewal: its state, the renewal request shown (open, else the latest) and its quotes."""

    state: RenewalState
    request: QuoteRequest | None
    insurers_asked: int
    declined: int
    quotes: list[RenewalQuote]
    bought: Policy | None  # the policy bought from the renewal request shown, if any
    current_meets: bool  # whether the current policy's terms meet the requirement


@dataclass(frozen=True)
class RenewalPolicyPage:
    """A seller's policy page (policy, certificate) and its renewal."""

    page: PolicyPage
    renewal: PolicyRenewal
    notice: InsurerNotice | None = None  # the insurer's notice to act on (a cancellation to come, a non-renewal)


def latest_renewal_request(seller_id: str, policy_id: int) -> QuoteRequest | None:
    """The policy's open renewal request, else its latest one, else None."""
    return db.session.execute(
        select(QuoteRequest).where(QuoteRequest.seller_id == seller_id, QuoteRequest.renewal_of_policy_id == policy_id)
        .order_by((QuoteRequest.status == "open").desc(), QuoteRequest.id.desc()).limit(1)
    ).scalar_one_or_none()


def policy_renewal(seller_id: str, policy: Policy, today: date) -> PolicyRenewal:
    """The renewal part of a policy's page."""
    open_id = open_renewal_requests(seller_id, [policy.id]).get(policy.id)
    state = renewal_state(policy, other_policies(policy), open_id, today)
    request = latest_renewal_request(seller_id, policy.id)
    quotes: list[RenewalQuote] = []
    asked = declined = 0
    bought = None
    if request is not None:
        detail = get_request(seller_id, request.id, "premium", today)
        quotes = [RenewalQuote(line, compare_terms(policy, line.quote)) for line in detail.quotes]
        asked, declined, bought = detail.insurers_asked, detail.declined, detail.policy
    requirement: Requirement = current_app.config["REQUIREMENT"]
    sold = db.session.execute(select(Seller.categories).where(Seller.seller_id == seller_id)).scalar_one_or_none()
    return PolicyRenewal(state=state, request=request, insurers_asked=asked, declined=declined, quotes=quotes,
                         bought=bought, current_meets=meets_requirement(policy.terms(), requirement, sold or ()))


def policy_page(seller_id: str, policy_id: int, today: date | None = None) -> RenewalPolicyPage:
    """One of the seller's policies with its certificate and its renewal (NotFound for another seller's)."""
    today = today or clock.now().date()
    page = certificate_page(seller_id, policy_id, today)
    return RenewalPolicyPage(page=page, renewal=policy_renewal(seller_id, page.policy, today),
                             notice=insurer_notice(page.policy, other_policies(page.policy), today))

"""Beside the current policy: a renewal quote's terms beside the policy's, and a policy's page with its renewal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from accelerator import clock
from accelerator.domain.compliance import meets_requirement
from accelerator.domain.money import display_money
from accelerator.domain.terms import Requirement
from accelerator.extensions import db
from accelerator.models import Policy, Quote, QuoteRequest, Seller
from accelerator.services.certificates import PolicyPage
from accelerator.services.certificates import policy_page as certificate_page
from accelerator.services.renewals.rule import RenewalState, _others, open_renewal_requests, renewal_state
from accelerator.services.sellers import QuoteLine, get_request

# --- beside the current policy ------------------------------------------------------------------


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


def latest_renewal_request(seller_id: str, policy_id: int) -> QuoteRequest | None:
    """The policy's open renewal request, else its latest one, else None."""
    return db.session.execute(
        select(QuoteRequest).where(QuoteRequest.seller_id == seller_id, QuoteRequest.renewal_of_policy_id == policy_id)
        .order_by((QuoteRequest.status == "open").desc(), QuoteRequest.id.desc()).limit(1)
    ).scalar_one_or_none()


def policy_renewal(seller_id: str, policy: Policy, today: date) -> PolicyRenewal:
    """The renewal part of a policy's page."""
    open_id = open_renewal_requests(seller_id, [policy.id]).get(policy.id)
    state = renewal_state(policy, _others(policy), open_id, today)
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
    return RenewalPolicyPage(page=page, renewal=policy_renewal(seller_id, page.policy, today))

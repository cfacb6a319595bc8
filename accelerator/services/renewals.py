"""Renewals: from a verified policy in force that expires within 60 days, one click starts a quote request
prefilled from the policy and the business profile; the seller adjusts it and sends it, routed like any
request (with `renewal_of_policy_id` set), and sees its quotes beside the policy it renews.

- `renewal_state(policy, others, open_request_id, today)` is the rule: whether the policy can be renewed
  here on `today`, and if not, why, in words. `states_for(...)` answers it for many policies at once.
- `state_of(seller_id, policy_id)` answers the Renew button: the open renewal request, or the state.
- `draft(...)` is the prefilled request; `submit_renewal(...)` sends it. At most one renewal request of
  a policy is open at a time, even when two submissions race: the policy row is locked first (FOR UPDATE
  on PostgreSQL; SQLite's served app begins every write transaction IMMEDIATE), then the open renewal
  request is looked for, then the new one is written, in one transaction.
- `policy_page(...)` is a policy's page with its renewal; `compare_terms(policy, quote)` sets a quote's
  premium, limits and deductible beside the policy's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from accelerator.domain.compliance import meets_requirement
from accelerator.domain.errors import Conflict, DomainError, NotFound, ValidationError
from accelerator.domain.money import display_money
from accelerator.domain.terms import Requirement
from accelerator.extensions import db
from accelerator.models import Policy, Quote, QuoteRequest
from accelerator.models.types import utcnow
from accelerator.services.certificates import PolicyPage
from accelerator.services.certificates import policy_page as certificate_page
from accelerator.services.quotes import QuoteRequestData, submit_quote_request
from accelerator.services.sellers import EXPIRING_WITHIN_DAYS, QuoteLine, get_request, get_seller

# A renewal can be asked from this many days before the policy expires (the dashboard's "expiring").
RENEWAL_WINDOW_DAYS = EXPIRING_WITHIN_DAYS


def long_date(day: date) -> str:
    """`June 1, 2026`, as the pages write dates."""
    return f"{day:%B} {day.day}, {day.year}"


def _days(n: int) -> str:
    """`1 day`, `12 days`."""
    return f"{n} day" if n == 1 else f"{n} days"


# --- the rule -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenewalState:
    """Whether a policy can be renewed here today, the renewal request already open, or why not."""

    policy_id: int
    eligible: bool  # verified, in force, not cancelled, expiring within the window, not already continued
    open_request_id: int | None  # the renewal request of this policy still open, if any
    problem: str | None  # why it cannot be renewed here (None when eligible)
    successor: Policy | None  # a verified policy that already continues the cover when this one expires
    window_opens: date  # the first day a renewal can be asked
    days_left: int  # days until the policy expires (negative once expired)

    @property
    def can_start(self) -> bool:
        """Whether the Renew button starts a new renewal request (eligible, none open)."""
        return self.eligible and self.open_request_id is None

    @property
    def in_window(self) -> bool:
        """Whether the renewal window is open and the policy has not expired."""
        return 0 < self.days_left <= RENEWAL_WINDOW_DAYS


def successor_of(policy: Policy, others: Iterable[Policy]) -> Policy | None:
    """Another verified policy of the same seller in force on the day `policy` expires (the one starting first)."""
    ends = policy.expiration_date
    found = [p for p in others if p.id != policy.id and p.seller_id == policy.seller_id
             and p.verification == "verified" and p.in_force_on(ends)]
    return min(found, key=lambda p: (p.effective_date, p.id), default=None)


def renewal_state(policy: Policy, others: Iterable[Policy], open_request_id: int | None, today: date) -> RenewalState:
    """Whether `policy` can be renewed here on `today`; `others` are the seller's other policies."""
    days_left = (policy.expiration_date - today).days
    opens = policy.expiration_date - timedelta(days=RENEWAL_WINDOW_DAYS)
    successor = None
    if policy.verification != "verified":
        problem = "Only a policy the marketplace has verified can be renewed here."
    elif policy.cancellation_date is not None:
        problem = "This policy was cancelled: ask insurers for quotes for a new policy instead."
    elif policy.expiration_date <= today:
        problem = (f"This policy expired on {long_date(policy.expiration_date)}: ask insurers for quotes for a "
                   "new policy instead.")
    elif policy.effective_date > today:
        problem = "This policy has not started yet."
    elif days_left > RENEWAL_WINDOW_DAYS:
        problem = (f"You can ask for renewal quotes from {long_date(opens)}, {RENEWAL_WINDOW_DAYS} days before "
                   "the policy expires.")
    else:
        successor = successor_of(policy, others)
        problem = (f"Policy {successor.policy_number} already continues your cover when this one expires."
                   if successor else None)
    return RenewalState(policy_id=policy.id, eligible=problem is None, open_request_id=open_request_id,
                        problem=problem, successor=successor, window_opens=opens, days_left=days_left)


def open_renewal_requests(seller_id: str, policy_ids: Iterable[int]) -> dict[int, int]:
    """policy id -> the id of its open renewal request (the oldest, should there be several)."""
    ids = sorted(set(policy_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(QuoteRequest.renewal_of_policy_id, QuoteRequest.id)
        .where(QuoteRequest.seller_id == seller_id, QuoteRequest.status == "open",
               QuoteRequest.renewal_of_policy_id.in_(ids))
        .order_by(QuoteRequest.id.desc())
    ).all()
    return {policy_id: request_id for policy_id, request_id in rows}  # the oldest comes last and wins


def states_for(seller_id: str, policies: list[Policy], today: date) -> dict[int, RenewalState]:
    """The renewal state of each of a seller's policies (`policies` are all of them) on `today`."""
    open_ids = open_renewal_requests(seller_id, (p.id for p in policies))
    return {p.id: renewal_state(p, policies, open_ids.get(p.id), today) for p in policies}


def _seller_policy(seller_id: str, policy_id: int, lock: bool = False) -> Policy:
    """One of the seller's policies (locked for the transaction when asked), or NotFound."""
    query = select(Policy).where(Policy.id == policy_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    policy = db.session.execute(query).scalar_one_or_none()
    if policy is None or policy.seller_id != seller_id:
        raise NotFound("No such policy of yours.")
    return policy


def _others(policy: Policy) -> list[Policy]:
    """The seller's other verified policies (the candidates to continue `policy`)."""
    return list(db.session.execute(
        select(Policy).where(Policy.seller_id == policy.seller_id, Policy.id != policy.id,
                             Policy.verification == "verified")).scalars())


def state_of(seller_id: str, policy_id: int, today: date | None = None) -> RenewalState:
    """The renewal state of one of the seller's policies (NotFound for another seller's)."""
    today = today or utcnow().date()
    policy = _seller_policy(seller_id, policy_id)
    open_id = open_renewal_requests(seller_id, [policy.id]).get(policy.id)
    return renewal_state(policy, _others(policy), open_id, today)


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
    today = today or utcnow().date()
    policy = _seller_policy(seller_id, policy_id)
    open_id = open_renewal_requests(seller_id, [policy.id]).get(policy.id)
    state = renewal_state(policy, _others(policy), open_id, today)
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
                   today: date | None = None) -> SubmittedRenewal:
    """Send the renewal request of one of the seller's policies, routed like any request.

    While a renewal request of the policy is open, that one is answered instead (created=False): a double
    click or a second tab never makes two. A policy that cannot be renewed is a Conflict saying why.
    """
    today = today or utcnow().date()
    try:
        policy = _seller_policy(seller_id, policy_id, lock=True)
        open_id = open_renewal_requests(seller_id, [policy.id]).get(policy.id)
        if open_id is not None:
            db.session.rollback()  # ends the transaction (and the lock): nothing to write
            return SubmittedRenewal(db.session.get(QuoteRequest, open_id), [], False)
        state = renewal_state(policy, _others(policy), None, today)
        if state.problem:
            raise Conflict(state.problem, code="not_renewable")
        if data.desired_start_date < today:
            raise ValidationError("The renewal request was not sent: some fields are not right.",
                                  fields={"desired_start_date": "The start date cannot be in the past."})
        request, routed = submit_quote_request(seller_id, replace(data, renewal_of_policy_id=policy.id))
    except DomainError:
        db.session.rollback()
        raise
    return SubmittedRenewal(request, routed, True)


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
    return PolicyRenewal(state=state, request=request, insurers_asked=asked, declined=declined, quotes=quotes,
                         bought=bought, current_meets=meets_requirement(policy.terms(), requirement))


def policy_page(seller_id: str, policy_id: int, today: date | None = None) -> RenewalPolicyPage:
    """One of the seller's policies with its certificate and its renewal (NotFound for another seller's)."""
    today = today or utcnow().date()
    page = certificate_page(seller_id, policy_id, today)
    return RenewalPolicyPage(page=page, renewal=policy_renewal(seller_id, page.policy, today))

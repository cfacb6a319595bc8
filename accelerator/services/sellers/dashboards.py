"""The seller's dashboard: policies by standing (the policy groups), quote requests and next steps (the
rule is domain/guidance.py; `next_steps` gathers its facts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from accelerator import clock
from accelerator.domain import guidance
from accelerator.domain.categories import category_names
from accelerator.domain.compliance import excluded_sold_categories
from accelerator.domain.guidance import NextStep, OpenRequestFacts, RenewalFacts, SellerStanding
from accelerator.domain.standing import EXPIRING_WITHIN_DAYS, POLICY_GROUPS, policy_group
from accelerator.extensions import db
from accelerator.models import Policy, Quote, QuoteRouting, Seller
from accelerator.services.accounts import QuoteRequestLine, seller_overview
from accelerator.services.renewal_rule import InsurerNotice, RenewalState, insurer_notice, states_for
from accelerator.services.sellers.compliance import ComplianceSnapshot, compliance_snapshot


@dataclass(frozen=True)
class DashboardPolicy:
    """One policy on the dashboard: whether it is in force today, the days until it expires, its renewal,
    and what it excludes of the categories the seller sells."""

    policy: Policy
    in_force_today: bool
    days_left: int
    renewal: RenewalState | None = None
    excludes_sold: str = ""  # the categories the seller sells that the policy excludes, in words

    @property
    def days_to_cancellation(self) -> int | None:
        """Days from today to the cancellation date (None when not cancelled; 0 or less once in effect)."""
        ends = self.policy.cancellation_date
        return None if ends is None else self.days_left - (self.policy.expiration_date - ends).days


@dataclass(frozen=True)
class PolicyGroup:
    """A heading and its policies."""

    key: str
    title: str
    lines: list[DashboardPolicy]


@dataclass(frozen=True)
class Dashboard:
    """Everything the seller's dashboard shows."""

    seller: Seller
    profile_complete: bool
    groups: list[PolicyGroup]
    policy_count: int
    in_force_count: int
    quote_requests: list[QuoteRequestLine]
    compliance: ComplianceSnapshot
    next_steps: list[NextStep] = field(default_factory=list)
    # Insurers' notices to act on (a cancellation to come, a non-renewal), the soonest end first.
    notices: list[InsurerNotice] = field(default_factory=list)


def dashboard(seller_id: str, today: date | None = None) -> Dashboard:
    """The seller's dashboard on `today` (default: today, UTC)."""
    today = today or clock.now().date()
    overview = seller_overview(seller_id, today)
    policies = [line.policy for line in overview.policies]
    renewals = states_for(overview.seller.seller_id, policies, today)
    by_group: dict[str, list[DashboardPolicy]] = {key: [] for key, _ in POLICY_GROUPS}
    sold = overview.seller.categories or ()
    for line in overview.policies:
        policy = line.policy
        by_group[policy_group(policy.terms(), today)].append(
            DashboardPolicy(policy, line.in_force_today, (policy.expiration_date - today).days, renewals[policy.id],
                            category_names(excluded_sold_categories(policy.terms(), sold))))
    groups = [PolicyGroup(key, title, by_group[key]) for key, title in POLICY_GROUPS if by_group[key]]
    compliance = compliance_snapshot(overview.seller, today, policies)
    in_force_count = len(by_group["in_force"]) + len(by_group["expiring"])
    return Dashboard(
        seller=overview.seller,
        profile_complete=overview.seller.profile_completed_at is not None,
        groups=groups,
        policy_count=len(overview.policies),
        in_force_count=in_force_count,
        quote_requests=overview.quote_requests,
        compliance=compliance,
        next_steps=next_steps(compliance, policies, renewals, overview.quote_requests, in_force_count, today),
        notices=sorted((n for n in (insurer_notice(p, policies, today) for p in policies) if n is not None),
                       key=lambda n: (n.ends, n.policy.policy_number)),
    )


def next_steps(compliance: ComplianceSnapshot, policies: list[Policy], renewals: dict[int, RenewalState],
               requests: list[QuoteRequestLine], in_force_count: int, today: date) -> list[NextStep]:
    """What the seller can do next, most pressing first: the facts gathered for the rule in domain/guidance.py."""
    facts = tuple(RenewalFacts(
        policy_id=p.id, policy_number=p.policy_number, expiration_date=p.expiration_date,
        days_left=renewals[p.id].days_left, can_start=renewals[p.id].can_start,
        open_request_id=renewals[p.id].open_request_id, continued=renewals[p.id].successor is not None,
        in_window=renewals[p.id].in_window) for p in policies)
    standing = SellerStanding(
        status=compliance.status, today=today, window_days=EXPIRING_WITHIN_DAYS, cover_ends=compliance.cover_until,
        declared_over_threshold=compliance.declared_over_threshold, in_force_count=in_force_count,
        policies=facts, open_requests=_open_request_facts(requests, today))
    return guidance.next_steps(standing)


def _open_request_facts(requests: list[QuoteRequestLine], today: date) -> tuple[OpenRequestFacts, ...]:
    """The seller's open requests (renewals aside: their policy's step covers them), with their quotes'
    and insurers' standing today."""
    open_ids = [line.quote_request.id for line in requests
                if line.quote_request.status == "open" and line.quote_request.renewal_of_policy_id is None]
    if not open_ids:
        return ()
    valid: dict[int, int] = dict.fromkeys(open_ids, 0)
    expired: dict[int, int] = dict.fromkeys(open_ids, 0)
    for request_id, valid_until in db.session.execute(
            select(Quote.quote_request_id, Quote.valid_until)
            .where(Quote.quote_request_id.in_(open_ids), Quote.status == "offered")).tuples():
        (valid if valid_until >= today else expired)[request_id] += 1
    waiting = dict(db.session.execute(
        select(QuoteRouting.quote_request_id, func.count(QuoteRouting.id))
        .where(QuoteRouting.quote_request_id.in_(open_ids), QuoteRouting.status == "open")
        .group_by(QuoteRouting.quote_request_id)).tuples().all())
    return tuple(OpenRequestFacts(request_id=line.quote_request.id, asked_on=line.quote_request.created_at.date(),
                                  valid_quotes=valid[line.quote_request.id],
                                  expired_quotes=expired[line.quote_request.id],
                                  insurers_waiting=waiting.get(line.quote_request.id, 0))
                 for line in requests if line.quote_request.id in valid)

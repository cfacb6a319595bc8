"""The seller's dashboard: policies by standing (the policy groups), quote requests and next steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from accelerator import clock
from accelerator.domain.categories import category_names
from accelerator.domain.compliance import DUE, NOT_REQUIRED, OVERDUE, PENDING_VERIFICATION, excluded_sold_categories
from accelerator.models import Policy, Seller
from accelerator.services.accounts import QuoteRequestLine, seller_overview
from accelerator.services.sellers.compliance import (
    EXPIRING_WITHIN_DAYS,
    ComplianceSnapshot,
    _days,
    compliance_snapshot,
)

if TYPE_CHECKING:
    from accelerator.services.renewals import RenewalState

# The dashboard's policy groups, in the order they are shown: (key, heading).
POLICY_GROUPS: tuple[tuple[str, str], ...] = (
    ("in_force", "In force"),
    ("expiring", f"Expiring within {EXPIRING_WITHIN_DAYS} days"),
    ("upcoming", "Starting later"),
    ("pending", "Pending verification"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
)


def policy_group(policy: Policy, today: date) -> str:
    """Which dashboard group a policy falls in on `today` (see POLICY_GROUPS)."""
    if policy.verification == "rejected":
        return "rejected"
    if policy.verification == "pending":
        return "pending"
    if policy.cancellation_date is not None and policy.cancellation_date <= today:
        return "cancelled"
    if policy.expiration_date <= today:
        return "expired"
    if policy.effective_date > today:
        return "upcoming"
    if (policy.expiration_date - today).days <= EXPIRING_WITHIN_DAYS:
        return "expiring"
    return "in_force"


@dataclass(frozen=True)
class DashboardPolicy:
    """One policy on the dashboard: whether it is in force today, the days until it expires, its renewal,
    and what it excludes of the categories the seller sells."""

    policy: Policy
    in_force_today: bool
    days_left: int
    renewal: RenewalState | None = None
    excludes_sold: str = ""  # the categories the seller sells that the policy excludes, in words


@dataclass(frozen=True)
class PolicyGroup:
    """A heading and its policies."""

    key: str
    title: str
    lines: list[DashboardPolicy]


@dataclass(frozen=True)
class NextStep:
    """One thing the seller can do next: what it is (which link or button), in words."""

    kind: str  # renew, renewal_quotes, quotes, ask, upload, wait
    text: str
    policy_id: int | None = None
    policy_number: str | None = None
    request_id: int | None = None


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


def dashboard(seller_id: str, today: date | None = None) -> Dashboard:
    """The seller's dashboard on `today` (default: today, UTC)."""
    from accelerator.services.renewals import states_for

    today = today or clock.now().date()
    overview = seller_overview(seller_id, today)
    policies = [line.policy for line in overview.policies]
    renewals = states_for(overview.seller.seller_id, policies, today)
    by_group: dict[str, list[DashboardPolicy]] = {key: [] for key, _ in POLICY_GROUPS}
    sold = overview.seller.categories or ()
    for line in overview.policies:
        policy = line.policy
        by_group[policy_group(policy, today)].append(
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
    )


def next_steps(compliance: ComplianceSnapshot, policies: list[Policy], renewals: dict[int, RenewalState],
               requests: list[QuoteRequestLine], in_force_count: int, today: date) -> list[NextStep]:
    """What the seller can do next, most pressing first: renew what expires, then get covered."""
    steps: list[NextStep] = []
    for policy in sorted(policies, key=lambda p: (p.expiration_date, p.id)):
        state = renewals[policy.id]
        if state.open_request_id is not None and state.successor is None and state.in_window:
            steps.append(NextStep("renewal_quotes", f"See the quotes on your renewal request for policy "
                                  f"{policy.policy_number}, which expires in {_days(state.days_left)}.",
                                  policy.id, policy.policy_number, state.open_request_id))
        elif state.can_start:
            steps.append(NextStep("renew", f"Renew policy {policy.policy_number}: it expires in "
                                  f"{_days(state.days_left)}, on {_long_date(policy.expiration_date)}.",
                                  policy.id, policy.policy_number))
    status = compliance.status
    ends_soon = (compliance.countdown is not None and compliance.countdown.tone == "expiring"
                 and not any(s.kind in ("renew", "renewal_quotes") for s in steps))
    if status in (DUE, OVERDUE) or ends_soon or (
            status == NOT_REQUIRED and compliance.declared_over_threshold and not in_force_count):
        for line in requests:
            qr = line.quote_request
            if qr.status == "open" and qr.renewal_of_policy_id is None and line.quotes_offered:
                count = line.quotes_offered
                steps.append(NextStep("quotes", f"Compare the {count} quote{'s' if count != 1 else ''} on your "
                                      f"request of {_long_date(qr.created_at.date())} and buy one.",
                                      request_id=qr.id))
        steps.append(NextStep("ask", "Ask insurers for quotes: one request goes to every insurer that fits."))
        steps.append(NextStep("upload", "Upload a policy you already hold, with its certificate."))
    elif status == PENDING_VERIFICATION:
        steps.append(NextStep("wait", "Nothing to do for now: the marketplace is checking the policy you "
                              "uploaded. You will see the outcome here."))
    return steps


def _long_date(day: date) -> str:
    """`June 1, 2026`, as the pages write dates."""
    return f"{day:%B} {day.day}, {day.year}"

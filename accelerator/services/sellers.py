"""A seller's own side: the business profile, the dashboard (policies by standing, quote requests,
compliance snapshot with its countdown and next steps) and one quote request with its quotes judged
against the requirement (a renewal request's quotes beside the policy it renews).

Renewals (services/renewals.py) build on this module, so the two functions here that show renewals
import it when called, not at the top (the import would be circular).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select

from accelerator.domain.categories import CATEGORY_CODES, category_name
from accelerator.domain.compliance import (
    COMPLIANT,
    DUE,
    NOT_REQUIRED,
    OVERDUE,
    PENDING_VERIFICATION,
    limit_shortfalls,
    meets_requirement,
    requirement_failures,
)
from accelerator.domain.errors import NotFound, ValidationError
from accelerator.domain.money import display_money
from accelerator.domain.routing import RequestProfile, fits
from accelerator.domain.states import STATE_CODES, state_name
from accelerator.domain.terms import Requirement
from accelerator.extensions import db
from accelerator.models import Policy, Quote, QuoteRequest, QuoteRouting, Seller
from accelerator.models.types import utcnow
from accelerator.services import audit
from accelerator.services.accounts import MAX_NAME, QuoteRequestLine, has_control_characters, seller_overview
from accelerator.services.quotes import appetites
from accelerator.services.sales import seller_compliance

if TYPE_CHECKING:
    from accelerator.services.renewals import RenewalState, TermChange

EXPIRING_WITHIN_DAYS = 60

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

QUOTE_SORTS = ("premium", "limit")


# --- profile ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileData:
    """The business profile a seller keeps (parsed values)."""

    legal_name: str
    state: str
    categories: tuple[str, ...]
    monthly_gross_sales: Decimal


def get_seller(seller_id: str) -> Seller:
    """The seller record of a seller ID, or NotFound."""
    seller = db.session.execute(select(Seller).where(Seller.seller_id == seller_id)).scalar_one_or_none()
    if seller is None:
        raise NotFound("No such seller.")
    return seller


def profile_errors(data: ProfileData) -> dict[str, str]:
    """What is wrong with a profile, field by field."""
    errors: dict[str, str] = {}
    name = data.legal_name.strip()
    if not name or len(name) > MAX_NAME or has_control_characters(name):
        errors["legal_name"] = f"Give your legal business name (at most {MAX_NAME} ordinary characters)."
    if data.state not in STATE_CODES:
        errors["state"] = "Choose the state where your business is registered."
    if not data.categories or any(c not in CATEGORY_CODES for c in data.categories):
        errors["categories"] = "Choose one or more categories from the list."
    if data.monthly_gross_sales is None or data.monthly_gross_sales < 0:
        errors["monthly_gross_sales"] = "Give your gross sales of a recent month (0 or more)."
    return errors


def update_profile(actor: audit.Actor, seller_id: str, data: ProfileData) -> Seller:
    """Save a seller's business profile; the first save completes the profile."""
    seller = get_seller(seller_id)
    errors = profile_errors(data)
    if errors:
        raise ValidationError("Your profile was not saved: some fields are not right.", fields=errors)
    before = {"legal_name": seller.legal_name, "state": seller.state, "categories": list(seller.categories),
              "monthly_gross_sales": seller.monthly_gross_sales}
    seller.legal_name = data.legal_name.strip()
    seller.state = data.state
    seller.categories = sorted(set(data.categories))
    seller.monthly_gross_sales = data.monthly_gross_sales
    first = seller.profile_completed_at is None
    if first:
        seller.profile_completed_at = utcnow()
    after = {"legal_name": seller.legal_name, "state": seller.state, "categories": list(seller.categories),
             "monthly_gross_sales": seller.monthly_gross_sales}
    changed = {k: after[k] for k in after if after[k] != before[k]}
    audit.record(actor, "complete_profile" if first else "update_profile", "seller", seller_id, **changed)
    db.session.commit()
    return seller


# --- dashboard ----------------------------------------------------------------------------------


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
    """One policy on the dashboard: whether it is in force today, the days until it expires, its renewal."""

    policy: Policy
    in_force_today: bool
    days_left: int
    renewal: RenewalState | None = None


@dataclass(frozen=True)
class PolicyGroup:
    """A heading and its policies."""

    key: str
    title: str
    lines: list[DashboardPolicy]


@dataclass(frozen=True)
class Countdown:
    """The days to the date that matters now: the requirement's deadline, or the day the cover ends."""

    days: int  # never negative: `words` says whether they are left or overdue
    words: str  # "days left", "day overdue", "days until your cover ends"
    date_label: str  # "Deadline", "The deadline was", "Your cover ends"
    day: date
    tone: str  # due, overdue, expiring (the cover ends within the renewal window) or ok


@dataclass(frozen=True)
class NextStep:
    """One thing the seller can do next: what it is (which link or button), in words."""

    kind: str  # renew, renewal_quotes, quotes, ask, upload, wait
    text: str
    policy_id: int | None = None
    policy_number: str | None = None
    request_id: int | None = None


@dataclass(frozen=True)
class ComplianceSnapshot:
    """The seller's standing against the requirement today, in words."""

    status: str
    headline: str
    detail: str
    required_since: date | None
    deadline: date | None
    days_left: int | None  # negative once the deadline has passed
    policy: Policy | None
    missing: list[str]
    requirement: Requirement
    declared_over_threshold: bool  # the profile's monthly sales are over the threshold
    cover_until: date | None = None  # compliant: the last day of unbroken cover (renewals included)
    countdown: Countdown | None = None


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

    today = today or utcnow().date()
    overview = seller_overview(seller_id, today)
    policies = [line.policy for line in overview.policies]
    renewals = states_for(overview.seller.seller_id, policies, today)
    by_group: dict[str, list[DashboardPolicy]] = {key: [] for key, _ in POLICY_GROUPS}
    for line in overview.policies:
        policy = line.policy
        by_group[policy_group(policy, today)].append(
            DashboardPolicy(policy, line.in_force_today, (policy.expiration_date - today).days, renewals[policy.id]))
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


def _cover_end(policy: Policy) -> date:
    """The day a policy's cover stops: its cancellation date if cancelled, else its expiration date."""
    if policy.cancellation_date is not None:
        return min(policy.cancellation_date, policy.expiration_date)
    return policy.expiration_date


def cover_until(policy: Policy, policies: list[Policy], requirement: Requirement) -> date:
    """The day unbroken cover ends: `policy`'s end, carried on by verified policies meeting the requirement
    that are in force on it (a renewal starting on time)."""
    end = _cover_end(policy)
    used = {policy.id}
    while True:
        following = [p for p in policies if p.id not in used and p.verification == "verified"
                     and p.in_force_on(end) and meets_requirement(p.terms(), requirement)]
        if not following:
            return end
        best = max(following, key=lambda p: (_cover_end(p), -p.id))
        used.add(best.id)
        end = _cover_end(best)  # later than `end`, since it is in force on `end`


def countdown(status: str, days_left: int | None, deadline: date | None, cover_end: date | None,
              today: date) -> Countdown | None:
    """The countdown the seller sees: to the deadline while one is needed, else to the end of the cover."""
    if status in (DUE, OVERDUE, PENDING_VERIFICATION) and deadline is not None and days_left is not None:
        if days_left >= 0:
            return Countdown(days_left, "day left" if days_left == 1 else "days left", "Deadline", deadline, "due")
        late = -days_left
        return Countdown(late, "day overdue" if late == 1 else "days overdue", "The deadline was", deadline,
                         "overdue")
    if status == COMPLIANT and cover_end is not None:
        days = (cover_end - today).days
        return Countdown(days, f"day{'' if days == 1 else 's'} until your cover ends", "Your cover ends", cover_end,
                         "expiring" if days <= EXPIRING_WITHIN_DAYS else "ok")
    return None


def compliance_snapshot(seller: Seller, today: date, policies: list[Policy] | None = None) -> ComplianceSnapshot:
    """The compliance service's answer for the seller, put in words for the seller, with its countdown."""
    requirement: Requirement = current_app.config["REQUIREMENT"]
    standing = seller_compliance(seller.seller_id, today)
    result = standing.result
    days_left = (result.deadline - today).days if result.deadline else None
    declared = seller.monthly_gross_sales is not None and seller.monthly_gross_sales > requirement.sales_threshold
    threshold = display_money(requirement.sales_threshold)
    policy = standing.policy
    if result.status == NOT_REQUIRED:
        headline = "Insurance is not required yet"
        detail = (f"It becomes required once your gross proceeds in a calendar month exceed {threshold}; "
                  f"you then have {requirement.grace_days} days after the end of that month.")
    elif result.status == COMPLIANT:
        headline = "You meet the insurance requirement"
        detail = (f"Policy {policy.policy_number} from {policy.insurer_name} is verified and in force "
                  "today." if policy else "A verified policy in force today meets the requirement.")
    elif result.status == PENDING_VERIFICATION:
        headline = "Waiting for the marketplace to verify your policy"
        detail = "A policy you uploaded would meet the requirement once it is verified."
    elif result.status == DUE:
        headline = f"Insurance is required: {_days(days_left)} left"
        detail = "You need a verified policy that meets the requirement, in force, by the deadline."
    else:
        headline = f"Insurance is overdue by {_days(-days_left if days_left is not None else 0)}"
        detail = "The deadline has passed: buy or upload a policy that meets the requirement now."
    missing = [] if result.status in (NOT_REQUIRED, COMPLIANT) else [_seller_words(r.code, r.message)
                                                                   for r in result.reasons]
    until = None
    if policy is not None:
        if policies is None:
            policies = list(db.session.execute(select(Policy).where(Policy.seller_id == seller.seller_id)).scalars())
        until = cover_until(policy, policies, requirement)
    return ComplianceSnapshot(
        status=result.status, headline=headline, detail=detail, required_since=result.required_since,
        deadline=result.deadline, days_left=days_left, policy=policy, missing=missing,
        requirement=requirement, declared_over_threshold=declared, cover_until=until,
        countdown=countdown(result.status, days_left, result.deadline, until, today),
    )


def _days(n: int) -> str:
    """`1 day`, `12 days`."""
    return f"{n} day" if n == 1 else f"{n} days"


def _seller_words(code: str, message: str) -> str:
    """A compliance reason as the seller reads it."""
    if code == "no_policy":
        return "You have no policy on record: buy one through the Accelerator or upload one you hold."
    return message


# --- a quote request and its quotes ---------------------------------------------------------------


@dataclass(frozen=True)
class QuoteLine:
    """One quote as the seller compares it."""

    quote: Quote
    meets_requirement: bool
    failures: list[str]  # why it does not meet the requirement, in words
    expired: bool


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


def get_request(seller_id: str, request_id: int, sort: str = "premium", today: date | None = None) -> RequestDetail:
    """One of the seller's quote requests with its quotes sorted by premium or limit (NotFound for others')."""
    today = today or utcnow().date()
    request = db.session.get(QuoteRequest, request_id)
    if request is None or request.seller_id != seller_id:
        raise NotFound("No such quote request of yours.")
    sort = sort if sort in QUOTE_SORTS else "premium"
    routings = db.session.execute(
        select(QuoteRouting.status).where(QuoteRouting.quote_request_id == request.id)).scalars().all()
    quotes = db.session.execute(select(Quote).where(Quote.quote_request_id == request.id)).scalars().all()
    requirement: Requirement = current_app.config["REQUIREMENT"]
    lines = [quote_line(q, requirement, today) for q in quotes]
    if sort == "limit":
        lines.sort(key=lambda line: (-line.quote.per_occurrence_limit, -line.quote.aggregate_limit,
                                     line.quote.annual_premium, line.quote.id))
    else:
        lines.sort(key=lambda line: (line.quote.annual_premium, -line.quote.per_occurrence_limit, line.quote.id))
    policy = None
    if request.status == "closed":
        policy = db.session.execute(
            select(Policy).join(Quote, Policy.quote_id == Quote.id).where(Quote.quote_request_id == request.id)
        ).scalars().first()
    renewal_of = db.session.get(Policy, request.renewal_of_policy_id) if request.renewal_of_policy_id else None
    changes: dict[int, list[TermChange]] = {}
    if renewal_of is not None and renewal_of.seller_id == seller_id:
        from accelerator.services.renewals import compare_terms

        changes = {line.quote.id: compare_terms(renewal_of, line.quote) for line in lines}
    else:
        renewal_of = None
    return RequestDetail(
        request=request, insurers_asked=len(routings), declined=sum(1 for s in routings if s == "declined"),
        no_match_reasons=no_match_reasons(request) if not routings else [], quotes=lines, sort=sort,
        policy=policy, renewal_of=renewal_of,
        renewal_of_meets=renewal_of is not None and meets_requirement(renewal_of.terms(), requirement),
        changes=changes,
    )


def quote_line(quote: Quote, requirement: Requirement, today: date) -> QuoteLine:
    """A quote judged against the requirement, with the reasons in words."""
    from accelerator.api.serializers import quote_terms  # one definition of "the policy a quote would be"

    codes = requirement_failures(quote_terms(quote), requirement)
    return QuoteLine(quote=quote, meets_requirement=not codes,
                     failures=[_quote_failure(code, quote, requirement) for code in codes],
                     expired=quote.valid_until < today)


def _quote_failure(code: str, quote: Quote, requirement: Requirement) -> str:
    """Why a quote falls short of the requirement, in one sentence."""
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
    rating = quote.insurer.am_best_rating if quote.insurer else "not rated"
    return f"The insurer is rated {rating} by AM Best; the requirement is {requirement.min_rating} or better."


def no_match_reasons(request: QuoteRequest) -> list[str]:
    """Why no approved insurer received a request: which of categories, state and revenue nobody fits."""
    approved = [a for a in appetites() if a.status == "approved"]
    if not approved:
        return ["There is no approved insurer on the Accelerator yet."]
    categories = frozenset(request.categories)
    names = ", ".join(category_name(c) for c in sorted(categories))
    state = state_name(request.state)
    revenue = display_money(request.annual_revenue)
    profile = RequestProfile(categories=categories, state=request.state, annual_revenue=request.annual_revenue)
    # Each part judged by the routing rule itself, with the insurer's other two parts opened up.
    anywhere = {"states": frozenset({request.state})}
    any_size = {"min_revenue": None, "max_revenue": None}
    writes_all = [a for a in approved if fits(replace(a, **anywhere, **any_size), profile)]
    licensed = [a for a in approved if fits(replace(a, categories=categories, **any_size), profile)]
    takes_revenue = [a for a in approved if fits(replace(a, categories=categories, **anywhere), profile)]
    if any(fits(a, profile) for a in approved):
        return ["An insurer that fits this request joined or changed its appetite after you asked: "
                "ask again to reach it."]
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


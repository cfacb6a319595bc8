"""The seller's compliance snapshot in words: its countdown and the day unbroken cover ends."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from accelerator.domain.compliance import (
    COMPLIANT,
    DUE,
    NOT_REQUIRED,
    OVERDUE,
    PENDING_VERIFICATION,
    meets_requirement,
)
from accelerator.domain.money import display_money
from accelerator.domain.standing import EXPIRING_WITHIN_DAYS
from accelerator.domain.terms import Requirement
from accelerator.extensions import db
from accelerator.models import Policy, Seller
from accelerator.services.sales import seller_compliance


@dataclass(frozen=True)
class Countdown:
    """The days to the date that matters now: the requirement's deadline, or the day the cover ends."""

    days: int  # never negative: `words` says whether they are left or overdue
    words: str  # "days left", "day overdue", "days until your cover ends"
    date_label: str  # "Deadline", "The deadline was", "Your cover ends"
    day: date
    tone: str  # due, overdue, expiring (the cover ends within the renewal window) or ok


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


def _cover_end(policy: Policy) -> date:
    """The day a policy's cover stops: its cancellation date if cancelled, else its expiration date."""
    if policy.cancellation_date is not None:
        return min(policy.cancellation_date, policy.expiration_date)
    return policy.expiration_date


def cover_until(policy: Policy, policies: list[Policy], requirement: Requirement,
                categories: Collection[str] = ()) -> date:
    """The day unbroken cover ends: `policy`'s end, carried on by verified policies meeting the requirement
    (for a seller selling `categories`) that are in force on it (a renewal starting on time)."""
    end = _cover_end(policy)
    used = {policy.id}
    while True:
        following = [p for p in policies if p.id not in used and p.verification == "verified"
                     and p.in_force_on(end) and meets_requirement(p.terms(), requirement, categories)]
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
    missing = [] if result.status in (NOT_REQUIRED, COMPLIANT) else [_seller_words(r.code, r.message, r.policy_number)
                                                                   for r in result.reasons]
    until = None
    if policy is not None:
        if policies is None:
            policies = list(db.session.execute(select(Policy).where(Policy.seller_id == seller.seller_id)).scalars())
        until = cover_until(policy, policies, requirement, seller.categories or ())
    return ComplianceSnapshot(
        status=result.status, headline=headline, detail=detail, required_since=result.required_since,
        deadline=result.deadline, days_left=days_left, policy=policy, missing=missing,
        requirement=requirement, declared_over_threshold=declared, cover_until=until,
        countdown=countdown(result.status, days_left, result.deadline, until, today),
    )


def _days(n: int) -> str:
    """`1 day`, `12 days`."""
    return f"{n} day" if n == 1 else f"{n} days"


def _seller_words(code: str, message: str, policy_number: str | None) -> str:
    """A compliance reason as the seller reads it."""
    if code == "no_policy":
        return "You have no policy on record: buy one through the Accelerator or upload one you hold."
    if code == "category_excluded":
        # The domain's sentence ends "..., which the seller sells."; the seller reads it as "you".
        return message.replace("which the seller sells", "which you sell")
    return message

"""The coverage decision: which policy, if any, answers for a claim, for how much, and who pays."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from itertools import pairwise

from accelerator.domain.categories import category_name
from accelerator.domain.money import CENT, ZERO, display_money
from accelerator.domain.terms import PolicyTerms

COVERED = "covered"
UNDETERMINED = "undetermined"
NOT_COVERED = "not_covered"

# The seven tests of the contract, in the order they are applied.
TEST_ORDER: tuple[str, ...] = (
    "not_yet_effective",
    "expired",
    "cancelled",
    "verification_rejected",
    "category_excluded",
    "aggregate_exhausted",
    "pending_verification",
)


@dataclass(frozen=True)
class Reason:
    """One reason entry of a decision: a machine code, the policy it concerns, and a sentence."""

    code: str
    policy_number: str | None
    message: str


@dataclass(frozen=True)
class CoverageDecision:
    """The answer of a coverage check, before the API adds its ids and echoes its inputs."""

    status: str
    covered_amount: Decimal
    route: str
    policy: PolicyTerms | None
    reasons: tuple[Reason, ...]


def policy_order_key(policy: PolicyTerms) -> tuple:
    """Total order on policies: policy number, insurer id (None last), then every other field."""
    return (policy.policy_number, *_insurer_key(policy), _fallback_key(policy))


def _insurer_key(policy: PolicyTerms) -> tuple[bool, int]:
    """Smallest insurer id first; a policy from an insurer outside the Accelerator (None) after all."""
    return (policy.insurer_id is None, policy.insurer_id or 0)


def _fallback_key(policy: PolicyTerms) -> tuple:
    """The remaining fields, so that two policies sharing number and insurer still sort one way."""
    # Two uploads from outside insurers may share a policy number; without this the answer
    # could depend on the order the database returned them in.
    return (
        policy.effective_date,
        policy.expiration_date,
        policy.cancellation_date is None,
        policy.cancellation_date or date.min,
        policy.source,
        policy.verification,
        policy.insurer_rating or "",
        policy.per_occurrence_limit,
        policy.aggregate_limit,
        policy.aggregate_remaining,
        policy.deductible,
        policy.occurrence_based,
        policy.additional_insured,
        tuple(sorted(policy.excluded_categories)),
        repr(policy.key),
    )


def in_force_failure(policy: PolicyTerms, day: date) -> str | None:
    """The first of not_yet_effective, expired, cancelled that `policy` fails on `day`, or None."""
    if day < policy.effective_date:
        return "not_yet_effective"
    if day >= policy.expiration_date:
        return "expired"
    if policy.cancellation_date is not None and day >= policy.cancellation_date:
        return "cancelled"
    return None


def first_failure(policy: PolicyTerms, incident_date: date, category: str | None) -> str | None:
    """The code of the first of the seven tests `policy` fails for this incident, or None."""
    dated = in_force_failure(policy, incident_date)
    if dated is not None:
        return dated
    if policy.verification == "rejected":
        return "verification_rejected"
    if category is not None and category in policy.excluded_categories:
        return "category_excluded"
    if policy.aggregate_remaining <= ZERO:
        return "aggregate_exhausted"
    if policy.verification == "pending":
        return "pending_verification"
    return None


def policy_cap(policy: PolicyTerms) -> Decimal:
    """The most `policy` can pay on one occurrence now: its per-occurrence limit or what is left."""
    return min(policy.per_occurrence_limit, policy.aggregate_remaining)


def covered_amount_of(policy: PolicyTerms, amount: Decimal) -> Decimal:
    """min(amount, per-occurrence limit, aggregate remaining), in cents."""
    # Rounding down keeps the covered amount at or below every figure it was capped by.
    return min(amount, policy_cap(policy)).quantize(CENT, rounding=ROUND_DOWN)


def route_for(status: str, amount: Decimal, guarantee_limit: Decimal) -> str:
    """Who pays the customer: the marketplace, the insurer, a person reviewing, or the seller."""
    if status == COVERED:
        return "marketplace" if amount <= guarantee_limit else "insurer"
    if status == UNDETERMINED:
        return "review"
    return "seller"


class InOrder(list):
    """Policies already sorted by policy_order_key (what in_order gives): in_order hands them back as they are,
    so a caller that sorts a seller's policies once decides many checks on them without sorting each time."""

    __slots__ = ()


def in_order(policies: Iterable[PolicyTerms]) -> InOrder:
    """The policies sorted by policy_order_key, building the full key only where it decides anything
    (policies given as an InOrder are already sorted: returned as they are, not to be changed)."""
    if type(policies) is InOrder:
        return policies
    ordered = InOrder(policies)
    if len(ordered) < 2:
        return ordered
    # The full key starts with (policy number, insurer); where those differ for every policy, they
    # alone give the same order, and building the full key (17 fields) would be wasted work.
    ordered.sort(key=_number_and_insurer)
    for before, after in pairwise(ordered):
        if _number_and_insurer(before) == _number_and_insurer(after):
            ordered.sort(key=policy_order_key)
            break
    return ordered


def _number_and_insurer(policy: PolicyTerms) -> tuple:
    """The first three fields of policy_order_key."""
    return (policy.policy_number, policy.insurer_id is None, policy.insurer_id or 0)


def _choose(passing: list[PolicyTerms], amount: Decimal) -> tuple[PolicyTerms, Decimal]:
    """The chosen policy among passing candidates (given in policy_order_key order) and its covered amount.

    The greatest covered amount, then the latest effective date, then the smallest policy_order_key:
    as the candidates come in that order, the first of the best by the first two is the one.
    """
    chosen = passing[0]
    covered = covered_amount_of(chosen, amount)
    for policy in passing[1:]:
        candidate = covered_amount_of(policy, amount)
        if candidate > covered or (candidate == covered and policy.effective_date > chosen.effective_date):
            chosen, covered = policy, candidate
    return chosen, covered


def decide_coverage(
    policies: Iterable[PolicyTerms],
    seller_known: bool,
    incident_date: date,
    amount: Decimal,
    category: str | None,
    guarantee_limit: Decimal,
) -> CoverageDecision:
    """Judge every candidate policy of a seller for one incident and decide the claim's route."""
    candidates = in_order(policies)
    failures = [(p, first_failure(p, incident_date, category)) for p in candidates]
    passing = [p for p, code in failures if code is None]
    if passing:
        chosen, covered = _choose(passing, amount)
        return _covered(chosen, covered, amount, guarantee_limit)
    if any(code == "pending_verification" for _, code in failures):
        status = UNDETERMINED
    else:
        status = NOT_COVERED
    if failures:
        reasons = tuple(
            _failure_reason(code, p, incident_date, category) for p, code in failures if code is not None
        )
    else:
        reasons = (_no_candidate_reason(seller_known),)
    return CoverageDecision(status, ZERO, route_for(status, amount, guarantee_limit), None, reasons)


def _covered(chosen: PolicyTerms, covered: Decimal, amount: Decimal, guarantee_limit: Decimal) -> CoverageDecision:
    """The decision when `chosen` answers for the claim with `covered`."""
    reasons: tuple[Reason, ...] = ()
    if covered < amount:
        reasons = (_limit_below_amount(chosen, amount, covered),)
    return CoverageDecision(COVERED, covered, route_for(COVERED, amount, guarantee_limit), chosen, reasons)


def _limit_below_amount(policy: PolicyTerms, amount: Decimal, covered: Decimal) -> Reason:
    """The reason a covered claim is paid only in part, naming the figure that caps it."""
    if policy.aggregate_remaining < policy.per_occurrence_limit:
        cap = f"its aggregate remaining of {display_money(policy.aggregate_remaining)}"
    else:
        cap = f"its per-occurrence limit of {display_money(policy.per_occurrence_limit)}"
    message = (
        f"Policy {policy.policy_number} covers {display_money(covered)} of the {display_money(amount)} "
        f"claimed: the amount is capped by {cap}."
    )
    return Reason("limit_below_amount", policy.policy_number, message)


def _no_candidate_reason(seller_known: bool) -> Reason:
    """The single reason when the seller holds no policy at all."""
    if seller_known:
        return Reason("no_policy", None, "The seller has no policy on record.")
    return Reason("unknown_seller", None, "The seller is not known to the Accelerator and has no policy on record.")


def dated_message(code: str, policy: PolicyTerms, when: str) -> str:
    """A sentence for a failed date test; `when` names the day judged ("the incident", "2026-03-01")."""
    number = policy.policy_number
    if code == "not_yet_effective":
        return f"Policy {number} takes effect on {policy.effective_date.isoformat()}, after {when}."
    if code == "expired":
        return f"Policy {number} expired at 12:01 a.m. on {policy.expiration_date.isoformat()}, before {when}."
    cancelled = policy.cancellation_date.isoformat() if policy.cancellation_date else "an unknown date"
    return f"Policy {number} was cancelled as of 12:01 a.m. on {cancelled}, before {when}."


def _failure_reason(code: str, policy: PolicyTerms, incident_date: date, category: str | None) -> Reason:
    """The reason entry for a candidate that failed test `code`."""
    number = policy.policy_number
    if code in ("not_yet_effective", "expired", "cancelled"):
        message = dated_message(code, policy, f"the incident on {incident_date.isoformat()}")
    elif code == "verification_rejected":
        message = f"Policy {number} was rejected when the marketplace checked it."
    elif code == "category_excluded":
        message = f"Policy {number} excludes the category {category_name(category or '')} ({category})."
    elif code == "aggregate_exhausted":
        message = (
            f"Policy {number} has nothing left of its {display_money(policy.aggregate_limit)} aggregate limit."
        )
    else:
        message = f"Policy {number} is waiting for the marketplace to verify it."
    return Reason(code, number, message)

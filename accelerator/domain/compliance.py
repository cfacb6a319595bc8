"""The marketplace's insurance requirement: whether a policy's terms meet it and a seller's status."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from accelerator.domain.categories import category_names
from accelerator.domain.coverage import Reason, dated_message, in_force_failure, policy_order_key
from accelerator.domain.money import display_money
from accelerator.domain.terms import PolicyTerms, Requirement
from accelerator.domain.values import month_end, rating_at_least

NOT_REQUIRED = "not_required"
COMPLIANT = "compliant"
PENDING_VERIFICATION = "pending_verification"
DUE = "due"
OVERDUE = "overdue"

# The term codes, in the order they are reported (category_excluded only where the seller's
# categories are known).
TERM_CODES: tuple[str, ...] = (
    "limit_too_low",
    "deductible_too_high",
    "not_additional_insured",
    "claims_made",
    "insurer_rating_too_low",
    "category_excluded",
)


@dataclass(frozen=True)
class ComplianceResult:
    """A seller's standing against the requirement on one day, and why."""

    status: str
    required_since: date | None
    deadline: date | None
    policy: PolicyTerms | None
    reasons: tuple[Reason, ...]


def excluded_sold_categories(policy: PolicyTerms, categories: Collection[str]) -> list[str]:
    """The codes of `categories` (those the seller sells, or a quote request asked for) that `policy`
    excludes, sorted."""
    return sorted(policy.excluded_categories.intersection(categories))


def requirement_failures(policy: PolicyTerms, requirement: Requirement,
                         categories: Collection[str] = ()) -> list[str]:
    """The term codes `policy` fails against `requirement` for a seller selling `categories`, in the
    contract's order (category_excluded last: it concerns the seller, not the policy alone)."""
    failed = []
    if (policy.per_occurrence_limit < requirement.min_per_occurrence
            or policy.aggregate_limit < requirement.min_aggregate):
        failed.append("limit_too_low")
    if policy.deductible > requirement.max_deductible:
        failed.append("deductible_too_high")
    if requirement.additional_insured and not policy.additional_insured:
        failed.append("not_additional_insured")
    if requirement.occurrence_based and not policy.occurrence_based:
        failed.append("claims_made")
    if not rating_at_least(policy.insurer_rating, requirement.min_rating):
        failed.append("insurer_rating_too_low")
    if excluded_sold_categories(policy, categories):
        failed.append("category_excluded")
    return failed


def meets_requirement(policy: PolicyTerms, requirement: Requirement, categories: Collection[str] = ()) -> bool:
    """Whether the policy's terms (not its dates, not its verification) meet the requirement for a
    seller selling `categories` (none given: the terms alone, as the policy object's flag says)."""
    return not requirement_failures(policy, requirement, categories)


def required_since(monthly_sales: Mapping[date, Decimal], on: date, threshold: Decimal) -> date | None:
    """The first day of the first month that ended before `on` with proceeds over `threshold`."""
    over = [month.replace(day=1) for month, proceeds in monthly_sales.items()
            if month_end(month) < on and proceeds > threshold]
    return min(over, default=None)


def _would_qualify(policy: PolicyTerms, requirement: Requirement, on: date, verification: str,
                   categories: Collection[str]) -> bool:
    """Whether `policy` has this verification, meets the requirement and is in force on `on`."""
    return (policy.verification == verification and policy.in_force_on(on)
            and meets_requirement(policy, requirement, categories))


def _best(policies: list[PolicyTerms]) -> PolicyTerms | None:
    """Of several qualifying policies, the one whose cover ends last, then the smallest number."""
    return min(policies, key=lambda p: (-_cover_end(p).toordinal(), policy_order_key(p)), default=None)


def _cover_end(policy: PolicyTerms) -> date:
    """The day cover stops: the cancellation date where cancelled, else the expiration date."""
    if policy.cancellation_date is not None:
        return min(policy.cancellation_date, policy.expiration_date)
    return policy.expiration_date


def compliance_status(
    policies: Iterable[PolicyTerms],
    monthly_sales: Mapping[date, Decimal],
    on: date,
    requirement: Requirement,
    categories: Collection[str] = (),
) -> ComplianceResult:
    """Whether a seller selling `categories` must be insured on `on`, whether it is, and what stands in
    the way (a policy excluding any of those categories cannot make it compliant or pending)."""
    ordered = sorted(policies, key=policy_order_key)
    since = required_since(monthly_sales, on, requirement.sales_threshold)
    deadline = month_end(since) + timedelta(days=requirement.grace_days) if since else None
    chosen = _best([p for p in ordered if _would_qualify(p, requirement, on, "verified", categories)])
    if since is None or chosen is not None:
        status = NOT_REQUIRED if since is None else COMPLIANT
        return ComplianceResult(status, since, deadline, chosen, ())
    if any(_would_qualify(p, requirement, on, "pending", categories) for p in ordered):
        status = PENDING_VERIFICATION
    elif deadline is not None and on <= deadline:
        status = DUE
    else:
        status = OVERDUE
    return ComplianceResult(status, since, deadline, None, _reasons(ordered, on, requirement, categories))


def _reasons(ordered: list[PolicyTerms], on: date, requirement: Requirement,
             categories: Collection[str]) -> tuple[Reason, ...]:
    """Every rule each policy fails, policy by policy, or a single no_policy entry."""
    if not ordered:
        return (Reason("no_policy", None, "The seller has no policy on record."),)
    return tuple(reason for p in ordered for reason in policy_reasons(p, on, requirement, categories))


def policy_reasons(policy: PolicyTerms, on: date, requirement: Requirement,
                   categories: Collection[str] = ()) -> list[Reason]:
    """One entry per rule `policy` fails on `on` for a seller selling `categories`: dates, then
    verification, then terms."""
    codes = _dated_failures(policy, on)
    if policy.verification == "rejected":
        codes.append("verification_rejected")
    elif policy.verification == "pending":
        codes.append("pending_verification")
    codes.extend(requirement_failures(policy, requirement, categories))
    return [Reason(code, policy.policy_number, _message(code, policy, on, requirement, categories))
            for code in codes]


def _dated_failures(policy: PolicyTerms, on: date) -> list[str]:
    """Each of not_yet_effective, expired, cancelled that `policy` fails on `on` (not just the first)."""
    codes = [in_force_failure(policy, on)]
    # An expired policy that had also been cancelled fails both rules; report both.
    if codes[0] == "expired" and policy.cancellation_date is not None and on >= policy.cancellation_date:
        codes.append("cancelled")
    return [code for code in codes if code is not None]


def _message(code: str, policy: PolicyTerms, on: date, requirement: Requirement,
             categories: Collection[str]) -> str:
    """A sentence for one failed rule, naming the figures compared."""
    number = policy.policy_number
    if code in ("not_yet_effective", "expired", "cancelled"):
        return dated_message(code, policy, on.isoformat())
    if code == "verification_rejected":
        return f"Policy {number} was rejected when the marketplace checked it."
    if code == "pending_verification":
        return f"Policy {number} is waiting for the marketplace to verify it."
    if code == "limit_too_low":
        return _limit_message(policy, requirement)
    if code == "deductible_too_high":
        return (f"Policy {number} has a deductible of {display_money(policy.deductible)}, above the "
                f"allowed {display_money(requirement.max_deductible)}.")
    if code == "not_additional_insured":
        return f"Policy {number} does not name the marketplace as additional insured."
    if code == "claims_made":
        return f"Policy {number} is claims-made; the requirement is an occurrence-based policy."
    if code == "category_excluded":
        names = category_names(excluded_sold_categories(policy, categories))
        return f"Policy {number} excludes {names}, which the seller sells."
    rating = policy.insurer_rating or "not rated"
    return (f"Policy {number} is from an insurer rated {rating} by AM Best; the requirement is "
            f"{requirement.min_rating} or better.")


def rating_shortfall(rating: str | None, min_rating: str) -> str | None:
    """The notice shown wherever a seller meets an insurer rated below the minimum (its directory card, its
    quotes), or None when the rating meets it."""
    if rating_at_least(rating, min_rating):
        return None
    rated = f"Rated {rating} by AM Best" if rating else "Not rated by AM Best"
    return f"{rated}: its policies do not meet the marketplace's requirement ({min_rating} or better)."


def limit_shortfalls(per_occurrence_limit: Decimal, aggregate_limit: Decimal, requirement: Requirement) -> list[str]:
    """Each limit below the requirement, in words ("per-occurrence limit $500,000.00 is below the
    required $1,000,000.00"), for a policy's reasons and a quote's alike."""
    parts = []
    if per_occurrence_limit < requirement.min_per_occurrence:
        parts.append(f"per-occurrence limit {display_money(per_occurrence_limit)} is below the "
                     f"required {display_money(requirement.min_per_occurrence)}")
    if aggregate_limit < requirement.min_aggregate:
        parts.append(f"aggregate limit {display_money(aggregate_limit)} is below the "
                     f"required {display_money(requirement.min_aggregate)}")
    return parts


def _limit_message(policy: PolicyTerms, requirement: Requirement) -> str:
    """The limit_too_low sentence, naming each limit that falls short."""
    parts = limit_shortfalls(policy.per_occurrence_limit, policy.aggregate_limit, requirement)
    return f"Policy {policy.policy_number}: {' and '.join(parts)}."

"""Policies as insurers see them: report, list, read and cancel their own, and the claims paid on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.domain.money import ZERO
from accelerator.extensions import db
from accelerator.models import Claim, Insurer, Policy, Seller
from accelerator.services import audit, webhooks
from accelerator.services.paging import Page, fetch_page

MAX_TERM_DAYS = 1096


@dataclass(frozen=True)
class PolicyReport:
    """The terms of a policy an insurer reports (already parsed into values)."""

    policy_number: str
    seller_id: str
    effective_date: date
    expiration_date: date
    per_occurrence_limit: Decimal
    aggregate_limit: Decimal
    deductible: Decimal = ZERO
    occurrence_based: bool = True
    additional_insured: bool = False
    excluded_categories: tuple[str, ...] = field(default_factory=tuple)
    premium: Decimal | None = None


def term_errors(*, effective_date: date | None, expiration_date: date | None,
                per_occurrence_limit: Decimal | None, aggregate_limit: Decimal | None,
                deductible: Decimal | None) -> dict[str, str]:
    """The contract's rules across a policy's (or a quote's) fields; None values are not judged."""
    errors: dict[str, str] = {}
    if effective_date is not None and expiration_date is not None:
        if expiration_date <= effective_date:
            errors["expiration_date"] = "Must be after the effective date."
        elif (expiration_date - effective_date).days > MAX_TERM_DAYS:
            errors["expiration_date"] = f"Must be at most {MAX_TERM_DAYS:,} days after the effective date."
    if per_occurrence_limit is not None and aggregate_limit is not None and aggregate_limit < per_occurrence_limit:
        errors["aggregate_limit"] = "Must be at least the per-occurrence limit."
    if per_occurrence_limit is not None and deductible is not None and deductible >= per_occurrence_limit:
        errors["deductible"] = "Must be less than the per-occurrence limit."
    return errors


def _same_terms(policy: Policy, report: PolicyReport) -> bool:
    """Whether a stored policy says what the report says (field by field, as parsed values)."""
    return (
        policy.seller_id == report.seller_id
        and policy.effective_date == report.effective_date
        and policy.expiration_date == report.expiration_date
        and policy.per_occurrence_limit == report.per_occurrence_limit
        and policy.aggregate_limit == report.aggregate_limit
        and policy.deductible == report.deductible
        and policy.occurrence_based == report.occurrence_based
        and policy.additional_insured == report.additional_insured
        and sorted(policy.excluded_categories) == sorted(report.excluded_categories)
        and policy.premium == report.premium
    )


def ensure_seller(seller_id: str) -> None:
    """Create the seller record for an (upper-cased) seller ID unless it exists; safe under concurrency."""
    if db.session.execute(select(Seller.id).where(Seller.seller_id == seller_id)).first():
        return
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite transactions begin with the write lock (BEGIN IMMEDIATE): nobody can insert it meanwhile.
        db.session.add(Seller(seller_id=seller_id))
        db.session.flush()
        return
    try:
        with db.session.begin_nested():  # a SAVEPOINT: losing a race for a new seller spoils nothing else
            db.session.add(Seller(seller_id=seller_id))
    except IntegrityError:
        pass  # a concurrent request created it a moment ago


def _find(insurer_id: int, policy_number: str) -> Policy | None:
    return db.session.execute(
        select(Policy).where(Policy.insurer_id == insurer_id, Policy.policy_number == policy_number)
    ).scalar_one_or_none()


def _answer_repeat(existing: Policy, report: PolicyReport) -> tuple[Policy, bool]:
    if _same_terms(existing, report):
        return existing, False
    raise Conflict(f"Policy {report.policy_number} was already reported with other terms.",
                   code="policy_exists")


def report_policy(actor: audit.Actor, insurer_id: int, report: PolicyReport) -> tuple[Policy, bool]:
    """Record a policy the insurer issued; returns it and whether it was created.

    The same policy number again with the same terms answers the stored policy (created False);
    with other terms, Conflict `policy_exists`. A seller's own upload of the same policy number
    from this insurer is confirmed by the report: it takes the reported terms and is verified.
    """
    errors = term_errors(effective_date=report.effective_date, expiration_date=report.expiration_date,
                         per_occurrence_limit=report.per_occurrence_limit,
                         aggregate_limit=report.aggregate_limit, deductible=report.deductible)
    if errors:
        raise ValidationError("The policy's terms do not hold together.", fields=errors)
    # One query for the insurer and any policy of it with this number.
    row = db.session.execute(
        select(Insurer, Policy)
        .outerjoin(Policy, (Policy.insurer_id == Insurer.id) & (Policy.policy_number == report.policy_number))
        .where(Insurer.id == insurer_id)
    ).first()
    if row is None:  # pragma: no cover - the key's insurer exists (foreign key)
        raise NotFound("No such insurer.")
    insurer, existing = row
    if existing is not None and existing.source != "seller_upload":
        return _answer_repeat(existing, report)
    ensure_seller(report.seller_id)
    policy = existing or Policy(policy_number=report.policy_number, insurer_id=insurer.id)
    policy.seller_id = report.seller_id
    policy.insurer_name = insurer.name
    policy.insurer_naic_code = insurer.naic_code
    policy.insurer_rating = insurer.am_best_rating
    policy.source = "insurer"
    policy.verification = "verified"
    policy.effective_date = report.effective_date
    policy.expiration_date = report.expiration_date
    policy.per_occurrence_limit = report.per_occurrence_limit
    policy.aggregate_limit = report.aggregate_limit
    policy.deductible = report.deductible
    policy.occurrence_based = report.occurrence_based
    policy.additional_insured = report.additional_insured
    policy.excluded_categories = list(report.excluded_categories)
    policy.premium = report.premium
    policy.rejection_reason = None
    db.session.add(policy)
    try:
        db.session.flush()
    except IntegrityError:
        # The same policy number reported at the same moment by another request won the insert.
        db.session.rollback()
        existing = _find(insurer_id, report.policy_number)
        if existing is None:  # pragma: no cover - only a concurrent insert raises here
            raise
        return _answer_repeat(existing, report)
    audit.record(actor, "report", "policy", policy.id, policy_number=policy.policy_number,
                 seller_id=policy.seller_id, insurer=insurer.id)
    try:
        _commit_keeping_values()
    except IntegrityError:
        db.session.rollback()
        existing = _find(insurer_id, report.policy_number)
        if existing is None:  # pragma: no cover
            raise
        return _answer_repeat(existing, report)
    return policy, True


def _commit_keeping_values() -> None:
    """Commit without expiring the objects just written, so answering needs no second read.

    On the hot path of reporting policies this saves a SELECT (and, on SQLite, a second hold of the
    write lock); the values kept are exactly those written.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def list_policies(insurer_id: int, seller_id: str | None, page: int, per_page: int) -> Page:
    """The insurer's own policies (optionally of one seller), by policy number."""
    query = select(Policy).where(Policy.insurer_id == insurer_id)
    if seller_id:
        query = query.where(Policy.seller_id == seller_id)
    return fetch_page(query.order_by(Policy.policy_number, Policy.id), page, per_page)


def get_policy(insurer_id: int, policy_number: str) -> Policy:
    """One of the insurer's own policies, or NotFound (also for another insurer's)."""
    policy = _find(insurer_id, policy_number)
    if policy is None:
        raise NotFound(f"No policy {policy_number[:64]} of yours.")
    return policy


def cancel_policy(actor: audit.Actor, insurer_id: int, policy_number: str, cancellation_date: date) -> Policy:
    """Cancel the insurer's policy from a date on or after its effective date and before its expiration.

    Repeating it with the same date answers the same; another date on a cancelled policy is
    Conflict `already_cancelled`. Emits a `policy.cancelled` webhook event.
    """
    policy = get_policy(insurer_id, policy_number)
    if policy.cancellation_date is not None:
        if policy.cancellation_date == cancellation_date:
            return policy
        raise Conflict(f"Policy {policy.policy_number} was already cancelled from "
                       f"{policy.cancellation_date.isoformat()}.", code="already_cancelled")
    if cancellation_date < policy.effective_date:
        raise ValidationError("The cancellation date is outside the policy period.",
                              fields={"cancellation_date": "Must be on or after the effective date "
                                                           f"{policy.effective_date.isoformat()}."})
    if cancellation_date >= policy.expiration_date:
        raise ValidationError("The cancellation date is outside the policy period.",
                              fields={"cancellation_date": "Must be before the expiration date "
                                                           f"{policy.expiration_date.isoformat()}."})
    policy.cancellation_date = cancellation_date
    audit.record(actor, "cancel", "policy", policy.id, policy_number=policy.policy_number,
                 cancellation_date=cancellation_date.isoformat())
    db.session.flush()
    from accelerator.api.serializers import policy_json  # the event carries the API's policy object

    webhooks.emit(insurer_id, "policy.cancelled", {"policy": policy_json(policy)})
    db.session.commit()
    return policy


def list_claims(insurer_id: int, policy_number: str, page: int, per_page: int) -> Page:
    """The claims paid on one of the insurer's own policies, oldest first."""
    policy = get_policy(insurer_id, policy_number)
    query = (select(Claim).where(Claim.policy_id == policy.id).options(selectinload(Claim.policy))
             .order_by(Claim.id))
    return fetch_page(query, page, per_page)

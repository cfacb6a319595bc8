"""Policies as insurers see them: report, list, read and cancel their own, and the claims paid on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from accelerator import clock
from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.domain.money import ZERO
from accelerator.extensions import db
from accelerator.models import Claim, Insurer, Policy, Seller
from accelerator.services import audit, claim_cases, webhooks
from accelerator.services.paging import Page, fetch_page
from accelerator.services.session_writes import SessionWriter
from accelerator.shapes.policies import policy_json  # the event carries the API's policy object

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


def ensure_seller(seller_id: str, writer: SessionWriter | None = None) -> None:
    """Create the seller record for an (upper-cased) seller ID unless it exists; safe under concurrency.

    One statement in the session's transaction (INSERT ... ON CONFLICT DO NOTHING): a concurrent
    request creating the same seller makes it a no-op instead of an error, on either database.
    """
    (writer or SessionWriter()).insert(Seller.__table__, {
        "seller_id": seller_id, "legal_name": "", "contact_name": "", "contact_email": "", "contact_phone": "",
        "categories": [], "created_at": clock.now(),
    }, unless_exists="seller_id")


def _insurer_and_policy():
    """The insurer, and the id and source of any policy of it with this number: one query."""
    insurers, policies = Insurer.__table__, Policy.__table__
    statement = (
        select(insurers.c.name, insurers.c.naic_code, insurers.c.am_best_rating, policies.c.id, policies.c.source)
        .select_from(insurers)
        .outerjoin(policies, (policies.c.insurer_id == insurers.c.id)
                   & (policies.c.policy_number == bindparam("number", type_=policies.c.policy_number.type)))
        .where(insurers.c.id == bindparam("insurer_id", type_=insurers.c.id.type))
    )
    return statement, ["insurer_id", "number"], list(statement.selected_columns)


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
    writer = SessionWriter()  # the session's transaction, as raw statements: the ORM paths below share it
    rows = writer.rows("insurer_and_policy", _insurer_and_policy, [insurer_id, report.policy_number])
    if not rows:  # pragma: no cover - the key's insurer exists (foreign key)
        raise NotFound("No such insurer.")
    row = rows[0]
    name, naic_code, rating, existing_id, existing_source = row
    if existing_id is not None and existing_source != "seller_upload":
        return _answer_repeat(db.session.get(Policy, existing_id), report)
    values = dict(
        policy_number=report.policy_number, insurer_id=insurer_id, seller_id=report.seller_id,
        insurer_name=name, insurer_naic_code=naic_code, insurer_rating=rating,
        source="insurer", verification="verified",
        effective_date=report.effective_date, expiration_date=report.expiration_date,
        per_occurrence_limit=report.per_occurrence_limit, aggregate_limit=report.aggregate_limit,
        deductible=report.deductible, occurrence_based=report.occurrence_based,
        additional_insured=report.additional_insured, excluded_categories=list(report.excluded_categories),
        premium=report.premium, rejection_reason=None,
    )
    try:
        ensure_seller(report.seller_id, writer)
        if existing_id is not None:
            policy = _confirm_upload(existing_id, values)
        else:
            policy = _insert_policy(writer, values)
        audit.write(writer, actor, "report", "policy", policy.id, policy_number=policy.policy_number,
                    seller_id=policy.seller_id, insurer=insurer_id)
        db.session.commit()
    except IntegrityError:
        # The same policy number reported at the same moment by another request won the insert
        # (on PostgreSQL; SQLite's BEGIN IMMEDIATE lets one writer at a time in).
        db.session.rollback()
        existing = _find(insurer_id, report.policy_number)
        if existing is None:  # pragma: no cover - only a concurrent insert raises here
            raise
        return _answer_repeat(existing, report)
    claim_cases.recheck_seller(report.seller_id)  # the seller's waiting claim cases follow its cover
    return policy, True


def _insert_policy(writer: SessionWriter, values: dict) -> Policy:
    """Insert a new policy by one prepared statement; returns it as a detached object for the answer.

    Reporting policies is the insurer API's busiest write: the unit of work's flush (and a second
    read after commit) cost several times the INSERT itself, so the row is written directly and
    the answer made from exactly the values written.
    """
    now = clock.now()
    values = {**values, "created_at": now, "updated_at": now, "claims_paid": ZERO, "cancellation_date": None}
    policy_id = writer.insert(Policy.__table__, values, returning=Policy.__table__.c.id)
    return Policy(id=policy_id, **values)


def _confirm_upload(policy_id: int, values: dict) -> Policy:
    """A seller's own upload of this policy number from this insurer, confirmed: it takes the reported
    terms and is verified."""
    policy = db.session.get(Policy, policy_id)
    for name, value in values.items():
        setattr(policy, name, value)
    db.session.flush()
    return policy


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
    webhooks.emit(insurer_id, "policy.cancelled", {"policy": policy_json(policy)})
    db.session.commit()
    claim_cases.recheck_seller(policy.seller_id)  # the seller's waiting claim cases follow its cover
    return policy


def list_claims(insurer_id: int, policy_number: str, page: int, per_page: int) -> Page:
    """The claims paid on one of the insurer's own policies, oldest first."""
    policy = get_policy(insurer_id, policy_number)
    query = (select(Claim).where(Claim.policy_id == policy.id).options(selectinload(Claim.policy))
             .order_by(Claim.id))
    return fetch_page(query, page, per_page)

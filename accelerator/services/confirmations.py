"""Insurers confirm the policies sellers upload: the request made with the upload, the insurer's list, its answer,
and the confirmations left waiting too long (for the admins).

A seller's upload naming an insurer on the Accelerator is put to that insurer (`request_confirmation`, in the
upload's own transaction, with the `confirmation.requested` webhook event). The insurer answers once:
- `confirmed` verifies the policy as an admin's verification would (`verification`, `verified_at`,
  `verified_by_id` = the staff member, or null for an API key; audit action `insurer_confirm`);
- `denied` rejects it with the note as the reason the seller reads (audit action `insurer_deny`).
Either way the seller is emailed at once (the `verification_decision` email, queued in the same transaction
under the key the daily reminders run would use, so it goes once) and the seller's waiting claim cases follow.
The same answer again answers the same; the other answer is a Conflict `already_answered`. The answer is one
conditional UPDATE of a pending confirmation, so concurrent answers count once.

An admin may decide the upload first (services/verification.py): the confirmation is then `withdrawn`
(answered by the marketplace) in the admin's transaction, and any answer to it is `already_answered`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import selectinload

from accelerator import clock
from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.extensions import db
from accelerator.models import Confirmation, Insurer, Policy
from accelerator.services import audit, claim_cases, reminders, webhooks
from accelerator.services.paging import Page, fetch_page
from accelerator.shapes.confirmations import ANSWERS, MAX_NOTE, STATUSES, confirmation_json

OVERDUE_AFTER = timedelta(days=3)  # the admins are shown confirmations waiting longer than this
OVERDUE_SHOWN = 50
PER_PAGE = 25
MAX_PAGE = 100_000
ANSWER_WORDS = {"confirmed": "confirmed", "denied": "denied", "withdrawn": "decided by the marketplace"}


def request_confirmation(policy_id: int) -> Confirmation | None:
    """Put a pending seller upload to its insurer when that insurer is on the Accelerator (approved): add the
    confirmation and the `confirmation.requested` event to the session (the caller's upload commits them)."""
    policy = db.session.get(Policy, policy_id)
    if (policy is None or policy.source != "seller_upload" or policy.verification != "pending"
            or policy.insurer_id is None):
        return None
    insurer = db.session.get(Insurer, policy.insurer_id)
    if insurer is None or insurer.status != "approved":
        return None
    confirmation = Confirmation(policy_id=policy.id, insurer_id=insurer.id, status="pending",
                                requested_at=clock.now())
    confirmation.policy = policy
    db.session.add(confirmation)
    db.session.flush()
    webhooks.emit(insurer.id, "confirmation.requested", {"confirmation": confirmation_json(confirmation)})
    return confirmation


def _of_insurer(insurer_id: int):
    """The insurer's confirmations, each with its policy."""
    return (select(Confirmation).where(Confirmation.insurer_id == insurer_id)
            .options(selectinload(Confirmation.policy)))


def _listing(insurer_id: int, status: str | None):
    """The insurer's confirmations (of one status, or all): pending ones first, oldest first; then the answered
    ones, latest answer first."""
    query = _of_insurer(insurer_id)
    if status is not None:
        if status not in STATUSES:
            raise ValidationError("Check the status.", fields={"status": "Must be one of " + ", ".join(STATUSES)})
        query = query.where(Confirmation.status == status)
    pending = Confirmation.status == "pending"
    return query.order_by(case((pending, 0), else_=1), case((pending, Confirmation.requested_at), else_=None),
                          Confirmation.answered_at.desc(), Confirmation.id)


def list_for_insurer(insurer_id: int, status: str | None, page: int, per_page: int) -> Page:
    """A page of the insurer's confirmations (the API's list)."""
    return fetch_page(_listing(insurer_id, status), page, per_page)


def queue(insurer_id: int, status: str | None, page: int = 1, per_page: int = PER_PAGE) -> Pagination:
    """A page of the insurer's confirmations for the portal's queue (an unknown status is every one)."""
    status = status if status in STATUSES else None
    page = min(max(int(page), 1), MAX_PAGE)
    return db.paginate(_listing(insurer_id, status), page=page, per_page=per_page, error_out=False)


def counts(insurer_id: int) -> dict[str, int]:
    """How many of the insurer's confirmations are in each status."""
    rows = db.session.execute(select(Confirmation.status, func.count()).where(
        Confirmation.insurer_id == insurer_id).group_by(Confirmation.status)).all()
    found = dict.fromkeys(STATUSES, 0)
    found.update({status: count for status, count in rows})
    return found


def get_for_insurer(insurer_id: int, confirmation_id: int) -> Confirmation:
    """One of the insurer's confirmations; NotFound for any other (another insurer's is not said to exist)."""
    found = db.session.execute(
        _of_insurer(insurer_id).where(Confirmation.id == confirmation_id)).scalar_one_or_none()
    if found is None:
        raise NotFound("No such confirmation of yours.")
    return found


def _refusal(confirmation: Confirmation) -> Conflict:
    """The Conflict for answering a confirmation that is answered already (or withdrawn)."""
    when = confirmation.answered_at.strftime("%Y-%m-%d %H:%M UTC") if confirmation.answered_at else "earlier"
    policy_number = confirmation.policy.policy_number
    if confirmation.status == "withdrawn":
        message = (f"The marketplace already {confirmation.policy.verification} policy {policy_number} "
                   f"on {when}; it no longer needs your answer.")
    else:
        message = f"Policy {policy_number} was already {confirmation.status} on {when}."
    return Conflict(message, code="already_answered")


def _note(answer: str, note: str | None) -> str | None:
    """The note as stored: required (the seller's reason) to deny, optional to confirm."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError("The answer was not given.", fields={"note": f"Must be at most {MAX_NOTE:,} characters."})
    if answer == "denied" and not note:
        raise ValidationError("The answer was not given.", fields={
            "note": "Say why you deny it: the seller reads it as the reason the policy was rejected."})
    return note or None


def answer(actor: audit.Actor, insurer_id: int, confirmation_id: int, answer: str, note: str | None
           ) -> Confirmation:
    """The insurer's answer: `confirmed` verifies the policy, `denied` rejects it with the note as the reason.

    The same answer again answers the same (its first note kept); the other one, or any answer once the
    marketplace decided the policy, is a Conflict `already_answered`.
    """
    if answer not in ANSWERS:
        raise ValidationError("The answer was not given.", fields={"answer": "Must be one of confirmed, denied."})
    confirmation = get_for_insurer(insurer_id, confirmation_id)
    if confirmation.status == answer:
        return confirmation
    if confirmation.status != "pending":
        raise _refusal(confirmation)
    note = _note(answer, note)
    now = clock.now()
    claimed = db.session.execute(
        update(Confirmation)
        .where(Confirmation.id == confirmation.id, Confirmation.status == "pending")
        .values(status=answer, answered_at=now, answered_by=actor.label[:254], answered_by_user_id=actor.user_id,
                note=note)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # another answer, or an admin's decision, came first
        db.session.rollback()
        return _settled(insurer_id, confirmation_id, answer)
    verification = "verified" if answer == "confirmed" else "rejected"
    decided = db.session.execute(
        update(Policy)
        .where(Policy.id == confirmation.policy_id, Policy.source == "seller_upload",
               Policy.verification == "pending")
        .values(verification=verification, verified_by_id=actor.user_id, verified_at=now,
                rejection_reason=note if answer == "denied" else None, updated_at=now)
        .execution_options(synchronize_session=False))
    if decided.rowcount != 1:  # an admin decided the policy in between: the confirmation is withdrawn
        db.session.rollback()
        withdraw(confirmation.policy_id, now)
        db.session.commit()
        return _settled(insurer_id, confirmation_id, answer)
    policy = db.session.get(Policy, confirmation.policy_id, populate_existing=True)
    audit.record(actor, "insurer_confirm" if answer == "confirmed" else "insurer_deny", "policy", policy.id,
                 policy_number=policy.policy_number, seller_id=policy.seller_id, confirmation=confirmation.id,
                 **({"reason": note} if answer == "denied" else {}))
    reminders.queue_verification_decision(policy.id, clock.today())
    db.session.commit()
    claim_cases.recheck_seller(policy.seller_id)  # the seller's waiting claim cases follow its cover
    return get_for_insurer(insurer_id, confirmation_id)


def _settled(insurer_id: int, confirmation_id: int, answer: str) -> Confirmation:
    """After a lost race: the same answer given by the other request answers the same; anything else refuses."""
    confirmation = get_for_insurer(insurer_id, confirmation_id)
    db.session.refresh(confirmation)
    if confirmation.status == answer:
        return confirmation
    raise _refusal(confirmation)


def withdraw(policy_id: int, now: datetime) -> None:
    """Mark the policy's pending confirmation answered by the marketplace, in the transaction of the decision
    that made it moot (the caller commits)."""
    db.session.execute(
        update(Confirmation).where(Confirmation.policy_id == policy_id, Confirmation.status == "pending")
        .values(status="withdrawn", answered_at=now, answered_by="marketplace")
        .execution_options(synchronize_session=False))


def put_to(policy_id: int, insurer_id: int) -> bool:
    """Whether the policy was put to this insurer for confirmation (its staff may then read the certificate)."""
    return db.session.execute(select(Confirmation.id).where(
        Confirmation.policy_id == policy_id, Confirmation.insurer_id == insurer_id)).first() is not None


def of_policy(policy_id: int) -> Confirmation | None:
    """The confirmation a policy was put to its insurer with, if any (for the seller's and the admins' pages)."""
    return db.session.execute(
        select(Confirmation).where(Confirmation.policy_id == policy_id)
        .options(selectinload(Confirmation.insurer))).scalar_one_or_none()


@dataclass(frozen=True)
class Overdue:
    """A confirmation waiting longer than OVERDUE_AFTER, with its age."""

    confirmation: Confirmation
    waiting: timedelta

    @property
    def days(self) -> int:
        """Whole days it has waited."""
        return self.waiting.days


@dataclass(frozen=True)
class OverdueList:
    """The oldest overdue confirmations (at most OVERDUE_SHOWN) and how many are overdue in all."""

    items: list[Overdue]
    total: int


def overdue(now: datetime | None = None) -> OverdueList:
    """Confirmations still pending more than OVERDUE_AFTER after they were requested, oldest first."""
    now = now or clock.now()
    condition = (Confirmation.status == "pending", Confirmation.requested_at < now - OVERDUE_AFTER)
    total = db.session.execute(select(func.count()).select_from(Confirmation).where(*condition)).scalar_one()
    rows = db.session.execute(
        select(Confirmation).where(*condition)
        .options(selectinload(Confirmation.policy), selectinload(Confirmation.insurer))
        .order_by(Confirmation.requested_at, Confirmation.id).limit(OVERDUE_SHOWN)).scalars().all()
    return OverdueList(items=[Overdue(row, now - row.requested_at) for row in rows], total=total)

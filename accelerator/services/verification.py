"""The admins' verification of policies that sellers upload: the queue, one upload, verify or reject.

A seller's upload waits as `pending`. An admin compares its certificate with the fields the seller
entered and verifies it or rejects it with a reason; the decision sets the policy's `verification`,
`verified_by_id`, `verified_at` and (when rejected) `rejection_reason`, and is in the audit log.
Only a pending upload can be decided, and the decision is one conditional UPDATE, so two admins
deciding at the same moment decide once: the second is told who decided first. An upload put to its
insurer for confirmation (services/confirmations.py) may be decided by that insurer's answer instead; an
admin's decision first withdraws the confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from accelerator import clock
from accelerator.domain.certificate_check import FieldComparison
from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.extensions import db
from accelerator.models import Policy, Seller, User
from accelerator.services import audit, certificate_reads, claim_cases, confirmations

VERIFICATION_STATES = ("pending", "verified", "rejected")
MAX_REASON = 2000
PER_PAGE = 25
MAX_PAGE = 100_000


def _uploads():
    """Policies that sellers uploaded."""
    return select(Policy).where(Policy.source == "seller_upload")


def counts() -> dict[str, int]:
    """How many seller uploads are pending, verified and rejected."""
    rows = db.session.execute(
        select(Policy.verification, func.count()).where(Policy.source == "seller_upload")
        .group_by(Policy.verification)
    ).all()
    found = dict.fromkeys(VERIFICATION_STATES, 0)
    found.update({state: count for state, count in rows})
    return found


def queue(state: str = "pending", page: int = 1, per_page: int = PER_PAGE) -> Pagination:
    """Seller uploads of one state: pending ones oldest first (the queue); decided ones latest decision first."""
    state = state if state in VERIFICATION_STATES else "pending"
    query = _uploads().where(Policy.verification == state)
    if state == "pending":
        query = query.order_by(Policy.created_at.asc(), Policy.id.asc())
    else:
        query = query.order_by(Policy.verified_at.desc(), Policy.id.desc())
    page = min(max(int(page), 1), MAX_PAGE)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


@dataclass(frozen=True)
class UploadDetail:
    """One upload for the admin: the policy as entered, the seller, who decided it, the queue around it."""

    policy: Policy
    seller: Seller | None
    decided_by: User | None
    position: int | None  # 1 for the oldest pending upload; None once decided
    pending: int
    next_id: int | None  # the next pending upload after this one, to go on with the queue
    # What was read from the certificate when it was stored (None for uploads made before reads were kept),
    # and each field as entered beside it as read.
    read: certificate_reads.StoredRead | None = None
    comparison: list[FieldComparison] = field(default_factory=list)

    @property
    def has_document(self) -> bool:
        """Whether the seller's certificate file is on record."""
        return bool(self.policy.certificate_path)


def upload_detail(policy_id: int) -> UploadDetail:
    """A seller-uploaded policy with what the admin needs to decide it; NotFound for any other policy."""
    policy = db.session.execute(
        _uploads().where(Policy.id == policy_id).options(selectinload(Policy.insurer))
    ).scalar_one_or_none()
    if policy is None:
        raise NotFound("No seller upload with that number.")
    seller = db.session.execute(select(Seller).where(Seller.seller_id == policy.seller_id)).scalar_one_or_none()
    decided_by = db.session.get(User, policy.verified_by_id) if policy.verified_by_id else None
    pending_ids = list(db.session.execute(
        _uploads().with_only_columns(Policy.id).where(Policy.verification == "pending")
        .order_by(Policy.created_at.asc(), Policy.id.asc())
    ).scalars())
    position = pending_ids.index(policy.id) + 1 if policy.id in pending_ids else None
    others = [i for i in pending_ids if i != policy.id]
    after = pending_ids[position:] if position else []
    next_id = after[0] if after else (others[0] if others else None)
    read = certificate_reads.stored_read(policy.id)
    compared = certificate_reads.comparison(policy, seller.legal_name if seller else None, read) if read else []
    return UploadDetail(policy=policy, seller=seller, decided_by=decided_by, position=position,
                        pending=len(pending_ids), next_id=next_id, read=read, comparison=compared)


def _decided_message(policy_id: int) -> str:
    """Who decided an upload already, and when (NotFound when it is no seller upload)."""
    policy = db.session.get(Policy, policy_id)
    if policy is None or policy.source != "seller_upload":
        raise NotFound("No seller upload with that number.")
    who = db.session.get(User, policy.verified_by_id) if policy.verified_by_id else None
    when = policy.verified_at.strftime("%Y-%m-%d %H:%M UTC") if policy.verified_at else "earlier"
    return (f"Policy {policy.policy_number} was already {policy.verification}"
            f"{' by ' + who.email if who else ''} on {when}; it is no longer pending.")


def _decide(actor: audit.Actor, policy_id: int, verification: str, reason: str | None) -> Policy:
    """Set the decision where the upload is still pending; Conflict when someone decided it first."""
    now = clock.now()
    result = db.session.execute(
        update(Policy)
        .where(Policy.id == policy_id, Policy.source == "seller_upload", Policy.verification == "pending")
        .values(verification=verification, verified_by_id=actor.user_id, verified_at=now,
                rejection_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(_decided_message(policy_id), code="already_decided")
    confirmations.withdraw(policy_id, now)  # the insurer's answer is no longer needed
    policy = db.session.get(Policy, policy_id, populate_existing=True)
    details = {"policy_number": policy.policy_number, "seller_id": policy.seller_id}
    if reason is not None:
        details["reason"] = reason
    audit.record(actor, "verify" if verification == "verified" else "reject", "policy", policy.id, **details)
    db.session.commit()
    claim_cases.recheck_seller(policy.seller_id)  # the seller's waiting claim cases follow its cover
    return policy


def verify(actor: audit.Actor, policy_id: int) -> Policy:
    """Verify a pending upload: the certificate matches what the seller entered."""
    return _decide(actor, policy_id, "verified", None)


def reject(actor: audit.Actor, policy_id: int, reason: str) -> Policy:
    """Reject a pending upload with the reason the seller will read on their dashboard."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationError("Say why the upload is rejected.",
                              fields={"reason": f"Give a reason of 1 to {MAX_REASON:,} characters; the seller "
                                                "reads it on their dashboard."})
    return _decide(actor, policy_id, "rejected", reason)

"""Claims paid: the marketplace records a payment on a policy and draws its aggregate down.

Idempotent by the claims service's own `claim_id` and safe under concurrency: the unique index on
`claims.claim_id` decides duplicates, and the aggregate is drawn down by one atomic UPDATE of
`policies.claims_paid` in the same transaction as the claim's insert, so concurrent claims on one
policy never lose a payment.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.domain.money import ZERO, format_money
from accelerator.extensions import db
from accelerator.models import Claim, Policy
from accelerator.models.types import Money
from accelerator.services import audit

# policies.claims_paid is NUMERIC(14,2) on PostgreSQL; the running sum stops here so that a long run
# of huge payments can never overflow it (the aggregate remaining is 0.00 long before).
CLAIMS_PAID_CAP = Decimal("999999999999.99")

_policies = Policy.__table__


@dataclass(frozen=True)
class ClaimInput:
    """A claim request, every field checked and normalized."""

    claim_id: str
    seller_id: str
    policy_number: str
    insurer_id: int | None
    incident_date: date
    amount_paid: Decimal

    def digest(self) -> str:
        """SHA-256 of the normalized request: equal bodies (`"25"` and `"25.00"` alike) hash alike."""
        canonical = json.dumps([self.claim_id, self.seller_id, self.policy_number, self.insurer_id,
                                self.incident_date.isoformat(), format_money(self.amount_paid)])
        return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(claim: ClaimInput) -> Claim | None:
    """The claim already recorded under this claim_id, or None; 409 claim_exists when the body differs."""
    existing = db.session.execute(
        select(Claim).options(joinedload(Claim.policy)).where(Claim.claim_id == claim.claim_id)
    ).scalar_one_or_none()
    if existing is not None and existing.request_hash != claim.digest():
        raise Conflict(f"Claim {claim.claim_id} was already recorded with a different body.", code="claim_exists")
    return existing


def _find_policy(claim: ClaimInput):
    """The one policy the claim names for its seller: 404, or 400 insurer_id_required when ambiguous."""
    query = select(_policies.c.id, _policies.c.insurer_id, _policies.c.effective_date,
                   _policies.c.expiration_date, _policies.c.cancellation_date).where(
        _policies.c.seller_id == claim.seller_id, _policies.c.policy_number == claim.policy_number)
    if claim.insurer_id is not None:
        query = query.where(_policies.c.insurer_id == claim.insurer_id)
    rows = db.session.execute(query.limit(2)).all()
    if not rows:
        raise NotFound(f"Seller {claim.seller_id} holds no policy {claim.policy_number}"
                       + (f" from insurer {claim.insurer_id}." if claim.insurer_id is not None else "."))
    if len(rows) > 1:
        raise ValidationError(
            f"Seller {claim.seller_id} holds more than one policy {claim.policy_number}; send insurer_id.",
            fields={"insurer_id": "is required: the seller holds two policies with this number"},
            code="insurer_id_required")
    return rows[0]


def _in_force(policy, day: date) -> bool:
    """12:01 a.m. effective date to 12:01 a.m. expiration (or cancellation) date."""
    if not policy.effective_date <= day < policy.expiration_date:
        return False
    return policy.cancellation_date is None or day < policy.cancellation_date


def draw_down(actor: audit.Actor, claim: ClaimInput, policy_id: int) -> Claim:
    """Add the paid claim on the policy and draw its aggregate down, in the caller's transaction (it commits)."""
    paid = _policies.c.claims_paid + literal(claim.amount_paid, Money())
    cap = literal(CLAIMS_PAID_CAP, Money())
    # One atomic statement: concurrent claims on this policy queue on its row (PostgreSQL) or on
    # the database write lock (SQLite), and each adds to the sum the previous one left.
    drawn = db.session.execute(
        update(_policies).where(_policies.c.id == policy_id)
        .values(claims_paid=case((paid > cap, cap), else_=paid))
        .returning(_policies.c.aggregate_limit, _policies.c.claims_paid)
    ).one()
    remaining = max(ZERO, drawn.aggregate_limit - drawn.claims_paid)
    recorded = Claim(claim_id=claim.claim_id, policy_id=policy_id, seller_id=claim.seller_id,
                     incident_date=claim.incident_date, amount_paid=claim.amount_paid,
                     aggregate_remaining=remaining, request_hash=claim.digest(),
                     insurer_id_sent=str(claim.insurer_id) if claim.insurer_id is not None else None)
    db.session.add(recorded)
    db.session.flush()
    audit.record(actor, "record_claim", "policy", policy_id, claim_id=claim.claim_id,
                 amount_paid=format_money(claim.amount_paid), aggregate_remaining=format_money(remaining))
    return recorded


def record_claim(actor: audit.Actor, claim: ClaimInput) -> tuple[Claim, bool]:
    """Record a paid claim once: (claim, True) the first time, (the first claim, False) for a repeat."""
    existing = _replay(claim)
    if existing is not None:
        return existing, False
    policy = _find_policy(claim)
    if not _in_force(policy, claim.incident_date):
        raise Conflict(f"Policy {claim.policy_number} was not in force on {claim.incident_date.isoformat()}.",
                       code="policy_not_in_force")
    try:
        recorded = draw_down(actor, claim, policy.id)
        db.session.commit()
    except IntegrityError:
        # The same claim_id was committed by a concurrent request: its answer is the first answer.
        db.session.rollback()
        existing = _replay(claim)
        if existing is None:
            raise
        return existing, False
    return _replay(claim) or recorded, True

"""Claim cases: a customer's claim against a seller from notice to payment, and its history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator import clock
from accelerator.extensions import db
from accelerator.models.types import Money, UTCDateTime


class ClaimCase(db.Model):
    """One claim case, idempotent by the claims service's `case_id`; it stands on its latest check."""

    __tablename__ = "claim_cases"
    __table_args__ = (
        Index("ix_claim_cases_opened", "opened_at", "id"),
        Index("ix_claim_cases_seller_opened", "seller_id", "opened_at"),
        Index("ix_claim_cases_state_opened", "state", "opened_at", "id"),  # a state's page, newest first
        Index("ix_claim_cases_state_due", "state", "respond_by"),  # the cases whose deadline has passed
        CheckConstraint("amount_claimed > 0", name="amount_positive"),
        CheckConstraint("recovery_recovered IS NULL OR recovery_recovered <= recovery_due",
                        name="recovered_within_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    seller_id: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    incident_date: Mapped[date] = mapped_column(Date)
    amount_claimed: Mapped[Decimal] = mapped_column(Money)
    category: Mapped[str | None] = mapped_column(String(40))
    order_id: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    check_id: Mapped[str] = mapped_column(String(40))  # the latest coverage check
    policy_id: Mapped[int | None] = mapped_column(Integer)  # that check's chosen policy (no FK, as checks)
    route: Mapped[str] = mapped_column(String(16))
    insurer_id: Mapped[int | None] = mapped_column(ForeignKey("insurers.id"), index=True)
    state: Mapped[str] = mapped_column(String(24))
    escalation: Mapped[str | None] = mapped_column(String(32))
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by: Mapped[str | None] = mapped_column(String(16))
    stepped_in: Mapped[bool] = mapped_column(default=False)
    owed_by: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))
    payment_payer: Mapped[str | None] = mapped_column(String(16))
    payment_amount: Mapped[Decimal | None] = mapped_column(Money)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recovery_from: Mapped[str | None] = mapped_column(String(16))
    recovery_due: Mapped[Decimal | None] = mapped_column(Money)
    recovery_recovered: Mapped[Decimal | None] = mapped_column(Money)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    events: Mapped[list[ClaimCaseEvent]] = relationship(
        back_populates="claim_case", order_by="ClaimCaseEvent.id", cascade="all, delete-orphan")
    # Read-only here: evidence is added by services/claim_evidence.py, bytes and row together.
    evidence: Mapped[list[ClaimCaseEvidence]] = relationship(order_by="ClaimCaseEvidence.id", viewonly=True)


class ClaimCaseEvent(db.Model):
    """One line of a case's history: what happened, when, and by whom."""

    __tablename__ = "claim_case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_case_id: Mapped[int] = mapped_column(ForeignKey("claim_cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    event: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

    claim_case: Mapped[ClaimCase] = relationship(back_populates="events")


EVIDENCE_PARTIES = ("seller", "insurer", "marketplace")


class ClaimCaseEvidence(db.Model):
    """A file of evidence on a case: who added it, its checked type, size and digest, and its private stored name.

    The bytes lie in UPLOAD_FOLDER under `stored_name` (random, never the name given); one file is on a case
    once (by its SHA-256).
    """

    __tablename__ = "claim_case_evidence"
    __table_args__ = (
        UniqueConstraint("claim_case_id", "sha256", name="uq_claim_case_evidence_case_sha256"),
        CheckConstraint("added_by IN ('seller', 'insurer', 'marketplace')", name="added_by_party"),
        CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_case_id: Mapped[int] = mapped_column(ForeignKey("claim_cases.id"), index=True)
    added_by: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(120))  # as given, sanitised
    content_type: Mapped[str] = mapped_column(String(40))  # as judged by the content
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)

"""Policies (bought here, reported by insurers, or uploaded by sellers) and the claims paid on them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator import clock
from accelerator.domain.money import ZERO
from accelerator.domain.terms import PolicyTerms
from accelerator.extensions import db
from accelerator.models.insurer import Insurer
from accelerator.models.types import Money, StringList, UTCDateTime


class Policy(db.Model):
    """A product-liability policy of one seller: every field of the contract's policy object."""

    __tablename__ = "policies"
    __table_args__ = (
        UniqueConstraint("insurer_id", "policy_number", name="uq_policies_insurer_number"),
        CheckConstraint("source IN ('marketplace', 'insurer', 'seller_upload')", name="source"),
        CheckConstraint("verification IN ('verified', 'pending', 'rejected')", name="verification"),
        CheckConstraint("expiration_date > effective_date", name="period"),
        CheckConstraint(
            "cancellation_date IS NULL OR (cancellation_date >= effective_date"
            " AND cancellation_date < expiration_date)", name="cancellation_in_period"),
        CheckConstraint("cancellation_reason IS NULL OR cancellation_date IS NOT NULL", name="cancellation_reason"),
        CheckConstraint("renewal IS NULL OR renewal = 'not_offered'", name="renewal"),
        CheckConstraint("aggregate_limit >= per_occurrence_limit", name="aggregate_covers_occurrence"),
        CheckConstraint("deductible >= 0 AND deductible < per_occurrence_limit", name="deductible_range"),
        CheckConstraint("claims_paid >= 0", name="claims_paid_not_negative"),
        CheckConstraint("insurer_id IS NOT NULL OR source = 'seller_upload'", name="insurer_known"),
        Index("ix_policies_seller", "seller_id", "effective_date"),
        Index("ix_policies_verification_created", "verification", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_number: Mapped[str] = mapped_column(String(64))
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.seller_id"))
    # Null for a seller-uploaded policy from an insurer outside the Accelerator.
    insurer_id: Mapped[int | None] = mapped_column(ForeignKey("insurers.id"), index=True)
    # As entered for outside insurers; a copy of the insurer's for ours (kept for the record).
    insurer_name: Mapped[str] = mapped_column(String(200))
    insurer_naic_code: Mapped[str | None] = mapped_column(String(5))
    insurer_rating: Mapped[str | None] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(16))
    verification: Mapped[str] = mapped_column(String(16))
    effective_date: Mapped[date] = mapped_column(Date)
    expiration_date: Mapped[date] = mapped_column(Date)
    cancellation_date: Mapped[date | None] = mapped_column(Date)
    # An insurer's notice of cancellation: its reason and when it was given (null for a plain cancel).
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancellation_noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The insurer's word on renewal: null (none given) or 'not_offered' (a notice of non-renewal).
    renewal: Mapped[str | None] = mapped_column(String(16))
    per_occurrence_limit: Mapped[Decimal] = mapped_column(Money)
    aggregate_limit: Mapped[Decimal] = mapped_column(Money)
    deductible: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    # The sum of claims paid, kept beside the claims so the hot path need not add them up.
    claims_paid: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    occurrence_based: Mapped[bool] = mapped_column(Boolean, default=True)
    additional_insured: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded_categories: Mapped[list[str]] = mapped_column(StringList, default=list)
    premium: Mapped[Decimal | None] = mapped_column(Money)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id"), unique=True)
    certificate_path: Mapped[str | None] = mapped_column(String(200))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    insurer: Mapped[Insurer | None] = relationship()
    claims: Mapped[list[Claim]] = relationship(back_populates="policy", order_by="Claim.id")

    @property
    def aggregate_remaining(self) -> Decimal:
        """max(0, aggregate limit - claims paid)."""
        return max(ZERO, self.aggregate_limit - self.claims_paid)

    def in_force_on(self, day: date) -> bool:
        """Whether cover runs on `day` (12:01 a.m. effective to 12:01 a.m. expiration/cancellation)."""
        return self.terms().in_force_on(day)

    def terms(self) -> PolicyTerms:
        """The pure-domain view of this policy."""
        return PolicyTerms(
            policy_number=self.policy_number,
            insurer_id=self.insurer_id,
            insurer_rating=self.insurer_rating,
            source=self.source,
            verification=self.verification,
            effective_date=self.effective_date,
            expiration_date=self.expiration_date,
            cancellation_date=self.cancellation_date,
            per_occurrence_limit=self.per_occurrence_limit,
            aggregate_limit=self.aggregate_limit,
            aggregate_remaining=self.aggregate_remaining,
            deductible=self.deductible,
            occurrence_based=self.occurrence_based,
            additional_insured=self.additional_insured,
            excluded_categories=frozenset(self.excluded_categories),
            key=self.id,
        )


class Claim(db.Model):
    """A claim the marketplace paid on a policy, idempotent by the claims service's own id."""

    __tablename__ = "claims"
    __table_args__ = (CheckConstraint("amount_paid > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[str] = mapped_column(String(64), unique=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    seller_id: Mapped[str] = mapped_column(String(20))
    incident_date: Mapped[date] = mapped_column(Date)
    amount_paid: Mapped[Decimal] = mapped_column(Money)
    aggregate_remaining: Mapped[Decimal] = mapped_column(Money)  # right after this claim
    request_hash: Mapped[str] = mapped_column(String(64))
    insurer_id_sent: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    policy: Mapped[Policy] = relationship(back_populates="claims")

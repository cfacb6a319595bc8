"""Quote requests (asked once by a seller), their routing to insurers, and insurers' quotes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator import clock
from accelerator.extensions import db
from accelerator.models.insurer import Insurer
from accelerator.models.seller import Seller
from accelerator.models.types import Money, StringList, UTCDateTime

REQUEST_STATUSES = ("open", "closed")
ROUTING_STATUSES = ("open", "quoted", "declined", "closed")
QUOTE_STATUSES = ("offered", "accepted", "closed")


class QuoteRequest(db.Model):
    """A seller's one application for quotes, sent to every insurer whose appetite fits it."""

    __tablename__ = "quote_requests"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint("claims_last_3_years >= 0", name="claims_not_negative"),
        CheckConstraint("aggregate_limit >= per_occurrence_limit", name="aggregate_covers_occurrence"),
        Index("ix_quote_requests_seller_created", "seller_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.seller_id"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    legal_name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(2))
    categories: Mapped[list[str]] = mapped_column(StringList)
    annual_revenue: Mapped[Decimal] = mapped_column(Money)
    top_products: Mapped[str] = mapped_column(Text, default="")
    states_shipped: Mapped[list[str]] = mapped_column(StringList, default=list)
    claims_last_3_years: Mapped[int] = mapped_column(Integer, default=0)
    per_occurrence_limit: Mapped[Decimal] = mapped_column(Money)
    aggregate_limit: Mapped[Decimal] = mapped_column(Money)
    deductible: Mapped[Decimal] = mapped_column(Money)
    desired_start_date: Mapped[date] = mapped_column(Date)
    # use_alter breaks the policies -> quotes -> quote_requests -> policies cycle when creating tables.
    renewal_of_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id", use_alter=True))
    # The seller also wants offers from insurers rated below the marketplace's minimum (off by default).
    accepts_below_minimum_rating: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the seller withdrew the request (it is then closed too; a bought request leaves it empty).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    seller: Mapped[Seller] = relationship()
    routings: Mapped[list[QuoteRouting]] = relationship(back_populates="quote_request")
    quotes: Mapped[list[Quote]] = relationship(back_populates="quote_request")


class QuoteRouting(db.Model):
    """One quote request as one insurer sees it: routed, then quoted, declined or closed."""

    __tablename__ = "quote_routings"
    __table_args__ = (
        UniqueConstraint("quote_request_id", "insurer_id", name="uq_quote_routings_request_insurer"),
        CheckConstraint("status IN ('open', 'quoted', 'declined', 'closed')", name="status"),
        Index("ix_quote_routings_insurer_status", "insurer_id", "status", "routed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_request_id: Mapped[int] = mapped_column(ForeignKey("quote_requests.id"))
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    decline_reason: Mapped[str | None] = mapped_column(String(2000))
    routed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    quote_request: Mapped[QuoteRequest] = relationship(back_populates="routings")
    insurer: Mapped[Insurer] = relationship()


class Quote(db.Model):
    """An insurer's offer on a quote request: premium, limits, deductible, terms, valid-until."""

    __tablename__ = "quotes"
    __table_args__ = (
        CheckConstraint("status IN ('offered', 'accepted', 'closed')", name="status"),
        CheckConstraint("aggregate_limit >= per_occurrence_limit", name="aggregate_covers_occurrence"),
        CheckConstraint("deductible < per_occurrence_limit", name="deductible_below_limit"),
        Index("ix_quotes_request_insurer", "quote_request_id", "insurer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_request_id: Mapped[int] = mapped_column(ForeignKey("quote_requests.id"))
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="offered")
    annual_premium: Mapped[Decimal] = mapped_column(Money)
    per_occurrence_limit: Mapped[Decimal] = mapped_column(Money)
    aggregate_limit: Mapped[Decimal] = mapped_column(Money)
    deductible: Mapped[Decimal] = mapped_column(Money)
    valid_until: Mapped[date] = mapped_column(Date)
    occurrence_based: Mapped[bool] = mapped_column(Boolean, default=True)
    additional_insured: Mapped[bool] = mapped_column(Boolean, default=True)
    excluded_categories: Mapped[list[str]] = mapped_column(StringList, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    quote_request: Mapped[QuoteRequest] = relationship(back_populates="quotes")
    insurer: Mapped[Insurer] = relationship()

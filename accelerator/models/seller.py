"""Sellers of the marketplace and the monthly sales that decide whether they must be insured."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accelerator import clock
from accelerator.extensions import db
from accelerator.models.types import Money, StringList, UTCDateTime


class Seller(db.Model):
    """A marketplace seller, keyed by the marketplace's (upper-cased) seller ID."""

    __tablename__ = "sellers"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[str] = mapped_column(String(20), unique=True)
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    state: Mapped[str | None] = mapped_column(String(2))
    categories: Mapped[list[str]] = mapped_column(StringList, default=list)
    monthly_gross_sales: Mapped[Decimal | None] = mapped_column(Money)
    profile_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    def __repr__(self) -> str:
        return f"<Seller {self.seller_id}>"


class MonthlySales(db.Model):
    """A seller's gross proceeds in one calendar month, as the marketplace reports them."""

    __tablename__ = "monthly_sales"
    __table_args__ = (
        UniqueConstraint("seller_id", "month", name="uq_monthly_sales_seller_month"),
        CheckConstraint("gross_proceeds >= 0", name="gross_proceeds_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.seller_id"), index=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    gross_proceeds: Mapped[Decimal] = mapped_column(Money)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

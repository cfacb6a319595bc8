"""Insurers: the approved carriers of the Accelerator, their appetite and their staff."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accelerator import clock
from accelerator.extensions import db
from accelerator.models.types import Money, StringList, UTCDateTime

INSURER_STATUSES = ("pending", "approved", "suspended")


class Insurer(db.Model):
    """A carrier: identity, AM Best rating, status, and the appetite that routes requests to it."""

    __tablename__ = "insurers"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'suspended')", name="status"),
        CheckConstraint("min_revenue IS NULL OR max_revenue IS NULL OR min_revenue <= max_revenue",
                        name="revenue_band"),
        Index("ix_insurers_status_name", "status", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    naic_code: Mapped[str] = mapped_column(String(5), unique=True)
    am_best_rating: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    policy_prefix: Mapped[str] = mapped_column(String(8), unique=True)
    licensed_states: Mapped[list[str]] = mapped_column(StringList, default=list)
    categories: Mapped[list[str]] = mapped_column(StringList, default=list)
    min_revenue: Mapped[Decimal | None] = mapped_column(Money)
    max_revenue: Mapped[Decimal | None] = mapped_column(Money)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    @property
    def is_approved(self) -> bool:
        """Whether the insurer may be seen, routed to and hold API keys."""
        return self.status == "approved"

    def __repr__(self) -> str:
        return f"<Insurer {self.id} {self.name!r} {self.status}>"

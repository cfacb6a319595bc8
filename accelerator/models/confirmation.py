"""An insurer's confirmation of a policy a seller uploaded: the question put to the named insurer and its answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator import clock
from accelerator.extensions import db
from accelerator.models.insurer import Insurer
from accelerator.models.policy import Policy
from accelerator.models.types import UTCDateTime

CONFIRMATION_STATUSES = ("pending", "confirmed", "denied", "withdrawn")


class Confirmation(db.Model):
    """One per uploaded policy whose insurer is on the Accelerator: `pending` until the insurer confirms or
    denies it, or `withdrawn` when the marketplace decided the policy first."""

    __tablename__ = "confirmations"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'confirmed', 'denied', 'withdrawn')", name="status"),
        CheckConstraint("(status = 'pending') = (answered_at IS NULL)", name="answered_when_not_pending"),
        Index("ix_confirmations_insurer_status", "insurer_id", "status", "requested_at"),
        Index("ix_confirmations_status_requested", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), unique=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who answered, as the audit log names them (a staff member's email, an API key's prefix, `marketplace`).
    answered_by: Mapped[str | None] = mapped_column(String(254))
    answered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)

    policy: Mapped[Policy] = relationship()
    insurer: Mapped[Insurer] = relationship()

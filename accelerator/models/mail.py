"""The email outbox: one row per message to send, identified by what it is about (its dedupe key)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accelerator import clock
from accelerator.extensions import db
from accelerator.models.types import UTCDateTime

EMAIL_STATUSES = ("pending", "sent", "failed", "cancelled")


class EmailMessage(db.Model):
    """An email waiting to be sent, sent, given up on (failed), or no longer wanted (cancelled).

    `dedupe_key` names the reminder itself (e.g. `policy_expiring:30:<policy id>:<expiration date>`),
    so queueing the same reminder twice inserts one row. A sender leases a row by setting
    `locked_until` and `claimed_by`; only the holder of the lease records the outcome.
    """

    __tablename__ = "email_messages"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'cancelled')", name="status"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_email_messages_due", "status", "next_attempt_at"),
        Index("ix_email_messages_related", "related_type", "related_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # What the message is about ("policy", "quote", "seller"); no foreign key: the message outlives it.
    related_type: Mapped[str | None] = mapped_column(String(40))
    related_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The X-Request-Id of the request that queued the message (None: a command or a job); sent with it.
    request_id: Mapped[str | None] = mapped_column(String(128))

    def __repr__(self) -> str:
        return f"<EmailMessage {self.id} {self.dedupe_key} {self.status}>"

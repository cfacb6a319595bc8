"""Records that must hold: coverage checks, API keys, idempotent answers, webhooks, the audit log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator import clock
from accelerator.extensions import db
from accelerator.models.insurer import Insurer
from accelerator.models.types import Money, UTCDateTime


class CoverageCheck(db.Model):
    """One coverage decision, stored before its answer leaves and replayed field for field."""

    __tablename__ = "coverage_checks"
    __table_args__ = (Index("ix_coverage_checks_checked_at", "checked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[str] = mapped_column(String(40), unique=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Not indexed: no query looks checks up by seller, and every record would dirty a random index page.
    seller_id: Mapped[str] = mapped_column(String(20))
    incident_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    category: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(16))
    covered_amount: Mapped[Decimal] = mapped_column(Money)
    policy_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the record outlives any change
    api_key_id: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)  # the exact JSON answered


class ApiKey(db.Model):
    """A bearer key: only its 12-character prefix and a SHA-256 hash of the whole key are kept."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("role IN ('marketplace', 'insurer')", name="role"),
        CheckConstraint(
            "(role = 'insurer' AND insurer_id IS NOT NULL) OR (role = 'marketplace' AND insurer_id IS NULL)",
            name="role_insurer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(12), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    insurer_id: Mapped[int | None] = mapped_column(ForeignKey("insurers.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rate_limit: Mapped[int | None] = mapped_column(Integer)  # requests a second; None: not limited

    insurer: Mapped[Insurer | None] = relationship()

    @property
    def state(self) -> str:
        """`active` or `revoked`."""
        return "revoked" if self.revoked_at else "active"


class ApiKeyWindow(db.Model):
    """A rate-limited key's requests in its current one-second window: one row per key, overwritten."""

    __tablename__ = "api_key_windows"

    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), primary_key=True, autoincrement=False)
    window_start: Mapped[int] = mapped_column(Integer)  # whole Unix seconds
    count: Mapped[int] = mapped_column(Integer)


class IdempotencyRecord(db.Model):
    """The first answer to a POST or PUT sent with an Idempotency-Key, replayed to its repeats."""

    __tablename__ = "idempotency_records"
    __table_args__ = (
        UniqueConstraint("api_key_id", "key", name="uq_idempotency_records_api_key_key"),
        Index("ix_idempotency_records_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(2000))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)  # null while the first is in flight
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class WebhookEndpoint(db.Model):
    """An insurer's (or, with no insurer, the marketplace's) HTTPS endpoint for signed events; the signing
    secret is shown to it once."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    insurer_id: Mapped[int | None] = mapped_column(ForeignKey("insurers.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    insurer: Mapped[Insurer | None] = relationship()


class WebhookEvent(db.Model):
    """The outbox: one event for one endpoint, delivered with retries and backoff."""

    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_events_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    insurer_id: Mapped[int | None] = mapped_column(ForeignKey("insurers.id"), index=True)  # None: marketplace
    event_type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The X-Request-Id of the request that caused the event (None: a command or a job); sent with it.
    request_id: Mapped[str | None] = mapped_column(String(128))

    endpoint: Mapped[WebhookEndpoint] = relationship()


class WebhookAttempt(db.Model):
    """One try at delivering an event: when, what came back, how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class AuditEntry(db.Model):
    """Who changed what and when: written by the service that made the change, in its transaction."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(200))  # "admin@example.com", "cli", "api-key ak_live_xx"
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor_user = relationship("User")

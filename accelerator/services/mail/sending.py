"""Sending runs: lease what is due, re-check it, send it once, and retry failures with backoff.

`send_pending(now, batch, worker_id)` leases up to `batch` pending messages due by `now` (setting
`locked_until` and `claimed_by` where the row is still pending and unlocked: on PostgreSQL after SELECT ...
FOR UPDATE SKIP LOCKED; SQLite serialises writers). A leased message is then handled by its holder only: each
step starts with an UPDATE guarded by `claimed_by`, so two senders running at once never send the same message
twice.

Before sending, a reminder is re-checked (`reminders.recheck`, `claim_case_mail.recheck` for a claim case's):
one that is no longer due on the sending day is marked `cancelled`, not sent. Messages go over SMTP when
MAIL_SERVER is set (STARTTLS with MAIL_USE_TLS, login with MAIL_USERNAME/MAIL_PASSWORD), otherwise into
MAIL_FOLDER as .eml files. A temporary failure (connection, timeout, 4xx) is retried after MAIL_RETRY_SECONDS
* 2^(attempts-1) (at most six hours) until MAIL_MAX_ATTEMPTS; a permanent refusal (5xx for the recipient or
the content) fails at once.

A message is marked sent after the server accepted it; a crash between the two would send it again when the
lease (LEASE) runs out. Its Message-ID is derived from the row, so receivers can tell.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from accelerator.extensions import db
from accelerator.models import EmailMessage
from accelerator.services import claim_case_mail, reminders
from accelerator.services.mail.message import build_mime
from accelerator.services.mail.transports import PermanentFailure, open_transport

MAX_BACKOFF = timedelta(hours=6)
LEASE = timedelta(minutes=10)  # a claimed message is left alone this long by other senders


@dataclass
class SendReport:
    """What one sending run did with the messages it claimed."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    skipped: int = 0  # claimed, but another sender held it by the time this one got to it

    @property
    def claimed(self) -> int:
        """Messages this run leased."""
        return self.sent + self.retrying + self.failed + self.cancelled + self.skipped

    def add(self, other: SendReport) -> None:
        """Add another run's figures to these."""
        for name in ("sent", "retrying", "failed", "cancelled", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def default_worker_id() -> str:
    """host:pid:thread, to tell in the outbox who claimed a message."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: MAIL_RETRY_SECONDS * 2^(attempts-1), 1 s to 6 h."""
    base = max(1, int(current_app.config.get("MAIL_RETRY_SECONDS", 300)))
    return min(MAX_BACKOFF, timedelta(seconds=base * 2 ** max(0, min(attempts - 1, 20))))


# --- leases: claim due messages for one sender, hold a claim, record an outcome --------------------


def _claim_due(now: datetime, batch: int, worker: str) -> list[int]:
    """Lease up to `batch` due messages to `worker`; returns their ids.

    PostgreSQL: lock the due rows with SELECT ... FOR UPDATE SKIP LOCKED (so two senders take different
    rows), then lease them, in one transaction. (Not as `UPDATE ... WHERE id IN (SELECT ... SKIP LOCKED
    LIMIT n)`: PostgreSQL may run that subquery again for each row and lease far more than n.)
    SQLite: one UPDATE with the subquery; its writers are serialised, so the guard in the WHERE clause
    sees every other sender's lease.
    """
    unlocked = or_(EmailMessage.locked_until.is_(None), EmailMessage.locked_until < now)
    due = (select(EmailMessage.id)
           .where(EmailMessage.status == "pending", EmailMessage.next_attempt_at <= now, unlocked)
           .order_by(EmailMessage.next_attempt_at, EmailMessage.id)
           .limit(batch))
    if db.session.get_bind().dialect.name == "postgresql":
        ids = db.session.execute(due.with_for_update(skip_locked=True)).scalars().all()
        target = EmailMessage.id.in_(ids)
    else:
        ids, target = None, EmailMessage.id.in_(due.scalar_subquery())
    claimed: list[int] = []
    if ids is None or ids:
        claimed = db.session.execute(
            update(EmailMessage)
            .where(target, EmailMessage.status == "pending", unlocked)
            .values(locked_until=now + LEASE, claimed_by=worker)
            .returning(EmailMessage.id)
            .execution_options(synchronize_session=False)
        ).scalars().all()
    db.session.commit()
    return sorted(claimed)


def _hold(message_id: int, worker: str, moment: datetime) -> bool:
    """Renew this worker's lease on a message (the transaction's first statement: it takes the write lock)."""
    result = db.session.execute(
        update(EmailMessage)
        .where(EmailMessage.id == message_id, EmailMessage.claimed_by == worker, EmailMessage.status == "pending")
        .values(locked_until=moment + LEASE)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    return True


def _record(message_id: int, worker: str, values: dict) -> None:
    """Write an outcome, only while this worker holds the message."""
    db.session.execute(
        update(EmailMessage)
        .where(EmailMessage.id == message_id, EmailMessage.claimed_by == worker, EmailMessage.status == "pending")
        .values(locked_until=None, **values)
        .execution_options(synchronize_session=False))
    db.session.commit()


# --- sending ------------------------------------------------------------------------------------


def _send_one(transport, message_id: int, worker: str, moment: datetime) -> str:
    """Re-check, send and record one leased message; returns sent, retrying, failed, cancelled or skipped."""
    if not _hold(message_id, worker, moment):
        return "skipped"
    message = db.session.get(EmailMessage, message_id, populate_existing=True)
    reason = reminders.recheck(message, moment.date()) or claim_case_mail.recheck(message, moment)
    if reason is not None:
        message.status, message.last_error, message.locked_until = "cancelled", reason, None
        db.session.commit()
        return "cancelled"
    name, attempts = f"{message.id:08d}-{message.kind}", message.attempts + 1
    try:
        mime = build_mime(message, moment)
    except (ValueError, TypeError) as exc:  # e.g. a line break in a header: no retry will mend it
        message.status, message.attempts, message.locked_until = "failed", attempts, None
        message.last_error = f"could not build the message: {exc}"[:2000]
        db.session.commit()
        return "failed"
    db.session.commit()  # no transaction stays open over the network
    try:
        transport.send(mime, name)
    except PermanentFailure as exc:
        _record(message_id, worker, {"status": "failed", "attempts": attempts, "last_error": str(exc)[:2000]})
        return "failed"
    except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors, as are timeouts and TLS errors
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if attempts >= int(current_app.config.get("MAIL_MAX_ATTEMPTS", 6)):
            _record(message_id, worker, {"status": "failed", "attempts": attempts, "last_error": error})
            return "failed"
        _record(message_id, worker, {"attempts": attempts, "last_error": error,
                                     "next_attempt_at": moment + backoff(attempts)})
        return "retrying"
    _record(message_id, worker, {"status": "sent", "attempts": attempts, "sent_at": moment, "last_error": None})
    return "sent"


def send_pending(now: datetime, batch: int = 50, worker_id: str | None = None) -> SendReport:
    """Send the pending messages due by `now` (at most `batch`); safe with any number of senders at once.

    `worker_id` labels the claims (default host:pid:thread); a random suffix makes each run's claims
    its own even when two runs share a label. Time moves on from `now` by the run's elapsed time.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    worker = f"{(worker_id or default_worker_id())[:90]}/{secrets.token_hex(4)}"
    report = SendReport()
    ids = _claim_due(now, max(1, int(batch)), worker)
    if not ids:
        return report
    transport = open_transport()
    started = time.monotonic()
    try:
        for message_id in ids:
            # Whole seconds: leases stay true to the clock in a long run, and an injected `now` stays exact.
            moment = now + timedelta(seconds=int(time.monotonic() - started))
            outcome = _send_one(transport, message_id, worker, moment)
            setattr(report, outcome, getattr(report, outcome) + 1)
    finally:
        transport.close()
    return report

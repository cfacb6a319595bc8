"""The email outbox's sender: claim what is due, send it once, retry failures with backoff.

`send_pending(now, batch, worker_id)` leases up to `batch` pending messages due by `now` (setting
`locked_until` and `claimed_by` where the row is still pending and unlocked: on PostgreSQL after
SELECT ... FOR UPDATE SKIP LOCKED; SQLite serialises writers). A leased message is then handled by
its holder only: each step starts with an UPDATE guarded by `claimed_by`, so two senders running at
once never send the same message twice.

Before sending, a reminder is re-checked (`reminders.recheck`): one that is no longer due on the
sending day is marked `cancelled`, not sent. Messages go over SMTP when MAIL_SERVER is set
(STARTTLS with MAIL_USE_TLS, login with MAIL_USERNAME/MAIL_PASSWORD), otherwise into MAIL_FOLDER as
.eml files. A temporary failure (connection, timeout, 4xx) is retried after MAIL_RETRY_SECONDS *
2^(attempts-1) (at most six hours) until MAIL_MAX_ATTEMPTS; a permanent refusal (5xx for the
recipient or the content) fails at once.

A message is marked sent after the server accepted it; a crash between the two would send it again
when the lease (LEASE) runs out. Its Message-ID is derived from the row, so receivers can tell.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import smtplib
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select, update

from accelerator.extensions import db
from accelerator.models import EmailMessage

LEASE = timedelta(minutes=10)  # a claimed message is left alone this long by other senders
MAX_BACKOFF = timedelta(hours=6)


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


class PermanentFailure(Exception):
    """The server refused the message for good (5xx for its recipient or content): do not retry."""


def default_worker_id() -> str:
    """host:pid:thread, to tell in the outbox who claimed a message."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: MAIL_RETRY_SECONDS * 2^(attempts-1), 1 s to 6 h."""
    base = max(1, int(current_app.config.get("MAIL_RETRY_SECONDS", 300)))
    return min(MAX_BACKOFF, timedelta(seconds=base * 2 ** max(0, min(attempts - 1, 20))))


# --- the message --------------------------------------------------------------------------------


def _mail_domain() -> str:
    address = parseaddr(current_app.config.get("MAIL_FROM") or "")[1]
    return address.rpartition("@")[2] or "localhost"


def build_mime(message: EmailMessage, when: datetime) -> MimeMessage:
    """The RFC 5322 message: plain text with an HTML alternative, a stable Message-ID."""
    mime = MimeMessage()
    mime["From"] = current_app.config["MAIL_FROM"]
    mime["To"] = message.to_address
    mime["Subject"] = " ".join(message.subject.split())
    mime["Date"] = format_datetime(when)
    digest = hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:20]
    mime["Message-ID"] = f"<{message.id}.{digest}@{_mail_domain()}>"
    mime["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    mime["X-Accelerator-Kind"] = message.kind
    mime.set_content(message.text_body)
    mime.add_alternative(message.html_body, subtype="html")
    return mime


# --- transports ---------------------------------------------------------------------------------


class MailFolder:
    """Writes each message as <MAIL_FOLDER>/<id>-<kind>.eml (atomically, so a reader never sees half)."""

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def send(self, mime: MimeMessage, name: str) -> None:
        """Write one message."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".eml")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(mime.as_bytes())
            os.replace(tmp, self.folder / f"{name}.eml")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        """Nothing to close."""


class SmtpTransport:
    """One SMTP connection per run, opened on first use and reopened after an error."""

    def __init__(self, config):
        self.host = config["MAIL_SERVER"]
        self.port = int(config.get("MAIL_PORT", 587))
        self.use_tls = bool(config.get("MAIL_USE_TLS", True))
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD") or ""
        self.timeout = float(config.get("MAIL_TIMEOUT_SECONDS", 30))
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            connection.ehlo()
            if self.use_tls:
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if self.username:
                connection.login(self.username, self.password)
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, mime: MimeMessage, name: str) -> None:
        """Send one message; PermanentFailure when the server refuses it for good."""
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.send_message(mime)
        except smtplib.SMTPRecipientsRefused as exc:
            self._drop()
            codes = [code for code, _text in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
            raise
        except smtplib.SMTPDataError as exc:
            self._drop()
            if exc.smtp_code >= 500:
                raise PermanentFailure(f"message refused: {exc.smtp_code} {exc.smtp_error!r}") from exc
            raise
        except BaseException:
            self._drop()
            raise

    def _drop(self) -> None:
        """Forget a connection that may be broken (the next message reconnects)."""
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None

    def close(self) -> None:
        """Say goodbye to the server."""
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                self._drop()


def open_transport() -> MailFolder | SmtpTransport:
    """SMTP when MAIL_SERVER is set, else the mail folder."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        return SmtpTransport(config)
    folder = config.get("MAIL_FOLDER") or os.path.join(current_app.instance_path, "mail")
    return MailFolder(folder)


# --- sending ------------------------------------------------------------------------------------


def _claim(now: datetime, batch: int, worker: str) -> list[int]:
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


def _send_one(transport, message_id: int, worker: str, moment: datetime) -> str:
    """Re-check, send and record one leased message; returns sent, retrying, failed, cancelled or skipped."""
    from accelerator.services import reminders  # reminders queues through this outbox's table

    if not _hold(message_id, worker, moment):
        return "skipped"
    message = db.session.get(EmailMessage, message_id, populate_existing=True)
    reason = reminders.recheck(message, moment.date())
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
    ids = _claim(now, max(1, int(batch)), worker)
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

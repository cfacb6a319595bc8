"""Queueing one email in the outbox by its dedupe key, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from accelerator import clock
from accelerator.extensions import db
from accelerator.models import EmailMessage

MAX_SUBJECT = 300


@dataclass(frozen=True)
class OutgoingEmail:
    """One email to queue: its identity (dedupe key), kind, recipient, subject, bodies and what it is about."""

    dedupe_key: str
    kind: str
    to_address: str
    subject: str
    text_body: str
    html_body: str
    related_type: str | None = None
    related_id: str | None = None


def queue_email(email: OutgoingEmail) -> int | None:
    """Add the email to the outbox, due at once; the new row's id, or None when its key is already queued.

    An INSERT that ignores a conflict on the dedupe key, so two requests queueing the same key at the
    same moment add one row. The caller commits (with the change the email is about).
    """
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = clock.now()
    subject = " ".join(email.subject.split())[:MAX_SUBJECT]
    result = db.session.execute(
        insert(EmailMessage.__table__).values(
            dedupe_key=email.dedupe_key, kind=email.kind, to_address=email.to_address, subject=subject,
            text_body=email.text_body, html_body=email.html_body, related_type=email.related_type,
            related_id=email.related_id, status="pending", attempts=0, next_attempt_at=now, created_at=now,
        ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(EmailMessage.__table__.c.id))
    # RETURNING, not rowcount: a row comes back only when this statement inserted it (psycopg gives -1).
    row = result.first()
    return row[0] if row else None

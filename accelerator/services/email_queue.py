"""The email outbox's way in: queue one email by its dedupe key, in the caller's transaction (as given, or
rendered from templates/email/<kind>.txt and .html); services/mail/ sends what is queued."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from accelerator import clock
from accelerator.extensions import db
from accelerator.models import EmailMessage
from accelerator.observability import current_request_id
from accelerator.services.session_writes import SessionWriter

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
            request_id=current_request_id(),
        ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(EmailMessage.__table__.c.id))
    # RETURNING, not rowcount: a row comes back only when this statement inserted it (psycopg gives -1).
    row = result.first()
    return row[0] if row else None


def render_templated(kind: str, subject: str, context: dict, path: str = "/") -> tuple[str, str]:
    """The text and HTML bodies of templates/email/<kind>.txt and .html with `context` (plus the subject,
    the link SITE_URL + `path`, the site's URL and the marketplace's name)."""
    site_url = current_app.config["SITE_URL"].rstrip("/")
    context = dict(context, subject=subject, link=site_url + path, site_url=site_url,
                   marketplace=current_app.config["MARKETPLACE_NAME"])
    return (render_template(f"email/{kind}.txt", **context).strip() + "\n",
            render_template(f"email/{kind}.html", **context))


def queue_templated_email(dedupe_key: str, kind: str, to_address: str, subject: str, context: dict, *,
                          path: str = "/", related: tuple[str, str] | None = None) -> bool:
    """Render templates/email/<kind>.txt and .html (`render_templated`) and queue it; whether a message
    was added."""
    text_body, html_body = render_templated(kind, subject, context, path)
    related_type, related_id = related or (None, None)
    return queue_email(OutgoingEmail(
        dedupe_key=dedupe_key, kind=kind, to_address=to_address, subject=subject, text_body=text_body,
        html_body=html_body, related_type=related_type, related_id=related_id)) is not None


def write_email(writer: SessionWriter, email: OutgoingEmail) -> None:
    """As `queue_email`, by one prepared statement in the session's transaction (for busy writes that
    bypass the unit of work); a key already queued is left alone."""
    now = clock.now()
    writer.insert(EmailMessage.__table__, dict(
        dedupe_key=email.dedupe_key, kind=email.kind, to_address=email.to_address,
        subject=" ".join(email.subject.split())[:MAX_SUBJECT], text_body=email.text_body,
        html_body=email.html_body, related_type=email.related_type, related_id=email.related_id,
        status="pending", attempts=0, next_attempt_at=now, created_at=now, request_id=current_request_id(),
    ), unless_exists="dedupe_key")

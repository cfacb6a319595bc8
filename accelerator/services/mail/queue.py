"""Queueing one email in the outbox, rendered from templates/email/<kind>.txt and .html, once per key."""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from accelerator import clock
from accelerator.extensions import db
from accelerator.models import EmailMessage


def queue_email(dedupe_key: str, kind: str, to_address: str, subject: str, context: dict, *,
                path: str = "/", related: tuple[str, str] | None = None) -> bool:
    """Add a message to the outbox (in the caller's transaction; the caller commits), due now; a key
    already queued is left alone. `path` is the page it links to (SITE_URL + path). Returns whether
    a message was added."""
    site_url = current_app.config["SITE_URL"].rstrip("/")
    context = dict(context, subject=subject, link=site_url + path, site_url=site_url,
                   marketplace=current_app.config["MARKETPLACE_NAME"])
    text = render_template(f"email/{kind}.txt", **context).strip() + "\n"
    html = render_template(f"email/{kind}.html", **context)
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = clock.now()
    related_type, related_id = related or (None, None)
    result = db.session.execute(
        insert(EmailMessage.__table__).values(
            dedupe_key=dedupe_key, kind=kind, to_address=to_address, subject=subject, text_body=text,
            html_body=html, related_type=related_type, related_id=related_id, status="pending",
            attempts=0, next_attempt_at=now, created_at=now,
        ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(EmailMessage.__table__.c.id))
    return bool(result.all())

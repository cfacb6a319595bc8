"""The outbox: rendering a reminder's email, queueing what is due once each, and re-checking at send time.

At send time the outbox asks `recheck(message, today)`: a reminder whose key is no longer among the
reminders due for its object on the sending day (the policy was cancelled, renewed, re-dated,
deleted; the quote lapsed or was taken; the seller became compliant) is not sent but cancelled.
"""

from __future__ import annotations

import re
from datetime import date

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from accelerator import clock
from accelerator.extensions import db
from accelerator.models import EmailMessage
from accelerator.services.reminders.kinds import KIND_ADMIN, KINDS, Reminder, chunks, day_start, one_line
from accelerator.services.reminders.rules import (
    due_reminders,
    expiry_reminders,
    not_renewed_reminders,
    quote_reminders,
    requirement_reminders,
    verification_reminders,
)

# --- the outbox ---------------------------------------------------------------------------------


def render(reminder: Reminder) -> tuple[str, str]:
    """The reminder's email as (plain text, HTML), from templates/email/<kind>.txt and .html."""
    context = dict(reminder.context, link=reminder.link, subject=reminder.subject,
                   site_url=current_app.config["SITE_URL"].rstrip("/"),
                   marketplace=current_app.config["MARKETPLACE_NAME"])
    text = render_template(f"email/{reminder.kind}.txt", **context)
    html = render_template(f"email/{reminder.kind}.html", **context)
    return text.strip() + "\n", html


def _insert():
    """The dialect's INSERT that knows ON CONFLICT (SQLite and PostgreSQL both do)."""
    return pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def queue_due_reminders(today: date) -> int:
    """Queue every reminder due on `today` that is not in the outbox yet; returns how many were added.

    Each is an INSERT that ignores a conflict on the dedupe key, so two runs at once queue it once.
    A queued message is due to be sent from 00:00 UTC of `today`.
    """
    queued = _queue(due_reminders(today), today)
    db.session.commit()
    return queued


def queue_policy_reminders(today: date, policy_id: int) -> int:
    """Queue at once the reminders due on `today` about one policy (in the caller's transaction, which
    commits); how many were added."""
    return _queue(_current_for("policy", str(policy_id), today), today)


def _queue(due: list[Reminder], today: date) -> int:
    """Queue each of `due` not in the outbox yet (an INSERT ignoring a conflict on its key); how many."""
    existing: set[str] = set()
    for part in chunks([r.key for r in due]):
        existing.update(db.session.execute(
            select(EmailMessage.dedupe_key).where(EmailMessage.dedupe_key.in_(part))).scalars())
    return sum(_queue_one(reminder, today) for reminder in due if reminder.key not in existing)


def queue_verification_decision(policy_id: int, today: date) -> int:
    """Queue at once, in the caller's transaction, the `verification_decision` email of a policy decided on
    `today` (by an insurer's answer); the daily run then finds its key queued. How many were added (0 or 1)."""
    return _queue(verification_reminders(today, policy_id=policy_id), today)


def _queue_one(reminder: Reminder, today: date) -> int:
    """Insert one reminder's email unless its key is queued already; 1 when this call inserted it."""
    text, html = render(reminder)
    result = db.session.execute(
        _insert()(EmailMessage.__table__).values(
            dedupe_key=reminder.key, kind=reminder.kind, to_address=reminder.to_address,
            subject=one_line(reminder.subject), text_body=text, html_body=html,
            related_type=reminder.related_type, related_id=reminder.related_id, status="pending",
            attempts=0, next_attempt_at=day_start(today), created_at=clock.now(),
        ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(EmailMessage.__table__.c.id))
    # RETURNING, not rowcount: a row comes back only when this call inserted it (psycopg gives -1).
    return len(result.all())


_ID = re.compile(r"[0-9]{1,18}")


def _current(message: EmailMessage, today: date) -> list[Reminder]:
    """The reminders due on `today` for the object the message is about."""
    return _current_for(message.related_type, message.related_id or "", today)


def _current_for(related: str | None, ident: str, today: date) -> list[Reminder]:
    """The reminders due on `today` for one object (`related` type and id)."""
    if related == "seller":
        return requirement_reminders(today, seller_id=ident)
    if not _ID.fullmatch(ident):
        return []
    if related == "quote":
        return quote_reminders(today, quote_id=int(ident))
    if related == "policy":
        return (expiry_reminders(today, policy_id=int(ident)) + verification_reminders(today, policy_id=int(ident))
                + not_renewed_reminders(today, policy_id=int(ident)))
    return []


def recheck(message: EmailMessage, today: date) -> str | None:
    """Why a queued reminder must not be sent on `today`, or None to send it.

    A reminder is sent only while its key is still due for its object on the sending day; its
    recipient follows the seller's current address. An admin's reminder (KIND_ADMIN) is sent only while
    the seller is still due or overdue. Messages of other kinds are not judged here.
    """
    if message.kind == KIND_ADMIN:
        if message.related_type == "seller" and requirement_reminders(today, seller_id=message.related_id or ""):
            return None
        return f"no longer due on {today.isoformat()}: the seller is no longer due or overdue"
    if message.kind not in KINDS:
        return None
    current = {r.key: r for r in _current(message, today)}
    reminder = current.get(message.dedupe_key)
    if reminder is None:
        return (f"no longer due on {today.isoformat()}: the {message.related_type} changed, "
                f"lapsed or was removed")
    if reminder.to_address != message.to_address:
        message.to_address = reminder.to_address
    return None

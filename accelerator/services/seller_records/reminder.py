"""An admin's compliance reminder to one seller: one email through the outbox per form, audited."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from sqlalchemy import select

from accelerator import clock
from accelerator.domain.compliance import DUE, OVERDUE
from accelerator.domain.errors import Conflict, ValidationError
from accelerator.extensions import db
from accelerator.models import EmailMessage, User
from accelerator.services import audit, reminders
from accelerator.services.email_queue import OutgoingEmail, queue_email
from accelerator.services.sales import seller_compliance
from accelerator.services.seller_records.record import find_seller

REMINDER_KIND = reminders.KIND_ADMIN  # the sender re-checks it: not sent once the seller is compliant
# No second reminder to the same seller this soon, whatever the form: two admins, two tabs, a reload.
REPEAT_WINDOW = timedelta(minutes=10)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class ReminderOutcome:
    """What became of a reminder: queued now, or already queued by the same form (a repeated click)."""

    queued: bool
    to_address: str
    queued_at: datetime


def new_reminder_token() -> str:
    """A fresh token for one reminder form: the same form sent twice queues one email."""
    return secrets.token_urlsafe(18)


def _recipient(seller_id: str, contact_email: str) -> str:
    """The seller's active account email, else the seller record's contact email ("" when neither)."""
    account = db.session.execute(select(User.email).where(
        User.seller_id == seller_id, User.role == "seller", User.active.is_(True))).scalar_one_or_none()
    return account or contact_email.strip()


def send_reminder(actor: audit.Actor, seller_id: object, token: object) -> ReminderOutcome:
    """Queue one compliance reminder to a seller who is due or overdue, once per form `token`.

    The email's dedupe key is the seller and the token, so a double click (the same form twice, even
    at the same moment) queues one email; another form within REPEAT_WINDOW of the last reminder is a
    Conflict. NotFound for an unknown seller; Conflict when the seller is not due or overdue today or
    has no email address; ValidationError for a malformed token.
    """
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise ValidationError("This form had expired. Reload the page and try again.")
    seller = find_seller(seller_id)
    key = f"{REMINDER_KIND}:{seller.seller_id}:{token}"
    earlier = db.session.execute(select(EmailMessage).where(EmailMessage.dedupe_key == key)).scalar_one_or_none()
    if earlier is not None:
        return ReminderOutcome(False, earlier.to_address, earlier.created_at)
    now = clock.now()
    last = db.session.execute(
        select(EmailMessage.created_at).where(EmailMessage.kind == REMINDER_KIND,
                                              EmailMessage.related_type == "seller",
                                              EmailMessage.related_id == seller.seller_id,
                                              EmailMessage.created_at > now - REPEAT_WINDOW)
        .order_by(EmailMessage.created_at.desc()).limit(1)).scalar_one_or_none()
    if last is not None:
        minutes = int(REPEAT_WINDOW.total_seconds() // 60)
        raise Conflict(f"A reminder to this seller was queued at {last:%H:%M} UTC; send another after "
                       f"{minutes} minutes have passed.")
    standing = seller_compliance(seller.seller_id, now.date())
    result = standing.result
    if result.status not in (DUE, OVERDUE):
        raise Conflict("Only a seller who is due or overdue can be reminded: this seller is "
                       f"{result.status.replace('_', ' ')} today.")
    to_address = _recipient(seller.seller_id, seller.contact_email)
    if not to_address:
        raise Conflict("This seller has no email address on record: no account and no contact email.")
    days = (result.deadline - now.date()).days
    requirement = current_app.config["REQUIREMENT"]
    site_url = current_app.config["SITE_URL"].rstrip("/")
    subject = (f"Reminder: insurance is required by {result.deadline:%B} {result.deadline.day}, {result.deadline.year}"
               if result.status == DUE else "Reminder: your marketplace insurance is overdue")
    context = dict(seller_name=seller.legal_name or seller.seller_id, seller_id=seller.seller_id, result=result,
                   requirement=requirement, days_left=days, days_late=-days, overdue=result.status == OVERDUE,
                   link=f"{site_url}/seller", subject=subject, site_url=site_url,
                   marketplace=current_app.config["MARKETPLACE_NAME"])
    message_id = queue_email(OutgoingEmail(
        dedupe_key=key, kind=REMINDER_KIND, to_address=to_address, subject=subject,
        text_body=render_template(f"email/{REMINDER_KIND}.txt", **context).strip() + "\n",
        html_body=render_template(f"email/{REMINDER_KIND}.html", **context),
        related_type="seller", related_id=seller.seller_id))
    if message_id is None:  # the same form, sent at the same moment, won the insert
        db.session.rollback()
        earlier = db.session.execute(select(EmailMessage).where(EmailMessage.dedupe_key == key)).scalar_one()
        return ReminderOutcome(False, earlier.to_address, earlier.created_at)
    audit.record(actor, "send_reminder", "seller", seller.seller_id, email=message_id, to=to_address,
                 status=result.status, deadline=result.deadline)
    db.session.commit()
    return ReminderOutcome(True, to_address, now)

"""The message itself: the MIME email built from an outbox row, with a Message-ID derived from the row."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, parseaddr

from flask import current_app

from accelerator.models import EmailMessage

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
    if message.request_id:  # the request that caused it, for support to find in the logs
        mime["X-Request-Id"] = message.request_id
    mime.set_content(message.text_body)
    mime.add_alternative(message.html_body, subtype="html")
    return mime

"""The email outbox's sender: lease what is due, re-check reminders, send each message once, retry failures.

Messages go over SMTP when MAIL_SERVER is set, otherwise into MAIL_FOLDER as .eml files; a message is
marked sent once the server accepted it, and two senders running at once never send the same message.
Emails are queued through services/email_queue.py.
"""

from __future__ import annotations

from accelerator.services.mail.message import build_mime
from accelerator.services.mail.sending import LEASE, MAX_BACKOFF, SendReport, backoff, default_worker_id, send_pending
from accelerator.services.mail.transports import MailFolder, PermanentFailure, SmtpTransport, open_transport

__all__ = [
    "LEASE",
    "MAX_BACKOFF",
    "MailFolder",
    "PermanentFailure",
    "SendReport",
    "SmtpTransport",
    "backoff",
    "build_mime",
    "default_worker_id",
    "open_transport",
    "send_pending",
]

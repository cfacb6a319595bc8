"""The email outbox's sender: claim what is due, send it once, retry failures with backoff.

`send_pending(now, batch, worker_id)` leases up to `batch` pending messages due by `now` (setting
`locked_until` and `claimed_by` where the row is still pending and unlocked: on PostgreSQL after
SELECT ... FOR UPDATE SKIP LOCKED; SQLite serialises writers). A leased message is then handled by
its holder only: each step starts with an UPDATE guarded by `claimed_by`, so two senders running at
once never send the same message twice.

Before sending, a reminder is re-checked (`reminders.recheck`, `claim_case_mail.recheck` for a claim
case's): one that is no longer due on the
sending day is marked `cancelled`, not sent. Messages go over SMTP when MAIL_SERVER is set
(STARTTLS with MAIL_USE_TLS, login with MAIL_USERNAME/MAIL_PASSWORD), otherwise into MAIL_FOLDER as
.eml files. A temporary failure (connection, timeout, 4xx) is retried after MAIL_RETRY_SECONDS *
2^(attempts-1) (at most six hours) until MAIL_MAX_ATTEMPTS; a permanent refusal (5xx for the
recipient or the content) fails at once.

A message is marked sent after the server accepted it; a crash between the two would send it again
when the lease (LEASE) runs out. Its Message-ID is derived from the row, so receivers can tell.

Where things are (every public name is re-exported here, so `mail.<name>` works):
- mail/sending.py: send_pending, SendReport, backoff, MAX_BACKOFF, default_worker_id, and the
  re-check/send/record of one leased message (_send_one).
- mail/outbox.py: the leases: LEASE, claiming due messages (_claim), holding a claim (_hold) and
  recording an outcome (_record).
- mail/message.py: build_mime (the MIME message and its Message-ID).
- mail/transports.py: MailFolder, SmtpTransport, open_transport, PermanentFailure.
- mail/queueing.py: queue_email and OutgoingEmail (one email queued by its dedupe key, in the caller's
  transaction; for emails that are not reminders: staff invitations, an admin's reminder to a seller),
  and queue_templated_email (the same, rendered from templates/email/<kind>: registration emails).
"""

from __future__ import annotations

from accelerator.services.mail.message import build_mime
from accelerator.services.mail.outbox import LEASE
from accelerator.services.mail.queueing import OutgoingEmail, queue_email, queue_templated_email
from accelerator.services.mail.sending import MAX_BACKOFF, SendReport, backoff, default_worker_id, send_pending
from accelerator.services.mail.transports import MailFolder, PermanentFailure, SmtpTransport, open_transport

__all__ = [
    "LEASE",
    "MAX_BACKOFF",
    "MailFolder",
    "OutgoingEmail",
    "PermanentFailure",
    "SendReport",
    "SmtpTransport",
    "backoff",
    "build_mime",
    "default_worker_id",
    "open_transport",
    "queue_email",
    "queue_templated_email",
    "send_pending",
]

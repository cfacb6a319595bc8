"""Reminders: which emails are due on a day, each queued once in the outbox (`email_messages`).

`queue_due_reminders(today)` scans the database and queues every reminder due on `today`; a reminder's
identity is its dedupe key, unique in the outbox, so running it again (or twice at once) adds nothing.
Every rule below takes the day as an argument: nothing here reads the clock.

Kinds, their rule, their dedupe key and the page they link to (SITE_URL + path):

- `quote_received`: an offered quote on the seller's open request, valid on `today` and made on or
  before it. Key `quote_received:<quote id>`. Link `/seller/requests/<request id>`.
- `policy_expiring` (30 and 7 days): a verified policy of the seller, in force on `today`, never
  cancelled (not even from a later date: cover then ends by cancellation, not expiry), whose expiration
  date is 8 to 30 days away (the 30-day notice) or 1 to 7 days away (the 7-day notice), and not
  superseded: no other verified policy of the same seller covers its expiration date (effective on or
  before it and still in force on it), which is the case for a renewal that starts on time and for an
  in-force policy that expires later. A notice missed on its day is caught up on the next run within
  its window; a policy first seen inside the 7-day window gets only the 7-day notice. Key
  `policy_expiring:<30|7>:<policy id>:<expiration date>` (so a changed expiration date is a new
  reminder). Link `/seller/policies/<policy id>`.
- `requirement_due` / `requirement_overdue`: the seller's compliance status on `today` (the domain's
  `compliance_status` with the app's REQUIREMENT) is `due` / `overdue`; one of each per
  `required_since` month. Key `requirement_<due|overdue>:<seller id>:<YYYY-MM>`. Link `/seller`.
- `verification_decision`: an admin verified or rejected a policy the seller uploaded, within the
  last VERIFICATION_LOOKBACK_DAYS days up to `today`. Key
  `verification_decision:<policy id>:<verified|rejected>:<decision time, unix seconds>`.
  Link `/seller/policies/<policy id>`.

`compliance_reminder` (KIND_ADMIN) is an admin's reminder from the seller record, queued by
services/seller_records (key `compliance_reminder:<seller id>:<form token>`); at send time it goes
only while the seller is still `due` or `overdue` (as `requirement_due`/`requirement_overdue`).

Reminders go to the seller's (active) account email, else to the seller record's contact email; a
seller with neither gets none until one exists.

At send time the outbox asks `recheck(message, today)`: a reminder whose key is no longer among the
reminders due for its object on the sending day (the policy was cancelled, renewed, re-dated,
deleted; the quote lapsed or was taken; the seller became compliant) is not sent but cancelled.

Where things are (every public name is re-exported here, so `reminders.<name>` works):
- reminders/kinds.py: the constants (EXPIRY_NOTICES, VERIFICATION_LOOKBACK_DAYS, CHUNK, the KIND_* names
  and KINDS), the `Reminder` record, `site_link`, and the private helpers the others share (chunks,
  day_start, one_line).
- reminders/recipients.py: who a seller's reminders go to (recipients_of).
- reminders/rules.py: one rule per kind (quote_reminders, expiry_reminders with `expiry_notice`,
  verification_reminders, requirement_reminders) and `due_reminders`, all of them on a day.
- reminders/outbox.py: `render`, `queue_due_reminders` and `recheck` (with _current).
"""

from __future__ import annotations

from accelerator.services.reminders.kinds import (
    CHUNK,
    EXPIRY_NOTICES,
    KIND_ADMIN,
    KIND_DUE,
    KIND_EXPIRING,
    KIND_OVERDUE,
    KIND_QUOTE,
    KIND_VERIFICATION,
    KINDS,
    VERIFICATION_LOOKBACK_DAYS,
    Reminder,
    site_link,
)
from accelerator.services.reminders.outbox import queue_due_reminders, recheck, render
from accelerator.services.reminders.rules import due_reminders, expiry_notice

__all__ = [
    "CHUNK",
    "EXPIRY_NOTICES",
    "KINDS",
    "KIND_ADMIN",
    "KIND_DUE",
    "KIND_EXPIRING",
    "KIND_OVERDUE",
    "KIND_QUOTE",
    "KIND_VERIFICATION",
    "VERIFICATION_LOOKBACK_DAYS",
    "Reminder",
    "due_reminders",
    "expiry_notice",
    "queue_due_reminders",
    "recheck",
    "render",
    "site_link",
]

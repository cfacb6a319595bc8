"""The admins' seller records: finding a seller, one seller's whole record, and a reminder sent from it.

Where things are (every public name is re-exported here, so `seller_records.<name>` works):
- seller_records/search.py: `search_sellers` (seller ID, legal name or email; partial, case-insensitive),
  `SellerSearch`, `SellerHit`, `MAX_QUERY`.
- seller_records/record.py: `seller_record` (profile, account, monthly sales, compliance today and its
  history, policies, uploads, quote requests, claims paid, reminders sent), `coverage_checks` (the
  latest checks on the seller, a page at a time), `compliance_history`, `find_seller`, and their records.
- seller_records/reminder.py: `send_reminder` (one compliance reminder email through the outbox, once
  per form token, audited), `new_reminder_token`, `REMINDER_KIND`, `REPEAT_WINDOW`.
"""

from __future__ import annotations

from accelerator.services.seller_records.record import (
    CHECKS_PER_PAGE,
    CHECKS_WINDOW_DAYS,
    CheckPage,
    HistoryPoint,
    SalesMonth,
    SellerRecord,
    compliance_history,
    coverage_checks,
    find_seller,
    seller_record,
)
from accelerator.services.seller_records.reminder import (
    REMINDER_KIND,
    REPEAT_WINDOW,
    ReminderOutcome,
    new_reminder_token,
    send_reminder,
)
from accelerator.services.seller_records.search import MAX_QUERY, SellerHit, SellerSearch, search_sellers

__all__ = [
    "CHECKS_PER_PAGE",
    "CHECKS_WINDOW_DAYS",
    "MAX_QUERY",
    "REMINDER_KIND",
    "REPEAT_WINDOW",
    "CheckPage",
    "HistoryPoint",
    "ReminderOutcome",
    "SalesMonth",
    "SellerHit",
    "SellerRecord",
    "SellerSearch",
    "compliance_history",
    "coverage_checks",
    "find_seller",
    "new_reminder_token",
    "search_sellers",
    "seller_record",
    "send_reminder",
]

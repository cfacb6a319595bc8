"""The admins' seller records: finding a seller, one seller's whole record, and a reminder sent from it."""

from __future__ import annotations

from accelerator.services.seller_records.record import (
    CHECKS_PER_PAGE,
    CheckPage,
    HistoryPoint,
    SalesMonth,
    SellerRecord,
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
    "coverage_checks",
    "find_seller",
    "new_reminder_token",
    "search_sellers",
    "seller_record",
    "send_reminder",
]

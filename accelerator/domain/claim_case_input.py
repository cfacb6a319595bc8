"""The rules of what the claims service sends for a case: the case id, respond_by, and the texts' lengths.

Pure, so the declarations (accelerator/shapes/claim_cases.py) run them as the services do.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

MAX_CASE_ID = 64
MAX_ORDER_ID = 64
MAX_DESCRIPTION = 4000
MAX_REASON = 2000
MAX_NOTE = 2000
MAX_RESPOND_DAYS = 90
CASE_ID_PATTERN = r"[A-Za-z0-9_.-]{1,64}"
_CASE_ID = re.compile(CASE_ID_PATTERN)
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


def check_case_id(value: object) -> str:
    """A claims-service case id: 1 to 64 characters from `A-Z a-z 0-9 - _ .`."""
    if not isinstance(value, str) or not _CASE_ID.fullmatch(value):
        raise ValueError("must be 1 to 64 characters from A-Z a-z 0-9 - _ .")
    return value


def parse_respond_by(value: object, now: datetime) -> datetime:
    """An RFC 3339 timestamp after now and at most 90 days ahead."""
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("must be an RFC 3339 timestamp such as 2026-11-30T18:00:00Z")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("must be a real moment written as RFC 3339") from None
    if moment <= now:
        raise ValueError("must be after now")
    if moment > now + timedelta(days=MAX_RESPOND_DAYS):
        raise ValueError(f"must be at most {MAX_RESPOND_DAYS} days ahead")
    return moment

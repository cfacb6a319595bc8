"""Request ids: the one of the request being served (a contextvar), checking a caller's, making new ones."""

from __future__ import annotations

import logging
import random
import re
from contextvars import ContextVar

HEADER = "X-Request-Id"
ENVIRON_KEY = "accelerator.request_id"
# The contract: 1 to 128 characters from A-Z a-z 0-9 . _ - (anything else is replaced, never echoed).
_VALID = re.compile(r"[A-Za-z0-9._-]{1,128}").fullmatch

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served in this thread, or None outside a request."""
    return _current.get()


def accepted_or_new(sent: str | None) -> str:
    """The caller's id when it is a valid one, else a new one."""
    if sent is not None and _VALID(sent):
        return sent
    return new_request_id()


def new_request_id() -> str:
    """A new id: 32 hex digits (128 random bits).

    From the random module, not `secrets`: an id names a request and guards nothing, and this costs no
    system call (the module reseeds itself in every forked worker, so workers do not repeat each other)."""
    return f"{random.getrandbits(128):032x}"


def serving(request_id: str | None) -> None:
    """Set (or, with None, clear) the id of the request this thread is serving."""
    _current.set(request_id)


class RequestIdFilter(logging.Filter):
    """Gives every log record a `request_id` attribute: the request being served ("-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the id; never drops a record."""
        if not hasattr(record, "request_id"):
            record.request_id = _current.get() or "-"
        return True

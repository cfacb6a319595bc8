"""Webhook settings read from the app config: the retry limit and the backoff between attempts."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app


def setting(name: str, default):
    return current_app.config.get(name, default)


def max_attempts() -> int:
    """How many times an event is tried before it is marked failed (WEBHOOK_MAX_ATTEMPTS, default 8)."""
    return int(setting("WEBHOOK_MAX_ATTEMPTS", 8))


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: base * 2^(attempts-1), at most six hours."""
    base = float(setting("WEBHOOK_BACKOFF_SECONDS", 30))
    ceiling = float(setting("WEBHOOK_BACKOFF_MAX_SECONDS", 6 * 3600))
    return timedelta(seconds=min(ceiling, base * (2 ** max(0, attempts - 1))))

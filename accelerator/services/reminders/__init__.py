"""Reminders: which emails are due to sellers on a day, each queued once in the outbox, and re-checked
when it is sent."""

from __future__ import annotations

from accelerator.services.reminders.kinds import CHUNK, KIND_ADMIN, KINDS, Reminder
from accelerator.services.reminders.outbox import (
    queue_due_reminders,
    queue_policy_reminders,
    queue_verification_decision,
    recheck,
    render,
)

__all__ = [
    "CHUNK",
    "KINDS",
    "KIND_ADMIN",
    "Reminder",
    "queue_due_reminders",
    "queue_policy_reminders",
    "queue_verification_decision",
    "recheck",
    "render",
]

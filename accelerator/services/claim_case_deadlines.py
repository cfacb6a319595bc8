"""The claim cases' deadline sweep (`flask claim-cases notify`): escalate elapsed deadlines, queue the
reminders and escalation notices, then send what is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from accelerator import clock
from accelerator.services import claim_case_mail, claim_cases, mail


@dataclass
class NotifyReport:
    """What one `notify` run did."""

    escalated: int = 0
    reminders: int = 0
    escalations: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    cancelled: int = 0


def notify(now: datetime, batch: int = 50) -> NotifyReport:
    """Escalate elapsed deadlines, queue due reminders and escalation notices, then send pending mail.

    Safe to run any number of times and at once: every email is queued once by its dedupe key and
    sent once by the outbox's leases.
    """
    report = NotifyReport(escalated=claim_cases.escalate_overdue())
    report.reminders = claim_case_mail.queue_reminders(now)
    report.escalations = claim_case_mail.queue_escalations()
    total = mail.SendReport()
    # The outbox dates what this run queued by the clock, which ran on since `now`.
    sending_at = max(now, clock.now())
    while True:  # every retry waits at least a second past `sending_at`, so this ends
        sent = mail.send_pending(sending_at, batch=batch)
        total.add(sent)
        if sent.claimed < batch:
            break
    report.sent, report.failed = total.sent, total.failed
    report.retrying, report.cancelled = total.retrying, total.cancelled
    return report

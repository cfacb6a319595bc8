"""What an operator watches in the database: claim cases by state, and each outbox's backlog."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from accelerator import clock
from accelerator.domain.claim_cases import STATES
from accelerator.extensions import db
from accelerator.models import ClaimCase, EmailMessage, WebhookEvent


@dataclass(frozen=True)
class Backlog:
    """An outbox's messages waiting to be sent, and how long the oldest of them has waited."""

    pending: int
    oldest_age_seconds: float


@dataclass(frozen=True)
class OperatingFigures:
    """Claim cases by state (every state, 0 when none) and the backlog of each outbox (emails, webhooks)."""

    claim_cases: dict[str, int]
    outboxes: dict[str, Backlog]


def _backlog(model) -> Backlog:
    pending, oldest = db.session.execute(
        select(func.count(), func.min(model.created_at)).where(model.status == "pending")).one()
    age = max(0.0, (clock.now() - oldest).total_seconds()) if oldest is not None else 0.0
    return Backlog(pending=pending, oldest_age_seconds=age)


def current_figures() -> OperatingFigures:
    """The figures now, read in one transaction (ended before returning)."""
    counted = dict(db.session.execute(select(ClaimCase.state, func.count()).group_by(ClaimCase.state)).all())
    figures = OperatingFigures(claim_cases={state: counted.get(state, 0) for state in STATES},
                               outboxes={"email": _backlog(EmailMessage), "webhook": _backlog(WebhookEvent)})
    db.session.rollback()  # read only
    return figures

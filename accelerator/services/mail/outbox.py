"""The outbox's leases: claim due messages for one sender (LEASE), hold a claim, record an outcome."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from accelerator.extensions import db
from accelerator.models import EmailMessage

LEASE = timedelta(minutes=10)  # a claimed message is left alone this long by other senders


def _claim(now: datetime, batch: int, worker: str) -> list[int]:
    """Lease up to `batch` due messages to `worker`; returns their ids.

    PostgreSQL: lock the due rows with SELECT ... FOR UPDATE SKIP LOCKED (so two senders take different
    rows), then lease them, in one transaction. (Not as `UPDATE ... WHERE id IN (SELECT ... SKIP LOCKED
    LIMIT n)`: PostgreSQL may run that subquery again for each row and lease far more than n.)
    SQLite: one UPDATE with the subquery; its writers are serialised, so the guard in the WHERE clause
    sees every other sender's lease.
    """
    unlocked = or_(EmailMessage.locked_until.is_(None), EmailMessage.locked_until < now)
    due = (select(EmailMessage.id)
           .where(EmailMessage.status == "pending", EmailMessage.next_attempt_at <= now, unlocked)
           .order_by(EmailMessage.next_attempt_at, EmailMessage.id)
           .limit(batch))
    if db.session.get_bind().dialect.name == "postgresql":
        ids = db.session.execute(due.with_for_update(skip_locked=True)).scalars().all()
        target = EmailMessage.id.in_(ids)
    else:
        ids, target = None, EmailMessage.id.in_(due.scalar_subquery())
    claimed: list[int] = []
    if ids is None or ids:
        claimed = db.session.execute(
            update(EmailMessage)
            .where(target, EmailMessage.status == "pending", unlocked)
            .values(locked_until=now + LEASE, claimed_by=worker)
            .returning(EmailMessage.id)
            .execution_options(synchronize_session=False)
        ).scalars().all()
    db.session.commit()
    return sorted(claimed)


def _hold(message_id: int, worker: str, moment: datetime) -> bool:
    """Renew this worker's lease on a message (the transaction's first statement: it takes the write lock)."""
    result = db.session.execute(
        update(EmailMessage)
        .where(EmailMessage.id == message_id, EmailMessage.claimed_by == worker, EmailMessage.status == "pending")
        .values(locked_until=moment + LEASE)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    return True


def _record(message_id: int, worker: str, values: dict) -> None:
    """Write an outcome, only while this worker holds the message."""
    db.session.execute(
        update(EmailMessage)
        .where(EmailMessage.id == message_id, EmailMessage.claimed_by == worker, EmailMessage.status == "pending")
        .values(locked_until=None, **values)
        .execution_options(synchronize_session=False))
    db.session.commit()

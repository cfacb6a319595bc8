"""Idempotency records: the first answer to a POST or PUT sent with an Idempotency-Key, kept and replayed.

The API decorator `accelerator.api.core.idempotent` drives these functions. The record is inserted
in its own committed transaction before the request does anything, so the unique constraint
(api_key_id, key) picks one winner among concurrent requests in any number of processes; the
others wait for the winner's answer and replay it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from accelerator import clock
from accelerator.domain.errors import Conflict
from accelerator.extensions import db
from accelerator.models import IdempotencyRecord

KEEP = timedelta(hours=24)  # answers are kept at least this long, then purged
IN_FLIGHT_TIMEOUT = timedelta(seconds=120)  # a first request still unanswered after this crashed
WAIT_SECONDS = 20.0
POLL_SECONDS = 0.02
_PURGE_EVERY_SECONDS = 3600.0
_last_purge = 0.0


@dataclass(frozen=True)
class StoredAnswer:
    """A kept answer: its status and JSON body."""

    status_code: int
    body: str


@dataclass(frozen=True)
class ClaimResult:
    """Either this request won the key (`record_id`) or an answer to replay (`answer`)."""

    record_id: int | None
    answer: StoredAnswer | None


def claim(api_key_id: int, key: str, method: str, path: str, fingerprint: str) -> ClaimResult:
    """Take the key for this request, or return the first request's answer to replay.

    Raises Conflict `idempotency_key_reused` when the key was used for another method, path or
    body, and Conflict `idempotency_key_in_use` when the first request is still running after
    WAIT_SECONDS.
    """
    db.session.commit()  # start from a clean transaction: the record must commit on its own
    _maybe_purge()
    for _attempt in range(5):
        record = IdempotencyRecord(api_key_id=api_key_id, key=key, method=method, path=path,
                                   request_hash=fingerprint)
        db.session.add(record)
        try:
            db.session.commit()
            return ClaimResult(record_id=record.id, answer=None)
        except IntegrityError:
            db.session.rollback()
        existing = _load(api_key_id, key)
        if existing is None:
            continue  # released by a failed first request a moment ago: take it now
        now = clock.now()
        stale = existing.created_at < now - KEEP or (
            existing.status_code is None and existing.created_at < now - IN_FLIGHT_TIMEOUT)
        if stale:
            _delete(existing.id)
            continue
        if (existing.method, existing.path, existing.request_hash) != (method, path, fingerprint):
            raise Conflict("This Idempotency-Key was already used for another request.",
                           code="idempotency_key_reused")
        answer = _wait_for_answer(existing.id)
        if answer is not None:
            return ClaimResult(record_id=None, answer=answer)
    raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.",
                   code="idempotency_key_in_use")


def store(record_id: int, status_code: int, body: str) -> None:
    """Keep the first request's answer for its repeats."""
    db.session.rollback()  # whatever the view left open is not ours to commit
    db.session.execute(update(IdempotencyRecord).where(IdempotencyRecord.id == record_id)
                       .values(status_code=status_code, response_body=body))
    db.session.commit()


def release(record_id: int) -> None:
    """Forget a key whose first request failed (5xx or crash), so a retry runs afresh."""
    db.session.rollback()
    _delete(record_id)


def purge_expired() -> int:
    """Delete answers older than KEEP; returns how many."""
    result = db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < clock.now() - KEEP))
    db.session.commit()
    return result.rowcount or 0


def _maybe_purge() -> None:
    """Purge at most once an hour per process, so old answers do not pile up."""
    global _last_purge
    now = time.monotonic()
    if now - _last_purge >= _PURGE_EVERY_SECONDS:
        _last_purge = now
        purge_expired()


def _load(api_key_id: int, key: str):
    row = db.session.execute(
        select(IdempotencyRecord.id, IdempotencyRecord.method, IdempotencyRecord.path,
               IdempotencyRecord.request_hash, IdempotencyRecord.status_code, IdempotencyRecord.created_at)
        .where(IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key)
    ).first()
    db.session.commit()  # on SQLite a transaction holds the write lock: end it at once
    return row


def _delete(record_id: int) -> None:
    db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
    db.session.commit()


def _wait_for_answer(record_id: int) -> StoredAnswer | None:
    """Poll until the first request stores its answer; None if it was released instead."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        row = db.session.execute(
            select(IdempotencyRecord.status_code, IdempotencyRecord.response_body)
            .where(IdempotencyRecord.id == record_id)
        ).first()
        db.session.commit()
        if row is None:
            return None
        if row.status_code is not None:
            return StoredAnswer(status_code=row.status_code, body=row.response_body or "")
        if time.monotonic() >= deadline:
            raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.",
                           code="idempotency_key_in_use")
        time.sleep(POLL_SECONDS)

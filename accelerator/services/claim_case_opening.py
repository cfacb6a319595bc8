"""The writes of a claim case's opening: read and decided first, then written in one short write transaction.

Opening a case reads a few rows (is the case_id taken? the seller's policies, the endpoints, the
recipients) and writes a handful (the check's record, the case, its history entry, the audit entry, a
webhook event an endpoint, an email a recipient). Through the ORM's unit of work each of them cost more
Python than the database spends on it, and so did the session's own transaction (bench/results.md,
"Claim cases"): so each statement is compiled once per dialect (services/session_writes.py,
services/prepared.py) and run on one of the hot path's connections (services/hotpath.py), as the
single check's are. And as the single check does, the opening reads and decides (and renders its
emails) on a read transaction first, and only then takes the write lock (on SQLite: BEGIN IMMEDIATE in
the writers' turn, which every write of the database waits for) for its INSERTs alone: all of them
commit, or roll back, together. Nothing of it goes through the session, which must hold no write
transaction meanwhile (on SQLite it would hold the lock this waits for).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import TypeVar

from sqlalchemy import bindparam, select

from accelerator.models import ClaimCase, ClaimCaseEvent
from accelerator.services import audit, claim_case_mail, coverage, webhooks
from accelerator.services.coverage import CheckInput
from accelerator.services.hotpath import hot_connections
from accelerator.services.prepared import Prepared
from accelerator.services.session_writes import SessionWriter

T = TypeVar("T")

_hash_statements: dict[str, Prepared] = {}
_CASE_COLUMNS = tuple(ClaimCase.__table__.columns.keys())


def _hash_of_case() -> tuple:
    """The request hash of the case opened under a case_id (the select, its bind, its columns)."""
    cases = ClaimCase.__table__
    statement = select(cases.c.request_hash).where(cases.c.case_id == bindparam("case_id", type_=cases.c.case_id.type))
    return statement, ["case_id"], [cases.c.request_hash]


def stored_hash(case_id: str) -> str | None:
    """The request hash of the case opened under `case_id`, or None: read afresh on the hot path's own
    connection (no session transaction, so on SQLite no write lock, and nothing left open)."""
    connections = hot_connections()
    dialect = connections.dialect  # compiled for the hot path's cursors
    prepared = _hash_statements.get(dialect.name)
    if prepared is None:
        statement, names, columns = _hash_of_case()
        prepared = _hash_statements[dialect.name] = Prepared(statement, dialect, names, columns)
    rows = connections.run(lambda link: link.rows(prepared, [case_id]))
    return rows[0][0] if rows else None


def hash_in(writer: SessionWriter, case_id: str) -> str | None:
    """The request hash of the case already opened under `case_id` (None: not yet), read on the writer's
    cursor (on a read transaction, or in the write transaction once the case's INSERT found it taken)."""
    found = writer.rows("claim_case_hash", _hash_of_case, [case_id])
    return found[0][0] if found else None


class DeferredWriter(SessionWriter):
    """A writer whose reads run now, on a read transaction's cursor, and whose inserts are kept to be made
    by `replay` in the write transaction: what an opening reads, decides and renders is done before it
    takes the write lock (on SQLite, every writer's turn), which is then held only for the INSERTs.

    An insert with `returning` gives NEW_ID; a value NEW_ID in a later insert is replaced, on replay, by
    the id that insert returned (the case's history names the case by it). One insert may be the `claim`:
    made first on replay, and when its unique value is taken already, nothing else is written."""

    def __init__(self, cursor, dialect):
        super().__init__(cursor, dialect)
        self._claim: Callable[[SessionWriter], object] | None = None
        self._steps: list[Callable[[SessionWriter], None]] = []
        self.new_id = None

    def insert(self, table, values: dict, *, returning=None, unless_exists: str | None = None):
        """Keep the insert for `replay`; NEW_ID for `returning`."""
        self._steps.append(self._step(table, values, returning, unless_exists))
        return NEW_ID if returning is not None else None

    def claim(self, table, values: dict, *, returning, unique: str):
        """Keep the insert that claims `values[unique]` (ON CONFLICT DO NOTHING), to be made first by `replay`:
        if a row already has that value, it inserts nothing and nothing else is written. NEW_ID for `returning`."""
        if self._claim is not None:
            raise ValueError("an opening claims one row")
        self._claim = self._step(table, values, returning, unique)
        return NEW_ID

    def _step(self, table, values: dict, returning, unless_exists: str | None) -> Callable[[SessionWriter], object]:
        """The insert as a step of `replay` (NEW_ID in `values` replaced by the id returned before it)."""
        def step(writer: SessionWriter):
            given = values if self.new_id is None else {
                name: self.new_id if value is NEW_ID else value for name, value in values.items()}
            found = writer.insert(table, given, returning=returning, unless_exists=unless_exists)
            if returning is not None:
                self.new_id = found
            return found

        return step

    def later(self, step: Callable[[SessionWriter], None]) -> None:
        """Keep another write for `replay`, in turn with the inserts."""
        self._steps.append(step)

    def replay(self, writer: SessionWriter) -> bool:
        """Make every kept write on `writer` (in its write transaction): the claim first, then the others in
        the order they were kept. False when the claim found its value taken: then nothing was written."""
        if self._claim is not None and self._claim(writer) is None:
            return False
        for step in self._steps:
            step(writer)
        return True


NEW_ID = object()  # DeferredWriter's stand-in for an id not yet returned


def open_once(case_id: str, prepare: Callable[[DeferredWriter], T],
              admit: Callable[[SessionWriter], bool] | None = None) -> tuple[str | None, T | None]:
    """Open the case `case_id` once: (the stored request hash, None) when a case is opened under it
    already; else (None, what `prepare` gave) once every write `prepare` kept is committed.

    `prepare(writer)` reads, decides and renders on a read transaction (a snapshot on SQLite), keeping
    its writes, the case's INSERT as the writer's `claim`; then, in one write transaction on the same hot
    path connection (on SQLite: BEGIN IMMEDIATE in the writers' turn), the case is inserted first unless
    its case_id is taken (a concurrent opening may have committed it since the read: then nothing is
    written, and the stored request hash is read) and the other writes are made. On PostgreSQL a
    concurrent opening not yet committed is waited for by the unique index (ON CONFLICT DO NOTHING).

    `admit(writer)`, when given, is asked first on the same read transaction (the API key read with the
    case's rows, one snapshot and one connection for both, as the single check reads its key): when it
    says no, nothing more is read or written and the answer is (None, None)."""
    connections = hot_connections()
    dialect = connections.dialect  # compiled for the hot path's cursors

    def read(link) -> tuple[str | None, DeferredWriter | None, T | None]:
        deferred = DeferredWriter(link.cursor, dialect)
        if admit is not None and not admit(deferred):
            return None, None, None
        stored = hash_in(deferred, case_id)
        if stored is not None:
            return stored, None, None
        return None, deferred, prepare(deferred)

    def write(link, found: tuple) -> tuple[str | None, DeferredWriter | None, T | None]:
        _stored, deferred, _result = found
        if deferred is None:  # opened already, or not admitted: nothing to write
            return found

        def work() -> tuple:
            writer = SessionWriter(link.cursor, dialect)
            if not deferred.replay(writer):  # opened meanwhile: this opening wrote nothing
                return hash_in(writer, case_id), None, None
            return found

        return link.write(work)

    stored, _deferred, result = connections.run(read, write, snapshot=True)
    return stored, result


def new_case(events: list, **values) -> SimpleNamespace:
    """A new case as the API, the events and the emails read it: every column of claim_cases (None unless
    given in `values`) and its history `events`. Not an ORM object: nothing of it is tracked, flushed or
    read again (the prepared statements of `write_opening` write it)."""
    return SimpleNamespace(**{**dict.fromkeys(_CASE_COLUMNS), **values, "events": events})


def record_check(writer: DeferredWriter, api_key_id: int | None, question: CheckInput) -> tuple[dict, tuple]:
    """The opening's coverage check, decided by the check's own code on the writer's read, its record kept
    for the write: the contract's answer and the record (coverage.count_recorded once committed)."""
    text, record = coverage.decide_one(writer.cursor, writer.dialect, api_key_id, question)
    writer.later(lambda real: coverage.write_records(real.cursor, real.dialect, [record]))
    return json.loads(text), record


def write_opening(writer: SessionWriter, actor: audit.Actor, row: SimpleNamespace, data: Callable[[], dict]) -> None:
    """Write the new case `row` (from `new_case`, its history in `row.events`), its audit entry, the event
    claim_case.opened (`data()`, to the marketplace's endpoints and its insurer's) and the opening emails
    with `writer`, a DeferredWriter that keeps them for its write transaction: the case's INSERT is its
    claim, made first (a case_id already taken then writes nothing at all)."""
    case_id = writer.claim(ClaimCase.__table__, dict(
        case_id=row.case_id, request_hash=row.request_hash, seller_id=row.seller_id, kind=row.kind,
        incident_date=row.incident_date, amount_claimed=row.amount_claimed, category=row.category,
        order_id=row.order_id, description=row.description, opened_at=row.opened_at, check_id=row.check_id,
        policy_id=row.policy_id, route=row.route, state=row.state, insurer_id=row.insurer_id,
        respond_by=row.respond_by, stepped_in=row.stepped_in, updated_at=row.updated_at),
        returning=ClaimCase.__table__.c.id, unique="case_id")
    row.id = case_id
    if case_id is NEW_ID:  # the case's own id once its INSERT is made (callers read `case.id` after the commit)
        writer.later(lambda _real: setattr(row, "id", writer.new_id))
    for entry in row.events:
        writer.insert(ClaimCaseEvent.__table__, dict(claim_case_id=case_id, at=entry.at, event=entry.event,
                                                     by=entry.by, note=entry.note))
    audit.write(writer, actor, "open", "claim_case", row.case_id, route=row.route, check_id=row.check_id)
    webhooks.write_events(writer, row.insurer_id, "claim_case.opened", data)
    claim_case_mail.write_opened(writer, row)

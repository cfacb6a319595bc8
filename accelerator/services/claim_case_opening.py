"""The writes of a claim case's opening: prepared statements in one write transaction on the hot path's connection.

Opening a case reads a few rows (is the case_id taken? the seller's policies, the endpoints, the
recipients) and writes a handful (the check's record, the case, its history entry, the audit entry, a
webhook event an endpoint, an email a recipient). Through the ORM's unit of work each of them cost more
Python than the database spends on it, and so did the session's own transaction (its connection, its
begin and commit events): bench/results.md, "Claim cases". So each statement is compiled once per
dialect (services/session_writes.py, services/prepared.py) and the whole opening runs as one write
transaction on one of the hot path's connections (services/hotpath.py: on SQLite begun with BEGIN
IMMEDIATE in the writers' turn, so concurrent openings of one case_id queue behind it): all of it
commits, or rolls back, together. Nothing of it goes through the session, which must hold no write
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


def in_transaction(work: Callable[[SessionWriter], T]) -> T:
    """`work(writer)` as one write transaction on a hot path connection (on SQLite: BEGIN IMMEDIATE, in
    the writers' turn): committed when it returns (its result is returned), rolled back when it raises."""
    connections = hot_connections()
    dialect = connections.dialect  # compiled for the hot path's cursors
    return connections.run(lambda link: None,
                           lambda link, _: link.write(lambda: work(SessionWriter(link.cursor, dialect))))


def hash_in(writer: SessionWriter, case_id: str) -> str | None:
    """The request hash of the case already opened under `case_id` (None: not yet), read in the writer's
    transaction (on SQLite under the write lock: no concurrent opening of it can slip in between)."""
    found = writer.rows("claim_case_hash", _hash_of_case, [case_id])
    return found[0][0] if found else None


def new_case(events: list, **values) -> SimpleNamespace:
    """A new case as the API, the events and the emails read it: every column of claim_cases (None unless
    given in `values`) and its history `events`. Not an ORM object: nothing of it is tracked, flushed or
    read again (the prepared statements of `write_opening` write it)."""
    return SimpleNamespace(**{**dict.fromkeys(_CASE_COLUMNS), **values, "events": events})


def record_check(writer: SessionWriter, api_key_id: int | None, question: CheckInput) -> tuple[dict, tuple]:
    """The opening's coverage check, decided by the check's own code and recorded in this transaction: the
    contract's answer and the record (coverage.count_recorded once committed)."""
    text, record = coverage.record_in(writer.cursor, writer.dialect, api_key_id, question)
    return json.loads(text), record


def write_opening(writer: SessionWriter, actor: audit.Actor, row: SimpleNamespace, data: Callable[[], dict]) -> None:
    """Write the new case `row` (from `new_case`, its history in `row.events`), its audit entry, the event
    claim_case.opened (`data()`, to the marketplace's endpoints and its insurer's) and the opening emails,
    in the writer's transaction. A case_id already taken raises IntegrityError."""
    case_id = writer.insert(ClaimCase.__table__, dict(
        case_id=row.case_id, request_hash=row.request_hash, seller_id=row.seller_id, kind=row.kind,
        incident_date=row.incident_date, amount_claimed=row.amount_claimed, category=row.category,
        order_id=row.order_id, description=row.description, opened_at=row.opened_at, check_id=row.check_id,
        policy_id=row.policy_id, route=row.route, state=row.state, insurer_id=row.insurer_id,
        respond_by=row.respond_by, stepped_in=row.stepped_in, updated_at=row.updated_at),
        returning=ClaimCase.__table__.c.id)
    row.id = case_id
    for entry in row.events:
        writer.insert(ClaimCaseEvent.__table__, dict(claim_case_id=case_id, at=entry.at, event=entry.event,
                                                     by=entry.by, note=entry.note))
    audit.write(writer, actor, "open", "claim_case", row.case_id, route=row.route, check_id=row.check_id)
    webhooks.write_events(writer, row.insurer_id, "claim_case.opened", data)
    claim_case_mail.write_opened(writer, row)

"""Deciding, recording and answering checks: `run_checks` and the public check functions (one, a batch)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from flask import Flask, current_app
from sqlalchemy.engine import Engine

from accelerator import clock
from accelerator.domain.coverage import decide_coverage
from accelerator.domain.errors import DomainError, RateLimited, ValidationError
from accelerator.extensions import db
from accelerator.observability.records import note_checks
from accelerator.services import rate_limits
from accelerator.services.coverage.answers import answer_text, item_error_text, policy_answer_text
from accelerator.services.coverage.questions import MAX_BATCH, CheckInput, new_check_id, parse_check
from accelerator.services.coverage.statements import (
    LoadedPolicies,
    load_key_and_policies,
    load_policies,
    prepared_statement,
)
from accelerator.services.hotpath import CHUNK, KeyRow, Link, hot_connections, key_statement

_second: tuple[int, datetime, str] = (0, datetime.fromtimestamp(0, UTC), "")


def _checked_at(now_ns: int) -> tuple[datetime, str]:
    """The check's time to the second (as the record keeps it) and its RFC 3339 text (made once a second)."""
    global _second
    seconds = now_ns // 1_000_000_000
    found = _second
    if found[0] != seconds:
        moment = datetime.fromtimestamp(seconds, UTC)
        found = _second = (seconds, moment, moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return found[1], found[2]


def decide(app: Flask, api_key_id: int | None, questions: Sequence[CheckInput],
           loaded: LoadedPolicies) -> tuple[list[str], list[tuple]]:
    """Decide and serialize every question on its seller's loaded policies: the JSON texts and the
    records to write with the prepared "record" INSERT (statements.prepared_statement)."""
    guarantee = app.config["MARKETPLACE_GUARANTEE_LIMIT"]
    now_ns = clock.now_ns()
    now, checked_at = _checked_at(now_ns)
    policies, known, rows = loaded.policies, loaded.known, loaded.rows
    policy_texts: dict[int, str] = {}
    texts, records = [], []
    for question in questions:
        seller = question.seller_id
        found = policies.get(seller)
        decision = decide_coverage(found or (), found is not None or seller in known, question.incident_date,
                                   question.amount, question.category, guarantee)
        chosen = decision.policy
        if chosen is None:
            policy_id, policy_text = None, "null"
        else:
            policy_id = chosen.key
            policy_text = policy_texts.get(policy_id)
            if policy_text is None:
                policy_text = policy_texts[policy_id] = policy_answer_text(app, rows[policy_id], chosen)
        check_id = new_check_id(now_ns)
        text = answer_text(check_id, checked_at, question, decision, policy_text)
        texts.append(text)
        records.append((check_id, now, seller, question.incident_date, question.amount, question.category,
                        decision.status, decision.route, decision.covered_amount, policy_id, api_key_id, text))
    return texts, records


def decide_one(cursor, dialect, api_key_id: int | None, question: CheckInput) -> tuple[str, tuple]:
    """Decide one check on the policies read on `cursor` (a DBAPI cursor whose statements `dialect`
    compiles); its JSON text and the record to write with `write_records` in the caller's write
    transaction (the caller commits, then `count_recorded`). Nothing is written here."""
    loaded = load_policies(dialect, Link.on_cursor(cursor), [question.seller_id])()
    texts, records = decide(current_app._get_current_object(), api_key_id, [question], loaded)
    return texts[0], records[0]


def write_records(cursor, dialect, records: Sequence[tuple]) -> None:
    """Write check records (from `decide`, `decide_one`) on `cursor`, in its open write transaction."""
    prepared_statement(dialect, "record").execute_many(cursor, records)


def count_recorded(records: Sequence[tuple]) -> None:
    """Count committed check records (from `decide`) in the check metrics (with the request records: at
    once, or in the worker's next batch under gunicorn)."""
    note_checks([(record[6], record[7]) for record in records])


def run_checks(api_key_id: int | None, questions: Sequence[CheckInput], app: Flask | None = None,
               engine: Engine | None = None, *, key_prefix: str | None = None,
               accept_key: Callable[[KeyRow | None], int | None] | None = None) -> list[str] | None:
    """Decide, serialize and record every question; the JSON texts, returned once they are committed.

    `app` and `engine` default to the current app's; given both, no app context is needed (the policy
    object is written with the app's config, answers.policy_answer_text). With `key_prefix`,
    the API key with that prefix is read (afresh) in the same read transaction as the policies, and
    `accept_key(row)` gives the key id to record, or None: then nothing more is read or written and
    the answer is None. An accepted key with a rate limit spends a slot of the second first
    (services/rate_limits.py; RateLimited when none is left: nothing is recorded). It uses no
    session: a caller that holds a session transaction ends it first (on SQLite it would hold the
    write lock this needs).
    """
    app = app if app is not None else current_app._get_current_object()
    connections = hot_connections(engine)
    dialect = connections.dialect  # the statements are compiled for the hot path's cursors
    sellers = list(dict.fromkeys([q.seller_id for q in questions]))

    rate_limit: int | None = None
    # One seller's check on PostgreSQL reads its key and policies in one statement (one round trip instead of
    # two or three); SQLite keeps its two reads in one read transaction, where a round trip costs nothing.
    joined_read = key_prefix is not None and len(sellers) == 1 and not connections.sqlite

    def read(link: Link) -> LoadedPolicies | None:
        nonlocal api_key_id, rate_limit
        if key_prefix is None:
            return load_policies(dialect, link, sellers)()
        loaded = None
        if joined_read:
            key_row, loaded = load_key_and_policies(dialect, link, key_prefix, sellers[0])
        else:
            rows = link.rows(key_statement(dialect), [key_prefix])
            key_row = rows[0] if rows else None
        key = KeyRow(key_row) if key_row is not None else None
        api_key_id = accept_key(key)
        if api_key_id is None:
            return None
        rate_limit = key.rate_limit
        return loaded if loaded is not None else load_policies(dialect, link, sellers)()

    def decide_and_record(link: Link, loaded: LoadedPolicies | None) -> list[str] | RateLimited | None:
        if loaded is None:
            return None
        if rate_limit is not None:
            # A slot of this second from the process's block; a new block is a write transaction of its own.
            reserve = rate_limits.hot_reserve(dialect, link.write, link.cursor, api_key_id)
            refusal = rate_limits.spend_slot(key_prefix, rate_limit, reserve)
            if refusal is not None:
                return refusal  # nothing is recorded; returned, not raised, the connection is kept
        texts, records = decide(app, api_key_id, questions, loaded)
        link.insert(prepared_statement(dialect, "record"), records)
        count_recorded(records)
        return texts

    # A batch's INSERTs and commit go in one round trip on PostgreSQL (hotpath.HotConnections.run).
    answer = connections.run(read, decide_and_record, snapshot=True, pipeline=len(questions) > CHUNK)
    if isinstance(answer, RateLimited):
        raise answer
    return answer


def _end_session_transaction() -> None:
    """Commit what the request's session holds: on SQLite its transaction holds the write lock, which
    the record's write on another connection would otherwise wait for (the idempotency record, say)."""
    if db.session().in_transaction():
        db.session.commit()


def check_coverage_text(api_key_id: int | None, seller_id: object, incident_date: object, amount: object,
                        category: object = None) -> str:
    """Decide and record one check; the exact JSON text answered (and stored)."""
    return check_question_text(api_key_id, parse_check(seller_id, incident_date, amount, category))


def check_question_text(api_key_id: int | None, question: CheckInput) -> str:
    """Decide and record one check already read (by the declaration); the exact JSON text answered (and stored)."""
    _end_session_transaction()
    return run_checks(api_key_id, [question])[0]


def check_coverage(api_key_id: int | None, seller_id: object, incident_date: object, amount: object,
                   category: object = None) -> dict:
    """Decide and record one check; the contract's JSON answer as a dict."""
    return json.loads(check_coverage_text(api_key_id, seller_id, incident_date, amount, category))


def check_batch_text(api_key_id: int | None, items: Sequence[CheckInput | DomainError]) -> str:
    """Decide and record 1 to 500 checks; the exact JSON text of `{"results": [...]}`.

    `items` are the parsed questions, with a DomainError in place of each item that was not a valid
    check: it is answered as `{"error": {...}}` in its place, and nothing is recorded for it.
    """
    if not 1 <= len(items) <= MAX_BATCH:
        raise ValidationError(f"Send 1 to {MAX_BATCH} checks.",
                              fields={"checks": f"must hold 1 to {MAX_BATCH} checks"})
    questions = [item for item in items if isinstance(item, CheckInput)]
    _end_session_transaction()
    texts = iter(run_checks(api_key_id, questions) if questions else [])
    parts = [next(texts) if isinstance(item, CheckInput) else item_error_text(item) for item in items]
    return '{"results":[' + ",".join(parts) + "]}"


def check_batch(api_key_id: int | None, items: Sequence[CheckInput | DomainError]) -> dict:
    """Decide and record 1 to 500 checks; `{"results": [...]}` with per-item errors in place."""
    return json.loads(check_batch_text(api_key_id, items))

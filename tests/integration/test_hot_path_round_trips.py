"""PostgreSQL: the coverage hot path's round trips (services/hotpath.py): a checked key's single check is one read
and one write with its commit; a batch's write and commit are one.

Counted on the wire: libpq's own trace of the hot path's real connection records every message the
client sends (F) and receives (B); each turn from sending to receiving is one round trip.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accelerator.extensions import db as _db
from accelerator.models import CoverageCheck
from accelerator.services import coverage, hotpath
from accelerator.services.coverage import CheckInput
from tests import factories


def _pipelined() -> hotpath.HotConnections:
    connections = hotpath.hot_connections(_db.engine)
    if not connections.pipelined:
        pytest.skip("PostgreSQL (psycopg's pipeline mode) only")
    return connections


def _traced(connections: hotpath.HotConnections, work) -> list[str]:
    """The protocol messages of `work()` on the hot path's kept connection, one per line (F or B first): the one
    on top of the stack, which the next request takes (earlier tests may have left more than one kept)."""
    assert connections.free
    _fairy, conn = connections.free[-1]
    from psycopg import pq

    with tempfile.TemporaryFile("w+") as trace:
        conn.pgconn.trace(trace.fileno())
        conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            work()
        finally:
            conn.pgconn.untrace()
        trace.seek(0)
        return [line for line in trace.read().splitlines() if line[:2] in ("F\t", "B\t")]


def _round_trips(messages: list[str]) -> int:
    """How many times the client sent and then waited for the server's answer."""
    return sum(1 for before, after in itertools.pairwise(messages) if before[0] == "F" and after[0] == "B")


def _checks() -> int:
    _db.session.rollback()
    return _db.session.execute(select(func.count()).select_from(CoverageCheck)).scalar_one()


def test_a_single_check_is_a_read_a_statement_and_one_write_with_its_commit(db):
    connections = _pipelined()
    seller = factories.make_seller(seller_id="TRIPS00001").seller_id
    factories.make_policy(seller_id=seller)
    factories.make_policy(seller_id=seller, policy_number="TRIPS-2")
    db.session.commit()
    coverage.check_coverage(None, seller, "2026-06-01", "20.00")  # the connection is made and kept
    # With policies: their read, then the INSERT (its own transaction); without any, "known" between.
    for asked, trips in ((seller, 2), ("NOBODY0001", 3)):
        messages = _traced(connections, lambda s=asked: coverage.check_coverage(None, s, "2026-06-01", "20.00"))
        assert _round_trips(messages) == trips, messages
        # The record is committed (the server idle, outside any transaction) when the answer is made.
        assert messages[-1].startswith("B\t5\tReadyForQuery") and messages[-1].endswith("I")
    assert _checks() == 3


def test_the_key_is_read_on_the_same_connection_before_the_policies(db, app):
    connections = _pipelined()
    raw = factories.make_api_key("marketplace")
    seller = factories.make_seller(seller_id="TRIPS00002").seller_id
    factories.make_policy(seller_id=seller)
    db.session.commit()
    question = CheckInput(seller, date(2026, 6, 1), Decimal("20.00"), None)
    accepted = []

    def check(accept=lambda row: accepted.append(row.role) or row.id):
        return coverage.run_checks(None, [question], app, _db.engine, key_prefix=raw[:12], accept_key=accept)

    # Warm: psycopg prepares a statement on the server at its fifth run (prepare_threshold), which costs
    # one round trip more that once; the other tests' runs on this kept connection must not decide when.
    for _ in range(6):
        check()
    accepted.clear()
    # One read (the key and the seller's policies in one statement), one write with its commit.
    messages = _traced(connections, check)
    assert _round_trips(messages) == 2 and accepted == ["marketplace"]
    assert messages[-1].startswith("B\t5\tReadyForQuery") and messages[-1].endswith("I")
    refused = _traced(connections, lambda: check(accept=lambda row: None))
    # A refused key reads nothing more and writes nothing.
    assert _round_trips(refused) == 1 and "INSERT" not in "".join(refused) and _checks() == 7


def test_with_the_key_a_seller_without_policies_is_still_one_read(db, app):
    """The joined read says on its one row whether a seller without policies is known (no_policy) or not
    (unknown_seller), as the separate "known" read does."""
    connections = _pipelined()
    raw = factories.make_api_key("marketplace")
    known = factories.make_seller_user(seller=factories.make_seller(seller_id="TRIPS00005")).seller_id  # no policy
    db.session.commit()

    def check(seller: str) -> dict:
        question = CheckInput(seller, date(2026, 6, 1), Decimal("20.00"), None)
        texts = coverage.run_checks(None, [question], app, _db.engine, key_prefix=raw[:12], accept_key=lambda r: r.id)
        return json.loads(texts[0])

    for _ in range(6):  # past psycopg's prepare_threshold (see above)
        check(known)
    for seller, code in ((known, "no_policy"), ("NOBODY0002", "unknown_seller")):
        answers: list[dict] = []
        messages = _traced(connections, lambda s=seller, found=answers: found.append(check(s)))
        assert _round_trips(messages) == 2, messages
        assert [reason["code"] for reason in answers[0]["reasons"]] == [code]
    missing = coverage.run_checks(None, [CheckInput(known, date(2026, 6, 1), Decimal("1.00"), None)], app,
                                  _db.engine, key_prefix="acc_nosuchkey", accept_key=lambda r: None if r is None else 0)
    assert missing is None  # no key with that prefix: accept_key is given None


def test_a_batch_writes_every_chunk_in_one_transaction_and_one_round_trip(db):
    connections = _pipelined()
    seller = factories.make_seller(seller_id="TRIPS00003").seller_id
    factories.make_policy(seller_id=seller)
    db.session.commit()
    coverage.check_coverage(None, seller, "2026-06-01", "20.00")
    size = hotpath.CHUNK * 3 + 1
    items = [CheckInput(seller if n % 2 else f"NONE{n:06d}", date(2026, 6, 1), Decimal("1.00"), None)
             for n in range(size)]
    messages = _traced(connections, lambda: coverage.check_batch(None, items))
    # Policies, then "known" for the sellers without any, then the records' INSERT (one, from an array a
    # column: prepared.arrays_insert) with its commit (without the pipeline: BEGIN, INSERT, COMMIT).
    assert _round_trips(messages) == 3, messages
    assert sum(m.startswith("F") and "\tParse\t" in m and "INSERT" in m for m in messages) >= 1
    assert sum("Sync" in m for m in messages if m[0] == "F") == 1
    assert _checks() == size + 1


def test_a_failed_write_in_the_pipeline_commits_none_of_the_batch_and_the_next_check_answers(db, monkeypatch):
    connections = _pipelined()
    seller = factories.make_seller(seller_id="TRIPS00004").seller_id
    factories.make_policy(seller_id=seller)
    db.session.commit()
    items = [CheckInput(seller, date(2026, 6, 1), Decimal("1.00"), None) for _ in range(hotpath.CHUNK + 5)]
    # Two records with one check id: the second chunk's INSERT fails on the unique check id.
    monkeypatch.setattr("accelerator.services.coverage.checks.new_check_id", lambda now_ns: "chk_same")
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        coverage.check_batch(None, items)
    monkeypatch.undo()
    assert _checks() == 0  # the first chunk, sent in the same implicit transaction, was rolled back
    assert coverage.check_coverage(None, seller, "2026-06-01", "20.00")["status"]
    assert _checks() == 1 and connections.free


def test_a_key_lookup_alone_is_one_round_trip(db):
    """The API's key auth (hotpath.read_api_key): one statement, one round trip."""
    connections = _pipelined()
    raw = factories.make_api_key("marketplace")
    db.session.commit()
    assert hotpath.read_api_key(raw[:12]).role == "marketplace"
    messages = _traced(connections, lambda: hotpath.read_api_key(raw[:12]))
    assert _round_trips(messages) == 1, messages

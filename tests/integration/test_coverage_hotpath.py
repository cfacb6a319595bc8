"""The coverage hot path's machinery (services/hotpath.py, services/coverage/): exact text, keys, batches."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from accelerator import clock
from accelerator.models import ApiKey, CoverageCheck
from accelerator.services import coverage, hotpath
from accelerator.services.coverage import CheckInput
from accelerator.services.coverage.answers import ENCODER
from tests import factories


def _count_checks() -> int:
    from accelerator.extensions import db

    db.session.rollback()
    return db.session.execute(select(func.count()).select_from(CoverageCheck)).scalar_one()


def test_the_answer_text_is_what_the_json_module_gives(db):
    """The answer joined from pre-encoded pieces equals json's own encoding of it, for every kind of answer."""
    seller = factories.make_seller(seller_id="TEXT000001").seller_id
    factories.make_policy(seller_id=seller, policy_number="T-1", excluded_categories=["toys", "baby"],
                          per_occurrence_limit=Decimal("1000.00"), aggregate_limit=Decimal("5000.00"),
                          deductible=Decimal("0.00"))
    factories.make_policy(seller_id=seller, policy_number="T-2", cancellation_date=date(2026, 3, 1),
                          claims_paid=Decimal("12.34"))
    factories.make_policy(seller_id=seller, policy_number="T-3", source="seller_upload", verification="pending",
                          insurer_id=None, insurer_name="Outside Mutual – Süd", insurer_rating=None)
    outside = factories.make_seller(seller_id="TEXT000002").seller_id
    factories.make_policy(seller_id=outside, policy_number="U-1", source="seller_upload", verification="verified",
                          insurer_id=None, insurer_name="Süd Versicherung – Zürich", insurer_rating="A")
    cases = [(seller, "2026-06-01", "999.99", None), (seller, "2026-06-01", "2500.00", "toys"),
             (seller, "2026-06-01", "2500.00", None), (outside, "2026-06-01", "75000.00", "baby"),
             (seller, "2026-02-01", "50.00", "home"), (seller, "2025-01-01", "1.00", None),
             ("NOBODY0001", "2026-06-01", "10.00", "electronics")]
    for args in cases:
        text = coverage.check_coverage_text(None, *args)
        assert ENCODER.encode(json.loads(text)) == text
        assert coverage.get_check_text(json.loads(text)["check_id"]) == text


def test_a_batch_larger_than_one_statement_is_recorded_whole(db):
    seller = factories.make_seller(seller_id="CHUNK00001").seller_id
    factories.make_policy(seller_id=seller)
    size = hotpath.CHUNK * 2 + 7
    items = [CheckInput(seller, date(2026, 6, 1), Decimal(f"{n + 1}.00"), None) for n in range(size)]
    results = coverage.check_batch(None, items)["results"]
    assert [r["amount"] for r in results] == [f"{n + 1}.00" for n in range(size)]
    assert len({r["check_id"] for r in results}) == size and _count_checks() == size
    assert coverage.get_check(results[-1]["check_id"]) == results[-1]


def test_the_key_lookup_reads_what_the_orm_reads(db):
    raw = factories.make_api_key("insurer")
    used = clock.now() - timedelta(minutes=5)
    db.session.execute(update(ApiKey).where(ApiKey.prefix == raw[:12]).values(last_used_at=used))
    db.session.commit()
    key = db.session.execute(select(ApiKey).where(ApiKey.prefix == raw[:12])).scalar_one()
    row = hotpath.read_api_key(raw[:12])
    assert (row.id, row.key_hash, row.role, row.insurer_id, row.prefix, row.revoked_at, row.last_used_at) == (
        key.id, key.key_hash, key.role, key.insurer_id, key.prefix, key.revoked_at, key.last_used_at)
    assert row.last_used_at.tzinfo is not None and row.status == "approved"
    assert hotpath.read_api_key("acc_nosuchke") is None


def test_a_broken_kept_connection_is_replaced_and_the_check_still_answers(db):
    seller = factories.make_seller(seller_id="RETRY00001").seller_id
    factories.make_policy(seller_id=seller)
    connections = hotpath.hot_connections()
    # A check while another run holds a connection: two are kept afterwards (a busy worker keeps several).
    connections.run(lambda _link: coverage.check_coverage(None, seller, "2026-06-01", "5.00"))
    assert len(connections.free) >= 2
    for _fairy, conn in connections.free:
        conn.close()  # as a server restart would leave them
    answer = coverage.check_coverage(None, seller, "2026-06-01", "5.00")
    assert answer["status"] == "covered" and _count_checks() == 2
    assert len(connections.free) == 1  # the broken ones thrown away, the new one kept


def test_the_kept_connections_are_closed_with_the_engine(db):
    connections = hotpath.hot_connections()
    connections.run(lambda link: link.cursor.execute("SELECT 1"))
    kept = [conn for _fairy, conn in connections.free]
    assert kept
    db.engine.dispose()  # as the app's shutdown or a test's teardown does
    assert connections.free == []
    for conn in kept:  # closed, not left for the garbage collector (psycopg warns of one deleted while open)
        closed = getattr(conn, "closed", None)
        if closed is None:  # sqlite3: a closed connection refuses a cursor
            with pytest.raises(Exception, match="closed"):
                conn.cursor()
        else:
            assert closed
    assert coverage.check_coverage(None, "NOSELLER01", "2026-06-01", "5.00")["status"] == "not_covered"

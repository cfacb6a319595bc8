"""The coverage-check use case on a real database: the answer, the record, the replay, batches."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from accelerator.domain.errors import NotFound, ValidationError
from accelerator.models import CoverageCheck, MonthlySales
from accelerator.services import coverage
from accelerator.services.coverage import CheckInput
from accelerator.services.coverage.statements import POLICY_COLUMNS, prepared_statement
from accelerator.services.prepared import Prepared
from tests import factories


def _count_checks() -> int:
    from accelerator.extensions import db

    return db.session.execute(select(func.count()).select_from(CoverageCheck)).scalar_one()


def _record(check_id: str) -> CoverageCheck:
    from accelerator.extensions import db

    return db.session.execute(select(CoverageCheck).where(CoverageCheck.check_id == check_id)).scalar_one()


def test_a_covered_check_answers_the_contract_and_is_recorded_before_it_returns(db):
    insurer = factories.make_insurer(name="Harbor Mutual", naic_code="12345", am_best_rating="A")
    seller = factories.make_seller(seller_id="A1B2C3D4E5").seller_id
    policy = factories.make_policy(insurer=insurer, policy_number="HX-2026-000123", seller_id=seller,
                                   claims_paid=Decimal("5000.00"), excluded_categories=["baby"])
    answer = coverage.check_coverage(None, "a1b2c3d4e5", date(2026, 6, 1), Decimal("2500.00"), "toys")
    assert re.fullmatch(r"chk_[0-9a-f]{28}", answer["check_id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", answer["checked_at"])
    assert {k: answer[k] for k in ("seller_id", "incident_date", "amount", "category", "status",
                                   "covered_amount", "route", "reasons")} == {
        "seller_id": "A1B2C3D4E5", "incident_date": "2026-06-01", "amount": "2500.00", "category": "toys",
        "status": "covered", "covered_amount": "2500.00", "route": "insurer", "reasons": []}
    assert answer["policy"] == {
        "policy_number": "HX-2026-000123",
        "insurer": {"id": str(insurer.id), "name": "Harbor Mutual", "naic_code": "12345", "am_best_rating": "A"},
        "seller_id": "A1B2C3D4E5", "source": "insurer", "verification": "verified",
        "effective_date": "2026-01-01", "expiration_date": "2027-01-01", "cancellation_date": None,
        "per_occurrence_limit": "1000000.00", "aggregate_limit": "2000000.00", "aggregate_remaining": "1995000.00",
        "deductible": "2500.00", "occurrence_based": True, "additional_insured": True,
        "excluded_categories": ["baby"], "meets_requirement": True, "pending_cancellation": None, "renewal": None,
    }
    record = _record(answer["check_id"])
    assert json.loads(record.response) == answer
    assert (record.status, record.route, record.covered_amount, record.policy_id) == (
        "covered", "insurer", Decimal("2500.00"), policy.id)
    assert coverage.get_check(answer["check_id"]) == answer


def test_the_replay_is_the_same_text_byte_for_byte(db):
    factories.make_policy(seller_id=factories.make_seller(seller_id="REPLAY01").seller_id)
    text = coverage.check_coverage_text(7, "REPLAY01", "2026-03-01", "10.00")
    answer = json.loads(text)
    assert answer["category"] is None
    assert coverage.get_check_text(answer["check_id"]) == text
    assert _record(answer["check_id"]).api_key_id == 7


@pytest.mark.parametrize(("amount", "route"), [("1000.00", "marketplace"), ("1000.01", "insurer")])
def test_the_guarantee_limit_decides_the_route(db, amount, route):
    factories.make_policy(seller_id=factories.make_seller(seller_id="ROUTE0001").seller_id)
    assert coverage.check_coverage(None, "ROUTE0001", "2026-06-01", amount)["route"] == route


def test_a_seller_row_alone_is_unknown_but_an_account_a_request_or_sales_make_it_known(db):
    factories.make_seller(seller_id="ROWONLY01")
    assert coverage.check_coverage(None, "ROWONLY01", "2026-06-01", "5.00")["reasons"][0]["code"] == "unknown_seller"
    assert coverage.check_coverage(None, "NEVERSEEN1", "2026-06-01", "5.00")["reasons"] == [{
        "code": "unknown_seller", "policy_number": None,
        "message": "The seller is not known to the Accelerator and has no policy on record."}]
    factories.make_seller_user(seller=factories.make_seller(seller_id="ACCOUNT01"))
    factories.make_quote_request(seller_id=factories.make_seller(seller_id="REQUEST01").seller_id)
    factories.make_seller(seller_id="SALES0001")
    from accelerator.extensions import db as _db

    _db.session.add(MonthlySales(seller_id="SALES0001", month=date(2026, 1, 1), gross_proceeds=Decimal("1.00")))
    _db.session.commit()
    for seller in ("ACCOUNT01", "REQUEST01", "SALES0001"):
        answer = coverage.check_coverage(None, seller, "2026-06-01", "5.00")
        assert (answer["status"], answer["route"], answer["policy"]) == ("not_covered", "seller", None)
        assert [r["code"] for r in answer["reasons"]] == ["no_policy"], seller


def test_not_covered_lists_one_reason_per_policy_in_policy_number_order(db):
    seller = factories.make_seller(seller_id="MANYPOL01").seller_id
    factories.make_policy(seller_id=seller, policy_number="C-3", cancellation_date=date(2026, 3, 1))
    factories.make_policy(seller_id=seller, policy_number="A-1", effective_date=date(2026, 7, 1),
                          expiration_date=date(2027, 7, 1))
    factories.make_policy(seller_id=seller, policy_number="B-2", excluded_categories=["toys"])
    answer = coverage.check_coverage(None, seller, "2026-06-01", "50.00", "toys")
    assert (answer["status"], answer["covered_amount"], answer["route"]) == ("not_covered", "0.00", "seller")
    assert [(r["code"], r["policy_number"]) for r in answer["reasons"]] == [
        ("not_yet_effective", "A-1"), ("category_excluded", "B-2"), ("cancelled", "C-3")]


def test_a_pending_upload_is_undetermined_and_goes_to_review(db):
    seller = factories.make_seller(seller_id="PENDING01").seller_id
    factories.make_policy(seller_id=seller, source="seller_upload", verification="pending", insurer_id=None)
    answer = coverage.check_coverage(None, seller, "2026-06-01", "50.00")
    assert (answer["status"], answer["route"]) == ("undetermined", "review")
    assert answer["reasons"][0]["code"] == "pending_verification"


def test_the_covered_amount_is_capped_by_what_is_left_of_the_aggregate(db):
    seller = factories.make_seller(seller_id="CAPPED001").seller_id
    factories.make_policy(seller_id=seller, policy_number="CAP-1", per_occurrence_limit=Decimal("5000.00"),
                          aggregate_limit=Decimal("5000.00"), deductible=Decimal("0.00"),
                          claims_paid=Decimal("4000.00"))
    answer = coverage.check_coverage(None, seller, "2026-06-01", "2500.00")
    assert (answer["status"], answer["covered_amount"]) == ("covered", "1000.00")
    assert [(r["code"], r["policy_number"]) for r in answer["reasons"]] == [("limit_below_amount", "CAP-1")]
    assert answer["policy"]["aggregate_remaining"] == "1000.00"


def test_bad_input_is_refused_and_nothing_is_recorded(db):
    cases = [
        ("x" * 100, "2026-06-01", "5.00", None, "seller_id"),
        ("A1'; DROP TABLE policies;--", "2026-06-01", "5.00", None, "seller_id"),
        ("SÉLLER0001", "2026-06-01", "5.00", None, "seller_id"),
        ("SELLER0001", "1899-12-31", "5.00", None, "incident_date"),
        ("SELLER0001", "3000-01-01", "5.00", None, "incident_date"),
        ("SELLER0001", "2026-02-30", "5.00", None, "incident_date"),
        ("SELLER0001", "2026-06-01", "0", None, "amount"),
        ("SELLER0001", "2026-06-01", "1e3", None, "amount"),
        ("SELLER0001", "2026-06-01", "1000.005", None, "amount"),
        ("SELLER0001", "2026-06-01", "5.00", "fireworks", "category"),
        (None, "2026-06-01", "5.00", None, "seller_id"),
    ]
    for seller, day, amount, category, field in cases:
        with pytest.raises(ValidationError) as caught:
            coverage.check_coverage(None, seller, day, amount, category)
        assert field in caught.value.fields, (seller, day, amount, category)
    assert _count_checks() == 0


def test_a_batch_answers_in_order_with_errors_in_place_and_records_only_the_valid_items(db):
    seller = factories.make_seller(seller_id="BATCH0001").seller_id
    factories.make_policy(seller_id=seller, policy_number="BT-1")
    items = [
        CheckInput("BATCH0001", date(2026, 6, 1), Decimal("20.00"), None),
        ValidationError("Each check must be a JSON object."),
        CheckInput("NOBODY0001", date(2026, 6, 1), Decimal("20.00"), "toys"),
        ValidationError("Check this check's fields.", fields={"amount": "Must be greater than 0."}),
        CheckInput("BATCH0001", date(2025, 6, 1), Decimal("20.00"), None),
    ]
    results = coverage.check_batch(None, items)["results"]
    assert [r.get("status") for r in results] == ["covered", None, "not_covered", None, "not_covered"]
    assert results[1] == {"error": {"code": "invalid_request", "message": "Each check must be a JSON object."}}
    assert results[3]["error"]["fields"] == {"amount": "Must be greater than 0."}
    ids = [r["check_id"] for r in results if "check_id" in r]
    assert len(set(ids)) == 3 and _count_checks() == 3
    for result in results:
        if "check_id" in result:
            assert coverage.get_check(result["check_id"]) == result


@pytest.mark.parametrize("size", [0, 501])
def test_a_batch_of_0_or_501_checks_is_refused_whole(db, size):
    item = CheckInput("BATCH0001", date(2026, 6, 1), Decimal("20.00"), None)
    with pytest.raises(ValidationError):
        coverage.check_batch(None, [item] * size)
    assert _count_checks() == 0


def test_a_batch_of_only_invalid_items_records_nothing(db):
    results = coverage.check_batch(None, [ValidationError("Each check must be a JSON object.")] * 3)["results"]
    assert all("error" in r for r in results) and _count_checks() == 0


def test_an_unknown_check_id_is_not_found(db):
    for check_id in ("chk_0000", "nope", "chk_" + "f" * 100):
        with pytest.raises(NotFound):
            coverage.get_check(check_id)


def test_the_hot_path_runs_one_select_and_one_insert(db, monkeypatch):
    """One select of the seller's policies (plus seller-known only without any), one insert; no ORM."""
    from accelerator.extensions import db as _db

    seller = factories.make_seller(seller_id="FASTPATH1").seller_id
    factories.make_policy(seller_id=seller)
    factories.make_policy(seller_id=seller)
    ran: list[str] = []
    send, execute_many = Prepared.send, Prepared.execute_many

    def counting_send(self, cursor, values):
        ran.append(self.sql.split()[0].upper())
        return send(self, cursor, values)

    def counting_many(self, cursor, values):
        ran.append(self.sql.split()[0].upper())
        return execute_many(self, cursor, values)

    monkeypatch.setattr(Prepared, "send", counting_send)
    monkeypatch.setattr(Prepared, "execute_many", counting_many)
    through_sqlalchemy: list[str] = []
    listener = lambda conn, cursor, statement, *args: through_sqlalchemy.append(statement)  # noqa: E731
    event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        coverage.check_coverage(None, seller, "2026-06-01", "20.00")
        assert ran == ["SELECT", "INSERT"]
        ran.clear()
        coverage.check_coverage(None, "NOPOLICY01", "2026-06-01", "20.00")
        assert ran == ["SELECT", "SELECT", "INSERT"]
        ran.clear()
        items = [CheckInput(f"SELLER{n:06d}", date(2026, 6, 1), Decimal("1.00"), None) for n in range(200)]
        coverage.check_batch(None, [*items, CheckInput(seller, date(2026, 6, 1), Decimal("1.00"), None)])
        assert ran == ["SELECT", "SELECT", "INSERT"]
    finally:
        event.remove(_db.engine, "before_cursor_execute", listener)
    assert [s for s in through_sqlalchemy if "coverage_checks" in s or "policies" in s] == []
    assert _count_checks() == 203


def test_the_prepared_select_gives_the_rows_a_core_select_gives(db):
    """The compiled-once statement and the columns' processors agree with SQLAlchemy's own execution."""
    from accelerator.extensions import db as _db

    seller = factories.make_seller(seller_id="SAMEROWS1").seller_id
    factories.make_policy(seller_id=seller, cancellation_date=date(2026, 5, 1), claims_paid=Decimal("12.34"),
                          excluded_categories=["toys", "baby"], occurrence_based=False)
    factories.make_policy(seller_id=seller, source="seller_upload", verification="pending", insurer_id=None,
                          insurer_rating=None, insurer_naic_code=None)
    expected = sorted(tuple(row) for row in _db.session.execute(
        select(*POLICY_COLUMNS).where(POLICY_COLUMNS[1] == seller)))
    raw = _db.engine.raw_connection()
    try:
        prepared = prepared_statement(_db.engine.dialect, "policies", 8)
        got = sorted(tuple(row) for row in prepared.rows(raw.driver_connection.cursor(), [seller] * 8))
    finally:
        raw.close()
    assert got == expected and len(got) == 2
    assert {type(v) for row in got for v in row[12:16]} == {Decimal}
    assert [str(v) for row in got for v in row[12:16]] == [str(v) for row in expected for v in row[12:16]]


def test_the_written_policy_object_is_the_one_its_declaration_validates_and_dumps(db):
    """The hot path writes each chosen policy with the declaration's writer (no validation): pydantic's own
    validate-and-dump of the same row gives the same object, for every kind of row."""
    from flask import current_app

    from accelerator.shapes.policies import policy_json, policy_json_written

    seller = factories.make_seller(seller_id="WRITTEN01").seller_id
    rows = [
        factories.make_policy(seller_id=seller, cancellation_date=date(2026, 5, 1), claims_paid=Decimal("12.34"),
                              excluded_categories=["toys", "baby"], occurrence_based=False),
        factories.make_policy(seller_id=seller, source="seller_upload", verification="pending", insurer_id=None,
                              insurer_rating=None, insurer_naic_code=None),
        factories.make_policy(seller_id=seller, claims_paid=Decimal("2000000.00")),
    ]
    for row in rows:
        assert policy_json_written(row, current_app.config["REQUIREMENT"]) == policy_json(row)
    answer = coverage.check_coverage(None, seller, date(2026, 3, 1), Decimal("100.00"))
    assert answer["policy"] in [policy_json(row) for row in rows]

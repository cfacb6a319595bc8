"""CSV exports on a real database: the bordereau, the compliance list and the coverage-check log."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from accelerator.domain.errors import NotFound, ValidationError
from accelerator.services import exports, metrics
from tests import factories

D = Decimal


def parse(lines) -> list[list[str]]:
    """Join the streamed lines and read them back as CSV records."""
    text = "".join(lines)
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1 555", "'+1 555"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Acme = good", "Acme = good"), ("", ""), (None, ""), (D("1850"), "1850.00"), (7, "7"), (True, "true"),
    (date(2026, 3, 1), "2026-03-01"), (datetime(2026, 3, 1, 18, 0, 5, 999, tzinfo=UTC), "2026-03-01T18:00:05Z"),
])
def test_cells_are_formatted_and_formulas_neutralised(value, expected):
    assert exports.safe_cell(value) == expected


def test_a_record_with_commas_quotes_and_newlines_round_trips():
    line = exports.csv_line(["a,b", 'say "hi"', "two\nlines", "=1+1"])
    assert line.endswith("\r\n")
    assert parse([line]) == [["a,b", 'say "hi"', "two\nlines", "'=1+1"]]


# --- Bordereau ------------------------------------------------------------------------------------------

def test_bordereau_lists_only_the_insurers_policies_with_every_column(db):
    insurer, other = factories.make_insurer(), factories.make_insurer()
    seller = factories.make_seller(seller_id="SHOP000001", legal_name="=cmd|' /C calc'!A0")
    policy = factories.make_policy(
        insurer=insurer, seller_id=seller.seller_id, policy_number="HX-2026-0001", premium=D("1850.00"),
        claims_paid=D("2500.00"), cancellation_date=date(2026, 6, 1), source="marketplace")
    factories.make_policy(insurer=insurer, seller_id=seller.seller_id, policy_number="HX-2026-0000",
                          premium=None, aggregate_limit=D("1000000.00"), claims_paid=D("1000000.00"))
    factories.make_policy(insurer=other, seller_id=seller.seller_id, policy_number="ZZ-1")
    lines = exports.insurer_bordereau(insurer.id)
    assert iter(lines) is lines  # streamed, not a list
    rows = parse(lines)
    assert rows[0] == list(exports.BORDEREAU_HEADER)
    assert rows[1:] == [
        ["HX-2026-0000", "SHOP000001", "'=cmd|' /C calc'!A0", "2026-01-01", "2027-01-01", "", "1000000.00",
         "1000000.00", "2500.00", "", "1000000.00", "0.00", "verified", "insurer"],
        ["HX-2026-0001", "SHOP000001", "'=cmd|' /C calc'!A0", "2026-01-01", "2027-01-01", "2026-06-01",
         "1000000.00", "2000000.00", "2500.00", "1850.00", "2500.00", "1997500.00", "verified", "marketplace"],
    ]
    assert policy.aggregate_remaining == D("1997500.00")


def test_bordereau_of_an_insurer_without_policies_is_the_header(db):
    insurer = factories.make_insurer()
    assert parse(exports.insurer_bordereau(insurer.id)) == [list(exports.BORDEREAU_HEADER)]


def test_bordereau_for_a_range_keeps_the_policies_in_force_in_it(db):
    insurer = factories.make_insurer()
    for number, start, end, cancelled in (
        ("A-ENDS-ON-START", date(2025, 3, 1), date(2026, 3, 1), None),   # cover stops as the range starts
        ("B-LAST-DAY", date(2025, 3, 2), date(2026, 3, 2), None),         # in force on 2026-03-01 only
        ("C-STARTS-ON-END", date(2026, 3, 31), date(2027, 3, 31), None),
        ("D-AFTER", date(2026, 4, 1), date(2027, 4, 1), None),
        ("E-CANCELLED-BEFORE", date(2026, 1, 1), date(2027, 1, 1), date(2026, 3, 1)),
    ):
        factories.make_policy(insurer=insurer, policy_number=number, effective_date=start, expiration_date=end,
                              cancellation_date=cancelled)
    rows = parse(exports.insurer_bordereau(insurer.id, "2026-03-01", "2026-03-31"))
    assert [r[0] for r in rows[1:]] == ["B-LAST-DAY", "C-STARTS-ON-END"]
    rows = parse(exports.insurer_bordereau(insurer.id, date(2026, 3, 1), date(2026, 3, 1)))
    assert [r[0] for r in rows[1:]] == ["B-LAST-DAY"]


def test_bordereau_reads_in_chunks_without_losing_or_repeating_a_policy(db, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 2)
    insurer = factories.make_insurer()
    numbers = [f"N-{i:03d}" for i in (5, 1, 4, 2, 3)]
    for number in numbers:
        factories.make_policy(insurer=insurer, policy_number=number)
    assert [r[0] for r in parse(exports.insurer_bordereau(insurer.id))[1:]] == sorted(numbers)


def test_bordereau_refuses_bad_arguments_before_streaming(db):
    insurer = factories.make_insurer()
    with pytest.raises(NotFound):
        exports.insurer_bordereau(123456)
    with pytest.raises(ValidationError) as caught:
        exports.insurer_bordereau("x")
    assert "insurer_id" in caught.value.fields
    with pytest.raises(ValidationError) as caught:
        exports.insurer_bordereau(insurer.id, "2026-03-31", "2026-03-01")
    assert "end" in caught.value.fields
    with pytest.raises(ValidationError) as caught:
        exports.insurer_bordereau(insurer.id, "2026-03-01", None)
    assert caught.value.fields == {"end": "is required"}


# --- Compliance list ------------------------------------------------------------------------------------

def test_compliance_list_has_every_seller_and_filters_by_status(db, monkeypatch):
    monkeypatch.setattr(metrics.compliance, "CHUNK", 1)
    ok = factories.make_seller(seller_id="AAAA000001", legal_name="@Alpha, Inc.")
    factories.make_monthly_sales(ok.seller_id, date(2026, 1, 1), "50000.00")
    policy = factories.make_policy(seller_id=ok.seller_id)
    factories.make_seller(seller_id="BBBB000002", legal_name="Bravo LLC")
    due = factories.make_seller(seller_id="CCCC000003", legal_name="Charlie LLC")
    factories.make_monthly_sales(due.seller_id, date(2026, 2, 1), "10000.01")
    rows = parse(exports.compliance_list("2026-03-10"))
    assert rows == [
        list(exports.COMPLIANCE_HEADER),
        ["AAAA000001", "'@Alpha, Inc.", "compliant", "2026-01-01", "2026-03-02", policy.policy_number],
        ["BBBB000002", "Bravo LLC", "not_required", "", "", ""],
        ["CCCC000003", "Charlie LLC", "due", "2026-02-01", "2026-03-30", ""],
    ]
    assert [r[0] for r in parse(exports.compliance_list(date(2026, 3, 10), ["due", "compliant"]))[1:]] == [
        "AAAA000001", "CCCC000003"]
    assert parse(exports.compliance_list("2026-03-10", ["overdue"])) == [list(exports.COMPLIANCE_HEADER)]


def test_compliance_list_of_no_sellers_is_the_header_and_bad_input_is_refused(db):
    assert parse(exports.compliance_list("2026-03-10")) == [list(exports.COMPLIANCE_HEADER)]
    with pytest.raises(ValidationError) as caught:
        exports.compliance_list("10/03/2026")
    assert "on" in caught.value.fields
    with pytest.raises(ValidationError):
        exports.compliance_list("2026-03-10", ["compliant", "fine"])


# --- Coverage-check log ---------------------------------------------------------------------------------

def test_coverage_check_log_for_a_range_oldest_first(db):
    first = datetime(2026, 3, 1, 0, 0, 0, tzinfo=UTC)
    late = factories.make_coverage_check(checked_at=first + timedelta(days=1, hours=23, minutes=59, seconds=59),
                                         seller_id="SHOP000001", amount=D("2500.00"), category=None,
                                         status="not_covered", covered_amount=D("0.00"), route="seller")
    early = factories.make_coverage_check(checked_at=first, seller_id="SHOP000002", category="toys")
    factories.make_coverage_check(checked_at=first - timedelta(microseconds=1))  # the day before
    factories.make_coverage_check(checked_at=first + timedelta(days=2))  # the day after
    rows = parse(exports.coverage_check_log("2026-03-01", "2026-03-02"))
    assert rows == [
        list(exports.CHECK_LOG_HEADER),
        [early.check_id, "2026-03-01T00:00:00Z", "SHOP000002", "2026-03-01", "250.00", "toys", "covered", "250.00",
         "marketplace"],
        [late.check_id, "2026-03-02T23:59:59Z", "SHOP000001", "2026-03-01", "2500.00", "", "not_covered", "0.00",
         "seller"],
    ]
    assert [r[0] for r in parse(exports.coverage_check_log("2026-03-02", "2026-03-02"))[1:]] == [late.check_id]


def test_coverage_check_log_chunks_keep_checks_sharing_a_timestamp(db, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 2)
    moment = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    ids = [factories.make_coverage_check(checked_at=moment + timedelta(seconds=i // 3)).check_id for i in range(7)]
    rows = parse(exports.coverage_check_log("2026-03-05", "2026-03-05"))
    assert [r[0] for r in rows[1:]] == ids


def test_coverage_check_log_empty_and_bad_ranges(db):
    assert parse(exports.coverage_check_log("2026-03-01", "2026-03-01")) == [list(exports.CHECK_LOG_HEADER)]
    for start, end, field in (("2026-03-02", "2026-03-01", "end"), ("2020-01-01", "2026-01-01", "end"),
                              ("0999-01-01", "2026-01-01", "start"), ("2026-03-01", "2026-3-2", "end")):
        with pytest.raises(ValidationError) as caught:
            exports.coverage_check_log(start, end)
        assert field in caught.value.fields


# --- Streaming ------------------------------------------------------------------------------------------

def test_an_export_streams_through_a_flask_response_after_the_view_returns(app, db):
    from flask import Response, stream_with_context

    factories.make_coverage_check(checked_at=datetime(2026, 3, 1, 9, tzinfo=UTC))
    with app.test_request_context("/admin/exports/coverage-checks.csv"):
        response = Response(stream_with_context(exports.coverage_check_log("2026-03-01", "2026-03-01")),
                            mimetype="text/csv")
    assert response.is_streamed
    rows = parse([response.get_data(as_text=True)])
    assert len(rows) == 2 and rows[1][8] == "marketplace"


def test_a_paused_download_does_not_hold_the_sqlite_write_lock(live_app, database_url, db, monkeypatch):
    """Served apps begin SQLite transactions IMMEDIATE; between chunks the export must let writers in."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL readers never block writers")
    import sqlite3

    monkeypatch.setattr(exports, "CHUNK", 1)
    for second in range(3):
        factories.make_coverage_check(checked_at=datetime(2026, 3, 1, 9, 0, second, tzinfo=UTC))
    with live_app.app_context():
        lines = exports.coverage_check_log("2026-03-01", "2026-03-01")
        next(lines), next(lines)  # the header and the first check: one chunk read
        other = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # raises "database is locked" if the export still held it
            other.execute("ROLLBACK")
        finally:
            other.close()
        assert len(list(lines)) == 2

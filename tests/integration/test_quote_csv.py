"""services.quote_csv on a real database: reading and checking rows, the template, and all-or-nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accelerator.domain.errors import ValidationError
from accelerator.models import AuditEntry, Quote, QuoteRouting
from accelerator.services import quote_csv
from accelerator.services.audit import Actor
from tests import factories

TODAY = date(2026, 6, 1)
ACTOR = Actor("underwriter@harbor.example")
HEADER = ",".join(quote_csv.COLUMNS)


def _line(*cells) -> str:
    """One CSV line of these cells."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def _row(request_id, **cells) -> str:
    """One CSV line: a valid quote of the request, with `cells` changed."""
    values = {"quote_request_id": str(request_id), "annual_premium": "1850.00", "per_occurrence_limit": "1000000.00",
              "aggregate_limit": "2000000.00", "deductible": "1000.00", "valid_until": "2026-07-01",
              "occurrence_based": "", "additional_insured": "", "excluded_categories": "", "notes": ""}
    values.update(cells)
    return _line(*(values[c] for c in quote_csv.COLUMNS))


def _count(db, model) -> int:
    """How many rows the model's table holds."""
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _errors(raw: str | bytes, insurer_id: int) -> list[tuple[int, str, str]]:
    """The (row, column, message) of a refused upload."""
    with pytest.raises(quote_csv.QuoteCsvRejected) as exc:
        quote_csv.upload_quotes(ACTOR, insurer_id, raw.encode() if isinstance(raw, str) else raw, TODAY)
    return [(e.row, e.column, e.message) for e in exc.value.row_errors]


@pytest.fixture()
def harbor(db):
    """An approved insurer."""
    return factories.make_insurer()


# --- the template and formula-safe cells ---------------------------------------------------------------


@pytest.mark.parametrize("value, safe", [
    ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
    ("+1+2", "'+1+2"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"), ("\r=1", "'\r=1"),
    ("1850.00", "1850.00"), ("Acme LLC", "Acme LLC"), ("", ""), (None, ""),
])
def test_cells_that_could_start_a_formula_are_made_text(value, safe):
    assert quote_csv.safe_cell(value) == safe


def test_the_template_reads_back_as_a_header_and_one_valid_example_row():
    text = quote_csv.template_csv(TODAY)
    rows, errors = quote_csv.read_rows(text)
    assert errors == [] and len(rows) == 1
    number, cells = rows[0]
    assert number == 2 and cells["quote_request_id"] == "1234"
    row, row_errors = quote_csv.check_row(number, cells, TODAY)
    assert row_errors == [] and row.offer.valid_until == TODAY + timedelta(days=30)
    assert row.offer.excluded_categories == ("baby", "health")


# --- reading rows ------------------------------------------------------------------------------------


def test_rows_are_numbered_as_a_spreadsheet_shows_them():
    text = (HEADER + "\n\n" + _row(1) + _row(2, notes="two\nlines") + "\n" + _row(3))
    rows, _ = quote_csv.read_rows(text)
    # header row 1, blank row 2, rows 3 and 4 (a quoted cell may hold a line break), blank 5, row 6
    assert [n for n, _ in rows] == [3, 4, 6]


def test_columns_may_come_in_any_order_with_any_case_and_optional_ones_left_out():
    text = "Valid Until,Deductible,AGGREGATE_LIMIT,per_occurrence_limit,annual_premium,quote_request_id\n" \
           "2026-07-01,0,2000000,1000000,950,7\n"
    rows, errors = quote_csv.read_rows(text)
    row, row_errors = quote_csv.check_row(*rows[0], TODAY)
    assert errors == [] and row_errors == []
    assert row.request_id == 7 and row.offer.deductible == Decimal("0.00")
    assert row.offer.occurrence_based is True and row.offer.additional_insured is True
    assert row.offer.excluded_categories == () and row.offer.notes == ""


@pytest.mark.parametrize("header, message", [
    ("quote_request_id,annual_premium",
     "missing columns per_occurrence_limit, aggregate_limit, deductible, valid_until"),
    (HEADER + ",colour", "unknown column colour"),
    (HEADER + ",notes", "repeated column notes"),
])
def test_a_wrong_header_is_a_file_error(header, message):
    with pytest.raises(ValidationError) as exc:
        quote_csv.read_rows(header + "\n" + "1\n")
    assert message in exc.value.fields["file"]


def test_cells_beyond_the_header_are_a_row_error_but_empty_trailing_cells_are_not():
    rows, errors = quote_csv.read_rows(HEADER + "\n" + _row(1).rstrip("\n") + ",,\n" + _row(2).rstrip("\n") + ",x\n")
    assert len(rows) == 2
    assert [(e.row, e.column) for e in errors] == [(3, "")]


def test_a_broken_quote_character_is_a_file_error_naming_the_row():
    with pytest.raises(ValidationError) as exc:
        quote_csv.read_rows(HEADER + "\n" + '1,"18"50,1,1,1,2026-07-01\n')
    assert "not valid CSV near row 2" in exc.value.message


# --- checking a row ----------------------------------------------------------------------------------


@pytest.mark.parametrize("cells, column, message", [
    ({"quote_request_id": ""}, "quote_request_id", "Fill in this cell."),
    ({"quote_request_id": "abc"}, "quote_request_id", "Must be the quote request's number"),
    ({"annual_premium": "0"}, "annual_premium", "Must be greater than 0."),
    ({"annual_premium": "-10"}, "annual_premium", "Must not be negative."),
    ({"annual_premium": "1e3"}, "annual_premium", "plain decimal notation"),
    ({"annual_premium": "10.999"}, "annual_premium", "Must have at most two decimals."),
    ({"annual_premium": "1000000000"}, "annual_premium", "Must be at most 999999999.99."),
    ({"annual_premium": "1.850,00"}, "annual_premium", "plain decimal notation"),
    ({"deductible": ""}, "deductible", "Fill in this cell."),
    ({"valid_until": "07/01/2026"}, "valid_until", "Write the date as YYYY-MM-DD"),
    ({"valid_until": "2026-02-30"}, "valid_until", "not a real calendar date"),
    ({"valid_until": "2026-05-31"}, "valid_until", "Must be today or later."),
    ({"aggregate_limit": "500000"}, "aggregate_limit", "Must be at least the per-occurrence limit."),
    ({"deductible": "1000000"}, "deductible", "Must be less than the per-occurrence limit."),
    ({"occurrence_based": "maybe"}, "occurrence_based", "Write true or false"),
    ({"excluded_categories": "toys;weapons"}, "excluded_categories", "Unknown category code weapons."),
    ({"notes": "x" * 2001}, "notes", "Must be at most 2,000 characters."),
    ({"notes": "bell\x07"}, "notes", "Remove the control characters"),
    ({"annual_premium": "9" * 101}, "annual_premium", "Must be at most 100 characters."),
])
def test_each_wrong_cell_is_named_with_a_message(cells, column, message):
    rows, _ = quote_csv.read_rows(HEADER + "\n" + _row(5, **cells))
    row, errors = quote_csv.check_row(*rows[0], TODAY)
    assert row is None
    assert [(e.row, e.column) for e in errors] == [(2, column)]
    assert message in errors[0].message


def test_lenient_but_exact_values_are_accepted():
    rows, _ = quote_csv.read_rows(HEADER + "\n" + _row(
        "#42", annual_premium="$1,850.5", per_occurrence_limit=" 1,000,000 ", occurrence_based="No",
        additional_insured="YES", excluded_categories="Toys, baby | toys", notes="  Sublimit  "))
    row, errors = quote_csv.check_row(*rows[0], TODAY)
    assert errors == []
    assert row.request_id == 42 and row.offer.annual_premium == Decimal("1850.50")
    assert row.offer.per_occurrence_limit == Decimal("1000000.00")
    assert row.offer.occurrence_based is False and row.offer.additional_insured is True
    assert row.offer.excluded_categories == ("baby", "toys") and row.offer.notes == "Sublimit"


def test_rules_across_amounts_are_reported_beside_unreadable_cells():
    rows, _ = quote_csv.read_rows(HEADER + "\n" + _row(5, annual_premium="lots", aggregate_limit="10"))
    errors = quote_csv.check_row(*rows[0], TODAY)[1]
    assert [e.column for e in errors] == ["annual_premium", "aggregate_limit"]


# --- applying a file ---------------------------------------------------------------------------------


def test_a_good_file_offers_every_quote_in_one_go_with_audit(db, harbor):
    requests = [factories.make_quote_request(routed_to=[harbor]) for _ in range(3)]
    text = HEADER + "\n" + "".join(_row(r.id, annual_premium=f"{900 + n}") for n, r in enumerate(requests))
    result = quote_csv.upload_quotes(ACTOR, harbor.id, text.encode(), TODAY)
    assert result.offered == 3 and result.request_ids == tuple(r.id for r in requests)
    quotes = db.session.execute(select(Quote).order_by(Quote.id)).scalars().all()
    assert [q.annual_premium for q in quotes] == [Decimal("900.00"), Decimal("901.00"), Decimal("902.00")]
    assert all(q.insurer_id == harbor.id and q.status == "offered" for q in quotes)
    routings = db.session.execute(select(QuoteRouting)).scalars().all()
    assert {r.status for r in routings} == {"quoted"} and all(r.responded_at for r in routings)
    actions = db.session.execute(select(AuditEntry.action, AuditEntry.object_type)).all()
    assert sorted(actions) == [("offer", "quote")] * 3 + [("upload", "quote_csv")]


def test_one_wrong_row_and_nothing_is_applied(db, harbor):
    good = factories.make_quote_request(routed_to=[harbor])
    also_good = factories.make_quote_request(routed_to=[harbor])
    text = HEADER + "\n" + _row(good.id) + _row(also_good.id, deductible="5000000")
    assert _errors(text, harbor.id) == [(3, "deductible", "Must be less than the per-occurrence limit.")]
    assert _count(db, Quote) == 0 and _count(db, AuditEntry) == 0
    assert set(db.session.execute(select(QuoteRouting.status)).scalars()) == {"open"}


def test_requests_not_routed_here_closed_declined_or_repeated_are_row_errors(db, harbor):
    elsewhere = factories.make_quote_request(routed_to=[factories.make_insurer()])
    closed = factories.make_quote_request(routed_to=[harbor], status="closed")
    declined = factories.make_quote_request()
    factories.make_routing(declined, harbor, status="declined")
    fine = factories.make_quote_request(routed_to=[harbor])
    text = (HEADER + "\n" + _row(elsewhere.id) + _row(closed.id) + _row(declined.id) + _row(fine.id)
            + _row(fine.id) + _row(99999999999) + _row(3_000_000_000))
    assert _errors(text, harbor.id) == [
        (2, "quote_request_id", f"No quote request #{elsewhere.id} is routed to you."),
        (3, "quote_request_id", f"Quote request #{closed.id} is closed."),
        (4, "quote_request_id", f"You declined quote request #{declined.id}."),
        (6, "quote_request_id",
         f"Quote request #{fine.id} is already in row 5: offer one quote per request in a file."),
        (7, "quote_request_id", "No quote request #99999999999 is routed to you."),
        (8, "quote_request_id", "No quote request #3000000000 is routed to you."),
    ]
    assert _count(db, Quote) == 0


def test_a_request_already_quoted_takes_another_quote_as_the_api_allows(db, harbor):
    request = factories.make_quote_request()
    factories.make_routing(request, harbor, status="quoted")
    result = quote_csv.upload_quotes(ACTOR, harbor.id, (HEADER + "\n" + _row(request.id)).encode(), TODAY)
    assert result.offered == 1


@pytest.mark.parametrize("raw, message", [
    (b"", "The file is empty."),
    (b"   \r\n  ", "The file is empty."),
    (b"\xff\xfeq\x00", "UTF-16"),
    (b"quote_request_id\xe9", "not UTF-8 text (byte 17"),
    (b"a" * (quote_csv.MAX_BYTES + 1), "larger than 512 KB"),
    (b"PK\x03\x04rest", "spreadsheet workbook"),
    (b"a,b\x00c", "binary data"),
])
def test_files_that_cannot_be_read_are_refused_with_a_message(db, harbor, raw, message):
    with pytest.raises(ValidationError) as exc:
        quote_csv.upload_quotes(ACTOR, harbor.id, raw, TODAY)
    assert message in exc.value.fields["file"]
    assert not isinstance(exc.value, quote_csv.QuoteCsvRejected)


def test_at_most_the_row_limit_is_read(db, harbor):
    request = factories.make_quote_request(routed_to=[harbor])
    at_limit = HEADER + "\n" + _row(request.id) * quote_csv.MAX_ROWS
    errors = _errors(at_limit, harbor.id)  # every row but the first repeats the request
    assert len(errors) == quote_csv.MAX_ROWS - 1
    with pytest.raises(ValidationError) as exc:
        quote_csv.upload_quotes(ACTOR, harbor.id, (at_limit + _row(request.id)).encode(), TODAY)
    assert "more than 1,000 quote rows" in exc.value.message

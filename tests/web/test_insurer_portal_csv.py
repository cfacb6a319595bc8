"""The portal's CSV upload of quotes through the Flask client: the template, a file with a bad row (nothing
applied, a row-by-row report), a good file (all applied), and files that are too big or not CSV text."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accelerator.models import Quote, QuoteRouting
from accelerator.services import quote_csv
from tests import factories
from tests.conftest import csrf_token, login_as
from tests.factories import TODAY

HEADER = ",".join(quote_csv.COLUMNS)


@pytest.fixture()
def harbor(db):
    """An approved insurer."""
    return factories.make_insurer(name="Harbor Mutual")


@pytest.fixture()
def staff(app, harbor):
    """A client logged in as Harbor's staff."""
    client = app.test_client()
    login_as(client, factories.make_insurer_user(insurer=harbor))
    return client


def _quotes(db) -> int:
    """How many quotes exist."""
    return db.session.execute(select(func.count()).select_from(Quote)).scalar_one()


def _row(request_id, premium="1850.00", valid=None, **cells) -> str:
    """One CSV line: a valid quote of the request, with `cells` changed."""
    valid = valid or (TODAY + timedelta(days=30)).isoformat()
    values = {"quote_request_id": str(request_id), "annual_premium": premium, "per_occurrence_limit": "1000000.00",
              "aggregate_limit": "2000000.00", "deductible": "1000.00", "valid_until": valid,
              "occurrence_based": "true", "additional_insured": "true", "excluded_categories": "", "notes": ""}
    values.update(cells)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([values[c] for c in quote_csv.COLUMNS])
    return out.getvalue()


def _upload(client, content: bytes, filename: str = "quotes.csv", content_type: str = "text/csv"):
    """Send a file through the upload form, as a browser does (multipart, CSRF token)."""
    token = csrf_token(client, "/insurer/quotes/upload")
    return client.post("/insurer/quotes/upload", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(content), filename, content_type)})


def test_the_template_is_a_csv_download_with_the_header_and_one_example_row(staff):
    response = staff.get("/insurer/quotes/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="quotes-template.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == list(quote_csv.COLUMNS) and len(rows) == 2
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_template_filled_in_is_accepted(staff, harbor, db):
    """The example row, pointed at a real request, is a valid quote: the template teaches the right format."""
    request = factories.make_quote_request(routed_to=[harbor])
    template = staff.get("/insurer/quotes/template.csv").get_data(as_text=True)
    filled = template.replace("\r\n1234,", f"\r\n{request.id},", 1)
    response = _upload(staff, filled.encode())
    assert response.status_code == 302
    quote = db.session.execute(select(Quote)).scalar_one()
    assert quote.excluded_categories == ["baby", "health"]


def test_a_bad_row_applies_nothing_and_reports_each_problem_by_row_and_column(staff, harbor, db):
    first = factories.make_quote_request(routed_to=[harbor])
    second = factories.make_quote_request(routed_to=[harbor])
    other = factories.make_quote_request(routed_to=[factories.make_insurer()])
    content = (HEADER + "\n" + _row(first.id) + _row(second.id, premium="12.345", aggregate_limit="10")
               + _row(other.id)).encode()
    response = _upload(staff, content)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "No quote was sent" in html
    report = re.findall(r'<th scope="row" data-label="Row">(\d+)</th>\s*<td data-label="Column" class="mono">(\w+)</td>'
                        r'\s*<td data-label="Problem">([^<]+)</td>', html)
    assert [(row, column) for row, column, _ in report] == [
        ("3", "annual_premium"), ("3", "aggregate_limit"), ("4", "quote_request_id")]
    assert "at most two decimals" in report[0][2]
    assert f"No quote request #{other.id} is routed to you." in report[2][2]
    assert _quotes(db) == 0
    assert set(db.session.execute(select(QuoteRouting.status)).scalars()) == {"open"}


def test_a_good_file_applies_every_row_and_says_how_many(staff, harbor, db):
    requests = [factories.make_quote_request(routed_to=[harbor]) for _ in range(3)]
    content = (HEADER + "\n" + "".join(_row(r.id, premium=f"{1000 + n}.00") for n, r in enumerate(requests)))
    response = _upload(staff, content.encode())
    assert response.status_code == 302 and response.headers["Location"] == "/insurer?status=quoted"
    assert "3 quotes offered from the file." in staff.get(response.headers["Location"]).get_data(as_text=True)
    premiums = sorted(str(p) for p in db.session.execute(select(Quote.annual_premium)).scalars())
    assert premiums == ["1000.00", "1001.00", "1002.00"]
    assert set(db.session.execute(select(QuoteRouting.status)).scalars()) == {"quoted"}


def test_a_utf8_file_with_a_byte_order_mark_and_windows_lines_is_read(staff, harbor, db):
    request = factories.make_quote_request(routed_to=[harbor])
    row = _row(request.id, notes="Café – €250,000 recall sublimit").replace("\n", "\r\n")
    content = "\ufeff" + HEADER + "\r\n" + row
    assert _upload(staff, content.encode("utf-8")).status_code == 302
    assert db.session.execute(select(Quote.notes)).scalar_one() == "Café – €250,000 recall sublimit"


@pytest.mark.parametrize("content, message", [
    ("Café".encode("latin-1") + b"," + HEADER.encode(), "The file is not UTF-8 text"),
    (("\ufeff" + HEADER).encode("utf-16"), "The file is UTF-16 text"),
    (b"PK\x03\x04" + b"\x00" * 100, "This is a spreadsheet workbook, not a CSV file."),
    (b"", "The file is empty."),
    (HEADER.encode() + b"\n", "The file has a header but no quote rows."),
    (b"request,premium\n1,2\n", "The header row is not right: unknown columns request, premium"),
    (b"%PDF-1.4 binary\x00\x01", "The file holds binary data"),
])
def test_a_file_that_is_not_a_quotes_csv_gets_a_clear_message(staff, db, content, message):
    response = _upload(staff, content)
    assert response.status_code == 400
    html = response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
    assert message in html
    assert _quotes(db) == 0


def test_no_file_chosen_is_a_message_at_the_field(staff, db):
    token = csrf_token(staff, "/insurer/quotes/upload")
    response = staff.post("/insurer/quotes/upload", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Choose the CSV file to upload." in response.get_data(as_text=True)


def test_too_many_rows_is_refused_whole(staff, harbor, db):
    request = factories.make_quote_request(routed_to=[harbor])
    content = HEADER + "\n" + _row(request.id) * (quote_csv.MAX_ROWS + 1)
    response = _upload(staff, content.encode())
    assert response.status_code == 400
    assert "more than 1,000 quote rows" in response.get_data(as_text=True)
    assert _quotes(db) == 0


def test_a_file_over_the_csv_limit_is_refused_with_a_message(staff, db):
    content = (HEADER + "\n").encode() + b"x" * (quote_csv.MAX_BYTES + 10)
    response = _upload(staff, content)
    assert response.status_code == 400
    assert "The file is larger than 512 KB." in response.get_data(as_text=True)


def test_a_body_over_the_site_limit_answers_the_upload_page_with_413(staff, db):
    content = b"x" * (1024 * 1024 + 100)
    response = _upload(staff, content)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "The file is too large" in html and "Upload quotes from a CSV file" in html


def test_a_file_wrong_on_every_row_answers_a_readable_page(staff, harbor, db):
    content = HEADER + "\n" + _row("x", premium="no", valid="soon") * 300
    response = _upload(staff, content.encode())
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html.count('data-label="Problem"') == 200
    assert "… and 700 more." in html

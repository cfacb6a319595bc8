"""Every error at once: a form with several independent mistakes, some in one field and some between fields,
reports all of them in one answer, each at its field, and saves nothing."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from accelerator.models import Insurer, Policy, Quote, QuoteRequest, User
from accelerator.services import quote_csv
from tests import factories
from tests.conftest import csrf_token, login_as, post_form
from tests.factories import TODAY
from tests.web.conftest import error_for, parse_page


def _email_is_invalid(html: str) -> bool:
    """Whether the page marks its email field as having an error."""
    return any(c.get("name") == "email" and c.get("aria-invalid") == "true" for c in parse_page(html).controls)


def _count(db, model) -> int:
    """How many rows the model's table holds."""
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_quote_request_reports_field_errors_and_rules_between_fields_together(seller_client, db):
    response = post_form(seller_client, "/seller/requests/new", {
        "legal_name": "", "state": "CA", "categories": ["toys"], "annual_revenue": "lots",
        "claims_last_3_years": "0", "per_occurrence_limit": "1,000,000", "aggregate_limit": "500,000",
        "deductible": "1,000,000", "desired_start_date": (TODAY - timedelta(days=1)).isoformat()})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter your legal business name" in error_for(html, "legal_name")
    assert "plain decimal notation" in error_for(html, "annual_revenue")
    assert "Must be at least the per-occurrence limit." in error_for(html, "aggregate_limit")
    assert "Must be less than the per-occurrence limit." in error_for(html, "deductible")
    assert "cannot be in the past" in error_for(html, "desired_start_date")
    assert _count(db, QuoteRequest) == 0


def test_a_field_already_wrong_keeps_only_its_own_message(seller_client, db):
    """An amount that cannot be read is not also judged against the others."""
    response = post_form(seller_client, "/seller/requests/new", {
        "legal_name": "A", "state": "CA", "categories": ["toys"], "annual_revenue": "1000",
        "claims_last_3_years": "0", "per_occurrence_limit": "1,000,000", "aggregate_limit": "x",
        "deductible": "", "desired_start_date": (TODAY + timedelta(days=1)).isoformat()})
    html = response.get_data(as_text=True)
    assert "per-occurrence" not in error_for(html, "aggregate_limit")
    assert "Enter the deductible" in error_for(html, "deductible")
    assert _count(db, QuoteRequest) == 0


def test_the_offer_reports_field_errors_and_rules_between_fields_together(app, db):
    harbor = factories.make_insurer()
    staff = app.test_client()
    login_as(staff, factories.make_insurer_user(insurer=harbor))
    request = factories.make_quote_request(routed_to=[harbor])
    url = f"/insurer/requests/{request.id}"
    response = post_form(staff, f"{url}/quote", {
        "annual_premium": "", "per_occurrence_limit": "1,000,000", "aggregate_limit": "500,000",
        "deductible": "1,000,000", "valid_until": "2020-01-01", "notes": "x" * 2001}, token_from=url)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter the annual premium." in error_for(html, "annual_premium")
    assert "Must be at least the per-occurrence limit." in error_for(html, "aggregate_limit")
    assert "Must be less than the per-occurrence limit." in error_for(html, "deductible")
    assert "Must be today or later." in error_for(html, "valid_until")
    assert "at most 2,000 characters" in error_for(html, "notes")
    assert _count(db, Quote) == 0


def test_the_upload_reports_field_errors_and_rules_between_fields_together(app, seller_client, db, tmp_path,
                                                                           monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    response = post_form(seller_client, "/seller/policies/upload", {
        "insurer_id": "outside", "insurer_name": "", "insurer_naic_code": "12", "insurer_rating": "A",
        "policy_number": "bad number!", "effective_date": TODAY.isoformat(),
        "expiration_date": (TODAY - timedelta(days=1)).isoformat(), "per_occurrence_limit": "1,000,000",
        "aggregate_limit": "500,000", "deductible": "1,000,000", "coverage_basis": "occurrence",
        "certificate": (io.BytesIO(factories.make_pdf_bytes()), "c.pdf", "application/pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter the insurer&#39;s name" in error_for(html, "insurer_name")
    assert "five digits" in error_for(html, "insurer_naic_code")
    assert "1 to 64 characters" in error_for(html, "policy_number")
    assert "Must be after the effective date." in error_for(html, "expiration_date")
    assert "Must be at least the per-occurrence limit." in error_for(html, "aggregate_limit")
    assert "Must be less than the per-occurrence limit." in error_for(html, "deductible")
    assert _count(db, Policy) == 0


def test_the_upload_reports_a_term_too_long_with_the_other_errors(app, seller_client, db, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    response = post_form(seller_client, "/seller/policies/upload", {
        "insurer_id": "outside", "insurer_name": "Lakeside", "insurer_naic_code": "54321", "insurer_rating": "A",
        "policy_number": "LS-1", "effective_date": TODAY.isoformat(),
        "expiration_date": (TODAY + timedelta(days=1097)).isoformat(), "per_occurrence_limit": "1,000,000",
        "aggregate_limit": "2,000,000", "deductible": "0", "coverage_basis": "occurrence",
    }, content_type="multipart/form-data")  # and no certificate
    html = response.get_data(as_text=True)
    assert "at most 1,096 days after the effective date" in error_for(html, "expiration_date")
    assert 'id="certificate-error"' in html
    assert _count(db, Policy) == 0


def test_a_new_insurer_reports_field_errors_rules_and_clashes_together(admin_client, db):
    factories.make_insurer(name="Harbor Mutual", naic_code="12345")
    response = post_form(admin_client, "/admin/insurers/new", {
        "name": "harbor mutual", "naic_code": "12", "am_best_rating": "", "min_revenue": "5,000,000",
        "max_revenue": "50,000", "website": "not a site", "contact_email": "nobody"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "An insurer with this name already exists." in error_for(html, "name")
    assert "An NAIC code is five digits." in error_for(html, "naic_code")
    assert "Choose an AM Best rating." in error_for(html, "am_best_rating")
    assert "must not be below its bottom" in error_for(html, "max_revenue")
    assert "https://" in error_for(html, "website")
    assert "valid email address" in error_for(html, "contact_email")
    assert _count(db, Insurer) == 1


def test_editing_an_insurer_reports_a_clash_with_a_field_error(admin_client, db):
    factories.make_insurer(name="Harbor Mutual", naic_code="12345")
    other = factories.make_insurer(name="Rival Casualty", naic_code="54321")
    response = post_form(admin_client, f"/admin/insurers/{other.id}/edit", {
        "name": "Rival Casualty", "naic_code": "12345", "am_best_rating": "A", "website": "nope"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "An insurer with this NAIC code already exists." in error_for(html, "naic_code")
    assert "https://" in error_for(html, "website")
    db.session.expire_all()
    assert db.session.get(Insurer, other.id).naic_code == "54321"


def test_a_csv_row_reports_its_cells_and_the_rules_between_them_together(app, db):
    harbor = factories.make_insurer()
    staff = app.test_client()
    login_as(staff, factories.make_insurer_user(insurer=harbor))
    request = factories.make_quote_request(routed_to=[harbor])
    values = {"quote_request_id": str(request.id), "annual_premium": "12.345", "per_occurrence_limit": "1000000.00",
              "aggregate_limit": "10", "deductible": "1000.00", "valid_until": "2020-01-01",
              "occurrence_based": "true", "additional_insured": "true", "excluded_categories": "", "notes": "n" * 2001}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(quote_csv.COLUMNS)
    writer.writerow([values[c] for c in quote_csv.COLUMNS])
    theirs = factories.make_quote_request(routed_to=[factories.make_insurer()])  # not routed to Harbor
    writer.writerow([{**values, "quote_request_id": str(theirs.id), "notes": ""}[c] for c in quote_csv.COLUMNS])
    token = csrf_token(staff, "/insurer/quotes/upload")
    response = staff.post("/insurer/quotes/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(out.getvalue().encode()), "q.csv", "text/csv")})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    report = re.findall(r'<th scope="row" data-label="Row">(\d+)</th>\s*'
                        r'<td data-label="Column" class="mono">(\w+)</td>', html)
    assert sorted(column for row, column in report if row == "2") == [
        "aggregate_limit", "annual_premium", "notes", "valid_until"]
    # A row wrong in its cells is still told that its request is not routed to the insurer.
    assert sorted(column for row, column in report if row == "3") == [
        "aggregate_limit", "annual_premium", "quote_request_id", "valid_until"]
    assert f"No quote request #{theirs.id} is routed to you." in html
    assert _count(db, Quote) == 0


def test_registration_reports_a_registered_seller_id_but_never_a_registered_email(client, db):
    taken = factories.make_seller_user()
    seller_id, email = taken.seller_id, taken.email
    response = post_form(client, "/register", {"seller_id": seller_id, "legal_name": "",
                                               "email": email.upper(), "password": "short", "confirm": "other"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "already registered" in error_for(html, "seller_id")
    assert not _email_is_invalid(html) and "already exists" not in html  # no account oracle
    assert "Enter your legal business name" in error_for(html, "legal_name")
    assert "characters" in error_for(html, "password")
    assert "not the same" in error_for(html, "confirm")
    assert _count(db, User) == 1


def test_the_profile_reports_every_field_at_once(seller_client, db):
    response = post_form(seller_client, "/seller/profile", {"legal_name": "", "state": "",
                                                            "monthly_gross_sales": "lots"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter your legal business name" in error_for(html, "legal_name")
    assert "Choose a state" in error_for(html, "state")
    assert 'id="categories-error"' in html
    assert "plain decimal notation" in error_for(html, "monthly_gross_sales")

"""Uploading a policy bought elsewhere, and the document served only to its seller and to admins."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accelerator.models import AuditEntry, CertificateRead, Policy
from tests import certificate_pdfs, factories
from tests.conftest import login_as, post_form
from tests.factories import TODAY
from tests.web.conftest import error_for, parse_page

URL = "/seller/policies/upload"


@pytest.fixture(autouse=True)
def _own_upload_folder(app, tmp_path, monkeypatch):
    """Each test stores uploads in a folder of its own, so it sees only its own files."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


def _fields(**overrides) -> dict:
    """The upload form's fields for an outside insurer, with overrides."""
    today = TODAY
    values = {
        "insurer_id": "outside", "insurer_name": "Lakeside Specialty Insurance", "insurer_naic_code": "54321",
        "insurer_rating": "A-", "policy_number": "LS-778899", "effective_date": (today - timedelta(days=5)).isoformat(),
        "expiration_date": (today + timedelta(days=360)).isoformat(), "per_occurrence_limit": "1,000,000",
        "aggregate_limit": "2,000,000", "deductible": "5,000", "coverage_basis": "occurrence",
        "additional_insured": "y", "excluded_categories": ["baby"],
    }
    values.update(overrides)
    return values


def _upload(client, pdf: bytes | None, filename="certificate.pdf", content_type="application/pdf", **overrides):
    """POST the upload form (multipart, real CSRF token) with an optional file."""
    data = _fields(**overrides)
    if pdf is not None:
        data["certificate"] = (io.BytesIO(pdf), filename, content_type)
    return post_form(client, URL, data, content_type="multipart/form-data")


def _stored_files(app) -> list[str]:
    """The names of the files in the upload folder."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(os.listdir(folder)) if folder.exists() else []


def _count_policies(db) -> int:
    """How many policies exist."""
    return db.session.execute(select(func.count(Policy.id))).scalar_one()


def test_the_form_is_multipart_and_every_input_is_labelled(seller_client):
    html = seller_client.get(URL).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    page = parse_page(html)
    names = {c.get("name") for c in page.controls}
    assert {"insurer_id", "insurer_name", "insurer_naic_code", "insurer_rating", "policy_number", "effective_date",
            "expiration_date", "per_occurrence_limit", "aggregate_limit", "deductible", "coverage_basis",
            "additional_insured", "excluded_categories", "certificate"} <= names
    for control in page.controls:
        if control.get("type") != "hidden":
            assert control.get("id") in page.label_for, control
    assert "at most 5 MB" in html


def test_an_upload_from_an_outside_insurer_lands_pending_with_its_pdf_stored_privately(app, seller_client,
                                                                                       seller_user, db):
    pdf = factories.make_pdf_bytes("Lakeside certificate")
    response = _upload(seller_client, pdf, filename="../../static/evil.pdf")
    assert response.status_code == 302
    policy = db.session.execute(select(Policy)).scalar_one()
    assert response.headers["Location"].endswith(f"/seller/policies/{policy.id}")
    assert (policy.source, policy.verification, policy.insurer_id) == ("seller_upload", "pending", None)
    assert (policy.insurer_name, policy.insurer_naic_code, policy.insurer_rating) == (
        "Lakeside Specialty Insurance", "54321", "A-")
    assert policy.seller_id == seller_user.seller_id
    assert policy.additional_insured is True and policy.excluded_categories == ["baby"]
    [stored] = _stored_files(app)
    assert stored == policy.certificate_path and "evil" not in stored
    assert (Path(app.config["UPLOAD_FOLDER"]) / stored).read_bytes() == pdf
    assert db.session.execute(select(AuditEntry.action)).scalars().all() == ["upload"]
    html = seller_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Waiting for the marketplace to verify this policy" in html
    assert f'href="/documents/policies/{policy.id}"' in html
    dashboard = seller_client.get("/seller").get_data(as_text=True)
    assert "LS-778899" in dashboard and "Pending verification" in dashboard


def test_what_the_certificate_says_is_read_and_stored_with_the_upload(app, seller_client, db):
    content = certificate_pdfs.certificate(insurer_name="Lakeside Specialty Insurance", naic_code="54321",
                                           policy_number="LS-778899", deductible="$5,000")
    assert _upload(seller_client, content).status_code == 302
    policy = db.session.execute(select(Policy)).scalar_one()
    read = db.session.execute(select(CertificateRead)).scalar_one()
    assert read.policy_id == policy.id and read.fields["policy_number"] == "LS-778899"
    assert read.fields["deductible"] == "5000.00" and read.evidence["naic_code"]["text"] == "NAIC #: 54321"
    assert read.signals == [] and policy.verification == "pending"


def test_an_upload_nothing_can_be_read_from_is_stored_with_the_signal(app, seller_client, db):
    assert _upload(seller_client, factories.make_pdf_bytes("Lakeside certificate")).status_code == 302
    read = db.session.execute(select(CertificateRead)).scalar_one()
    assert [signal["code"] for signal in read.signals] == ["unreadable_fields"]


def test_an_upload_can_name_an_accelerator_insurer(app, seller_client, db):
    insurer = factories.make_insurer(name="Harbor Mutual")
    factories.make_insurer(name="Pending Mutual", status="pending")
    html = seller_client.get(URL).get_data(as_text=True)
    assert "Harbor Mutual" in html and "Pending Mutual" not in html
    response = _upload(seller_client, factories.make_pdf_bytes(), insurer_id=str(insurer.id), insurer_name="",
                       insurer_naic_code="", insurer_rating="")
    assert response.status_code == 302
    policy = db.session.execute(select(Policy)).scalar_one()
    assert (policy.insurer_id, policy.insurer_name, policy.insurer_naic_code) == (
        insurer.id, "Harbor Mutual", insurer.naic_code)


def test_a_file_that_is_not_a_pdf_is_refused_at_the_field_and_nothing_is_saved(app, seller_client, db):
    response = _upload(seller_client, b"<html><script>alert(1)</script></html>", filename="certificate.pdf")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This file is not a PDF" in error_for(html, "certificate")
    assert 'value="LS-778899"' in html  # what was typed is kept
    assert _count_policies(db) == 0 and _stored_files(app) == []


def test_a_pdf_named_otherwise_is_still_accepted_by_its_content(seller_client, db):
    response = _upload(seller_client, factories.make_pdf_bytes(), filename="scan.jpg", content_type="image/jpeg")
    assert response.status_code == 302
    assert _count_policies(db) == 1


def test_an_empty_file_is_refused(app, seller_client, db):
    response = _upload(seller_client, b"", filename="empty.pdf")
    assert response.status_code == 400
    assert "Choose the PDF" in error_for(response.get_data(as_text=True), "certificate")
    assert _count_policies(db) == 0 and _stored_files(app) == []


def test_a_missing_file_is_refused(app, seller_client, db):
    response = _upload(seller_client, None)
    assert response.status_code == 400
    assert "Choose the PDF of your certificate" in error_for(response.get_data(as_text=True), "certificate")
    assert _count_policies(db) == 0


def test_a_file_over_the_size_limit_is_refused_at_the_field(app, seller_client, db):
    limit = app.config["UPLOAD_MAX_BYTES"]
    response = _upload(seller_client, factories.make_pdf_bytes(pad_to=limit + 10))
    assert response.status_code == 400
    assert "larger than 5 MB" in error_for(response.get_data(as_text=True), "certificate")
    assert _count_policies(db) == 0 and _stored_files(app) == []


def test_a_file_just_under_the_limit_is_accepted(app, seller_client, db):
    limit = app.config["UPLOAD_MAX_BYTES"]
    response = _upload(seller_client, factories.make_pdf_bytes(pad_to=limit - 1000))
    assert response.status_code == 302
    assert len(_stored_files(app)) == 1


def test_a_body_far_over_the_limit_is_refused_with_413(app, seller_client, db):
    huge = b"%PDF-1.4\n" + b"0" * (3 * app.config["UPLOAD_MAX_BYTES"])
    response = _upload(seller_client, huge)
    assert response.status_code == 413
    assert _count_policies(db) == 0 and _stored_files(app) == []


def test_bad_shapes_re_render_at_the_fields_and_save_nothing(app, seller_client, db):
    response = _upload(seller_client, factories.make_pdf_bytes(), policy_number="bad number!",
                       insurer_naic_code="12", insurer_rating="AAA", effective_date="2026-02-30",
                       deductible="-1")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "1 to 64 characters" in error_for(html, "policy_number")
    assert "five digits" in error_for(html, "insurer_naic_code")
    assert "Not a valid choice" in error_for(html, "insurer_rating")
    assert "not a real calendar date" in error_for(html, "effective_date")
    assert "negative" in error_for(html, "deductible")
    assert _count_policies(db) == 0 and _stored_files(app) == []


def test_terms_that_do_not_hold_together_re_render_at_the_fields_and_save_nothing(app, seller_client, db):
    response = _upload(seller_client, factories.make_pdf_bytes(),
                       expiration_date=(TODAY - timedelta(days=30)).isoformat(),
                       aggregate_limit="500,000", deductible="1,000,000")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "after the effective date" in error_for(html, "expiration_date")
    assert "at least the per-occurrence limit" in error_for(html, "aggregate_limit")
    assert "less than the per-occurrence limit" in error_for(html, "deductible")
    assert _count_policies(db) == 0 and _stored_files(app) == []


def test_an_outside_insurer_needs_its_name_code_and_rating(app, seller_client, db):
    response = _upload(seller_client, factories.make_pdf_bytes(), insurer_name="", insurer_naic_code="",
                       insurer_rating="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter the insurer&#39;s name" in error_for(html, "insurer_name")
    assert "five-digit NAIC" in error_for(html, "insurer_naic_code")
    assert "AM Best rating" in error_for(html, "insurer_rating")
    assert _count_policies(db) == 0


def test_the_same_policy_uploaded_twice_is_refused(app, seller_client, db):
    assert _upload(seller_client, factories.make_pdf_bytes()).status_code == 302
    response = _upload(seller_client, factories.make_pdf_bytes())
    assert response.status_code == 409
    assert "already on your record" in error_for(response.get_data(as_text=True), "policy_number")
    assert _count_policies(db) == 1 and len(_stored_files(app)) == 1


# --- the stored document ------------------------------------------------------------------------


def test_the_document_goes_to_its_seller_and_admins_as_an_attachment_only(app, seller_client, db, admin_client,
                                                                          insurer_client, client):
    pdf = factories.make_pdf_bytes("the uploaded certificate")
    _upload(seller_client, pdf)
    policy = db.session.execute(select(Policy)).scalar_one()
    url = f"/documents/policies/{policy.id}"
    for who in (seller_client, admin_client):
        response = who.get(url)
        assert response.status_code == 200
        assert response.data == pdf
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "policy-LS-778899.pdf" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]
    assert insurer_client.get(url).status_code == 403
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    other = app.test_client()
    login_as(other, factories.make_seller_user())
    assert other.get(url).status_code == 404
    assert other.get("/documents/policies/424242").status_code == 404


def test_a_policy_without_an_upload_has_no_document(seller_client, seller_user, db):
    policy = factories.make_policy(seller_id=seller_user.seller_id)
    assert seller_client.get(f"/documents/policies/{policy.id}").status_code == 404


def test_a_tampered_stored_name_is_never_followed(seller_client, seller_user, db):
    policy = factories.make_policy(seller_id=seller_user.seller_id, certificate_path="../../wsgi.py")
    assert seller_client.get(f"/documents/policies/{policy.id}").status_code == 404

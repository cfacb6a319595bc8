"""The admin verification of a seller's upload in Chromium: the queue, the certificate beside the entered
fields, reject with a reason (seen on the seller's dashboard), verify, and the pages at 375 px."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from accelerator.extensions import db as _db
from accelerator.models import AuditEntry, Policy
from accelerator.services import uploads
from accelerator.services.audit import Actor
from tests import certificate_pdfs, factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs
from tests.factories import TODAY

PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 1\n0000000000 65535 f \n"
       b"trailer\n<< /Root 1 0 R >>\nstartxref\n58\n%%EOF\n")


def _upload(seller_id: str, number: str) -> int:
    """A seller's upload through the seller-side service, its PDF stored in UPLOAD_FOLDER."""
    data = uploads.UploadedPolicy(
        policy_number=number, effective_date=TODAY - timedelta(days=20),
        expiration_date=TODAY + timedelta(days=345), per_occurrence_limit=Decimal("1000000.00"),
        aggregate_limit=Decimal("2000000.00"), deductible=Decimal("2500.00"), occurrence_based=True,
        additional_insured=False, insurer_name="Atlantic Shoreline Casualty Company", insurer_naic_code="31742",
        insurer_rating="A")
    return uploads.upload_policy(Actor(f"seller {seller_id}"), seller_id, data, io.BytesIO(PDF)).id


def _login(pg, email: str, lands: str) -> None:
    """Log in through the login page and wait to land on `lands`."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url(f"**{lands}")


def _data(db, live_app):
    """A seller with two stored uploads, and an admin; returns their emails and the uploads' ids."""
    seller = factories.make_seller_user(seller=factories.make_seller(legal_name="Greenleaf Home Goods LLC"))
    admin = factories.make_user(role="admin", email="checker@marketplace.example")
    emails, seller_id = (seller.email, admin.email), seller.seller_id
    # Plain values only from here, and no transaction left open: inside the live app's context this
    # session's objects would refresh through the live app's engine and hold its write lock.
    db.session.commit()
    with live_app.app_context():  # the live server serves the stored files: store them in its folder
        first = _upload(seller_id, "ASC-PL-4471829")
        second = _upload(seller_id, "ASC-PL-4471830")
    return emails, first, second


def test_an_admin_rejects_one_upload_and_verifies_another(page, browser, live_server, live_app, db):
    (seller_email, admin_email), first, second = _data(db, live_app)
    _login(page, admin_email, "/admin")
    page.goto("/admin/verification")
    rows = page.locator("tbody tr")
    assert rows.count() == 2 and "ASC-PL-4471829" in rows.first.inner_text()  # oldest first
    rows.first.get_by_role("link", name="Review").click()
    page.wait_for_url(f"**/admin/verification/{first}")
    fields = page.locator(".verify-grid__fields").inner_text()
    for text in ("ASC-PL-4471829", "Atlantic Shoreline Casualty Company", "31742", "$1,000,000.00", "Not named"):
        assert text in fields, text
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    assert Path(download.value.path()).read_bytes() == PDF

    page.get_by_label("Reason for rejecting").fill("The certificate does not name the marketplace as additional "
                                                   "insured.")
    page.get_by_role("button", name="Reject upload").click()
    page.wait_for_url(f"**/admin/verification/{second}")  # on to the next waiting upload
    assert page.get_by_text("Policy ASC-PL-4471829 of").is_visible()
    page.get_by_role("button", name="Verify policy").click()
    page.wait_for_url("**/admin/verification")
    assert page.get_by_text("No upload is waiting for verification").is_visible()

    _db.session.rollback()
    states = dict(_db.session.execute(select(Policy.id, Policy.verification)).all())
    assert states == {first: "rejected", second: "verified"}
    assert sorted(_db.session.execute(select(AuditEntry.action).where(AuditEntry.object_type == "policy")
                                      .where(AuditEntry.action != "upload")).scalars()) == ["reject", "verify"]

    seller = browser.new_context(base_url=live_server.url)
    seller_page = seller.new_page()
    _login(seller_page, seller_email, "/seller")
    dashboard = seller_page.locator("main").inner_text()
    assert "The certificate does not name the marketplace as additional insured." in dashboard
    seller.close()


def test_the_verification_pages_fit_a_phone(phone_page, live_app, db):
    (_seller_email, admin_email), first, _second = _data(db, live_app)
    _login(phone_page, admin_email, "/admin")
    for path in ("/admin/verification", f"/admin/verification/{first}"):
        phone_page.goto(path)
        assert no_horizontal_scroll(phone_page), path
        assert unlabelled_inputs(phone_page) == [], path


def test_the_certificate_is_framed_beside_what_was_read_and_the_differences(page, live_app, db):
    """A readable certificate whose policy number and aggregate differ from what the seller typed: the PDF is
    shown in the page, the differing fields are marked with their evidence, and the signals and the
    requirement are said."""
    seller = factories.make_seller(legal_name="Acme Goods LLC")
    admin = factories.make_user(role="admin", email="reader@marketplace.example")
    seller_id, admin_email = seller.seller_id, admin.email
    db.session.commit()
    content = certificate_pdfs.certificate(insurer_name="Faraway Indemnity", naic_code="77777", policy_number="HX-7",
                                           aggregate_limit="$1,000,000")
    data = uploads.UploadedPolicy(
        policy_number="HX-1", effective_date=date(2026, 1, 1), expiration_date=date(2027, 1, 1),
        per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
        deductible=Decimal("0.00"), occurrence_based=True, additional_insured=True,
        insurer_name="Faraway Indemnity", insurer_naic_code="77777", insurer_rating="A")
    with live_app.app_context():
        policy_id = uploads.upload_policy(Actor(f"seller {seller_id}"), seller_id, data, io.BytesIO(content)).id
    _login(page, admin_email, "/admin")
    with page.expect_response(lambda r: r.url.endswith(f"/documents/policies/{policy_id}?view=inline")) as framed:
        page.goto(f"/admin/verification/{policy_id}")
    assert framed.value.status == 200 and framed.value.all_headers()["content-type"] == "application/pdf"
    frame = page.locator("iframe.document-frame")
    assert frame.get_attribute("title") == "The certificate of policy HX-1 (PDF)"
    box = frame.bounding_box()
    fields = page.locator(".verify-grid__fields").bounding_box()
    assert box["width"] > 400 and box["height"] > 400 and fields["x"] > box["x"] + box["width"] - 1  # side by side

    summary = page.locator("#read-summary")
    assert summary.inner_text() == ("2 fields of the certificate differ from what the seller entered: Policy number, "
                                    "Aggregate.")
    differing = page.locator(".compare-table__row--differs")
    assert differing.count() == 2
    number = page.locator('tr[data-field="policy_number"]')
    assert number.get_by_role("cell").all_inner_texts() == ["HX-1", "HX-7", "page 1, text: 'Policy Number: HX-7'"]
    aggregate = page.locator('tr[data-field="aggregate_limit"]')
    assert aggregate.get_by_role("cell").all_inner_texts() == [
        "$2,000,000.00", "$1,000,000.00", "page 1, text: 'General Aggregate: $1,000,000'"]
    assert page.locator('tr[data-field="effective_date"]').get_by_role("cell").all_inner_texts()[:2] == [
        "January 1, 2026", "January 1, 2026"]
    signal = page.locator('.signal-list li[data-code="limits_at_minimum"]')
    assert "'Each Occurrence: $1,000,000'" in signal.inner_text()
    assert page.get_by_role("heading", name="Against the requirement").is_visible()
    assert page.get_by_text("Meets the requirement").is_visible()
    page.screenshot(path="/tmp/certcheck-verification.png", full_page=True)


def test_the_read_fits_a_phone(phone_page, live_app, db):
    seller = factories.make_seller(legal_name="Acme Goods LLC")
    admin = factories.make_user(role="admin", email="phone@marketplace.example")
    seller_id, admin_email = seller.seller_id, admin.email
    db.session.commit()
    data = uploads.UploadedPolicy(
        policy_number="HX-1", effective_date=date(2026, 1, 1), expiration_date=date(2027, 1, 1),
        per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
        deductible=Decimal("0.00"), occurrence_based=True, additional_insured=True,
        insurer_name="Faraway Indemnity", insurer_naic_code="77777", insurer_rating="A")
    with live_app.app_context():
        policy_id = uploads.upload_policy(Actor(f"seller {seller_id}"), seller_id, data, io.BytesIO(
            certificate_pdfs.certificate(insurer_name="Faraway Indemnity", naic_code="77777"))).id
    _login(phone_page, admin_email, "/admin")
    phone_page.goto(f"/admin/verification/{policy_id}")
    assert no_horizontal_scroll(phone_page)
    assert phone_page.locator('tr[data-field="policy_number"]').is_visible()
    phone_page.screenshot(path="/tmp/certcheck-verification-phone.png", full_page=True)

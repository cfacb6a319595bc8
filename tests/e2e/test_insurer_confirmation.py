"""An insurer confirms a seller's upload from its portal in Chromium; the seller then sees the policy verified, and
the confirmation pages fit a phone."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from accelerator.extensions import db as _db
from accelerator.models import Policy
from accelerator.services import confirmations, uploads
from accelerator.services.audit import Actor
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs
from tests.factories import TODAY

PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 1\n0000000000 65535 f \n"
       b"trailer\n<< /Root 1 0 R >>\nstartxref\n58\n%%EOF\n")


def _login(pg, email: str, lands: str) -> None:
    """Log in through the login page and wait to land on `lands`."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url(f"**{lands}")


def _data(db, live_app):
    """Harbor Mutual with a staff member, a seller who uploaded a policy naming Harbor; the emails and ids."""
    insurer = factories.make_insurer(name="Harbor Mutual", naic_code="12345")
    staff = factories.make_insurer_user(insurer=insurer, email="uw@harbor.example")
    seller = factories.make_seller_user(seller=factories.make_seller(legal_name="Greenleaf Home Goods LLC"))
    emails, seller_id, insurer_id = (staff.email, seller.email), seller.seller_id, insurer.id
    db.session.commit()  # plain values only from here (see tests/e2e/test_admin_verification.py)
    with live_app.app_context():  # the live server serves the stored file: store it in its folder
        data = uploads.UploadedPolicy(
            policy_number="HM-PL-2026-77", effective_date=TODAY - timedelta(days=20),
            expiration_date=TODAY + timedelta(days=345), per_occurrence_limit=Decimal("1000000.00"),
            aggregate_limit=Decimal("2000000.00"), deductible=Decimal("2500.00"), occurrence_based=True,
            additional_insured=True, insurer_id=insurer_id)
        policy_id = uploads.upload_policy(Actor(f"seller {seller_id}"), seller_id, data, io.BytesIO(PDF)).id
        confirmation_id = confirmations.of_policy(policy_id).id
    return emails, policy_id, confirmation_id


def test_an_insurer_confirms_from_its_portal_and_the_seller_sees_it_verified(page, browser, live_server, live_app,
                                                                             db):
    (staff_email, seller_email), policy_id, confirmation_id = _data(db, live_app)
    _login(page, staff_email, "/insurer")
    page.get_by_role("navigation", name="Insurer portal").get_by_role("link", name="Confirmations").click()
    page.wait_for_url("**/insurer/confirmations")
    row = page.locator("tbody tr")
    assert row.count() == 1 and "Waiting for you" in row.first.inner_text()
    row.first.get_by_role("link", name="HM-PL-2026-77").click()
    page.wait_for_url(f"**/insurer/confirmations/{confirmation_id}")
    assert "$1,000,000.00" in page.locator(".verify-grid__fields").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    assert Path(download.value.path()).read_bytes() == PDF

    page.get_by_label("Note").fill("Matches our policy records.")
    page.get_by_role("button", name="Confirm policy").click()
    page.wait_for_url(f"**/insurer/confirmations/{confirmation_id}")
    assert page.get_by_text("You confirmed this policy").is_visible()
    assert "Confirmed by uw@harbor.example" in page.locator("#answer").inner_text()
    page.screenshot(path="/tmp/confirm-portal-answered.png", full_page=True)

    _db.session.rollback()
    assert _db.session.execute(select(Policy.verification).where(Policy.id == policy_id)).scalar_one() == "verified"

    seller = browser.new_context(base_url=live_server.url)
    seller_page = seller.new_page()
    _login(seller_page, seller_email, "/seller")
    seller_page.goto(f"/seller/policies/{policy_id}")
    notice = seller_page.locator("#insurer-confirmation").inner_text()
    assert "confirmed by Harbor Mutual, the insurer" in notice
    seller_page.screenshot(path="/tmp/confirm-seller-policy.png", full_page=True)
    seller.close()


def test_the_confirmation_pages_fit_a_phone(phone_page, live_app, db):
    (staff_email, _seller_email), _policy_id, confirmation_id = _data(db, live_app)
    _login(phone_page, staff_email, "/insurer")
    for path in ("/insurer/confirmations", f"/insurer/confirmations/{confirmation_id}"):
        phone_page.goto(path)
        assert no_horizontal_scroll(phone_page), path
        assert unlabelled_inputs(phone_page) == [], path
    phone_page.screenshot(path="/tmp/confirm-phone.png", full_page=True)

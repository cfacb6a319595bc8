"""A claim against a seller in Chromium: the dashboard shows it first, the seller opens it, sees who pays and the
time left, and disputes it with a reason and files of evidence (a missing reason, and a file that is no PDF or
image, are refused at their fields first), then sees the files listed. The pages fit a 375 px
phone. Each page is also saved as a screenshot (into $SHOTS_DIR when set, else the test's temporary folder)."""

from __future__ import annotations

import io
import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from accelerator.services import claim_cases
from accelerator.services.audit import Actor
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs
from tests.factories import NOW


@pytest.fixture()
def shots(tmp_path) -> Path:
    """Where this test's screenshots go."""
    folder = Path(os.environ.get("SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _png() -> bytes:
    """A small real PNG: a photo of the kite."""
    out = io.BytesIO()
    Image.new("RGB", (40, 24), "orange").save(out, "PNG")
    return out.getvalue()


def _login(pg, email: str) -> None:
    """Log in through the login page and wait for the seller's dashboard."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url("**/seller")


def test_a_seller_sees_a_claim_first_opens_it_and_disputes_it(live_server, page, phone_page, db, shots):
    seller = factories.make_seller(legal_name="Blue Kite Toys LLC")
    email = factories.make_seller_user(seller=seller, email="owner@bluekite.example").email
    claim_cases.open_case(Actor("claims service"), None, claim_cases.CaseInput(
        case_id="AZ-2026-0042", seller_id=seller.seller_id, kind="property_damage", incident_date=date(2026, 6, 1),
        amount_claimed=Decimal("2500.00"), category=None, order_id="112-1234567-1234567",
        description="The heater's cord melted and scorched the carpet.",
        respond_by=NOW + timedelta(days=7, hours=6)))

    _login(page, email)
    first = page.locator("main h2").first
    assert "claim waits for your answer" in first.inner_text()
    assert "7 days 6 hours left, until December 1, 2026 18:00 UTC" in page.locator("#claims-waiting").inner_text()
    page.screenshot(path=str(shots / "claims-dashboard.png"), full_page=True)

    page.get_by_role("link", name="Claim AZ-2026-0042").click()
    page.wait_for_url("**/seller/claims/AZ-2026-0042")
    assert "You are liable" in page.locator("#who-pays").inner_text()
    assert "left, until December 1, 2026 18:00 UTC" in page.locator("#time-left").inner_text()
    assert unlabelled_inputs(page) == []
    page.screenshot(path=str(shots / "claim-desktop.png"), full_page=True)

    page.get_by_role("button", name="Dispute this claim").click()
    reason = page.get_by_label("Why you dispute this claim")
    assert reason.get_attribute("aria-invalid") == "true"
    assert "Say why you dispute this claim" in page.locator("#reason-error").inner_text()
    reason.fill("We never sold a heater: order 112-1234567-1234567 was a kite.")
    evidence = page.get_by_label("Files of evidence")
    evidence.set_input_files([{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": b"just text"}])
    page.get_by_role("button", name="Dispute this claim").click()
    assert "invoice.pdf: This file is not a PDF, PNG or JPEG image" in page.locator("#evidence-error").inner_text()
    assert evidence.get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(shots / "claim-evidence-refused.png"), full_page=True)
    evidence.set_input_files([
        {"name": "kite-order.pdf", "mimeType": "application/pdf", "buffer": factories.make_pdf_bytes("Order")},
        {"name": "kite.png", "mimeType": "image/png", "buffer": _png()}])
    page.get_by_role("button", name="Dispute this claim").click()
    page.wait_for_url("**/seller/claims/AZ-2026-0042")
    assert "You disputed this claim." in page.locator(".flashes").inner_text()
    listed = page.locator("#evidence").inner_text()
    assert "kite-order.pdf" in listed and "kite.png" in listed and "You" in listed
    with page.expect_download() as download:
        page.get_by_role("link", name="kite.png").click()
    assert download.value.suggested_filename == "kite.png"
    assert "order 112-1234567-1234567 was a kite" in page.locator("#history").inner_text()
    assert page.get_by_role("button", name="Dispute this claim").count() == 0
    db.session.rollback()  # a fresh look at what the live server committed
    assert claim_cases.get_case("AZ-2026-0042").case.escalation == "seller_disputed"
    page.screenshot(path=str(shots / "claim-disputed.png"), full_page=True)
    page.goto("/seller")
    assert page.locator("#claims-waiting").count() == 0

    _login(phone_page, email)
    assert phone_page.goto("/seller/claims").status == 200
    assert "You are liable" in phone_page.locator("main").inner_text()
    assert no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=str(shots / "claims-phone.png"), full_page=True)
    assert phone_page.goto("/seller/claims/AZ-2026-0042").status == 200
    assert no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=str(shots / "claim-phone.png"), full_page=True)

"""The certificate that reads itself, in Chromium: the seller drops a certificate whose additional insured is
not named, the form fills itself with a note under each field saying where it was read, the failed rule shows
with its fix and the exact wording to ask for; the seller corrects a field and sends it, and the upload is
listed pending with the same PDF. A sample is tried on a phone; a scan is read while the seller types."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from accelerator.extensions import db as _db
from accelerator.models import Policy
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs

SHOTS = "/tmp/shots-certupload"
SAMPLES = Path(__file__).resolve().parents[2] / "static" / "samples"
WORDING = "Marketplace Services LLC and its affiliates and assignees are included as additional insured."
SLOW = 90_000  # a scan is read by OCR on a busy machine


def _shot(pg, name: str) -> None:
    """Keep a screenshot to look at (outside the repository)."""
    os.makedirs(SHOTS, exist_ok=True)
    pg.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _login(pg, email: str) -> None:
    """Log in through the form."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url("**/seller")


def _drop(pg, content: bytes, name: str) -> None:
    """Drop a file on the drop zone, as a file dragged from the desktop is."""
    transfer = pg.evaluate_handle(
        """([bytes, name]) => { const dt = new DataTransfer();
             dt.items.add(new File([new Uint8Array(bytes)], name, {type: 'application/pdf'})); return dt; }""",
        [list(content), name])
    pg.dispatch_event("[data-dropzone]", "drop", {"dataTransfer": transfer})


def _note(pg, field_id: str) -> str:
    """The note under a field saying where its value was read."""
    return pg.locator(f"#{field_id}-source").inner_text()


def test_a_dropped_certificate_fills_the_form_and_says_the_failed_rule_with_its_fix(live_server, live_app, page, db):
    user = factories.make_seller_user()
    email, seller_id = user.email, user.seller_id
    _db.session.commit()
    grid = (SAMPLES / "certificate-grid.pdf").read_bytes()
    _login(page, email)
    page.goto("/seller/policies/upload")
    expect(page.get_by_text("Drop the PDF of your certificate here")).to_be_visible()
    for hidden in ("[data-reader-status]", "[data-reader-error]", "[data-reader-result]"):
        assert page.locator(hidden).is_hidden(), hidden  # nothing read yet, nothing shown
    _shot(page, "desktop-empty")

    # Not a PDF: said at once, nothing filled.
    page.get_by_label("Certificate of insurance (PDF)").set_input_files(
        files=[{"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"just some notes"}])
    expect(page.locator("[data-reader-error]")).to_contain_text("This file is not a PDF")
    expect(page.get_by_label("Policy number")).to_have_value("")

    _drop(page, grid, "acme-certificate.pdf")
    expect(page.get_by_label("Policy number")).to_have_value("GL-2026-69938")
    expect(page.locator("[data-reader-message]")).to_contain_text("Read acme-certificate.pdf in")
    assert page.get_by_label("Effective date").input_value() == "2026-08-14"
    assert page.get_by_label("Each occurrence limit").input_value() == "2,000,000.00"
    assert page.get_by_label("Deductible").input_value() == "2,500.00"
    assert page.get_by_label("Insurer", exact=True).input_value() == "outside"
    assert page.get_by_label("Insurer's name").input_value() == "Prairie General Insurance"
    assert not page.get_by_label("The policy names the marketplace as additional insured").is_checked()
    note = _note(page, "policy_number")
    assert "Read from page 1, the page's text" in note and "GL-2026-69938" in note
    assert "choose it by hand" in _note(page, "insurer_rating")
    assert page.locator("#insurer_rating").get_attribute("aria-describedby").endswith("insurer_rating-source")

    parties = page.locator("[data-reader-parties]").inner_text()
    assert "Pine & Maple Toys LLC" in parties and "Marketplace Services LLC" in parties
    failed = page.locator('[data-rule="not_additional_insured"]')
    expect(failed).to_have_class("rule rule--failed")
    assert "Fails" in failed.text_content() and "How to fix it" in failed.inner_text()
    assert "This policy does not name the marketplace as additional insured." in failed.inner_text()
    expect(page.get_by_label("The exact wording to ask for")).to_have_value(WORDING)
    expect(page.locator('[data-rule="per_occurrence_below"]')).to_have_class("rule rule--met")
    expect(page.locator('[data-rule="insurer_rating_too_low"]')).to_have_class("rule rule--unknown")
    # The page's live warnings judge the values filled in, as if typed.
    expect(page.locator("[data-shortfalls]")).to_contain_text("does not name the marketplace as additional insured")
    assert unlabelled_inputs(page) == [] and no_horizontal_scroll(page)
    _shot(page, "desktop-read")

    # The seller corrects what was misread and sends it, forgetting the rating: the form comes back with the
    # error at its field, and the file must be chosen again: reading it again keeps what the seller sent.
    page.get_by_label("Deductible").fill("2,000")
    page.get_by_role("button", name="Upload the policy").click()
    expect(page.locator("#insurer_rating-error")).to_contain_text("Choose the insurer's AM Best rating.")
    page.get_by_label("Certificate of insurance (PDF)").set_input_files(
        files=[{"name": "acme-certificate.pdf", "mimeType": "application/pdf", "buffer": grid}])
    expect(page.locator("[data-reader-message]")).to_contain_text("Read acme-certificate.pdf")
    assert page.get_by_label("Deductible").input_value() == "2,000"
    assert "the certificate says 2,500.00" in _note(page, "deductible")
    assert page.get_by_label("Policy number").input_value() == "GL-2026-69938"
    page.get_by_label("Insurer's AM Best rating").select_option("A-")
    page.get_by_role("button", name="Upload the policy").click()
    page.wait_for_url("**/seller/policies/*")
    expect(page.locator(".flash").first).to_contain_text("Policy GL-2026-69938 was uploaded")
    _db.session.rollback()
    policy = _db.session.execute(select(Policy).where(Policy.seller_id == seller_id)).scalar_one()
    assert (policy.verification, policy.source, str(policy.deductible)) == ("pending", "seller_upload", "2000.00")
    assert policy.additional_insured is False and policy.insurer_rating == "A-"
    assert (Path(live_app.config["UPLOAD_FOLDER"]) / policy.certificate_path).read_bytes() == grid
    page.goto("/seller")
    assert "GL-2026-69938" in page.content() and "Pending verification" in page.content()


def test_a_seller_tries_a_sample_on_a_phone(live_server, phone_page, db):
    user = factories.make_seller_user()
    email = user.email
    _db.session.commit()
    page = phone_page
    _login(page, email)
    page.goto("/seller/policies/upload")
    page.get_by_role("button", name="Try it: A letter of evidence").click()
    expect(page.get_by_label("Policy number")).to_have_value("PL/77-953349")
    expect(page.locator(".rule--failed")).to_have_count(3)
    assert page.get_by_label("Coverage basis").input_value() == "claims_made"
    assert "at least $1,000,000.00" in page.locator('[data-rule="per_occurrence_below"]').inner_text()
    # The sample became the file the form sends.
    assert page.eval_on_selector("#certificate", "input => input.files[0].name") == "certificate-letter.pdf"
    assert unlabelled_inputs(page) == [] and no_horizontal_scroll(page)
    _shot(page, "phone-sample")


def test_a_scan_is_read_while_the_form_stays_usable(live_server, page, db):
    user = factories.make_seller_user()
    email = user.email
    _db.session.commit()
    _login(page, email)
    page.goto("/seller/policies/upload")
    page.get_by_role("button", name="Try it: A scanned certificate").click()
    status = page.locator("[data-reader-status]")
    expect(status).to_be_visible()
    expect(page.locator("[data-reader-message]")).to_contain_text("Reading certificate-scan.pdf")
    assert page.locator("[data-reader-message]").get_attribute("aria-live") == "polite"
    _shot(page, "desktop-reading")
    # The seller types meanwhile: that value is the seller's, and the note says what the certificate says.
    page.get_by_label("Policy number").fill("HX-508482-B")
    expect(page.locator("#policy_number-source")).to_contain_text("the certificate says HX-508482", timeout=SLOW)
    assert page.get_by_label("Policy number").input_value() == "HX-508482-B"
    expect(page.get_by_label("Aggregate limit", exact=False).first).to_have_value("2,000,000.00")
    assert "the scanned page (OCR)" in _note(page, "aggregate_limit")
    assert page.locator(".rule--failed").count() == 0
    _shot(page, "desktop-scan")


def test_without_javascript_the_page_is_the_plain_form_with_the_samples_to_download(browser, live_server, db):
    user = factories.make_seller_user()
    email = user.email
    _db.session.commit()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        _login(page, email)
        page.goto("/seller/policies/upload")
        assert page.get_by_label("Certificate of insurance (PDF)").is_visible()
        assert not page.get_by_text("Drop the PDF of your certificate here").is_visible()
        assert page.get_by_role("button", name="Try it: A letter of evidence").is_hidden()
        link = page.get_by_role("link", name="Download A letter of evidence (PDF, 1 KB)")
        assert link.get_attribute("href") == "/static/samples/certificate-letter.pdf"
    finally:
        context.close()

"""The seller's journey in Chromium: register, complete the profile, ask once, an insurer quotes in its portal,
compare, buy, download the certificate PDF and read it, verify it while logged out; the upload of a policy
bought elsewhere; every seller page at 375 px with every input labelled."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from accelerator.extensions import db as _db
from accelerator.models import Policy, QuoteRequest
from accelerator.services import quotes
from accelerator.services.audit import Actor
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs
from tests.factories import TODAY

SELLER_EMAIL = "owner@brightblocks.example"
PASSWORD = "a long and memorable passphrase"


def _fresh():
    """A fresh look at what the live server committed."""
    _db.session.rollback()
    _db.session.expire_all()


def _tab_to(pg, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        pg.keyboard.press("Tab")
        if pg.evaluate("(sel) => !!document.activeElement && document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _check_page(pg, what: str) -> None:
    """Every input labelled, nothing sticking out sideways."""
    assert unlabelled_inputs(pg) == [], what
    assert no_horizontal_scroll(pg), what


def _login(pg, email: str, password: str, lands: str) -> None:
    """Log in through the form and wait for the landing page."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(password)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url(f"**{lands}")


def test_register_profile_request_quote_compare_buy_certify_verify(browser, live_server, page, db):
    harbor = factories.make_insurer(name="Harbor Mutual", naic_code="24680", am_best_rating="A",
                                    policy_prefix="HX", licensed_states=["WA", "CA"], categories=["toys", "baby"])
    staff = factories.make_insurer_user(insurer=harbor, email="dana@harbor.example")
    cove = factories.make_insurer(name="Cove Casualty", am_best_rating="B+", licensed_states=["WA"],
                                  categories=["toys"])
    factories.make_insurer(name="Books Only Mutual", licensed_states=["WA"], categories=["books"])
    staff_email = staff.email
    _db.session.commit()

    # Register, then the business profile.
    page.goto("/register")
    page.get_by_label("Seller ID").fill("brightblocks01")
    page.get_by_label("Legal business name").fill("Bright Blocks LLC")
    page.get_by_label("Email address").fill(SELLER_EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    # The same answer whether the address had an account: check your email, then log in.
    page.wait_for_url("**/login")
    assert page.get_by_text(f"we have sent a message to {SELLER_EMAIL}").is_visible()
    page.get_by_label("Email address").fill(SELLER_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/seller")
    page.goto("/seller/profile")
    assert page.get_by_role("heading", name="Complete your business profile").is_visible()
    _check_page(page, "profile")
    assert page.get_by_text("BRIGHTBLOCKS01", exact=True).is_visible()  # the seller ID, shown and fixed
    page.get_by_label("State where the business is registered").select_option("WA")
    page.get_by_label("Toys & Games").check()
    page.get_by_label("Gross sales in a recent month").fill("14,000")
    # Send it with the keyboard alone: Tab to the button, Enter.
    _tab_to(page, "form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/seller/requests/new")
    assert page.get_by_text("Your business profile is complete.").is_visible()

    # Ask once: the form starts from the profile.
    _check_page(page, "request form")
    assert page.get_by_label("Legal business name").input_value() == "Bright Blocks LLC"
    assert page.get_by_label("Annual revenue").input_value() == "168,000.00"
    page.get_by_label("Washington").check()
    page.get_by_label("Your top products").fill("Wooden stacking blocks; pull-along toys.")
    page.get_by_label("Desired start date").fill(TODAY.isoformat())
    page.get_by_label("Also ask insurers rated below").check()  # Cove (B+) is below the minimum
    page.get_by_role("button", name="Send to matching insurers").click()
    page.wait_for_url(re.compile(r".*/seller/requests/\d+$"))
    assert page.get_by_text("Your request went to 2 insurers.").is_visible()
    request_id = int(page.url.rsplit("/", 1)[1])

    # Harbor quotes in its portal; Cove through the service (its offer misses the requirement).
    insurer_context = browser.new_context(base_url=live_server.url)
    portal = insurer_context.new_page()
    _login(portal, staff_email, TEST_PASSWORD, "/insurer")
    portal.goto(f"/insurer/requests/{request_id}")
    portal.get_by_label("Annual premium").fill("1,850.00")
    portal.get_by_role("button", name="Send quote").click()
    portal.wait_for_load_state()
    assert portal.get_by_text("$1,850.00").first.is_visible()
    insurer_context.close()
    _fresh()
    quotes.offer_quote(Actor.cli(), cove.id, request_id, quotes.QuoteOffer(
        annual_premium=Decimal("1200.00"), per_occurrence_limit=Decimal("500000.00"),
        aggregate_limit=Decimal("500000.00"), deductible=Decimal("1000.00"),
        valid_until=TODAY + timedelta(days=20)))

    # Compare: the cheaper quote comes first and says why it falls short; sorted by limit, Harbor leads.
    page.reload()
    cards = page.locator(".quote-card")
    assert cards.count() == 2
    assert "Cove Casualty" in cards.nth(0).inner_text()
    assert "Does not meet the requirement" in cards.nth(0).inner_text()
    assert "Rated B+ by AM Best" in cards.nth(0).inner_text()
    assert "Meets the marketplace requirement" in cards.nth(1).inner_text()
    page.get_by_role("link", name="Limit (highest first)").click()
    page.wait_for_url("**sort=limit")
    assert "Harbor Mutual" in page.locator(".quote-card").nth(0).inner_text()
    _check_page(page, "compare")

    # Buy Harbor's quote: the confirm step, then the button, reached and pressed with the keyboard.
    page.get_by_role("link", name="Choose this quote from Harbor Mutual").click()
    page.wait_for_url(re.compile(r".*/quotes/\d+/buy$"))
    assert page.get_by_role("heading", name="Buy the quote from Harbor Mutual").is_visible()
    _tab_to(page, "form.buy-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/seller/policies/\d+$"))
    _fresh()
    policy = _db.session.execute(select(Policy)).scalar_one()
    assert (policy.source, policy.verification) == ("marketplace", "verified")
    assert policy.policy_number.startswith(f"HX-{TODAY.year}-")
    assert _db.session.get(QuoteRequest, request_id).status == "closed"
    assert page.get_by_text(f"You bought policy {policy.policy_number}").is_visible()
    certificate = page.locator("article.certificate")
    for text in ("Bright Blocks LLC", "Harbor Mutual", "24680", policy.policy_number, "$1,000,000.00",
                 "Marketplace Services LLC and its affiliates and assignees"):
        assert text in certificate.inner_text(), text
    _check_page(page, "certificate")

    # The PDF: a real download, whose text is the certificate.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    assert download.value.suggested_filename == f"certificate-{policy.policy_number}.pdf"
    with open(download.value.path(), "rb") as fh:
        text = " ".join(PdfReader(io.BytesIO(fh.read())).pages[0].extract_text().split())
    for needle in ("Bright Blocks LLC", "24680", policy.policy_number, "$1,000,000.00", "$2,000,000.00",
                   "Marketplace Services LLC and its affiliates and assignees"):
        assert needle in text, needle

    # The verification link, opened by somebody who is not logged in.
    link = page.locator("a.certificate__link").get_attribute("href")
    assert link in text
    stranger = browser.new_context()
    public = stranger.new_page()
    public.goto(link)
    assert public.locator(".verify__verdict").inner_text() == "In force"
    body = public.locator("main").inner_text()
    assert policy.policy_number in body and "Harbor Mutual" in body
    assert "Bright Blocks LLC" in body and "$1,000,000.00" in body  # the insured it names, and the limits
    assert "BRIGHTBLOCKS01" not in body
    stranger.close()

    # The dashboard now shows the policy and the request with its two quotes.
    page.get_by_role("link", name="My insurance").first.click()
    page.wait_for_url("**/seller")
    assert page.get_by_role("link", name=policy.policy_number).first.is_visible()
    assert "2" == page.locator('td[data-label="Quotes"]').first.inner_text()
    _check_page(page, "dashboard")


def test_upload_a_policy_bought_elsewhere_and_every_page_at_375_px(browser, live_server, phone_page, db):
    user = factories.make_seller_user(email="owner@lakeside.example")
    insurer = factories.make_insurer(name="Harbor Mutual")
    request = factories.make_quote_request(seller_id=user.seller_id, routed_to=[insurer])
    factories.make_quote(request, insurer)
    bought = factories.make_policy(seller_id=user.seller_id, insurer=insurer, policy_number="HX-2026-000777",
                                   effective_date=TODAY - timedelta(days=3),
                                   expiration_date=TODAY + timedelta(days=362))
    paths = ["/seller", "/seller/profile", "/seller/requests/new", f"/seller/requests/{request.id}",
             f"/seller/policies/{bought.id}", "/seller/policies/upload"]
    email = user.email
    _db.session.commit()

    # A context of our own: the refused upload answers 400, which the `page` fixture counts as an error.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    _login(page, email, TEST_PASSWORD, "/seller")
    page.get_by_role("link", name="Upload a policy").first.click()
    page.wait_for_url("**/seller/policies/upload")
    _check_page(page, "upload form")
    page.get_by_label("Insurer", exact=True).select_option("outside")
    page.get_by_label("Insurer's name").fill("Lakeside Specialty Insurance")
    page.get_by_label("Insurer's NAIC company code").fill("54321")
    page.get_by_label("Insurer's AM Best rating").select_option("A-")
    page.get_by_label("Policy number").fill("LS-778899")
    page.get_by_label("Effective date").fill((TODAY - timedelta(days=5)).isoformat())
    page.get_by_label("Expiration date").fill((TODAY + timedelta(days=360)).isoformat())
    page.get_by_label("Each occurrence limit").fill("1,000,000")
    page.get_by_label("Products-completed operations aggregate limit").fill("2,000,000")
    page.get_by_label("Deductible").fill("5,000")
    page.get_by_label("The policy names the marketplace as additional insured").check()
    # First a file that only pretends to be a PDF: refused at the field, what was typed is kept.
    page.get_by_label("Certificate of insurance (PDF)").set_input_files(
        files=[{"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": b"<html>not a pdf</html>"}])
    page.get_by_role("button", name="Upload the policy").click()
    page.wait_for_load_state()
    assert page.locator("#certificate-error").inner_text().endswith(
        "This file is not a PDF. Choose the certificate as a PDF document.")
    assert page.get_by_label("Policy number").input_value() == "LS-778899"
    _fresh()
    assert _db.session.execute(select(Policy).where(Policy.policy_number == "LS-778899")).first() is None
    # Then the real PDF.
    page.get_by_label("Certificate of insurance (PDF)").set_input_files(
        files=[{"name": "lakeside.pdf", "mimeType": "application/pdf",
                "buffer": factories.make_pdf_bytes("Lakeside Specialty Insurance")}])
    page.get_by_role("button", name="Upload the policy").click()
    page.wait_for_url(re.compile(r".*/seller/policies/\d+$"))
    assert page.get_by_role("heading", name="Waiting for the marketplace to verify this policy").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the document you uploaded").click()
    with open(download.value.path(), "rb") as fh:
        assert fh.read().startswith(b"%PDF-")
    page.goto("/seller")
    pending = page.locator("table", has=page.get_by_role("link", name="LS-778899"))
    assert "Pending verification" in pending.inner_text()
    context.close()

    # Every seller page on a phone.
    _login(phone_page, email, TEST_PASSWORD, "/seller")
    for path in paths:
        phone_page.goto(path)
        assert phone_page.locator("main").is_visible(), path
        _check_page(phone_page, path)
    # The upload form with an error at every field still fits.
    phone_page.get_by_role("button", name="Upload the policy").click()
    phone_page.wait_for_load_state()
    assert phone_page.get_by_role("heading", name="There is a problem").is_visible()
    _check_page(phone_page, "upload form with errors")

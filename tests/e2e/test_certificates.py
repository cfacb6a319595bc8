"""Certificates in Chromium: the seller renames the business, the issued certificate stays as it was, a double
click on "Ask for a new certificate" issues one, both are listed; the public verification page (desktop and
375 px) names the insured of the certificate whose link was followed; an unknown link is a 404 that says so."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from accelerator.extensions import db as _db
from accelerator.models import Certificate
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs
from tests.factories import TODAY

LONG_INSURER = "Harbor Mutual Insurance Company of the Northeastern United States"


def _login(pg, email: str) -> None:
    """Log in through the form and wait for the dashboard."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url("**/seller")


def test_rename_ask_for_a_new_certificate_and_verify_both(browser, live_server, page, db):
    seller = factories.make_seller(seller_id="LAMPS0001", legal_name="Bright Lamps Inc", state="NY",
                                   categories=["home"], monthly_gross_sales="20000.00")
    user = factories.make_seller_user(seller=seller)
    insurer = factories.make_insurer(name=LONG_INSURER, naic_code="24680")
    policy = factories.make_policy(seller_id=seller.seller_id, insurer=insurer, policy_number="HX-2026-000042",
                                   effective_date=TODAY - timedelta(days=10),
                                   expiration_date=TODAY + timedelta(days=355), excluded_categories=["toys"])
    email, policy_id = user.email, policy.id
    _db.session.commit()

    _login(page, email)
    page.goto(f"/seller/policies/{policy_id}")
    certificate = page.locator("article.certificate")
    assert "Bright Lamps Inc" in certificate.inner_text() and "Toys & Games" in certificate.inner_text()
    first_link = page.locator("a.certificate__link").get_attribute("href")
    assert page.locator("img.certificate__qr").evaluate("img => img.complete && img.naturalWidth > 0")

    # The business is renamed in the profile: the certificate issued stays as it was.
    page.goto("/seller/profile")
    page.get_by_label("Legal business name").fill("Bright Lamps & Shades Co")
    page.get_by_label("State where the business is registered").select_option("NJ")
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_load_state()
    page.goto(f"/seller/policies/{policy_id}")
    assert "Bright Lamps Inc" in page.locator("article.certificate").inner_text()
    assert "Shades" not in page.locator("article.certificate").inner_text()

    # A double click on the button issues one new certificate, naming the business as it is now.
    page.get_by_role("button", name="Ask for a new certificate").dblclick()
    expect(page.locator(".certificate-list__item")).to_have_count(2)
    expect(page.locator(".flash").filter(
        has_text=re.compile("Certificate 2 was issued|already been replaced")).first).to_be_visible()
    _db.session.rollback()
    numbers = _db.session.execute(select(Certificate.number).where(Certificate.policy_id == policy_id)).scalars()
    assert sorted(numbers) == [1, 2]
    assert "Bright Lamps & Shades Co" in page.locator("article.certificate").inner_text()
    items = page.locator(".certificate-list__item")
    assert items.count() == 2
    assert "Certificate 2" in items.nth(0).inner_text() and "Bright Lamps & Shades Co" in items.nth(0).inner_text()
    assert "Certificate 1" in items.nth(1).inner_text() and "Bright Lamps Inc" in items.nth(1).inner_text()
    assert unlabelled_inputs(page) == [] and no_horizontal_scroll(page)
    new_link = page.locator("a.certificate__link").get_attribute("href")
    assert new_link != first_link

    # Anybody follows either link, on a desktop or a phone: each names the insured its certificate names.
    for viewport, link, name in (({"width": 1280, "height": 900}, first_link, "Bright Lamps Inc"),
                                 ({"width": 375, "height": 812}, new_link, "Bright Lamps & Shades Co")):
        stranger = browser.new_context(viewport=viewport)
        public = stranger.new_page()
        public.goto(link)
        assert public.locator(".verify__verdict").inner_text() == "In force"
        body = public.locator("main").inner_text()
        assert name in body and LONG_INSURER in body and "$1,000,000.00" in body and "LAMPS0001" not in body
        assert no_horizontal_scroll(public)
        missing = public.goto(link[:-4] + "AAAA")
        assert missing.status == 404
        assert "No certificate has this verification link." in public.locator("main").inner_text()
        stranger.close()

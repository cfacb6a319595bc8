"""Notices from insurers in Chromium: the insurer sends a notice of cancellation from its policy's page (a date
refused at its field first), and the seller's page then shows the date and what to do before it."""

from __future__ import annotations

import os

from accelerator.extensions import db as _db
from accelerator.models import Policy
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs

REASON = "Premium not paid after two notices."
SHOTS = os.environ.get("E2E_SCREENSHOTS", "/tmp/notices-e2e")


def _login(pg, email: str, lands_on: str) -> None:
    """Log in through the login page."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url(f"**{lands_on}")


def test_insurer_gives_notice_in_the_portal_and_the_seller_sees_the_date_and_what_to_do(
        db, page, browser, live_server):
    harbor = factories.make_insurer(name="Harbor Mutual")
    factories.make_insurer_user(insurer=harbor, email="dana@harbor.example")
    owner = factories.make_seller_user(email="owner@acme.example")
    policy = factories.make_policy(insurer=harbor, seller_id=owner.seller_id, policy_number="HX-77")
    os.makedirs(SHOTS, exist_ok=True)

    _login(page, "dana@harbor.example", "/insurer")
    page.get_by_role("link", name="Policies").click()
    page.get_by_role("link", name="HX-77").click()
    page.wait_for_url(f"**/insurer/policies/{policy.id}")
    assert unlabelled_inputs(page) == []

    # Today (the clock is pinned at 2026-11-24) is refused at the field; nothing changes.
    page.get_by_label("Cancellation date").fill("2026-11-24")
    page.get_by_label("Reason, as the seller will read it").fill(REASON)
    page.get_by_role("button", name="Send notice of cancellation").click()
    error = page.locator("#cancellation_date-error")
    assert "after today" in error.inner_text()
    assert page.get_by_label("Cancellation date").get_attribute("aria-invalid") == "true"
    page.screenshot(path=f"{SHOTS}/portal-error.png", full_page=True)
    _db.session.expire_all()
    assert _db.session.get(Policy, policy.id).cancellation_date is None

    page.get_by_label("Cancellation date").fill("2026-12-15")
    page.get_by_role("button", name="Send notice of cancellation").click()
    page.wait_for_url(f"**/insurer/policies/{policy.id}")
    assert "Cancelling from December 15, 2026" in page.locator("#cancellation-status").inner_text()
    assert page.get_by_role("button", name="Reinstate the policy").is_visible()
    page.screenshot(path=f"{SHOTS}/portal-sent.png", full_page=True)

    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 812},
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    seller = context.new_page()
    try:
        _login(seller, "owner@acme.example", "/seller")
        notice = seller.locator(f"#notice-policy-{policy.id}")
        assert "Harbor Mutual is cancelling policy HX-77 from December 15, 2026" in notice.inner_text()
        assert REASON in notice.inner_text() and "What to do" in notice.inner_text()
        assert no_horizontal_scroll(seller)
        seller.screenshot(path=f"{SHOTS}/seller-dashboard.png", full_page=True)
        notice.get_by_role("link", name="Ask insurers for quotes").click()
        seller.wait_for_url("**/seller/requests/new")
    finally:
        context.close()

"""The categories a seller sells, in Chromium: the dashboard says which ones a policy excludes, the comparison of
quotes says which requested category a quote excludes (both fit a phone), the profile shows the same list."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll
from tests.factories import TODAY

# Where to keep screenshots when asked (SHOTS_DIR=/tmp/...); none are kept otherwise.
SHOTS_DIR = os.environ.get("SHOTS_DIR")


def _shot(pg, name: str) -> None:
    """Save a full-page screenshot under SHOTS_DIR, when set."""
    if SHOTS_DIR:
        Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(SHOTS_DIR) / f"{name}.png"), full_page=True)


def _login(pg, email: str) -> None:
    """Log in through the form and land on the seller's dashboard."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url("**/seller")


def _data(db):
    """A toy seller required to be insured whose only policy excludes toys, with a request and two quotes."""
    seller = factories.make_seller(legal_name="Little Oak Toys LLC", categories=["toys", "home"])
    user = factories.make_seller_user(seller=seller, email="owner@littleoak.example")
    factories.make_monthly_sales(seller.seller_id, TODAY.replace(day=1) - timedelta(days=40), "25000.00")
    harbor = factories.make_insurer(name="Harbor Mutual")
    other = factories.make_insurer(name="Other Casualty")
    factories.make_policy(seller_id=seller.seller_id, insurer=harbor, policy_number="HM-NO-TOYS",
                          excluded_categories=["toys", "pet"], effective_date=TODAY - timedelta(days=30),
                          expiration_date=TODAY + timedelta(days=335))
    request = factories.make_quote_request(seller_id=seller.seller_id, routed_to=[harbor, other],
                                           categories=["toys", "home"])
    factories.make_quote(request, harbor, excluded_categories=["toys"])
    factories.make_quote(request, other, excluded_categories=["pet"])
    db.session.commit()
    return user, request


def test_the_dashboard_and_the_comparison_say_what_is_excluded(page, phone_page, db):
    user, request = _data(db)
    _login(page, user.email)
    row = page.locator("tr", has=page.get_by_role("link", name="HM-NO-TOYS"))
    assert row.locator(".policy-exclusion").inner_text() == "Excludes Toys & Games, which you sell"
    missing = page.locator(".compliance__missing").inner_text()
    assert "Policy HM-NO-TOYS excludes Toys & Games, which you sell." in missing
    assert "You meet the insurance requirement" not in page.locator(".compliance").inner_text()
    _shot(page, "dashboard")

    page.goto(f"/seller/requests/{request.id}")
    harbor = page.locator(".quote-card", has=page.get_by_role("heading", name="Harbor Mutual"))
    assert "Does not meet the requirement" in harbor.inner_text()
    assert "It excludes Toys & Games, which your request asked to cover." in harbor.inner_text()
    other = page.locator(".quote-card", has=page.get_by_role("heading", name="Other Casualty"))
    assert "Meets the marketplace requirement" in other.inner_text()
    _shot(page, "compare")

    page.goto("/seller/profile")
    sold = page.get_by_role("group", name="Categories you sell")
    assert sold.get_by_label("Toys & Games").is_checked() and sold.get_by_label("Home & Kitchen").is_checked()
    assert not sold.get_by_label("Pet Supplies").is_checked()
    _shot(page, "profile")

    _login(phone_page, user.email)
    assert phone_page.locator(".policy-exclusion").is_visible() and no_horizontal_scroll(phone_page)
    _shot(phone_page, "dashboard-phone")
    phone_page.goto(f"/seller/requests/{request.id}")
    assert no_horizontal_scroll(phone_page)
    _shot(phone_page, "compare-phone")

"""A renewal in Chromium: a seller whose policy expires in 20 days sees the countdown, clicks Renew, sends the
prefilled request, an insurer quotes, and the seller compares the renewal quote with the current policy and
buys it; the cover then goes on from the old expiration date. The pages also fit a 375 px phone."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from accelerator import clock
from accelerator.extensions import db as _db
from accelerator.models import Policy, QuoteRequest
from accelerator.services import quotes
from accelerator.services.audit import Actor
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs
from tests.factories import TODAY


def _fresh():
    """A fresh look at what the live server committed."""
    _db.session.rollback()
    _db.session.expire_all()


def _long(day: date) -> str:
    """`June 1, 2026`, as the pages write dates."""
    return f"{day:%B} {day.day}, {day.year}"


def _check_page(pg, what: str) -> None:
    """Every input labelled, nothing sticking out sideways."""
    assert unlabelled_inputs(pg) == [], what
    assert no_horizontal_scroll(pg), what


def _login(pg, email: str) -> None:
    """Log in through the form and wait for the dashboard."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url("**/seller")


def test_a_seller_renews_a_policy_expiring_in_20_days_and_buys_the_renewal(live_server, page, phone_page, db):
    today = TODAY
    harbor = factories.make_insurer(name="Harbor Mutual", policy_prefix="HX", licensed_states=["WA"],
                                    categories=["toys"])
    seller = factories.make_seller(legal_name="Blue Kite Toys LLC", state="WA", categories=["toys"],
                                   monthly_gross_sales=Decimal("20000.00"), profile_completed_at=clock.now())
    user = factories.make_seller_user(seller=seller, email="owner@bluekite.example")
    # Insurance is required (a month over the threshold long ago); the expiring policy is what meets it.
    factories.make_monthly_sales(seller.seller_id, date(2025, 1, 1), "25000.00")
    expires = today + timedelta(days=20)
    policy = factories.make_policy(seller_id=seller.seller_id, insurer=harbor, policy_number="HX-2025-000042",
                                   effective_date=expires - timedelta(days=365), expiration_date=expires,
                                   deductible=Decimal("2500.00"), premium=Decimal("1850.00"))
    email, policy_id = user.email, policy.id
    _db.session.commit()

    # The dashboard counts down to the end of the cover and offers the renewal.
    _login(page, email)
    countdown = page.locator(".countdown").inner_text()
    assert "20" in countdown and "days until your cover ends" in countdown and _long(expires) in countdown
    assert page.get_by_text("Renew policy HX-2025-000042: it expires in 20 days").is_visible()
    assert "expires in 20 days" in page.locator("#group-expiring + table").inner_text()
    _check_page(page, "dashboard")

    # On a phone: the dashboard and the prefilled form fit, every input labelled.
    _login(phone_page, email)
    _check_page(phone_page, "dashboard at 375 px")
    assert phone_page.locator(".countdown").is_visible()
    phone_page.goto(f"/seller/policies/{policy_id}/renewal/new")
    _check_page(phone_page, "renewal form at 375 px")

    # One click: the request, prefilled from the policy and the profile.
    page.get_by_role("button", name="Renew policy HX-2025-000042").first.click()
    page.wait_for_url(f"**/seller/policies/{policy_id}/renewal/new")
    assert page.get_by_role("heading", name="Renew policy HX-2025-000042").is_visible()
    assert page.get_by_label("Legal business name").input_value() == "Blue Kite Toys LLC"
    assert page.get_by_label("Annual revenue").input_value() == "240,000.00"
    assert page.get_by_label("Per-occurrence limit").input_value() == "1,000,000.00"
    assert page.get_by_label("Deductible").input_value() == "2,500.00"
    assert page.get_by_label("Desired start date").input_value() == expires.isoformat()
    assert page.get_by_label("Toys & Games").is_checked()
    _check_page(page, "renewal form")
    page.get_by_label("Your top products").fill("Kites and kite string.")
    page.get_by_role("button", name="Send the renewal request").click()
    page.wait_for_url(re.compile(r".*/seller/requests/\d+$"))
    assert page.get_by_text("Your renewal request went to 1 insurer.").is_visible()
    assert page.get_by_role("heading", name="Renewal of policy HX-2025-000042").is_visible()
    request_id = int(page.url.rsplit("/", 1)[1])
    _fresh()
    request = _db.session.get(QuoteRequest, request_id)
    assert request.renewal_of_policy_id == policy_id and request.desired_start_date == expires
    assert request.top_products == "Kites and kite string."
    _db.session.rollback()

    # Harbor quotes the renewal (through the service, as its portal would).
    quotes.offer_quote(Actor.cli(), harbor.id, request_id, quotes.QuoteOffer(
        annual_premium=Decimal("1990.00"), per_occurrence_limit=Decimal("1000000.00"),
        aggregate_limit=Decimal("2000000.00"), deductible=Decimal("1000.00"),
        valid_until=today + timedelta(days=25)))

    # The policy page: the renewal quote beside the current policy.
    page.goto(f"/seller/policies/{policy_id}")
    section = page.locator(".renewal-section")
    current = section.locator(".current-policy").inner_text()
    assert "YOUR CURRENT POLICY" in current.upper()
    assert "$1,850.00" in current
    card = section.locator(".quote-card")
    assert card.count() == 1
    text = card.inner_text()
    for needle in ("Harbor Mutual", "$1,990.00", "$140.00 more", "$1,500.00 less", "Meets the marketplace requirement"):
        assert needle in text, needle
    box_current = section.locator(".current-policy").bounding_box()
    box_quote = card.bounding_box()
    assert box_quote["x"] > box_current["x"] + box_current["width"] - 1  # side by side at desktop width
    _check_page(page, "policy page with renewal quotes")
    phone_page.goto(f"/seller/policies/{policy_id}")
    _check_page(phone_page, "policy page at 375 px")
    phone_page.goto(f"/seller/requests/{request_id}")
    assert phone_page.locator(".term-changes").is_visible()
    _check_page(phone_page, "renewal request at 375 px")

    # Buy it: the new policy starts when the old one expires.
    card.get_by_role("link", name="Choose this quote from Harbor Mutual").click()
    page.wait_for_url(re.compile(r".*/quotes/\d+/buy$"))
    renewed_until = expires.replace(year=expires.year + 1)
    assert f"{_long(expires)} to {_long(renewed_until)}" in page.locator(".confirm-card").inner_text()
    page.get_by_role("button", name="Buy for $1,990.00").click()
    page.wait_for_url(re.compile(r".*/seller/policies/\d+$"))
    _fresh()
    renewed = _db.session.execute(select(Policy).where(Policy.id != policy_id)).scalar_one()
    assert (renewed.effective_date, renewed.expiration_date) == (expires, renewed_until)
    assert renewed.policy_number.startswith(f"HX-{expires.year}-")
    _db.session.rollback()

    # The old policy says the cover goes on; the dashboard counts to the new end and offers no renewal.
    page.goto(f"/seller/policies/{policy_id}")
    assert page.get_by_role("heading", name="Your cover continues").is_visible()
    page.goto("/seller")
    assert _long(renewed_until) in page.locator(".countdown").inner_text()
    assert page.get_by_role("button", name=re.compile("^Renew")).count() == 0
    assert "Continued by" in page.locator("#group-expiring + table").inner_text()
    _check_page(page, "dashboard after the renewal")

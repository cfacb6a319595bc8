"""Withdrawing a quote request in Chromium: the seller sees who received it (a decline with its reason),
is asked to confirm, withdraws it once; the dashboard then no longer points at its quotes, and the insurer's
inbox shows it withdrawn, under its own tab. The pages fit a 375 px phone."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from accelerator import clock
from accelerator.extensions import db as _db
from accelerator.models import QuoteRequest, QuoteRouting
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs
from tests.factories import TODAY


def _login(pg, email: str, lands: str) -> None:
    """Log in through the form and wait for the landing page."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url(f"**{lands}")


def test_a_seller_withdraws_an_open_request_and_the_insurer_sees_it_withdrawn(live_server, page, phone_page, db):
    harbor = factories.make_insurer(name="Harbor Mutual", licensed_states=["WA"], categories=["toys"])
    rival = factories.make_insurer(name="Rival Casualty", licensed_states=["WA"], categories=["toys"])
    seller = factories.make_seller(legal_name="Blue Kite Toys LLC", state="WA", categories=["toys"],
                                   monthly_gross_sales=Decimal("20000.00"), profile_completed_at=clock.now())
    user = factories.make_seller_user(seller=seller, email="owner@bluekite.example")
    staff = factories.make_insurer_user(insurer=harbor, email="staff@harbor.example")
    factories.make_monthly_sales(seller.seller_id, date(2026, 10, 1), "25000.00")  # insurance due
    request = factories.make_quote_request(seller_id=seller.seller_id, legal_name="Blue Kite Toys LLC", state="WA",
                                           routed_to=[harbor, rival])
    factories.make_quote(request, harbor, valid_until=TODAY + timedelta(days=20))
    for routing in request.routings:
        if routing.insurer_id == harbor.id:
            routing.status = "quoted"
        else:
            routing.status, routing.decline_reason = "declined", "We do not write kites above 2 metres."
    request_id, seller_email, staff_email = request.id, user.email, staff.email
    _db.session.commit()

    # The dashboard points at the quote waiting on the request, not at a new request.
    _login(page, seller_email, "/seller")
    steps = page.locator(".next-steps").inner_text()
    assert "Compare the 1 quote on your request of" in steps and "Ask insurers for quotes" not in steps

    # The request page names each insurer, and the decline with its reason.
    page.goto(f"/seller/requests/{request_id}")
    insurers = page.locator(".asked-insurers").inner_text()
    assert "Harbor Mutual" in insurers and "Rival Casualty" in insurers
    assert "We do not write kites above 2 metres." in insurers
    assert unlabelled_inputs(page) == []

    # Dismissing the confirmation changes nothing.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Withdraw this request").click()
    assert page.url.endswith(f"/seller/requests/{request_id}")
    _db.session.rollback()
    assert _db.session.get(QuoteRequest, request_id).withdrawn_at is None
    _db.session.rollback()

    # Confirming withdraws it.
    messages: list[str] = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Withdraw this request").click()
    page.wait_for_selector("#withdrawn")
    assert messages and messages[0].startswith("Withdraw this request?")
    assert page.get_by_text("You withdrew this request. Insurers can no longer quote on it.").is_visible()
    assert page.get_by_role("button", name="Withdraw this request").count() == 0
    assert page.get_by_role("link", name=re.compile("Choose this quote")).count() == 0
    _db.session.rollback()
    withdrawn = _db.session.get(QuoteRequest, request_id)
    assert withdrawn.status == "closed" and withdrawn.withdrawn_at is not None
    assert {r.insurer_id: r.status for r in _db.session.query(QuoteRouting).all()} == {
        harbor.id: "closed", rival.id: "declined"}
    _db.session.rollback()

    # The dashboard: no quote to compare any more; insurance is still due, so ask or upload.
    page.goto("/seller")
    steps = page.locator(".next-steps").inner_text()
    assert "Compare the" not in steps and "Ask insurers for quotes" in steps
    assert "Withdrawn" in page.locator("#requests-title + table").inner_text()

    # On a phone, the withdrawn request's page fits.
    _login(phone_page, seller_email, "/seller")
    phone_page.goto(f"/seller/requests/{request_id}")
    assert no_horizontal_scroll(phone_page)

    # Harbor's inbox: the request is withdrawn, under its own tab, marked as the current one.
    page.context.clear_cookies()
    _login(page, staff_email, "/insurer")
    row = page.locator("tr", has_text="Blue Kite Toys LLC")
    assert row.locator(".badge").inner_text() == "Withdrawn"
    page.get_by_role("link", name=re.compile(r"^Withdrawn 1")).click()
    page.wait_for_url("**/insurer?status=withdrawn")
    assert page.locator('.status-tabs__link[aria-current="true"]').inner_text().startswith("Withdrawn")
    assert page.locator('.portal-nav__link[aria-current="page"]').inner_text() == "Quote requests"
    page.get_by_role("link", name="Blue Kite Toys LLC").click()
    assert page.get_by_text("The seller withdrew this request").is_visible()
    assert page.get_by_role("button", name="Send quote").count() == 0

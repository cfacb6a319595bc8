"""Claim cases in Chromium: an insurer's staff accept a claim and record its payment (the aggregate before
and after); an admin steps in on an escalated case and records the marketplace's payment. At 375 px too.

Each page is also saved as a screenshot (into $SHOTS_DIR when set, else the test's temporary folder)."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from accelerator.services import claim_cases
from accelerator.services.audit import Actor
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs


@pytest.fixture()
def shots(tmp_path) -> Path:
    """Where this test's screenshots go."""
    folder = Path(os.environ.get("SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _login(pg, email: str, lands: str) -> None:
    """Log in through the login page and wait to land on `lands`."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url(f"**{lands}")


def _open(seller_id: str, case_id: str, amount: str) -> None:
    """A case opened through the service."""
    claim_cases.open_case(Actor("e2e"), None, claim_cases.CaseInput(
        case_id=case_id, seller_id=seller_id, kind="property_damage", incident_date=date(2026, 6, 1),
        amount_claimed=Decimal(amount), category=None, order_id="ORD-88120",
        description="The heater's cord melted and scorched the floor.", respond_by=None))


def test_an_insurer_accepts_and_pays_and_an_admin_steps_in(db, page, phone_page, shots):
    insurer = factories.make_insurer(name="Harbor Mutual")
    staff = factories.make_insurer_user(insurer=insurer, email="claims@harbor.example")
    seller = factories.make_seller(seller_id="GREENLEAF01", legal_name="Greenleaf Home Goods LLC")
    factories.make_policy(seller_id=seller.seller_id, insurer=insurer, policy_number="HM-2026-0042")
    _open(seller.seller_id, "CS-1001", "2400.00")
    _open(seller.seller_id, "CS-1002", "3100.00")
    admin = factories.make_user(role="admin", email="ops@marketplace.example")
    staff_email, admin_email = staff.email, admin.email

    _login(page, staff_email, "/insurer")
    page.get_by_role("link", name="Claims", exact=True).first.click()
    page.wait_for_url("**/insurer/claims")
    page.screenshot(path=str(shots / "insurer-claims-inbox.png"), full_page=True)
    page.get_by_role("link", name="CS-1001").click()
    assert page.locator("#remaining-before").inner_text() == "$2,000,000.00"
    assert unlabelled_inputs(page) == []
    page.get_by_role("button", name="Accept the claim").dblclick()
    page.get_by_label("Amount paid").wait_for()
    page.screenshot(path=str(shots / "insurer-claim-accepted.png"), full_page=True)
    assert "Accepted" in page.locator(".page-header").inner_text()
    page.get_by_label("Amount paid").fill("2,400")
    page.get_by_role("button", name="Record the payment").dblclick()
    page.wait_for_load_state()
    page.locator("#remaining-after").wait_for()
    assert page.locator("#remaining-after").inner_text() == "$1,997,600.00"
    page.screenshot(path=str(shots / "insurer-claim-paid.png"), full_page=True)
    db.session.rollback()  # end the test's read: the server wrote since
    assert [e.event for e in claim_cases.get_case("CS-1001").case.events] == ["opened", "accepted", "paid"]

    page.get_by_role("link", name="Claims", exact=True).first.click()
    page.get_by_role("link", name="CS-1002").click()
    page.get_by_role("button", name="Deny the claim").click()
    assert page.locator("#reason-error").inner_text().strip() != ""  # the reason is required, said at the field
    page.screenshot(path=str(shots / "insurer-claim-deny-error.png"), full_page=True)
    page.get_by_label("Reason for denying").fill("The heater was bought after the policy period.")
    page.get_by_role("button", name="Deny the claim").click()
    page.wait_for_load_state()
    assert "You denied this claim" in page.content()

    _login(phone_page, admin_email, "/admin")
    phone_page.goto("/admin/claims")
    phone_page.screenshot(path=str(shots / "admin-claims-queue-375.png"), full_page=True)
    assert no_horizontal_scroll(phone_page)
    phone_page.get_by_role("link", name="CS-1002").click()
    phone_page.locator("#note").fill("The customer waited long enough.")
    phone_page.get_by_role("button", name="Step in").dblclick()
    phone_page.wait_for_load_state()
    phone_page.get_by_label("Paid by").select_option("marketplace")
    phone_page.get_by_label("Amount paid").fill("1000")
    phone_page.get_by_role("button", name="Record the payment").click()
    phone_page.wait_for_load_state()
    phone_page.get_by_role("heading", name="Record a recovery").wait_for()
    assert no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=str(shots / "admin-claim-case-375.png"), full_page=True)
    db.session.rollback()
    view = claim_cases.get_case("CS-1002").case
    assert [e.event for e in view.events] == ["opened", "denied", "stepped_in", "paid"]
    assert (view.recovery_from, view.recovery_due) == ("insurer", Decimal("1000.00"))

    page.context.clear_cookies()
    _login(page, admin_email, "/admin")
    page.goto("/admin/sellers/GREENLEAF01")
    page.get_by_role("heading", name="Claim cases").wait_for()
    page.screenshot(path=str(shots / "admin-seller-claim-cases.png"), full_page=True)
    assert page.get_by_role("link", name="CS-1002").count() == 1

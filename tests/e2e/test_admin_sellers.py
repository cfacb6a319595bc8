"""An admin's seller record in Chromium: the home's needs-action figures lead to an overdue seller, whose
record sends one reminder on a double click; the search finds sellers; the pages at 375 px.

Each page is also saved as a screenshot (into $SHOTS_DIR when set, else the test's temporary folder)."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accelerator.extensions import db as _db
from accelerator.models import AuditEntry, EmailMessage
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


def _login(pg, email: str, lands: str) -> None:
    """Log in through the login page and wait to land on `lands`."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url(f"**{lands}")


def _data(db) -> str:
    """An overdue seller with an account, a lapsed policy, a rejected upload, a request, checks; a due seller,
    a compliant one, a pending upload; and an admin. Returns the admin's email."""
    insurer = factories.make_insurer(name="Harbor Mutual")
    late = factories.make_seller(seller_id="GREENLEAF01", legal_name="Greenleaf Home Goods LLC",
                                 contact_name="Mara Lind", contact_email="mara@greenleaf.example",
                                 contact_phone="+1 503 555 0199", categories=["home", "toys"],
                                 monthly_gross_sales=Decimal("48000.00"))
    factories.make_seller_user(seller=late, email="owner@greenleaf.example")
    for month, amount in ((date(2026, 7, 1), "8200.00"), (date(2026, 8, 1), "9600.00"),
                          (date(2026, 9, 1), "48000.00"), (date(2026, 10, 1), "52000.00")):
        factories.make_monthly_sales(late.seller_id, month, amount)
    factories.make_policy(seller_id=late.seller_id, insurer=insurer, policy_number="HM-2025-0042",
                          effective_date=date(2025, 9, 1), expiration_date=date(2026, 9, 1))
    factories.make_policy(seller_id=late.seller_id, source="seller_upload", verification="rejected",
                          policy_number="OUT-77120", rejection_reason="The certificate names another business.")
    factories.make_quote_request(seller_id=late.seller_id, routed_to=[insurer])
    for n in range(3):
        factories.make_coverage_check(seller_id=late.seller_id, check_id=f"chk_e2e{n:09d}",
                                      checked_at=NOW - timedelta(days=n + 1), amount=Decimal(120 + 40 * n))
    soon = factories.make_seller(seller_id="BLUEHARBOR2", legal_name="Blue Harbor Outfitters Inc")
    factories.make_monthly_sales(soon.seller_id, date(2026, 10, 1), "31000.00")
    fine = factories.make_seller(seller_id="GREENWAY003", legal_name="Greenway Crafts LLC")
    factories.make_monthly_sales(fine.seller_id, date(2026, 9, 1), "22000.00")
    factories.make_policy(seller_id=fine.seller_id, insurer=insurer)
    factories.make_policy(seller_id=fine.seller_id, source="seller_upload", verification="pending")
    admin = factories.make_user(role="admin", email="ops@marketplace.example")
    email = admin.email
    db.session.commit()
    return email


def _count(model, *where) -> int:
    """How many rows of the model match, read on a fresh snapshot (the live server writes apart)."""
    _db.session.expire_all()
    count = _db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
    _db.session.rollback()
    return count


def test_the_home_leads_to_a_record_that_sends_one_reminder(page, live_server, db, shots):
    admin_email = _data(db)
    _login(page, admin_email, "/admin")
    action = page.get_by_role("region", name="Needs action")
    assert "1 Upload waiting for verification" in " ".join(action.inner_text().split())
    assert "1 Seller overdue" in " ".join(action.inner_text().split())
    assert "1 Seller due within 7 days" in " ".join(action.inner_text().split())
    page.screenshot(path=str(shots / "admin-home.png"), full_page=True)

    page.get_by_role("link", name="Seller overdue").click()
    page.wait_for_url("**/admin/reports/compliance?status=overdue*")
    assert not unlabelled_inputs(page)
    page.screenshot(path=str(shots / "compliance-list.png"), full_page=True)
    page.get_by_role("link", name="GREENLEAF01").click()
    page.wait_for_url("**/admin/sellers/GREENLEAF01")
    assert page.get_by_role("heading", level=1).inner_text() == "Greenleaf Home Goods LLC"
    for heading in ("Profile", "Compliance history", "Monthly sales", "Policies", "Uploads", "Quote requests",
                    "Coverage checks", "Claims paid", "Compliance today", "Reminders"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible(), heading
    assert page.get_by_role("link", name="OUT-77120").is_visible() and page.get_by_text("chk_e2e000000000").is_visible()
    page.screenshot(path=str(shots / "seller-record.png"), full_page=True)

    page.get_by_role("button", name="Send a reminder").dblclick()
    page.wait_for_load_state()
    page.get_by_text("A reminder to owner@greenleaf.example is queued").first.wait_for()
    assert _count(EmailMessage, EmailMessage.kind == "compliance_reminder") == 1
    assert _count(AuditEntry, AuditEntry.action == "send_reminder") == 1
    page.screenshot(path=str(shots / "seller-record-reminded.png"), full_page=False)


def test_the_search_finds_sellers_and_the_pages_fit_a_phone(page, phone_page, live_server, db, shots):
    admin_email = _data(db)
    _login(page, admin_email, "/admin")
    page.get_by_role("link", name="Sellers", exact=True).first.click()
    page.wait_for_url("**/admin/sellers")
    page.get_by_label("Seller ID, legal name or email").fill("GREEN")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/admin/sellers?q=GREEN")
    assert page.get_by_role("status").filter(has_text="match").inner_text() == "2 sellers match “GREEN”."
    assert not unlabelled_inputs(page)
    page.screenshot(path=str(shots / "seller-search.png"), full_page=True)
    page.get_by_label("Seller ID, legal name or email").fill("owner@greenleaf")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="GREENLEAF01").click()
    page.wait_for_url("**/admin/sellers/GREENLEAF01")

    _login(phone_page, admin_email, "/admin")
    for path, name in (("/admin", "admin-home"), ("/admin/sellers?q=green", "seller-search"),
                       ("/admin/sellers/GREENLEAF01", "seller-record")):
        phone_page.goto(path)
        phone_page.screenshot(path=str(shots / f"{name}-375.png"), full_page=True)
        assert no_horizontal_scroll(phone_page), path

"""The rating rule in Chromium: the directory marks an insurer rated below the minimum in words (also at
375 px), and an admin approves one only through the confirmation step with a reason."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from accelerator.extensions import db as _db
from accelerator.models import AuditEntry, Insurer, QuoteRequest
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/shots-rating"))
NOTICE = "Rated B+ by AM Best: its policies do not meet the marketplace's requirement (A- or better)."


def _shot(pg, name: str) -> None:
    """A full-page screenshot to look at (outside the repository)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fresh():
    """A fresh look at what the live server committed."""
    _db.session.rollback()
    _db.session.expire_all()


def test_the_directory_marks_an_insurer_below_the_minimum(page, phone_page, live_server, db):
    factories.make_insurer(name="Harbor Mutual", am_best_rating="A")
    factories.make_insurer(name="Cedar & Pine Mutual", am_best_rating="B+")
    _db.session.commit()

    for pg, width in ((page, "desktop"), (phone_page, "375")):
        pg.goto("/insurers")
        cedar = pg.locator(".insurer-card", has_text="Cedar & Pine Mutual")
        notice = cedar.locator(".rating-notice")
        assert notice.is_visible() and NOTICE in notice.inner_text()
        assert "below A-" in cedar.locator(".rating").inner_text()
        assert pg.locator(".insurer-card", has_text="Harbor Mutual").locator(".rating-notice").count() == 0
        assert no_horizontal_scroll(pg), width
        _shot(pg, f"directory-{width}")


def test_an_admin_approves_an_insurer_below_the_minimum_only_with_a_reason(page, live_server, db):
    cedar = factories.make_insurer(name="Cedar & Pine Mutual", am_best_rating="B+", status="pending")
    admin = factories.make_user(role="admin", email="ops@marketplace.example")
    cedar_id, admin_email = cedar.id, admin.email
    _db.session.commit()

    page.goto("/login")
    page.get_by_label("Email address").fill(admin_email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin")
    page.get_by_role("link", name="Approve… Cedar & Pine Mutual").click()
    page.wait_for_url(f"**/admin/insurers/{cedar_id}/approve/confirm")
    assert page.get_by_role("heading", name="Rated B+ by AM Best, below the marketplace's minimum of A-").is_visible()
    assert unlabelled_inputs(page) == []
    _shot(page, "approve-confirm")

    page.get_by_role("button", name="Approve below A-").click()  # no reason
    page.wait_for_load_state()
    assert page.get_by_text("say why you approve it anyway").first.is_visible()
    reason = page.get_by_label("Reason for approving it")
    assert reason.get_attribute("aria-invalid") == "true"
    _shot(page, "approve-refused")
    _fresh()
    assert _db.session.get(Insurer, cedar_id).status == "pending"

    reason.fill("Accepted by the risk committee while AM Best reviews it.")
    page.get_by_role("button", name="Approve below A-").click()
    page.wait_for_url(f"**/admin/insurers/{cedar_id}")
    assert page.get_by_text("Cedar & Pine Mutual is approved.").is_visible()
    _shot(page, "admin-insurer")
    _fresh()
    assert _db.session.get(Insurer, cedar_id).status == "approved"
    entry = _db.session.execute(select(AuditEntry).where(AuditEntry.action == "approve")).scalar_one()
    assert entry.details["reason"] == "Accepted by the risk committee while AM Best reviews it."
    page.goto("/admin/audit")
    assert page.get_by_text("Accepted by the risk committee while AM Best reviews it.").is_visible()
    _shot(page, "audit")
    page.goto("/admin/insurers/new")
    assert unlabelled_inputs(page) == []
    _shot(page, "admin-new-insurer")


def test_a_seller_ticks_for_insurers_below_the_minimum_and_sees_their_quote_marked(page, live_server, db):
    harbor = factories.make_insurer(name="Harbor Mutual", am_best_rating="A", licensed_states=["CA"])
    cedar = factories.make_insurer(name="Cedar & Pine Mutual", am_best_rating="B+", licensed_states=["CA"])
    seller = factories.make_seller_user(seller=factories.make_seller(state="CA", categories=["toys"]))
    harbor_id, cedar_id, email = harbor.id, cedar.id, seller.email
    _db.session.commit()

    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/seller**")
    page.goto("/seller/requests/new")
    page.get_by_label("Annual revenue").fill("250,000")
    box = page.get_by_label("Also ask insurers rated below")
    assert not box.is_checked()
    box.check()
    assert unlabelled_inputs(page) == [] and no_horizontal_scroll(page)
    page.locator("#accepts_below_minimum_rating").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "request-form-box.png"))
    page.get_by_role("button", name="Send to matching insurers").click()
    page.wait_for_url("**/seller/requests/*")
    assert page.get_by_text("Your request went to 2 insurers.").is_visible()

    _fresh()
    request_id = int(page.url.rsplit("/", 1)[1])
    request = _db.session.get(QuoteRequest, request_id)
    factories.make_quote(request, _db.session.get(Insurer, cedar_id))
    factories.make_quote(request, _db.session.get(Insurer, harbor_id))
    page.reload()
    card = page.locator(".quote-card", has_text="Cedar & Pine Mutual")
    assert NOTICE in card.inner_text() and "below A-" in card.locator(".rating").inner_text()
    assert "below A-" not in page.locator(".quote-card", has_text="Harbor Mutual").inner_text()
    _shot(page, "compare")

"""The insurer portal in Chromium: the CSV upload with a bad row (a report, nothing applied) and then a good
file; the pages at 375 px; and a quote offered with the keyboard alone."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accelerator.extensions import db as _db
from accelerator.models import Quote, QuoteRouting
from accelerator.services import quote_csv
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs
from tests.factories import TODAY


@pytest.fixture()
def form_page(browser, live_server):
    """Like the `page` fixture (desktop width, fails on console errors), except that a form sent back with
    its errors answers 400 by design, which Chromium logs as a failed load of that page."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    pg = context.new_page()
    errors: list[str] = []
    sent_back = re.compile(r"^Failed to load resource: the server responded with a status of 400 ")

    def on_console(msg) -> None:
        """Keep console errors, except the 400 of a form sent back with its errors."""
        if msg.type != "error":
            return
        own_form = msg.location.get("url", "").endswith("/insurer/quotes/upload")
        if not (own_form and sent_back.match(msg.text)):
            errors.append(msg.text)

    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", on_console)
    yield pg
    context.close()
    assert not errors, f"the page logged errors: {errors}"


def _login(pg, email: str) -> None:
    """Log in through the login page."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url("**/insurer")


def _portal(db) -> tuple[str, list[int]]:
    """Harbor's staff and two open requests routed to it (committed, so the live server sees them)."""
    harbor = factories.make_insurer(name="Harbor Mutual")
    staff = factories.make_insurer_user(insurer=harbor, email="dana@harbor.example")
    ids = [factories.make_quote_request(routed_to=[harbor], legal_name=name, annual_revenue=Decimal(revenue)).id
           for name, revenue in (("Little Oak Toys LLC", "380000.00"), ("Brightwire Electronics Inc", "1240000.00"))]
    email = staff.email
    db.session.commit()
    return email, ids


def _quotes() -> int:
    """How many quotes the live server has committed."""
    _db.session.rollback()  # a fresh look at what the live server committed
    return _db.session.execute(select(func.count()).select_from(Quote)).scalar_one()


def _csv(rows: list[str]) -> bytes:
    """A quotes file: the header and these lines."""
    return (",".join(quote_csv.COLUMNS) + "\n" + "\n".join(rows) + "\n").encode()


def test_csv_upload_with_a_bad_row_then_a_good_file(form_page, db):
    page = form_page
    email, (oak, wire) = _portal(db)
    valid = (TODAY + timedelta(days=30)).isoformat()
    _login(page, email)
    page.get_by_role("link", name="Upload quotes").click()
    page.wait_for_url("**/insurer/quotes/upload")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template").click()
    template = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert template[0] == ",".join(quote_csv.COLUMNS) and len(template) == 2

    bad = _csv([f"{oak},1850.00,1000000.00,2000000.00,1000.00,{valid},true,true,,",
                f"{wire},4650.00,2000000.00,1000000.00,5000.00,{valid},true,true,,Renewal"])
    page.get_by_label("CSV file of quotes").set_input_files(
        files=[{"name": "quotes.csv", "mimeType": "text/csv", "buffer": bad}])
    page.get_by_role("button", name="Check and send quotes").click()
    report = page.locator("table.row-report tbody tr")
    assert page.get_by_role("heading", name="No quote was sent").is_visible()
    assert report.count() == 1
    assert report.first.inner_text().split("\t")[:2] == ["3", "aggregate_limit"]
    assert "Must be at least the per-occurrence limit." in report.first.inner_text()
    assert _quotes() == 0

    good = _csv([f"{oak},1850.00,1000000.00,2000000.00,1000.00,{valid},true,true,baby,",
                 f"{wire},4650.00,2000000.00,4000000.00,5000.00,{valid},true,true,,Renewal"])
    page.get_by_label("CSV file of quotes").set_input_files(
        files=[{"name": "quotes.csv", "mimeType": "text/csv", "buffer": good}])
    page.get_by_role("button", name="Check and send quotes").click()
    page.wait_for_url("**/insurer?status=quoted")
    assert page.get_by_text("2 quotes offered from the file.").is_visible()
    assert page.get_by_role("link", name="Little Oak Toys LLC").is_visible()
    assert _quotes() == 2
    assert set(_db.session.execute(select(QuoteRouting.status)).scalars()) == {"quoted"}


def test_the_portal_fits_a_phone_and_labels_every_input(phone_page, db):
    email, (oak, _wire) = _portal(db)
    _login(phone_page, email)
    for path in ("/insurer", f"/insurer/requests/{oak}", "/insurer/quotes/upload", "/insurer/policies",
                 "/insurer/webhooks", "/insurer/api-keys"):
        phone_page.goto(path)
        assert no_horizontal_scroll(phone_page), path
        assert unlabelled_inputs(phone_page) == [], path


def test_a_quote_is_offered_with_the_keyboard_alone(page, db):
    email, (oak, _wire) = _portal(db)
    _login(page, email)
    page.goto(f"/insurer/requests/{oak}")

    def tab_to(selector: str, limit: int = 80) -> None:
        """Press Tab until the element matching `selector` has focus."""
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#annual_premium")
    page.keyboard.type("2,340.00")
    tab_to("#excluded_categories-baby")
    page.keyboard.press("Space")
    tab_to("#notes")
    page.keyboard.type("Teething rings need a lab certificate.")
    tab_to("form[action$='/quote'] button[type=submit]")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focused button shows where the keyboard is
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Your quote of $2,340.00 a year was sent to Little Oak Toys LLC.").is_visible()
    _db.session.rollback()
    quote = _db.session.execute(select(Quote)).scalar_one()
    assert quote.annual_premium == Decimal("2340.00") and quote.excluded_categories == ["baby"]
    assert quote.notes == "Teething rings need a lab certificate."

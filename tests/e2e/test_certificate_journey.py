"""The issue's "Done when", in Chromium and through the API on the same live server: a seller drops an ACORD-like
certificate naming an insurer on the Accelerator, sees it read (each field with its evidence) and the requirement
met, and sends it; the insurer's staff confirm it from the portal's queue with one click; the seller sees it
verified, and the marketplace's coverage check answers covered with that policy. The insurer then gives notice of
cancellation in the portal: the check answers not covered (cancelled) from that date, and covered the day before."""

from __future__ import annotations

import os
import random
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from accelerator.client import AcceleratorClient
from accelerator.extensions import db as _db
from accelerator.models import Confirmation, Policy
from bench.certificate_corpus import grid_pdf
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs

SHOTS = "/tmp/shots-certjourney"
INSURER = "Harbor Mutual Insurance Company"
NAIC = "21457"
LEGAL_NAME = "Greenleaf Home Goods LLC"
NUMBER = "HMI-GL-2026-4471"
CANCELLED_FROM = date(2026, 12, 15)  # the clock is pinned at 2026-11-24; the policy runs to 2027-01-01
REASON = "Premium not paid after two notices."


def _shot(pg, name: str) -> None:
    """Keep a screenshot to look at (outside the repository)."""
    os.makedirs(SHOTS, exist_ok=True)
    pg.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _login(pg, email: str, lands: str) -> None:
    """Log in through the login page and wait to land on `lands`."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url(f"**{lands}")


def _drop(pg, content: bytes, name: str) -> None:
    """Drop a file on the drop zone, as a file dragged from the desktop is."""
    transfer = pg.evaluate_handle(
        """([bytes, name]) => { const dt = new DataTransfer();
             dt.items.add(new File([new Uint8Array(bytes)], name, {type: 'application/pdf'})); return dt; }""",
        [list(content), name])
    pg.dispatch_event("[data-dropzone]", "drop", {"dataTransfer": transfer})


def _certificate() -> bytes:
    """An ACORD-25-like grid (the reading corpus's own layout) naming Harbor Mutual, meeting the requirement."""
    fact = {"insured_name": LEGAL_NAME, "insurer_name": INSURER, "naic_code": NAIC, "policy_number": NUMBER,
            "effective_date": date(2026, 1, 1), "expiration_date": date(2027, 1, 1),
            "per_occurrence_limit": 1_000_000, "aggregate_limit": 2_000_000, "deductible": 1000,
            "occurrence_based": True, "additional_insured": True, "certificate_holder": "Marketplace Services LLC"}
    return bytes(grid_pdf(random.Random(7), fact).output())


def _check(market: AcceleratorClient, seller_id: str, day: date) -> dict:
    """The coverage check for an incident on `day`."""
    return market.check_coverage(seller_id, day.isoformat(), "2500.00")


def test_from_the_sellers_drop_to_the_insurers_confirmation_and_notice_and_the_coverage_check(
        page, browser, live_server, db):
    harbor = factories.make_insurer(name=INSURER, naic_code=NAIC, am_best_rating="A+")
    factories.make_insurer_user(insurer=harbor, email="dana@harbor.example")
    seller = factories.make_seller_user(seller=factories.make_seller(legal_name=LEGAL_NAME),
                                        email="owner@greenleaf.example")
    seller_id, insurer_id = seller.seller_id, harbor.id
    key = factories.make_api_key("marketplace")
    _db.session.commit()
    market = AcceleratorClient(live_server.url, key, timeout=60)
    try:
        before = _check(market, seller_id, date(2026, 11, 24))
        assert (before["status"], before["route"]) == ("not_covered", "seller")

        # The seller drops the certificate: the form fills itself, each field saying where it was read.
        _login(page, "owner@greenleaf.example", "/seller")
        page.goto("/seller/policies/upload")
        _drop(page, _certificate(), "harbor-certificate.pdf")
        expect(page.get_by_label("Policy number")).to_have_value(NUMBER)
        expect(page.locator("[data-reader-message]")).to_contain_text("Read harbor-certificate.pdf in")
        assert page.get_by_label("Insurer", exact=True).input_value() == str(insurer_id)
        assert page.get_by_label("Effective date").input_value() == "2026-01-01"
        assert page.get_by_label("Expiration date").input_value() == "2027-01-01"
        assert page.get_by_label("Each occurrence limit").input_value() == "1,000,000.00"
        assert page.get_by_label("The policy names the marketplace as additional insured").is_checked()
        note = page.locator("#policy_number-source").inner_text()
        assert "Read from page 1, the page's text" in note and NUMBER in note
        assert f"Found on the Accelerator by what was read on page 1, the page's text: NAIC Code {NAIC}" in \
            page.locator("#insurer_id-source").inner_text()
        # Every rule met, none failed: the page says so before anything is sent.
        expect(page.locator('[data-rule="not_additional_insured"]')).to_have_class("rule rule--met")
        assert page.locator(".rule--failed").count() == 0 and page.locator(".rule--met").count() >= 5
        assert unlabelled_inputs(page) == [] and no_horizontal_scroll(page)
        _shot(page, "1-seller-read")
        page.get_by_role("button", name="Upload the policy").click()
        page.wait_for_url("**/seller/policies/*")
        expect(page.locator(".flash").first).to_contain_text(f"Policy {NUMBER} was uploaded")
        assert f"{INSURER}, the insurer, has been asked to confirm it" in page.content()
        policy_url = page.url
        _db.session.rollback()
        policy_id = _db.session.execute(select(Policy.id).where(Policy.policy_number == NUMBER)).scalar_one()
        confirmation_id = _db.session.execute(
            select(Confirmation.id).where(Confirmation.policy_id == policy_id)).scalar_one()
        pending = _check(market, seller_id, date(2026, 11, 24))
        assert (pending["status"], pending["route"]) == ("undetermined", "review")

        # The insurer's staff find it in the portal's queue and confirm it with one click.
        staff = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        staff.set_default_timeout(10_000)
        portal = staff.new_page()
        try:
            _login(portal, "dana@harbor.example", "/insurer")
            portal.get_by_role("navigation", name="Insurer portal").get_by_role("link", name="Confirmations").click()
            portal.wait_for_url("**/insurer/confirmations")
            row = portal.locator("tbody tr", has_text=NUMBER)
            assert "Waiting for you" in row.inner_text()
            _shot(portal, "2-portal-queue")
            row.get_by_role("link", name=NUMBER).click()
            portal.wait_for_url(f"**/insurer/confirmations/{confirmation_id}")
            _shot(portal, "3-portal-confirmation")
            portal.get_by_role("button", name="Confirm policy").click()
            portal.wait_for_url(f"**/insurer/confirmations/{confirmation_id}")
            expect(portal.get_by_text("You confirmed this policy")).to_be_visible()

            # The seller's page shows it verified, confirmed by the insurer.
            page.goto(policy_url)
            expect(page.locator("#insurer-confirmation")).to_contain_text(
                f"Verified: confirmed by {INSURER}, the insurer")
            _shot(page, "4-seller-confirmed")

            covered = _check(market, seller_id, date(2026, 11, 24))
            assert (covered["status"], covered["route"]) == ("covered", "insurer")
            assert covered["policy"]["policy_number"] == NUMBER
            assert covered["policy"]["verification"] == "verified"

            # The insurer gives notice of cancellation from its policy's page in the portal.
            portal.goto(f"/insurer/policies/{policy_id}")
            portal.get_by_label("Cancellation date").fill(CANCELLED_FROM.isoformat())
            portal.get_by_label("Reason, as the seller will read it").fill(REASON)
            portal.get_by_role("button", name="Send notice of cancellation").click()
            portal.wait_for_url(f"**/insurer/policies/{policy_id}")
            expect(portal.locator("#cancellation-status")).to_contain_text("Cancelling from December 15, 2026")
            _shot(portal, "5-portal-notice")
        finally:
            staff.close()

        after = _check(market, seller_id, date(2026, 12, 16))
        assert (after["status"], after["route"]) == ("not_covered", "seller")
        assert [reason["code"] for reason in after["reasons"]] == ["cancelled"]
        on_the_day = _check(market, seller_id, CANCELLED_FROM)  # in force until 12:01 a.m. on the date
        assert on_the_day["status"] == "not_covered"
        day_before = _check(market, seller_id, date(2026, 12, 14))
        assert (day_before["status"], day_before["policy"]["policy_number"]) == ("covered", NUMBER)

        page.goto(policy_url)
        notice = page.locator(f"#notice-policy-{policy_id}")
        assert f"{INSURER} is cancelling policy {NUMBER} from December 15, 2026" in notice.inner_text()
        _shot(page, "6-seller-notice")
    finally:
        market.close()

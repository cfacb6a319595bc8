"""Warnings before sending, in Chromium: the upload form lists the requirement rules the entered policy fails
as the fields change (the rules and sentences the server put in the page), the server says the same on
submit; a quote request below the requirement is sent only after "Send anyway"."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

from sqlalchemy import func, select

from accelerator.domain.terms import Requirement
from accelerator.domain.warnings import policy_rules, shortfalls
from accelerator.extensions import db as _db
from accelerator.models import QuoteRequest
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs
from tests.factories import TODAY

SHOTS = "/tmp/shots-warn"


def _shot(pg, name: str) -> None:
    """Keep a screenshot to look at (outside the repository)."""
    os.makedirs(SHOTS, exist_ok=True)
    pg.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _login(pg, email: str) -> None:
    """Log in through the form."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url("**/seller")


def _listed(pg) -> list[str]:
    """The sentences the upload form lists now (none when the list is hidden)."""
    panel = pg.locator("[data-shortfalls]")
    if not panel.is_visible():
        return []
    return [text.strip() for text in panel.locator("li").all_inner_texts()]


def test_the_upload_form_lists_the_rules_the_policy_fails_as_the_fields_change(browser, live_server, page, db):
    user = factories.make_seller_user()
    weak = factories.make_insurer(name="Weak Mutual", am_best_rating="B")
    email, weak_id = user.email, str(weak.id)
    _db.session.commit()
    _login(page, email)
    page.goto("/seller/policies/upload")
    assert _listed(page) == []  # nothing entered, nothing listed

    page.get_by_label("Each occurrence limit").fill("500,000")
    assert _listed(page) == [
        "Per-occurrence limit $500,000.00 is below the required $1,000,000.00.",
        "This policy does not name the marketplace as additional insured."]
    page.get_by_label("The policy names the marketplace as additional insured").check()
    page.get_by_label("Coverage basis").select_option("claims_made")
    page.get_by_label("Insurer", exact=True).select_option(weak_id)
    page.get_by_label("Effective date").fill((TODAY + timedelta(days=3)).isoformat())
    page.get_by_label("Expiration date").fill((TODAY + timedelta(days=368)).isoformat())
    page.get_by_label("Products-completed operations aggregate limit").fill("2,000,000")
    page.get_by_label("Deductible").fill("$12,500")
    listed = _listed(page)
    # The same sentences the server's rules give for these values.
    expected = [s.message for s in shortfalls(policy_rules(Requirement(), TODAY), {
        "per_occurrence_limit": Decimal("500000"), "aggregate_limit": Decimal("2000000"),
        "deductible": Decimal("12500"), "coverage_basis": "claims_made", "additional_insured": True,
        "insurer_rating": "B", "effective_date": TODAY + timedelta(days=3),
        "expiration_date": TODAY + timedelta(days=368)})]
    assert listed == expected and len(listed) == 5
    _shot(page, "upload-live-rules")

    # An outside insurer's entered rating is judged instead of the listed one's.
    page.get_by_label("Insurer", exact=True).select_option("outside")
    page.get_by_label("Insurer's AM Best rating").select_option("A")
    assert not any("AM Best" in s for s in _listed(page))

    # Sent without a certificate: the server re-renders with the error and lists the same rules.
    page.get_by_label("Policy number").fill("LS-1")
    page.get_by_label("Insurer's name").fill("Lakeside")
    page.get_by_label("Insurer's NAIC company code").fill("54321")
    before = _listed(page)
    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Upload the policy").click()
    served_html = sent.value.text()  # what the server wrote, before the script looks at it again
    assert page.locator("#certificate-error").is_visible()
    served = [unescape(item) for item in re.findall(r'<li data-field="\w+">([^<]*)</li>', served_html)]
    assert served == before and len(served) == 4
    assert _listed(page) == before
    _shot(page, "upload-sent-back")

    # Terms that meet the requirement: the list goes away.
    page.get_by_label("Each occurrence limit").fill("1,000,000")
    page.get_by_label("Coverage basis").select_option("occurrence")
    page.get_by_label("Deductible").fill("0")
    page.get_by_label("Effective date").fill(TODAY.isoformat())
    assert _listed(page) == []
    assert unlabelled_inputs(page) == []


def test_a_request_below_the_requirement_is_sent_after_send_anyway(browser, live_server, page, phone_page, db):
    user = factories.make_seller_user()
    factories.make_insurer()
    email = user.email
    _db.session.commit()
    _login(page, email)
    page.goto("/seller/requests/new")
    page.get_by_label("Legal business name").fill("Wooden Toys LLC")
    page.get_by_label("State where the business is registered").select_option("CA")
    page.get_by_label("Toys & Games").check()
    page.get_by_label("Annual revenue").fill("250,000")
    page.get_by_label("Per-occurrence limit").fill("500,000")
    page.get_by_role("button", name="Send to matching insurers").click()
    page.wait_for_load_state()
    notice = page.locator("#shortfalls")
    assert notice.is_visible()
    assert "Per-occurrence limit $500,000.00 is below the required $1,000,000.00." in notice.inner_text()
    assert page.evaluate("document.activeElement.id") == "shortfalls"  # announced, scrolled to
    _fresh_count = _db.session.execute(select(func.count()).select_from(QuoteRequest))
    assert _fresh_count.scalar_one() == 0
    _shot(page, "request-send-anyway")
    page.get_by_role("button", name="Send anyway").click()
    page.wait_for_url("**/seller/requests/*")
    assert "Your request went to 1 insurer" in page.locator("main").inner_text()
    _db.session.rollback()
    request = _db.session.execute(select(QuoteRequest)).scalar_one()
    assert request.per_occurrence_limit == Decimal("500000.00")

    # The same warning fits a phone.
    _login(phone_page, email)
    phone_page.goto("/seller/requests/new")
    phone_page.get_by_label("Toys & Games").check()
    phone_page.get_by_label("Annual revenue").fill("250,000")
    phone_page.get_by_label("Deductible").fill("50,000")
    phone_page.get_by_role("button", name="Send to matching insurers").click()
    phone_page.wait_for_load_state()
    assert phone_page.locator("#shortfalls").is_visible()
    assert no_horizontal_scroll(phone_page)
    _shot(phone_page, "request-send-anyway-phone")

"""The dashboards in Chromium: an admin sees them fill with charts and numbers, changes the period, downloads a
figure's CSV; the insurer dashboard renders its own figures; every report page fits a phone, inputs labelled."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll, unlabelled_inputs
from tests.factories import TODAY

D = Decimal
ADMIN_FIGURES = ("Required sellers who are compliant, by week", "From request to policy",
                 "Insurers' median time to quote", "Coverage checks per day by route", "Premiums by category")
CLAIM_CASE_FIGURES = ("Claim cases opened per week by route", "Claim cases by current state",
                      "Median time to an answer by party", "Claim cases escalated: 100%",
                      "What the marketplace paid and recovered")
INSURER_FIGURES = ("Quote requests received", "Policies in force", "Claims paid against aggregate limits")


def at(day: str, hour: int = 12) -> datetime:
    """A UTC timestamp on a YYYY-MM-DD day."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).replace(hour=hour)


def _data(db) -> tuple[str, str]:
    """A marketplace with figures in March 2026 and a policy in force today; returns (admin, staff) emails."""
    harbor = factories.make_insurer(name="Harbor Mutual")
    for day, hours in (("2026-03-03", 4), ("2026-03-04", 24), ("2026-03-10", None)):
        request = factories.make_quote_request(created_at=at(day, 8))
        factories.make_routing(request, harbor, routed_at=at(day, 8), status="quoted" if hours else "open")
        if hours:
            factories.make_quote(request, harbor, created_at=at(day, 8) + timedelta(hours=hours))
    for day, route in (("2026-03-02", "marketplace"), ("2026-03-02", "insurer"), ("2026-03-03", "review")):
        factories.make_coverage_check(checked_at=at(day), route=route)
    shop = factories.make_seller(legal_name="Little Oak Toys LLC")
    today = TODAY
    factories.make_policy(insurer=harbor, seller_id=shop.seller_id, policy_number="HM-2026-0001",
                          premium=D("1850.00"), claims_paid=D("300000.00"),
                          effective_date=today - timedelta(days=30), expiration_date=today + timedelta(days=335))
    # A claim case of last week that the seller disputed: escalated, waiting for the marketplace.
    opened = datetime.combine(today, datetime.min.time(), UTC) - timedelta(days=6)
    factories.make_claim_case(opened, route="seller", state="escalated", escalation="seller_disputed",
                              seller_id=shop.seller_id, events=[(opened + timedelta(hours=5), "disputed", "seller")])
    admin = factories.make_user(role="admin", email="ada@marketplace.example")
    staff = factories.make_insurer_user(insurer=harbor, email="dana@harbor.example")
    emails = admin.email, staff.email
    db.session.commit()  # everything above is visible to the live server
    return emails


def _login(pg, email: str, lands: str) -> None:
    """Log in through the login page and wait to land on `lands`."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url(f"**{lands}")


def _chart_titles(pg) -> list[str]:
    """The titles of the charts shown (the SVGs' <title>s)."""
    return pg.locator(".report__chart:visible svg.chart > title").all_text_contents()


def test_an_admin_sees_the_dashboards_fill_changes_the_period_and_downloads_a_csv(page, db):
    admin, _staff = _data(db)
    _login(page, admin, "/admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.wait_for_url("**/admin/reports/")
    assert _chart_titles(page) == list(ADMIN_FIGURES)  # the default period: charts drawn, even if empty

    page.get_by_label("Start date").fill("2026-03-02")
    page.get_by_label("End date").fill("2026-03-15")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/admin/reports/?start=2026-03-02&end=2026-03-15")
    assert page.get_by_text("Showing March 2, 2026 to March 15, 2026 (14 days, UTC).").is_visible()
    assert _chart_titles(page) == list(ADMIN_FIGURES)
    funnel = page.locator("#quote-funnel")
    assert funnel.locator("svg.chart rect").count() >= 3  # the bars are drawn
    assert funnel.locator("tbody tr").all_inner_texts() == ["Requested\t3\t100%", "Quoted\t2\t67%", "Bought\t0\t0%"]
    assert page.locator("#time-to-quote tbody tr").first.inner_text() == "Harbor Mutual\t3\t2\t14.0 h"
    checks = page.locator("#checks-by-route")
    checks.get_by_text("The numbers (14 rows)").click()  # a long table starts folded
    assert checks.locator("tbody tr").first.inner_text() == "2026-03-02\t1\t1\t0\t0\t2"

    with page.expect_download() as download:
        funnel.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "quote-funnel_2026-03-02_2026-03-15.csv"
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"), newline="")))
    assert rows == [["stage", "requests", "share_of_requested"], ["Requested", "3", "1.0000"],
                    ["Quoted", "2", "0.6667"], ["Bought", "0", "0.0000"]]

    page.get_by_role("link", name="Compliance list").click()
    page.wait_for_url("**/admin/reports/compliance")
    assert "Little Oak Toys LLC" in page.locator("tbody").inner_text()

    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Claim cases").click()
    page.wait_for_url("**/admin/reports/claim-cases")
    assert _chart_titles(page) == list(CLAIM_CASE_FIGURES)
    assert page.locator(".report-stat__figure").first.inner_text() == "1"  # one case escalated
    assert page.locator("#claim-answer-times tbody tr").nth(1).inner_text() == "Seller\t1\t5.0 h\t0"


def test_the_insurer_dashboard_renders_its_own_figures(page, db):
    _admin, staff = _data(db)
    _login(page, staff, "/insurer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.wait_for_url("**/insurer/reports/")
    titles = _chart_titles(page)
    assert len(titles) == 4 and titles[0] == INSURER_FIGURES[0] and titles[1].startswith("Quote win rate: ")
    assert titles[2:] == list(INSURER_FIGURES[1:])
    claims = page.locator("#claims-against-aggregate tbody tr").all_inner_texts()
    assert claims[0].split("\t")[0] == "All 1 in force"
    policy = claims[1].split("\t")
    assert (policy[0], policy[2], policy[3], policy[5]) == ("HM-2026-0001", "$2,000,000.00", "$300,000.00", "15%")
    assert page.get_by_text("policy in force on").is_visible()


def test_the_report_pages_fit_a_phone_with_every_input_labelled(phone_page, db):
    admin, staff = _data(db)
    _login(phone_page, admin, "/admin")
    for path in ("/admin/reports/?start=2026-03-02&end=2026-03-15", "/admin/reports/claim-cases",
                 "/admin/reports/compliance",
                 "/admin/reports/checks", "/admin/reports/?start=2026-03-15&end=2026-03-02"):
        phone_page.goto(path)
        assert no_horizontal_scroll(phone_page), path
        assert unlabelled_inputs(phone_page) == [], path
    phone_page.goto("/admin/reports/?start=2026-03-02&end=2026-03-15")
    # Phones get the narrow drawing of each chart, whose text stays readable; the wide one is hidden.
    assert phone_page.locator(".report__chart--narrow svg.chart").first.is_visible()
    assert not phone_page.locator(".report__chart--wide svg.chart").first.is_visible()
    assert phone_page.locator(".report__chart:visible svg.chart").count() == len(ADMIN_FIGURES)

    phone_page.context.clear_cookies()
    _login(phone_page, staff, "/insurer")
    for path in ("/insurer/reports/", "/insurer/reports/bordereau"):
        phone_page.goto(path)
        assert no_horizontal_scroll(phone_page), path
        assert unlabelled_inputs(phone_page) == [], path

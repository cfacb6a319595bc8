"""The admin reports through the Flask client: the dashboards (charts, tables and CSVs whose numbers match the
data built here), the compliance list and its CSV, the coverage-check log, and every kind of bad range."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from accelerator.services import metrics
from accelerator.web import reports
from accelerator.web.reports import admin as admin_reports
from tests import factories
from tests.web.conftest import error_for, field_control, parse_page
from tests.web.reports_helpers import filename, read_csv, section, table_rows

D = Decimal
TODAY = date(2026, 3, 18)  # a Wednesday: the default range is 2025-12-29 (a Monday) to this day
RANGE = {"start": "2026-03-02", "end": "2026-03-15"}  # two whole ISO weeks


def at(day: str, hour: int = 12, minute: int = 0) -> datetime:
    """A UTC timestamp on a YYYY-MM-DD day."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).replace(hour=hour, minute=minute)


@pytest.fixture(autouse=True)
def _today(pinned_clock):
    """The pages' "today": the one clock, pinned at noon UTC on TODAY."""
    pinned_clock.pin(datetime.combine(TODAY, time(12), UTC))


@pytest.fixture()
def marketplace(db):
    """Two insurers, four requests (three in RANGE), quotes, a purchase, premiums, checks and two required sellers."""
    harbor = factories.make_insurer(name="Harbor Mutual")
    keystone = factories.make_insurer(name="Keystone Casualty")
    bought = factories.make_quote_request(created_at=at("2026-03-03", 10), categories=["toys"])
    factories.make_routing(bought, harbor, routed_at=at("2026-03-03", 10), status="quoted")
    first = factories.make_quote(bought, harbor, created_at=at("2026-03-03", 14))  # 4 hours
    quoted = factories.make_quote_request(created_at=at("2026-03-04", 9))
    factories.make_routing(quoted, harbor, routed_at=at("2026-03-04", 9), status="quoted")
    factories.make_quote(quoted, harbor, created_at=at("2026-03-05", 9))  # 24 hours
    unanswered = factories.make_quote_request(created_at=at("2026-03-10", 8))
    factories.make_routing(unanswered, harbor, routed_at=at("2026-03-10", 8))
    factories.make_routing(unanswered, keystone, routed_at=at("2026-03-10", 8))
    factories.make_quote_request(created_at=at("2026-02-20"))  # before the range
    factories.make_policy(insurer=harbor, seller_id=bought.seller_id, quote_id=first.id, source="marketplace",
                          premium=D("1850.00"), effective_date=date(2026, 3, 5), expiration_date=date(2027, 3, 5),
                          created_at=at("2026-03-04", 16))
    shop = factories.make_seller(categories=["home", "toys"])
    factories.make_policy(insurer=keystone, seller_id=shop.seller_id, premium=D("1000.00"),
                          effective_date=date(2026, 3, 10), expiration_date=date(2027, 3, 10))
    for when, route in (("2026-03-02T12", "marketplace"), ("2026-03-02T13", "marketplace"),
                        ("2026-03-02T14", "insurer"), ("2026-03-03T09", "review"), ("2026-03-15T23", "seller"),
                        ("2026-03-16T00", "marketplace")):
        factories.make_coverage_check(checked_at=at(when[:10], int(when[11:])), route=route)
    # Sellers over the sales threshold since January: one insured (compliant), one not.
    insured = factories.make_seller(legal_name="Insured Toys LLC")
    factories.make_monthly_sales(insured.seller_id, date(2026, 1, 1), "20000.00")
    factories.make_policy(insurer=harbor, seller_id=insured.seller_id)
    uninsured = factories.make_seller(legal_name="Uninsured Toys LLC")
    factories.make_monthly_sales(uninsured.seller_id, date(2026, 1, 1), "20000.00")
    return {"harbor": harbor, "keystone": keystone}


# --- The dashboard page ----------------------------------------------------------------------------------

def test_the_dashboard_draws_each_chart_with_its_numbers_and_csv_link(admin_client, marketplace):
    response = admin_client.get("/admin/reports/", query_string=RANGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for key in reports.ADMIN_REPORTS:
        figure = section(page, key)
        # Two drawings (wide and narrow), each an accessible SVG with a title and a description.
        assert figure.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 2
        assert f'<title id="{key}-title">' in figure and f'<desc id="{key}-desc">' in figure
        assert 'viewBox="0 0 720 ' in figure and 'width="100%"' in figure
        assert f'href="/admin/reports/{key}.csv?start=2026-03-02&amp;end=2026-03-15"' in figure
    assert table_rows(section(page, "quote-funnel")) == [
        ["Stage", "Requests", "Share of all"], ["Requested", "3", "100%"], ["Quoted", "2", "67%"],
        ["Bought", "1", "33%"]]
    assert table_rows(section(page, "time-to-quote")) == [
        ["Insurer", "Requests routed", "Quoted", "Median time to quote"],
        ["Harbor Mutual", "3", "2", "14.0 h"], ["Keystone Casualty", "1", "0", "n/a"]]
    checks = table_rows(section(page, "checks-by-route"))
    assert checks[0] == ["Day", "Marketplace pays", "Insurer pays", "Needs review", "Seller pays", "Total"]
    assert len(checks) == 1 + 14
    assert checks[1] == ["2026-03-02", "2", "1", "0", "0", "3"]
    assert checks[2] == ["2026-03-03", "0", "0", "1", "0", "1"]
    assert checks[14] == ["2026-03-15", "0", "0", "0", "1", "1"]
    assert table_rows(section(page, "premiums-by-category")) == [
        ["Category", "Policies", "Premium"], ["Toys & Games", "2", "$2,850.00"], ["Home & Kitchen", "1", "$1,000.00"]]
    compliance = table_rows(section(page, "compliance-by-week"))
    assert [row[:4] + row[-1:] for row in compliance[1:]] == [
        ["2026-03-02", "2026-03-08", "2", "1", "50%"], ["2026-03-09", "2026-03-15", "2", "1", "50%"]]
    # The headline figures repeat the same numbers.
    assert "of 2 required sellers compliant on 2026-03-15" in page
    assert '>3</span> <span class="report-stat__label">quote requests, 1 bought' in page
    assert '>5</span> <span class="report-stat__label">coverage checks' in page
    # The two premiums, each saying what it sums: bound here by purchase date, taking effect by effective date.
    assert ('>$1,850.00</span> <span class="report-stat__label">premium bound in the period: 1 quote bought here, '
            'by purchase date<') in page
    assert ('>$2,850.00</span> <span class="report-stat__label">premium on policies taking effect in the period: '
            '2 policies from any source, by effective date<') in page


def test_the_default_range_is_the_last_twelve_weeks(admin_client, db):
    response = admin_client.get("/admin/reports/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_control(page, "start")["value"] == "2025-12-29"
    assert field_control(page, "end")["value"] == "2026-03-18"
    assert reports.default_range(TODAY) == metrics.DateRange(date(2025, 12, 29), TODAY)
    # Twelve ISO weeks: the compliance table has a row for each.
    assert len(table_rows(section(page, "compliance-by-week"))) == 1 + 12
    # An empty date takes the default's value too.
    page = admin_client.get("/admin/reports/?start=&end=2026-03-01").get_data(as_text=True)
    assert field_control(page, "start")["value"] == "2025-12-29"


def test_an_empty_marketplace_gives_zeros_and_empty_tables_not_errors(admin_client, db):
    response = admin_client.get("/admin/reports/", query_string=RANGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "No data for this period." in section(page, "time-to-quote")
    assert "No figures for this period." in section(page, "premiums-by-category")
    assert table_rows(section(page, "quote-funnel"))[1:] == [["Requested", "0", "n/a"], ["Quoted", "0", "n/a"],
                                                             ["Bought", "0", "n/a"]]
    assert "no seller is required to be insured" in page
    assert read_csv(admin_client.get("/admin/reports/time-to-quote.csv", query_string=RANGE)) == [
        ["insurer_id", "insurer", "requests_routed", "quoted", "median_hours"]]
    assert read_csv(admin_client.get("/admin/reports/premiums-by-category.csv", query_string=RANGE)) == [
        ["category", "name", "policies", "premium"]]


def test_a_one_day_range(admin_client, marketplace):
    response = admin_client.get("/admin/reports/?start=2026-03-02&end=2026-03-02")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "(1 day, UTC)" in page
    assert table_rows(section(page, "checks-by-route"))[1:] == [["2026-03-02", "2", "1", "0", "0", "3"]]
    assert [row[:3] for row in table_rows(section(page, "compliance-by-week"))[1:]] == [
        ["2026-03-02", "2026-03-02", "2"]]


def test_a_long_range_shows_checks_a_week_at_a_time(admin_client, marketplace):
    response = admin_client.get("/admin/reports/?start=2026-01-05&end=2026-04-30")
    assert response.status_code == 200
    figure = section(response.get_data(as_text=True), "checks-by-route")
    assert "Coverage checks per week by route" in figure
    rows = table_rows(figure)
    assert rows[0][0] == "Week starting"
    assert ["2026-03-02", "2", "1", "1", "0", "4"] in rows
    assert ["2026-03-09", "0", "0", "0", "1", "1"] in rows
    assert ["2026-03-16", "1", "0", "0", "0", "1"] in rows
    data = read_csv(admin_client.get("/admin/reports/checks-by-route.csv?start=2026-01-05&end=2026-04-30"))
    assert data[0] == ["week_start", "marketplace", "insurer", "review", "seller", "total"]
    assert ["2026-03-02", "2", "1", "1", "0", "4"] in data and len(data) == len(rows)


# --- Bad ranges ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "field", "words"), [
    ("2026-03-15", "2026-03-02", "end", "The end date must be on or after the start date."),
    ("2020-01-01", "2026-01-01", "end", "at most 1,096 days after the start date"),
    ("1800-01-01", "1800-01-02", "start", "must be between 1900-01-01 and 2999-12-31"),
    ("2026-02-30", "2026-03-02", "start", "is not a real calendar date"),
    ("yesterday", "2026-03-02", "start", "must be a date written YYYY-MM-DD"),
    ("2026-03-01", "9" * 5000, "end", "must be a date written YYYY-MM-DD"),
    ("2026-03-01\x00", "2026-03-02", "start", "must be a date written YYYY-MM-DD"),
])
def test_a_bad_range_re_renders_the_form_with_the_message_at_the_field(admin_client, db, start, end, field, words):
    response = admin_client.get("/admin/reports/", query_string={"start": start, "end": end})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert words in error_for(page, field)
    assert "There is a problem" in page and "<svg" not in page
    assert len(field_control(page, field)["value"]) <= reports.MAX_ECHO
    # The same range on a CSV address is a 400 page that says what is wrong.
    for key in reports.ADMIN_REPORTS:
        csv_response = admin_client.get(f"/admin/reports/{key}.csv", query_string={"start": start, "end": end})
        assert csv_response.status_code == 400
        assert csv_response.mimetype == "text/html"
        assert words in csv_response.get_data(as_text=True)
    assert admin_client.get("/admin/reports/checks.csv", query_string={"start": start, "end": end}).status_code == 400


def test_the_range_fields_are_labelled_date_inputs(admin_client, db):
    page = admin_client.get("/admin/reports/").get_data(as_text=True)
    parsed = parse_page(page)
    for name in ("start", "end"):
        control = field_control(page, name)
        assert control["type"] == "date"
        assert control["id"] in parsed.label_for
    assert not parsed.inline_styles and not parsed.inline_handlers


# --- The figures' CSV downloads ----------------------------------------------------------------------------

def test_each_figures_csv_has_the_numbers_of_its_table(admin_client, marketplace):
    funnel = admin_client.get("/admin/reports/quote-funnel.csv", query_string=RANGE)
    assert read_csv(funnel) == [["stage", "requests", "share_of_requested"], ["Requested", "3", "1.0000"],
                                ["Quoted", "2", "0.6667"], ["Bought", "1", "0.3333"]]
    assert filename(funnel) == "quote-funnel_2026-03-02_2026-03-15.csv"
    harbor, keystone = marketplace["harbor"], marketplace["keystone"]
    assert read_csv(admin_client.get("/admin/reports/time-to-quote.csv", query_string=RANGE)) == [
        ["insurer_id", "insurer", "requests_routed", "quoted", "median_hours"],
        [str(harbor.id), "Harbor Mutual", "3", "2", "14.00"], [str(keystone.id), "Keystone Casualty", "1", "0", ""]]
    checks = read_csv(admin_client.get("/admin/reports/checks-by-route.csv", query_string=RANGE))
    assert checks[0] == ["day", "marketplace", "insurer", "review", "seller", "total"]
    assert checks[1] == ["2026-03-02", "2", "1", "0", "0", "3"] and len(checks) == 15
    assert read_csv(admin_client.get("/admin/reports/premiums-by-category.csv", query_string=RANGE)) == [
        ["category", "name", "policies", "premium"], ["toys", "Toys & Games", "2", "2850.00"],
        ["home", "Home & Kitchen", "1", "1000.00"]]
    weekly = read_csv(admin_client.get("/admin/reports/compliance-by-week.csv", query_string=RANGE))
    assert weekly[0] == ["week_start", "as_of", "required", "compliant", "pending_verification", "due", "overdue",
                         "share_compliant"]
    assert [row[:4] + row[-1:] for row in weekly[1:]] == [["2026-03-02", "2026-03-08", "2", "1", "0.5000"],
                                                          ["2026-03-09", "2026-03-15", "2", "1", "0.5000"]]


def test_a_figures_csv_without_a_range_covers_the_default_twelve_weeks(admin_client, db):
    response = admin_client.get("/admin/reports/checks-by-route.csv")
    assert filename(response) == "checks-by-route_2025-12-29_2026-03-18.csv"
    rows = read_csv(response)
    assert len(rows) == 1 + (TODAY - date(2025, 12, 29)).days + 1
    assert all(row[1:] == ["0"] * 5 for row in rows[1:])


def test_insurer_names_that_look_like_formulas_are_neutralised_in_csv_and_escaped_on_the_page(admin_client, db):
    evil = factories.make_insurer(name='=HYPERLINK("http://evil.example","x")<b>')
    request = factories.make_quote_request(created_at=at("2026-03-03"))
    factories.make_routing(request, evil, routed_at=at("2026-03-03"))
    rows = read_csv(admin_client.get("/admin/reports/time-to-quote.csv", query_string=RANGE))
    assert rows[1][1] == "'=HYPERLINK(\"http://evil.example\",\"x\")<b>"
    page = admin_client.get("/admin/reports/", query_string=RANGE).get_data(as_text=True)
    assert "<b>" not in section(page, "time-to-quote") and "&lt;b&gt;" in section(page, "time-to-quote")


# --- The compliance list ---------------------------------------------------------------------------------

@pytest.fixture()
def sellers(db):
    """Sellers of every status on TODAY, by seller ID."""
    harbor = factories.make_insurer()
    compliant = factories.make_seller(seller_id="AAAA000001", legal_name="=cmd|' /C calc'!A0")
    factories.make_monthly_sales(compliant.seller_id, date(2026, 1, 1), "50000.00")
    policy = factories.make_policy(insurer=harbor, seller_id=compliant.seller_id, policy_number="HX-0001")
    factories.make_seller(seller_id="BBBB000002", legal_name="Small Shop LLC")  # no sales: not required
    overdue = factories.make_seller(seller_id="CCCC000003", legal_name="Late Toys LLC")
    factories.make_monthly_sales(overdue.seller_id, date(2025, 6, 1), "50000.00")
    due = factories.make_seller(seller_id="DDDD000004", legal_name="New Toys LLC")
    factories.make_monthly_sales(due.seller_id, date(2026, 2, 1), "50000.00")
    pending = factories.make_seller(seller_id="EEEE000005", legal_name="Uploaded Toys LLC")
    factories.make_monthly_sales(pending.seller_id, date(2026, 1, 1), "50000.00")
    factories.make_policy(seller_id=pending.seller_id, source="seller_upload", verification="pending")
    return {"policy": policy}


def _standings(page: str) -> list[list[str]]:
    """The compliance list's rows (seller cell, status, required since, deadline, policy)."""
    return table_rows(page[page.index("<table"):])[1:]


def test_the_compliance_list_shows_every_seller_by_status_on_today(admin_client, sellers):
    response = admin_client.get("/admin/reports/compliance")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_control(page, "on")["value"] == "2026-03-18"
    rows = _standings(page)
    assert [(row[0].split()[0], row[1]) for row in rows] == [
        ("AAAA000001", "Compliant"), ("BBBB000002", "Not required"), ("CCCC000003", "Overdue"),
        ("DDDD000004", "Due"), ("EEEE000005", "Pending verification")]
    assert rows[0][2:] == ["January 2026", "March 2, 2026", "HX-0001"]
    assert rows[3][2:] == ["February 2026", "March 30, 2026", "—"]
    assert 'href="/admin/reports/compliance.csv?on=2026-03-18"' in page


@pytest.mark.parametrize(("status", "expected"), [
    ("due", ["DDDD000004"]), ("overdue", ["CCCC000003"]), ("pending_verification", ["EEEE000005"]),
    ("compliant", ["AAAA000001"]), ("not_required", ["BBBB000002"]),
])
def test_the_status_filter(admin_client, sellers, status, expected):
    page = admin_client.get("/admin/reports/compliance", query_string={"status": status}).get_data(as_text=True)
    assert [row[0].split()[0] for row in _standings(page)] == expected
    assert f'href="/admin/reports/compliance.csv?status={status}&amp;on=2026-03-18"' in page
    rows = read_csv(admin_client.get("/admin/reports/compliance.csv", query_string={"status": status}))
    assert [row[0] for row in rows[1:]] == expected


def test_the_on_date_judges_the_list_on_that_day(admin_client, sellers):
    # On 2026-02-15 February has not ended: its sales do not require that seller to be insured yet.
    page = admin_client.get("/admin/reports/compliance?on=2026-02-15").get_data(as_text=True)
    assert [(row[0].split()[0], row[1]) for row in _standings(page)] == [
        ("AAAA000001", "Compliant"), ("BBBB000002", "Not required"), ("CCCC000003", "Overdue"),
        ("DDDD000004", "Not required"), ("EEEE000005", "Pending verification")]
    page = admin_client.get("/admin/reports/compliance?on=2025-05-01").get_data(as_text=True)
    assert {row[1] for row in _standings(page)} == {"Not required"}


def test_the_compliance_list_pages(admin_client, sellers, monkeypatch):
    monkeypatch.setattr(admin_reports, "SELLERS_PER_PAGE", 2)
    first = admin_client.get("/admin/reports/compliance").get_data(as_text=True)
    assert [row[0].split()[0] for row in _standings(first)] == ["AAAA000001", "BBBB000002"]
    assert 'rel="next" href="/admin/reports/compliance?on=2026-03-18&amp;page=2"' in first
    assert 'rel="prev"' not in first
    third = admin_client.get("/admin/reports/compliance?page=3").get_data(as_text=True)
    assert [row[0].split()[0] for row in _standings(third)] == ["EEEE000005"]
    assert 'rel="prev"' in third and 'rel="next"' not in third
    beyond = admin_client.get("/admin/reports/compliance?page=9")
    assert beyond.status_code == 200 and "There is no seller on this page." in beyond.get_data(as_text=True)
    assert admin_client.get("/admin/reports/compliance?page=x").status_code == 200


def test_the_compliance_csv_streams_every_seller_with_formulas_neutralised(admin_client, sellers):
    response = admin_client.get("/admin/reports/compliance.csv")
    assert response.is_streamed
    assert filename(response) == "compliance_2026-03-18.csv"
    rows = read_csv(response)
    assert rows[0] == ["seller_id", "legal_name", "status", "required_since", "deadline", "policy_number"]
    assert rows[1] == ["AAAA000001", "'=cmd|' /C calc'!A0", "compliant", "2026-01-01", "2026-03-02", "HX-0001"]
    assert [row[0] for row in rows[1:]] == ["AAAA000001", "BBBB000002", "CCCC000003", "DDDD000004", "EEEE000005"]
    dated = admin_client.get("/admin/reports/compliance.csv?on=2026-02-15&status=overdue")
    assert filename(dated) == "compliance_2026-02-15_overdue.csv"
    assert [row[0] for row in read_csv(dated)[1:]] == ["CCCC000003"]


def test_an_empty_compliance_list_and_csv(admin_client, db):
    page = admin_client.get("/admin/reports/compliance").get_data(as_text=True)
    assert "No seller is on record on March 18, 2026." in page
    assert read_csv(admin_client.get("/admin/reports/compliance.csv?status=due")) == [
        ["seller_id", "legal_name", "status", "required_since", "deadline", "policy_number"]]


@pytest.mark.parametrize(("query", "field", "words"), [
    ({"on": "2026-13-01"}, "on", "The date is not a real calendar date."),
    ({"on": "soon"}, "on", "The date must be a date written YYYY-MM-DD."),
    ({"status": "lapsed"}, "status", "Choose a status from the list."),
])
def test_bad_compliance_filters(admin_client, sellers, query, field, words):
    response = admin_client.get("/admin/reports/compliance", query_string=query)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert words in error_for(page, field)
    assert "AAAA000001" not in page
    download = admin_client.get("/admin/reports/compliance.csv", query_string=query)
    assert download.status_code == 400 and words in download.get_data(as_text=True)


# --- The coverage-check log ----------------------------------------------------------------------------------

def test_the_check_log_form_redirects_a_good_range_to_the_download(admin_client, db):
    page = admin_client.get("/admin/reports/checks")
    assert page.status_code == 200
    assert field_control(page.get_data(as_text=True), "start")["value"] == "2025-12-29"
    response = admin_client.get("/admin/reports/checks", query_string={**RANGE, "download": "csv"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/reports/checks.csv?start=2026-03-02&end=2026-03-15"
    # Without the button's value the form is only shown again with the dates chosen.
    shown = admin_client.get("/admin/reports/checks", query_string=RANGE)
    assert shown.status_code == 200 and field_control(shown.get_data(as_text=True), "end")["value"] == "2026-03-15"


def test_the_check_log_form_shows_a_reversed_range_at_the_field(admin_client, db):
    response = admin_client.get("/admin/reports/checks?start=2026-03-15&end=2026-03-02&download=csv")
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in error_for(response.get_data(as_text=True), "end")


def test_the_check_log_lists_the_checks_of_the_range_oldest_first(admin_client, marketplace):
    response = admin_client.get("/admin/reports/checks.csv", query_string=RANGE)
    assert response.is_streamed
    assert filename(response) == "coverage-checks_2026-03-02_2026-03-15.csv"
    rows = read_csv(response)
    assert rows[0] == ["check_id", "checked_at", "seller_id", "incident_date", "amount", "category", "status",
                       "covered_amount", "route"]
    assert [(row[1], row[8]) for row in rows[1:]] == [
        ("2026-03-02T12:00:00Z", "marketplace"), ("2026-03-02T13:00:00Z", "marketplace"),
        ("2026-03-02T14:00:00Z", "insurer"), ("2026-03-03T09:00:00Z", "review"), ("2026-03-15T23:00:00Z", "seller")]
    one_day = read_csv(admin_client.get("/admin/reports/checks.csv?start=2026-03-16&end=2026-03-16"))
    assert [row[8] for row in one_day[1:]] == ["marketplace"]
    empty = read_csv(admin_client.get("/admin/reports/checks.csv?start=2026-04-01&end=2026-04-30"))
    assert empty == [rows[0]]


def test_check_log_cells_that_look_like_formulas_are_neutralised(admin_client, db):
    factories.make_coverage_check(checked_at=at("2026-03-05"), seller_id="=SUM(A1)", category="@cat")
    rows = read_csv(admin_client.get("/admin/reports/checks.csv", query_string=RANGE))
    assert rows[1][2] == "'=SUM(A1)" and rows[1][5] == "'@cat"


# --- Navigation ------------------------------------------------------------------------------------------

def test_the_admin_navigation_links_the_reports(admin_client, db):
    page = admin_client.get("/admin/reports/compliance").get_data(as_text=True)
    assert '<a href="/admin/reports/" class="site-nav__link" aria-current="page">Reports</a>' in page
    assert 'href="/admin/reports/checks"' in page and 'href="/admin/reports/compliance"' in page
    assert '<a href="/admin/reports/" class="site-nav__link">Reports</a>' in admin_client.get("/admin").get_data(
        as_text=True)

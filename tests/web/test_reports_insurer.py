"""The insurer reports through the Flask client: the dashboard's figures and CSVs match the data built here, another
insurer's numbers never show (page or CSV), the bordereau with and without a range, and bad ranges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from accelerator.services import exports
from accelerator.web import reports
from tests import factories
from tests.conftest import login_as
from tests.web.conftest import error_for, field_control
from tests.web.reports_helpers import filename, read_csv, section, table_rows

D = Decimal
TODAY = date(2026, 3, 18)
RANGE = {"start": "2026-03-02", "end": "2026-03-15"}


def at(day: str, hour: int = 12) -> datetime:
    """A UTC timestamp on a YYYY-MM-DD day."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).replace(hour=hour)


@pytest.fixture(autouse=True)
def _today(pinned_clock):
    """The pages' "today": the one clock, pinned at noon UTC on TODAY."""
    pinned_clock.pin(datetime.combine(TODAY, time(12), UTC))


def _request(insurer, routed: str, status: str = "open", **overrides):
    """A quote request routed to `insurer` on the day `routed`."""
    request = factories.make_quote_request(created_at=at(routed), **overrides)
    factories.make_routing(request, insurer, routed_at=at(routed), status=status)
    return request


@pytest.fixture()
def book(db):
    """Harbor's requests, quotes and policies in and around RANGE; Keystone's, which Harbor must never see."""
    harbor = factories.make_insurer(name="Harbor Mutual")
    keystone = factories.make_insurer(name="Keystone Casualty")
    shop = factories.make_seller(seller_id="SHOP000001", legal_name="@SUM(1+1) Toys")
    accepted = _request(harbor, "2026-03-03", "quoted")
    factories.make_quote(accepted, harbor, status="accepted", created_at=at("2026-03-03", 15))
    bought = _request(harbor, "2026-03-04", "quoted")
    bought_quote = factories.make_quote(bought, harbor, created_at=at("2026-03-04", 15))
    offered = _request(harbor, "2026-03-05", "declined")
    factories.make_quote(offered, harbor, created_at=at("2026-03-05", 15))
    factories.make_quote(_request(harbor, "2026-03-12"), harbor, created_at=at("2026-03-12", 15))
    old = _request(harbor, "2026-02-20", "quoted")  # before the range
    factories.make_quote(old, harbor, status="accepted", created_at=at("2026-02-20", 15))
    factories.make_policy(insurer=harbor, seller_id=shop.seller_id, policy_number="HM-0001",
                          claims_paid=D("500000.00"))  # 2026-01-01 to 2027-01-01, 25% used
    factories.make_policy(insurer=harbor, seller_id=shop.seller_id, policy_number="HM-0002", quote_id=bought_quote.id,
                          source="marketplace", premium=D("1850.00"), effective_date=date(2026, 3, 10),
                          expiration_date=date(2027, 3, 10), aggregate_limit=D("1000000.00"),
                          claims_paid=D("100000.00"))  # 10% used
    factories.make_policy(insurer=harbor, seller_id=shop.seller_id, policy_number="HM-0003",
                          effective_date=date(2025, 3, 5), expiration_date=date(2026, 3, 5))
    # Keystone: more of everything, with numbers that would show if they leaked.
    for day in ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-09", "2026-03-10", "2026-03-11", "2026-03-13"):
        factories.make_quote(_request(keystone, day, "quoted"), keystone, status="accepted", created_at=at(day, 15))
    factories.make_policy(insurer=keystone, seller_id=shop.seller_id, policy_number="KEY-SECRET-1",
                          claims_paid=D("1999999.00"), premium=D("777777.00"))
    return {"harbor": harbor, "keystone": keystone}


def _staff(app, insurer):
    """A client logged in as staff of `insurer`."""
    client = app.test_client()
    login_as(client, factories.make_insurer_user(insurer=insurer))
    return client


@pytest.fixture()
def harbor_client(app, book):
    """Harbor's staff."""
    return _staff(app, book["harbor"])


def test_the_dashboard_shows_the_insurers_own_figures(harbor_client):
    response = harbor_client.get("/insurer/reports/", query_string=RANGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for key in reports.INSURER_REPORTS:
        figure = section(page, key)
        assert figure.count('class="chart" role="img"') == 2
        assert f'<title id="{key}-title">' in figure
        assert f'href="/insurer/reports/{key}.csv?start=2026-03-02&amp;end=2026-03-15"' in figure
    requests = section(page, "requests-received")
    assert table_rows(requests) == [["Week starting", "Requests received"], ["2026-03-02", "3"], ["2026-03-09", "1"]]
    assert "4 in all; as they stand now: 1 open, 2 quoted, 1 declined, 0 closed." in requests
    assert table_rows(section(page, "win-rate")) == [["Quotes", "In the period"], ["Offered", "4"], ["Won", "2"],
                                                     ["Win rate", "50%"]]
    assert "Quote win rate: 50%" in section(page, "win-rate")
    in_force = {row[0]: row[1] for row in table_rows(section(page, "policies-in-force"))[1:]}
    assert len(in_force) == 14
    assert (in_force["2026-03-02"], in_force["2026-03-04"], in_force["2026-03-05"], in_force["2026-03-09"],
            in_force["2026-03-10"], in_force["2026-03-15"]) == ("2", "2", "1", "1", "2", "2")
    assert table_rows(section(page, "claims-against-aggregate")) == [
        ["Policy", "Seller", "Aggregate limit", "Claims paid", "Aggregate remaining", "Used"],
        ["All 2 in force", "", "$3,000,000.00", "$600,000.00", "$2,400,000.00", "20%"],
        ["HM-0001", "SHOP000001", "$2,000,000.00", "$500,000.00", "$1,500,000.00", "25%"],
        ["HM-0002", "SHOP000001", "$1,000,000.00", "$100,000.00", "$900,000.00", "10%"]]
    assert '>2</span> <span class="report-stat__label">policies in force on 2026-03-18' in page
    assert '>50%</span> <span class="report-stat__label">win rate (2 of 4 quotes)' in page


def test_another_insurers_numbers_never_show(app, book):
    for client, own, other in ((_staff(app, book["harbor"]), "HM-0001", "KEY-SECRET-1"),
                               (_staff(app, book["keystone"]), "KEY-SECRET-1", "HM-0001")):
        page = client.get("/insurer/reports/", query_string=RANGE).get_data(as_text=True)
        assert own in page and other not in page
        # Each download is read to its end before the next (a streamed one keeps its request context open).
        urls = [f"/insurer/reports/{key}.csv" for key in reports.INSURER_REPORTS] + ["/insurer/reports/bordereau.csv"]
        texts = [client.get(url, query_string=query).get_data(as_text=True) for url in urls for query in (RANGE, {})]
        assert own in "".join(texts) and not any(other in text for text in texts)
    keystone = _staff(app, book["keystone"])
    page = keystone.get("/insurer/reports/", query_string=RANGE).get_data(as_text=True)
    assert table_rows(section(page, "win-rate"))[1:] == [["Offered", "7"], ["Won", "7"], ["Win rate", "100%"]]
    assert "1999999" not in _staff(app, book["harbor"]).get(
        "/insurer/reports/claims-against-aggregate.csv").get_data(as_text=True)


def test_each_figures_csv_has_the_numbers_of_its_table(harbor_client):
    received = harbor_client.get("/insurer/reports/requests-received.csv", query_string=RANGE)
    assert filename(received) == "requests-received_2026-03-02_2026-03-15.csv"
    assert read_csv(received) == [["week_start", "requests"], ["2026-03-02", "3"], ["2026-03-09", "1"]]
    assert read_csv(harbor_client.get("/insurer/reports/win-rate.csv", query_string=RANGE)) == [
        ["quotes_offered", "quotes_won", "win_rate"], ["4", "2", "0.5000"]]
    in_force = read_csv(harbor_client.get("/insurer/reports/policies-in-force.csv", query_string=RANGE))
    assert in_force[0] == ["day", "policies_in_force"] and len(in_force) == 15
    assert in_force[1] == ["2026-03-02", "2"] and in_force[4] == ["2026-03-05", "1"]
    assert read_csv(harbor_client.get("/insurer/reports/claims-against-aggregate.csv", query_string=RANGE)) == [
        ["policy", "seller_id", "aggregate_limit", "claims_paid", "aggregate_remaining", "used_share"],
        ["All 2 in force", "", "3000000.00", "600000.00", "2400000.00", "0.2000"],
        ["HM-0001", "SHOP000001", "2000000.00", "500000.00", "1500000.00", "0.2500"],
        ["HM-0002", "SHOP000001", "1000000.00", "100000.00", "900000.00", "0.1000"]]


def test_a_one_day_range(harbor_client):
    page = harbor_client.get("/insurer/reports/?start=2026-03-05&end=2026-03-05").get_data(as_text=True)
    assert table_rows(section(page, "requests-received"))[1:] == [["2026-03-02", "1"]]
    assert table_rows(section(page, "policies-in-force"))[1:] == [["2026-03-05", "1"]]
    assert table_rows(section(page, "win-rate"))[1:] == [["Offered", "1"], ["Won", "0"], ["Win rate", "0%"]]


def test_a_long_range_shows_policies_in_force_on_each_weeks_last_day(harbor_client):
    page = harbor_client.get("/insurer/reports/?start=2026-01-01&end=2026-06-30").get_data(as_text=True)
    rows = table_rows(section(page, "policies-in-force"))[1:]
    assert rows[0] == ["2026-01-04", "2"]  # the first week's Sunday
    assert rows[-1] == ["2026-06-30", "2"]  # the range's last day
    assert ["2026-03-08", "1"] in rows and len(rows) == 27


def test_an_insurer_with_nothing_yet(app, db):
    client = _staff(app, factories.make_insurer(name="New Mutual"))
    response = client.get("/insurer/reports/", query_string=RANGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert table_rows(section(page, "win-rate"))[1:] == [["Offered", "0"], ["Won", "0"], ["Win rate", "n/a"]]
    assert read_csv(client.get("/insurer/reports/win-rate.csv", query_string=RANGE))[1] == ["0", "0", ""]
    assert table_rows(section(page, "claims-against-aggregate"))[1:] == [
        ["All 0 in force", "", "$0.00", "$0.00", "$0.00", "0%"]]
    assert read_csv(client.get("/insurer/reports/bordereau.csv")) == [list(exports.BORDEREAU_HEADER)]
    assert read_csv(client.get("/insurer/reports/requests-received.csv", query_string=RANGE))[1:] == [
        ["2026-03-02", "0"], ["2026-03-09", "0"]]


def test_the_default_range_is_the_last_twelve_weeks(harbor_client):
    page = harbor_client.get("/insurer/reports/").get_data(as_text=True)
    assert field_control(page, "start")["value"] == "2025-12-29"
    assert field_control(page, "end")["value"] == "2026-03-18"
    assert filename(harbor_client.get("/insurer/reports/win-rate.csv")) == "win-rate_2025-12-29_2026-03-18.csv"


@pytest.mark.parametrize(("start", "end", "field", "words"), [
    ("2026-03-15", "2026-03-02", "end", "The end date must be on or after the start date."),
    ("2000-01-01", "2026-01-01", "end", "at most 1,096 days"),
    ("2026-04-31", "2026-05-01", "start", "is not a real calendar date"),
    ("3000-01-01", "3000-01-02", "start", "must be between 1900-01-01 and 2999-12-31"),
])
def test_a_bad_range(harbor_client, start, end, field, words):
    query = {"start": start, "end": end}
    response = harbor_client.get("/insurer/reports/", query_string=query)
    assert response.status_code == 400
    assert words in error_for(response.get_data(as_text=True), field)
    for key in (*reports.INSURER_REPORTS, "bordereau"):
        download = harbor_client.get(f"/insurer/reports/{key}.csv", query_string=query)
        assert download.status_code == 400 and download.mimetype == "text/html"
        assert words in download.get_data(as_text=True)
    form = harbor_client.get("/insurer/reports/bordereau", query_string={**query, "download": "csv"})
    assert form.status_code == 400 and words in error_for(form.get_data(as_text=True), field)


# --- The bordereau ---------------------------------------------------------------------------------------

def test_the_bordereau_lists_every_policy_of_the_insurer(harbor_client):
    response = harbor_client.get("/insurer/reports/bordereau.csv")
    assert response.is_streamed
    assert filename(response) == "bordereau_2026-03-18.csv"
    rows = read_csv(response)
    assert rows[0] == list(exports.BORDEREAU_HEADER)
    assert [row[0] for row in rows[1:]] == ["HM-0001", "HM-0002", "HM-0003"]
    assert rows[2] == ["HM-0002", "SHOP000001", "'@SUM(1+1) Toys", "2026-03-10", "2027-03-10", "", "1000000.00",
                       "1000000.00", "2500.00", "1850.00", "100000.00", "900000.00", "verified", "marketplace"]


def test_the_bordereau_of_a_range_has_the_policies_in_force_in_it(harbor_client):
    response = harbor_client.get("/insurer/reports/bordereau.csv?start=2026-03-06&end=2026-03-08")
    assert filename(response) == "bordereau_2026-03-06_2026-03-08.csv"
    assert [row[0] for row in read_csv(response)[1:]] == ["HM-0001"]
    one_day = harbor_client.get("/insurer/reports/bordereau.csv?start=2026-03-04&end=2026-03-04")
    assert [row[0] for row in read_csv(one_day)[1:]] == ["HM-0001", "HM-0003"]
    empty = harbor_client.get("/insurer/reports/bordereau.csv?start=2020-01-01&end=2020-12-31")
    assert read_csv(empty) == [list(exports.BORDEREAU_HEADER)]


def test_the_bordereau_form(harbor_client):
    page = harbor_client.get("/insurer/reports/bordereau")
    assert page.status_code == 200
    assert field_control(page.get_data(as_text=True), "start").get("value", "") == ""
    everything = harbor_client.get("/insurer/reports/bordereau?start=&end=&download=csv")
    assert everything.status_code == 302 and everything.headers["Location"] == "/insurer/reports/bordereau.csv"
    ranged = harbor_client.get("/insurer/reports/bordereau", query_string={**RANGE, "download": "csv"})
    assert ranged.headers["Location"] == "/insurer/reports/bordereau.csv?start=2026-03-02&end=2026-03-15"
    half = harbor_client.get("/insurer/reports/bordereau?start=2026-03-02&download=csv")
    assert half.status_code == 400
    assert "Enter the end date too, or leave both dates empty" in error_for(half.get_data(as_text=True), "end")
    assert harbor_client.get("/insurer/reports/bordereau.csv?end=2026-03-02").status_code == 400


def test_the_insurer_navigation_links_the_reports(harbor_client):
    page = harbor_client.get("/insurer/reports/bordereau").get_data(as_text=True)
    assert '<a href="/insurer/reports/" class="site-nav__link" aria-current="page">Reports</a>' in page
    assert '<a href="/insurer/reports/" class="site-nav__link">Reports</a>' in harbor_client.get(
        "/insurer").get_data(as_text=True)

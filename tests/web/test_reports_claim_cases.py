"""The admin's claim-case figures through the Flask client: the page, its headlines, a CSV per chart, admins only."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from accelerator.web import reports
from tests import factories
from tests.web.reports_helpers import filename, read_csv, section, table_rows

RANGE = {"start": "2026-11-02", "end": "2026-11-15"}
CSVS = [f"/admin/reports/{key}.csv" for key in reports.CLAIM_CASE_REPORTS]


def at(day: int, hour: int = 12) -> datetime:
    """A UTC moment in November 2026."""
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture()
def cases(db):
    """A case paid by the marketplace after the seller disputed it (half recovered), one waiting for the seller."""
    factories.make_claim_case(at(3), route="seller", state="paid", stepped_in=True, owed_by="seller",
                              payment_payer="marketplace", payment_amount=Decimal("1400.00"), paid_at=at(5),
                              recovery_from="seller", recovery_due=Decimal("1400.00"),
                              recovery_recovered=Decimal("700.00"),
                              events=[(at(3, 15), "disputed", "seller", "not ours"),
                                      (at(4, 15), "stepped_in", "marketplace"), (at(5), "paid", "marketplace")])
    factories.make_claim_case(at(10), route="seller", state="awaiting_seller", respond_by=at(30))


def test_the_page_shows_each_figure_its_numbers_and_the_headlines(admin_client, cases):
    response = admin_client.get("/admin/reports/claim-cases", query_string=RANGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for key in reports.CLAIM_CASE_REPORTS:
        figure = section(page, key)
        assert figure.count('role="img"') == 2 and f'<title id="{key}-title">' in figure
        assert f'href="/admin/reports/{key}.csv?start=2026-11-02&amp;end=2026-11-15"' in figure
        assert '<caption id="' in figure
    assert table_rows(section(page, "claim-escalations"))[-1] == ["All escalated", "1", "50%"]
    assert table_rows(section(page, "claim-answer-times"))[1:] == [
        ["Insurer", "0", "n/a", "0"], ["Seller", "1", "3.0 h", "1"], ["Marketplace", "1", "24.0 h", "0"]]
    assert table_rows(section(page, "marketplace-money"))[2] == ["Owed by sellers", "1", "$1,400.00", "$700.00",
                                                                 "$700.00"]
    assert '>50%</span> <span class="report-stat__label">of them escalated (1)<' in page
    assert '>0</span> <span class="report-stat__label">cases escalated, waiting for the marketplace now' in page
    assert 'href="/admin/claims">The intervention queue' in page
    assert "from the case&#39;s escalation to the marketplace stepping in or closing it" in page
    assert 'aria-current="page">Claim cases</a>' in page


def test_each_csv_has_its_header_and_the_rows_of_its_table(admin_client, cases):
    escalations = admin_client.get("/admin/reports/claim-escalations.csv", query_string=RANGE)
    assert filename(escalations) == "claim-escalations_2026-11-02_2026-11-15.csv"
    assert read_csv(escalations) == [
        ["reason", "cases", "share_of_opened"], ["insurer_unresponsive", "0", "0.0000"],
        ["seller_unresponsive", "0", "0.0000"], ["payment_overdue", "0", "0.0000"],
        ["insurer_denied", "0", "0.0000"], ["seller_disputed", "1", "0.5000"], ["all", "1", "0.5000"]]
    assert read_csv(admin_client.get("/admin/reports/marketplace-money.csv", query_string=RANGE)) == [
        ["kind", "payments", "paid", "recovered", "still_due"], ["own_cost", "0", "0.00", "", ""],
        ["sellers", "1", "1400.00", "700.00", "700.00"], ["insurers", "0", "0.00", "0.00", "0.00"],
        ["all", "1", "1400.00", "700.00", "700.00"]]
    assert read_csv(admin_client.get("/admin/reports/claim-answer-times.csv", query_string=RANGE)) == [
        ["party", "answers", "median_hours", "waiting_now"], ["insurer", "0", "", "0"], ["seller", "1", "3.00", "1"],
        ["marketplace", "1", "24.00", "0"]]
    by_state = read_csv(admin_client.get("/admin/reports/claim-cases-by-state.csv", query_string=RANGE))
    assert by_state[0] == ["state", "label", "cases", "share"] and len(by_state) == 9
    assert ["awaiting_seller", "Awaiting the seller", "1", "0.5000"] in by_state
    assert read_csv(admin_client.get("/admin/reports/claim-cases-by-route.csv", query_string=RANGE)) == [
        ["week_start", "marketplace", "insurer", "seller", "review", "total"],
        ["2026-11-02", "0", "0", "1", "0", "1"], ["2026-11-09", "0", "0", "1", "0", "1"]]
    bad = admin_client.get("/admin/reports/claim-escalations.csv?start=2026-11-15&end=2026-11-02")
    assert bad.status_code == 400 and b"on or after the start date" in bad.data


def test_a_bad_range_is_told_at_its_field(admin_client, db):
    response = admin_client.get("/admin/reports/claim-cases?start=2026-11-15&end=nope")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Correct the dates above to see the claim-case figures." in page and 'role="img"' not in page


def test_only_admins_get_the_page_and_its_csvs(app, client, seller_client, insurer_client, db):
    for path in ["/admin/reports/claim-cases", *CSVS]:
        assert client.get(path).status_code == 302, path
        for other in (seller_client, insurer_client):
            response = other.get(path)
            assert response.status_code == 403 and b"text/csv" not in response.headers.get("Content-Type", "").encode()

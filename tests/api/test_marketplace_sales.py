"""Sales reports and compliance through the client against the live server."""

from __future__ import annotations

import pytest
import requests

from accelerator.client import AcceleratorClient, ApiError
from accelerator.models import MonthlySales, Seller
from tests import factories
from tests.api.conftest import count


@pytest.fixture()
def market(live_server, marketplace_key):
    """The client, as the marketplace's back office."""
    with AcceleratorClient(live_server.url, marketplace_key, timeout=30) as client:
        yield client


def test_a_report_records_and_replaces_a_month(market):
    assert market.report_sales("newseller1", "2026-05", "12500.00") == {
        "seller_id": "NEWSELLER1", "month": "2026-05", "gross_proceeds": "12500.00"}
    assert market.report_sales("NEWSELLER1", "2026-05", 0)["gross_proceeds"] == "0.00"
    assert count(MonthlySales) == 1 and count(Seller) == 1


@pytest.mark.parametrize(("seller", "month", "proceeds", "field"), [
    ("SELLER0001", "2026-13", "1.00", "month"),
    ("SELLER0001", "2026-5", "1.00", "month"),
    ("SELLER0001", "1899-12", "1.00", "month"),
    ("S" * 100, "2026-05", "1.00", "seller_id"),
    ("SELLER' OR 1=1", "2026-05", "1.00", "seller_id"),
    ("SELLERÉ0001", "2026-05", "1.00", "seller_id"),
    ("SELLER0001", "2026-05", "-1.00", "gross_proceeds"),
    ("SELLER0001", "2026-05", "1.005", "gross_proceeds"),
    ("SELLER0001", "2026-05", None, "gross_proceeds"),
])
def test_bad_reports_are_400_and_change_nothing(market, seller, month, proceeds, field):
    with pytest.raises(ApiError) as caught:
        market.report_sales(seller, month, proceeds)
    assert caught.value.status == 400 and field in caught.value.fields
    assert count(MonthlySales) == 0 and count(Seller) == 0


def test_compliance_answers_the_contract(market, db):
    market.report_sales("COMPLY0001", "2026-05", "12000.00")
    due = market.compliance("comply0001", on="2026-06-15")
    assert due == {"seller_id": "COMPLY0001", "on": "2026-06-15", "status": "due", "required_since": "2026-05",
                   "deadline": "2026-06-30", "policy": None,
                   "reasons": [{"code": "no_policy", "policy_number": None,
                                "message": "The seller has no policy on record."}]}
    assert market.compliance("COMPLY0001", on="2026-07-01")["status"] == "overdue"
    factories.make_policy(seller_id="COMPLY0001", policy_number="GOOD-1")
    compliant = market.compliance("COMPLY0001", on="2026-07-01")
    assert (compliant["status"], compliant["policy"]["policy_number"], compliant["reasons"]) == (
        "compliant", "GOOD-1", [])
    assert market.compliance("NEVERSEEN1")["status"] == "not_required"


@pytest.mark.parametrize(("path", "query", "field"), [
    ("/api/v1/sellers/COMPLY0001/compliance", {"on": "2026-02-30"}, "on"),
    ("/api/v1/sellers/COMPLY0001/compliance", {"on": "3000-01-01"}, "on"),
    ("/api/v1/sellers/COMPLY0001/compliance", [("on", "2026-01-01"), ("on", "2026-01-02")], "on"),
    ("/api/v1/sellers/COMPLY0001/compliance", {"at": "2026-01-01"}, "at"),
    ("/api/v1/sellers/SHORT/compliance", {}, "seller_id"),
])
def test_bad_compliance_questions_are_400(live_server, marketplace_key, path, query, field):
    response = requests.get(live_server.url + path, params=query, timeout=30,
                            headers={"Authorization": f"Bearer {marketplace_key}"})
    assert response.status_code == 400 and field in response.json()["error"]["fields"]

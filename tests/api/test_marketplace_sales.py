"""Sales reports and compliance through the client against the live server."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from accelerator.client import AcceleratorClient, ApiError
from accelerator.extensions import db as _db
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


# --- the categories a seller sells ---------------------------------------------------------------


def _categories_of(seller_id: str) -> list[str] | None:
    """The seller record's categories, read afresh (None when there is no record)."""
    count(Seller)  # ends the test's read transaction
    return _db.session.execute(select(Seller.categories).where(Seller.seller_id == seller_id)).scalar_one_or_none()


def test_categories_create_the_seller_record_sorted_and_repeats_ignored(market):
    answer = market.record_seller_categories("newseller2", ["toys", "baby", "toys"])
    assert answer == {"seller_id": "NEWSELLER2", "categories": ["baby", "toys"]}
    assert count(Seller) == 1 and _categories_of("NEWSELLER2") == ["baby", "toys"]


def test_categories_replace_the_list_the_profile_keeps(market, db):
    seller = factories.make_seller(seller_id="PROFILE001", categories=["home", "pet"])
    assert market.record_seller_categories(seller.seller_id, ["toys"])["categories"] == ["toys"]
    assert _categories_of("PROFILE001") == ["toys"]
    assert market.record_seller_categories("profile001", [])["categories"] == []
    assert _categories_of("PROFILE001") == []


def test_fifty_codes_are_accepted(market):
    assert market.record_seller_categories("MANYCODES1", ["toys", "baby"] * 25)["categories"] == ["baby", "toys"]


@pytest.mark.parametrize(("seller", "body", "field"), [
    ("SELLER0002", {"categories": ["toys", "weapons"]}, "categories"),
    ("SELLER0002", {"categories": "toys"}, "categories"),
    ("SELLER0002", {"categories": [1]}, "categories"),
    ("SELLER0002", {"categories": ["toys"] * 51}, "categories"),
    ("SELLER0002", {}, "categories"),
    ("SELLER0002", {"categories": None}, "categories"),
    ("SELLER0002", {"categories": ["toys"], "state": "CA"}, "state"),
    ("SHORT", {"categories": ["toys"]}, "seller_id"),
])
def test_bad_categories_are_400_and_change_nothing(live_server, marketplace_key, db, seller, body, field):
    factories.make_seller(seller_id="SELLER0001", categories=["home"])
    response = requests.put(f"{live_server.url}/api/v1/sellers/{seller}/categories", json=body, timeout=30,
                            headers={"Authorization": f"Bearer {marketplace_key}"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and field in error["fields"]
    assert count(Seller) == 1 and _categories_of("SELLER0001") == ["home"]


def test_the_unknown_code_is_named(market):
    with pytest.raises(ApiError) as caught:
        market.record_seller_categories("SELLER0003", ["toys", "weapons"])
    assert "weapons" in caught.value.fields["categories"]
    assert count(Seller) == 0


def test_categories_need_the_marketplace_role(live_server, insurer_key):
    with AcceleratorClient(live_server.url, insurer_key, timeout=30) as insurer_client:
        with pytest.raises(ApiError) as caught:
            insurer_client.record_seller_categories("SELLER0004", ["toys"])
    assert caught.value.status == 403 and count(Seller) == 0


def test_categories_replay_with_an_idempotency_key(market):
    first = market.record_seller_categories("REPLAY0001", ["toys"], idempotency_key="cats-1")
    market.record_seller_categories("REPLAY0001", ["baby"])
    again = market.record_seller_categories("REPLAY0001", ["toys"], idempotency_key="cats-1")
    assert again == first and _categories_of("REPLAY0001") == ["baby"]  # the replay changed nothing
    with pytest.raises(ApiError) as caught:
        market.record_seller_categories("REPLAY0001", ["pet"], idempotency_key="cats-1")
    assert caught.value.status == 409 and caught.value.code == "idempotency_key_reused"


def test_a_policy_excluding_what_the_seller_sells_does_not_make_it_compliant(market, db):
    market.report_sales("EXCLUDE001", "2026-05", "12000.00")
    factories.make_policy(seller_id="EXCLUDE001", policy_number="B-TOYS", excluded_categories=["toys", "baby"])
    factories.make_policy(seller_id="EXCLUDE001", policy_number="A-PET", excluded_categories=["pet"],
                          verification="pending", source="seller_upload", insurer_id=None)
    assert market.compliance("EXCLUDE001", on="2026-06-15")["status"] == "compliant"  # sells nothing yet
    market.record_seller_categories("EXCLUDE001", ["toys", "baby", "home"])
    answer = market.compliance("EXCLUDE001", on="2026-06-15")
    assert (answer["status"], answer["policy"]) == ("pending_verification", None)
    assert answer["reasons"] == [
        {"code": "pending_verification", "policy_number": "A-PET",
         "message": "Policy A-PET is waiting for the marketplace to verify it."},
        {"code": "category_excluded", "policy_number": "B-TOYS",
         "message": "Policy B-TOYS excludes Baby Products and Toys & Games, which the seller sells."},
    ]
    market.record_seller_categories("EXCLUDE001", ["pet", "toys"])
    answer = market.compliance("EXCLUDE001", on="2026-07-01")
    assert answer["status"] == "overdue"
    assert [(r["code"], r["policy_number"]) for r in answer["reasons"]] == [
        ("pending_verification", "A-PET"), ("category_excluded", "A-PET"), ("category_excluded", "B-TOYS")]
    assert "Pet Supplies" in answer["reasons"][1]["message"]
    assert "Toys & Games" in answer["reasons"][2]["message"] and "Baby" not in answer["reasons"][2]["message"]

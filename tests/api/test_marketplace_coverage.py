"""Coverage checks through the client against the live server: answers, replays, batches, bad input."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import requests

from accelerator.client import AcceleratorClient, ApiError
from accelerator.models import CoverageCheck
from tests import factories
from tests.api.conftest import count

URL = "/api/v1/coverage"


@pytest.fixture()
def market(live_server, marketplace_key):
    """The client, as the marketplace's claims service."""
    with AcceleratorClient(live_server.url, marketplace_key, timeout=30) as client:
        yield client


@pytest.fixture()
def seller_with_policy(db):
    """A seller with one verified policy in force through 2026 (1,000,000 per occurrence)."""
    seller = factories.make_seller(seller_id="A1B2C3D4E5").seller_id
    factories.make_policy(seller_id=seller, policy_number="HX-2026-000123", excluded_categories=["baby"])
    return seller


def test_a_check_answers_the_contract_and_replays_byte_for_byte(market, live_server, marketplace_key,
                                                                seller_with_policy):
    answer = market.check_coverage("a1b2c3d4e5", "2026-06-01", "2500.00", "toys")
    assert market.last_status == 200
    assert list(answer) == ["check_id", "checked_at", "seller_id", "incident_date", "amount", "category", "status",
                            "covered_amount", "route", "policy", "reasons"]
    assert (answer["seller_id"], answer["status"], answer["covered_amount"], answer["route"], answer["reasons"]) == (
        "A1B2C3D4E5", "covered", "2500.00", "insurer", [])
    assert answer["policy"]["policy_number"] == "HX-2026-000123"
    assert answer["policy"]["aggregate_remaining"] == "2000000.00"
    assert market.get_coverage_check(answer["check_id"]) == answer
    headers = {"Authorization": f"Bearer {marketplace_key}"}
    first = requests.get(f"{live_server.url}{URL}", headers=headers, timeout=30, params={
        "seller_id": "A1B2C3D4E5", "incident_date": "2026-06-01", "amount": "10"})
    replay = requests.get(f"{live_server.url}{URL}/checks/{first.json()['check_id']}", headers=headers, timeout=30)
    assert replay.content == first.content and replay.headers["Content-Type"] == "application/json"
    assert first.json()["category"] is None and first.json()["route"] == "marketplace"
    assert count(CoverageCheck) == 2


def test_an_unknown_seller_gets_a_decision_too(market):
    answer = market.check_coverage("NEVERSEEN1", "2026-06-01", "100.00")
    assert (answer["status"], answer["route"], answer["policy"], [r["code"] for r in answer["reasons"]]) == (
        "not_covered", "seller", None, ["unknown_seller"])


def test_an_unknown_check_id_is_404(market):
    for check_id in ("chk_0123", "not-a-check", "chk_" + "0" * 300):
        with pytest.raises(ApiError) as caught:
            market.get_coverage_check(check_id)
        assert (caught.value.status, caught.value.code) == (404, "not_found")


def test_a_replay_takes_no_query_parameter(market, live_server, marketplace_key, seller_with_policy):
    check_id = market.check_coverage("A1B2C3D4E5", "2026-06-01", "10.00")["check_id"]
    headers = {"Authorization": f"Bearer {marketplace_key}"}
    unknown = requests.get(f"{live_server.url}{URL}/checks/{check_id}?page=2", headers=headers, timeout=30)
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"] == {"page": "Unknown field."}
    twice = requests.get(f"{live_server.url}{URL}/checks/{check_id}?a=1&a=2", headers=headers, timeout=30)
    assert twice.status_code == 400 and "a" in twice.json()["error"]["fields"]


def test_keys_other_than_marketplace_are_refused(live_server, insurer_key):
    with AcceleratorClient(live_server.url, insurer_key, timeout=30) as insurer_api:
        with pytest.raises(ApiError) as caught:
            insurer_api.check_coverage("A1B2C3D4E5", "2026-06-01", "5.00")
        assert caught.value.status == 403
    with AcceleratorClient(live_server.url, timeout=30) as anonymous:
        with pytest.raises(ApiError) as caught:
            anonymous.check_coverage_batch([{"seller_id": "A1B2C3D4E5", "incident_date": "2026-06-01",
                                             "amount": "5.00"}])
        assert caught.value.status == 401
    assert count(CoverageCheck) == 0


GOOD = {"seller_id": "A1B2C3D4E5", "incident_date": "2026-06-01", "amount": "2500.00"}


@pytest.mark.parametrize(("query", "field"), [
    ({"incident_date": "2026-06-01", "amount": "5.00"}, "seller_id"),
    ({"seller_id": "A1B2C3D4E5", "amount": "5.00"}, "incident_date"),
    ({"seller_id": "A1B2C3D4E5", "incident_date": "2026-06-01"}, "amount"),
    ({**GOOD, "amount": "0"}, "amount"),
    ({**GOOD, "amount": "1e3"}, "amount"),
    ({**GOOD, "amount": "1000.005"}, "amount"),
    ({**GOOD, "amount": "-5.00"}, "amount"),
    ({**GOOD, "amount": "NaN"}, "amount"),
    ({**GOOD, "amount": "1000000000.00"}, "amount"),
    ({**GOOD, "seller_id": "S" * 100}, "seller_id"),
    ({**GOOD, "seller_id": "A1' OR '1'='1"}, "seller_id"),
    ({**GOOD, "seller_id": "SÉLLER00001"}, "seller_id"),
    ({**GOOD, "seller_id": "ＡＢＣＤＥＦ１２"}, "seller_id"),
    ({**GOOD, "incident_date": "1899-12-31"}, "incident_date"),
    ({**GOOD, "incident_date": "3000-01-01"}, "incident_date"),
    ({**GOOD, "incident_date": "2026-02-30"}, "incident_date"),
    ({**GOOD, "incident_date": "20260601"}, "incident_date"),
    ({**GOOD, "category": "fireworks"}, "category"),
    ({**GOOD, "category": ""}, "category"),
    ({**GOOD, "colour": "red"}, "colour"),
])
def test_bad_queries_are_400_naming_the_field_and_record_nothing(live_server, marketplace_key, query, field):
    response = requests.get(f"{live_server.url}{URL}", params=query, timeout=30,
                            headers={"Authorization": f"Bearer {marketplace_key}"})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and field in error["fields"]
    assert count(CoverageCheck) == 0


@pytest.mark.parametrize("repeated", ["seller_id", "incident_date", "amount", "category"])
def test_a_repeated_parameter_is_400(live_server, marketplace_key, repeated):
    params = [*({**GOOD, "category": "toys"}).items(), (repeated, {**GOOD, "category": "toys"}[repeated])]
    response = requests.get(f"{live_server.url}{URL}", params=params, timeout=30,
                            headers={"Authorization": f"Bearer {marketplace_key}"})
    assert response.status_code == 400 and repeated in response.json()["error"]["fields"]
    assert count(CoverageCheck) == 0


def test_a_batch_answers_in_order_with_per_item_errors_and_records_only_valid_items(market, seller_with_policy):
    checks = [
        {"seller_id": "a1b2c3d4e5", "incident_date": "2026-06-01", "amount": 800},
        "not an object",
        {"seller_id": "A1B2C3D4E5", "incident_date": "2026-06-01", "amount": "0"},
        {"seller_id": "A1B2C3D4E5", "incident_date": "2026-06-01", "amount": "5.00", "category": "baby"},
        [1, 2],
        {"seller_id": "A1B2C3D4E5", "incident_date": "2026-06-01", "amount": "5.00", "colour": "red"},
        {"seller_id": "A1B2C3D4E5", "incident_date": "2026-06-01", "amount": 1000.005},
        {"seller_id": "A1B2C3D4E5", "incident_date": "2026-06-01", "amount": "5.00", "category": None},
        None,
    ]
    results = market.check_coverage_batch(checks)["results"]
    assert len(results) == len(checks)
    assert [r.get("status") or r["error"]["code"] for r in results] == [
        "covered", "invalid_request", "invalid_request", "not_covered", "invalid_request", "invalid_request",
        "invalid_request", "covered", "invalid_request"]
    assert results[0]["route"] == "marketplace" and results[0]["amount"] == "800.00"
    assert results[2]["error"]["fields"] == {"amount": "Must be greater than 0."}
    assert "colour" in results[5]["error"]["fields"] and "amount" in results[6]["error"]["fields"]
    assert results[3]["reasons"][0]["code"] == "category_excluded" and results[7]["category"] is None
    assert count(CoverageCheck) == 3
    for result in results:
        if "check_id" in result:
            assert market.get_coverage_check(result["check_id"]) == result


def test_numbers_in_a_batch_are_read_as_written(live_server, marketplace_key, seller_with_policy):
    body = ('{"checks": [{"seller_id": "A1B2C3D4E5", "incident_date": "2026-06-01", "amount": 1e3},'
            ' {"seller_id": "A1B2C3D4E5", "incident_date": "2026-06-01", "amount": 1000.50}]}')
    response = requests.post(f"{live_server.url}{URL}/batch", data=body, timeout=30, headers={
        "Authorization": f"Bearer {marketplace_key}", "Content-Type": "application/json"})
    first, second = response.json()["results"]
    assert "amount" in first["error"]["fields"] and second["amount"] == "1000.50"
    assert count(CoverageCheck) == 1


def test_a_batch_of_500_is_answered_whole(market, seller_with_policy):
    checks = [{"seller_id": f"SELLER{n:06d}" if n % 2 else "A1B2C3D4E5", "incident_date": "2026-06-01",
               "amount": f"{n + 1}.00"} for n in range(500)]
    results = market.check_coverage_batch(checks)["results"]
    assert len({r["check_id"] for r in results}) == 500
    assert [r["amount"] for r in results] == [f"{n + 1}.00" for n in range(500)]
    assert all((r["status"] == "covered") == (n % 2 == 0) for n, r in enumerate(results))
    assert count(CoverageCheck) == 500


@pytest.mark.parametrize("body", [
    {"checks": []},
    {"checks": [GOOD] * 501},
    {"checks": GOOD},
    {"checks": "all of them"},
    {"checks": None},
    {},
    {"checks": [GOOD], "extra": 1},
    [GOOD],
])
def test_a_batch_body_not_of_the_shape_is_400_and_records_nothing(live_server, marketplace_key, body):
    response = requests.post(f"{live_server.url}{URL}/batch", data=json.dumps(body), timeout=30, headers={
        "Authorization": f"Bearer {marketplace_key}", "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_request"
    assert count(CoverageCheck) == 0


def test_a_batch_without_json_is_415(live_server, marketplace_key):
    response = requests.post(f"{live_server.url}{URL}/batch", data="checks=1", timeout=30, headers={
        "Authorization": f"Bearer {marketplace_key}", "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415 and count(CoverageCheck) == 0


def test_a_batch_repeated_with_its_idempotency_key_answers_the_first_answer(market, seller_with_policy):
    checks = [GOOD, {**GOOD, "amount": "3.00"}]
    first = market.check_coverage_batch(checks, idempotency_key="batch-1")
    again = market.check_coverage_batch(checks, idempotency_key="batch-1")
    assert again == first and count(CoverageCheck) == 2


def test_the_check_judges_the_aggregate_as_claims_draw_it(market, db):
    seller = factories.make_seller(seller_id="DRAWN00001").seller_id
    factories.make_policy(seller_id=seller, policy_number="DR-1", per_occurrence_limit=Decimal("5000.00"),
                          aggregate_limit=Decimal("5000.00"), deductible=Decimal("0.00"),
                          claims_paid=Decimal("5000.00"), effective_date=date(2026, 1, 1))
    answer = market.check_coverage(seller, "2026-06-01", "10.00")
    assert (answer["status"], answer["route"], answer["reasons"][0]["code"]) == (
        "not_covered", "seller", "aggregate_exhausted")

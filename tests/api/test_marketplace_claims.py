"""Claims paid through the client against the live server: the contract's answers and errors."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import requests

from accelerator.client import AcceleratorClient, ApiError
from accelerator.models import Claim
from tests import factories
from tests.api.conftest import count


@pytest.fixture()
def market(live_server, marketplace_key):
    """The client, as the marketplace's claims service."""
    with AcceleratorClient(live_server.url, marketplace_key, timeout=30) as client:
        yield client


@pytest.fixture()
def policy(db):
    """A policy of 5,000 per occurrence and 10,000 aggregate, in force through 2026."""
    seller = factories.make_seller(seller_id="CLAIMS0001").seller_id
    return factories.make_policy(seller_id=seller, policy_number="CL-1", per_occurrence_limit=Decimal("5000.00"),
                                 aggregate_limit=Decimal("10000.00"), deductible=Decimal("0.00"))


def claim(**overrides) -> dict:
    body = {"claim_id": "clm-1", "seller_id": "claims0001", "policy_number": "CL-1", "incident_date": "2026-06-01",
            "amount_paid": "2500.00"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def test_a_claim_is_201_then_200_with_the_first_answer(market, policy):
    first = market.record_claim(claim())
    assert market.last_status == 201
    assert first == {"claim_id": "clm-1", "policy_number": "CL-1", "seller_id": "CLAIMS0001",
                     "incident_date": "2026-06-01", "amount_paid": "2500.00", "aggregate_remaining": "7500.00"}
    second = market.record_claim(claim(amount_paid=2500, seller_id="CLAIMS0001"))
    assert (market.last_status, second) == (200, first)
    assert count(Claim) == 1


def test_the_same_claim_id_with_another_body_is_409_claim_exists(market, policy):
    market.record_claim(claim())
    with pytest.raises(ApiError) as caught:
        market.record_claim(claim(amount_paid="2600.00"))
    assert (caught.value.status, caught.value.code) == (409, "claim_exists")
    assert count(Claim) == 1


def test_the_aggregate_falls_and_stops_at_zero(market, policy):
    remaining = [market.record_claim(claim(claim_id=f"c{n}", amount_paid="4000.00"))["aggregate_remaining"]
                 for n in range(4)]
    assert remaining == ["6000.00", "2000.00", "0.00", "0.00"]
    answer = market.check_coverage("CLAIMS0001", "2026-06-01", "10.00")
    assert answer["reasons"][0]["code"] == "aggregate_exhausted"


@pytest.mark.parametrize(("body", "status", "code"), [
    (claim(policy_number="NOPE-1"), 404, "not_found"),
    (claim(seller_id="OTHER00001"), 404, "not_found"),
    (claim(incident_date="2027-01-01"), 409, "policy_not_in_force"),
    (claim(incident_date="2025-12-31"), 409, "policy_not_in_force"),
    (claim(claim_id=""), 400, "invalid_request"),
    (claim(claim_id="x" * 65), 400, "invalid_request"),
    (claim(claim_id="bad\u0000id"), 400, "invalid_request"),
    (claim(claim_id=7), 400, "invalid_request"),
    (claim(amount_paid="0"), 400, "invalid_request"),
    (claim(amount_paid="-1.00"), 400, "invalid_request"),
    (claim(amount_paid="1.001"), 400, "invalid_request"),
    (claim(amount_paid=...), 400, "invalid_request"),
    (claim(seller_id="S" * 100), 400, "invalid_request"),
    (claim(policy_number="bad number"), 400, "invalid_request"),
    (claim(incident_date="2026-02-30"), 400, "invalid_request"),
    (claim(insurer_id="abc"), 400, "invalid_request"),
    (claim(insurer_id=True), 400, "invalid_request"),
    (claim(note="hello"), 400, "invalid_request"),
])
def test_claims_the_contract_refuses(market, policy, body, status, code):
    with pytest.raises(ApiError) as caught:
        market.record_claim(body)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert count(Claim) == 0


def test_an_unpaired_surrogate_in_a_claim_id_is_400(live_server, marketplace_key, policy):
    body = json.dumps(claim()).replace('"clm-1"', '"clm-\\ud800"')
    response = requests.post(f"{live_server.url}/api/v1/claims", data=body, timeout=30, headers={
        "Authorization": f"Bearer {marketplace_key}", "Content-Type": "application/json"})
    assert response.status_code == 400 and "claim_id" in response.json()["error"]["fields"]
    assert count(Claim) == 0


def test_two_policies_with_one_number_need_the_insurer_id(market, db):
    seller = factories.make_seller(seller_id="TWOPOLS001").seller_id
    first_insurer, second_insurer = factories.make_insurer(), factories.make_insurer()
    factories.make_policy(seller_id=seller, insurer=first_insurer, policy_number="SAME-1")
    factories.make_policy(seller_id=seller, insurer=second_insurer, policy_number="SAME-1",
                          aggregate_limit=Decimal("1500000.00"))
    body = claim(seller_id=seller, policy_number="SAME-1")
    with pytest.raises(ApiError) as caught:
        market.record_claim(body)
    assert (caught.value.status, caught.value.code) == (400, "insurer_id_required")
    answer = market.record_claim({**body, "insurer_id": str(second_insurer.id)})
    assert answer["aggregate_remaining"] == "1497500.00"
    with pytest.raises(ApiError) as caught:
        market.record_claim({**body, "claim_id": "clm-2", "insurer_id": "999999"})
    assert caught.value.status == 404
    assert count(Claim) == 1


def test_an_insurer_key_may_not_record_claims(live_server, insurer_key, policy):
    with AcceleratorClient(live_server.url, insurer_key, timeout=30) as insurer_api:
        with pytest.raises(ApiError) as caught:
            insurer_api.record_claim(claim())
    assert caught.value.status == 403 and count(Claim) == 0

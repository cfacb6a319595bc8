"""Claim cases and webhooks read and answer through their declarations (accelerator/shapes/claim_cases.py,
webhooks.py): every answer, every event sent, read back and written again, is the same JSON."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from accelerator.client import AcceleratorClient
from accelerator.extensions import db as _db
from accelerator.models import ClaimCase as CaseRow
from accelerator.models import WebhookEvent
from accelerator.services import webhooks
from accelerator.shapes.claim_cases import ClaimCase
from accelerator.shapes.webhooks import ClaimCaseEnvelope, NewWebhookEndpoint, WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.api.conftest import count

SELLER = "DECLCASE01"
CASE = {"case_id": "DC-1", "seller_id": SELLER.lower(), "kind": "property_damage", "incident_date": "2026-06-01",
        "amount_claimed": 2500, "category": "toys", "description": "  A scorched carpet.  "}


@pytest.fixture()
def market(live_server, marketplace_key):
    """The client, as the marketplace's claims service."""
    with AcceleratorClient(live_server.url, marketplace_key, timeout=30) as client:
        yield client


def same_through(model, answer: dict) -> bool:
    """Whether the answer, read as the declaration and written again, is the same JSON."""
    return model.model_validate(answer).model_dump(mode="json", by_alias=True) == answer


def test_every_case_answer_and_every_case_event_reads_back_through_the_declaration(market, api, insurer, db):
    factories.make_seller(seller_id=SELLER)
    factories.make_policy(seller_id=SELLER, insurer=insurer, policy_number="DC-P1",
                          per_occurrence_limit=Decimal("5000.00"), aggregate_limit=Decimal("10000.00"))
    market.register_webhook("http://127.0.0.1:9/market")
    answers = [market.open_claim_case(CASE), api.deny_claim_case("DC-1", "Misuse."),
               market.step_in_claim_case("DC-1", "We pay."), market.pay_claim_case("DC-1", "marketplace", "2500"),
               market.recover_claim_case("DC-1", "100.5"), market.get_claim_case("DC-1"),
               *market.list_claim_cases()["items"]]
    assert all(same_through(ClaimCase, answer) for answer in answers)
    last = ClaimCase.model_validate(answers[-1])
    assert (last.amount_claimed, last.description, last.insurer_id) == (Decimal("2500"), "A scorched carpet.",
                                                                         insurer.id)
    assert answers[-1]["recovery"] == {"from": "insurer", "due": "2500.00", "recovered": "100.50"}
    assert answers[-1]["payment"]["amount"] == "2500.00" and answers[-1]["amount_claimed"] == "2500.00"
    _db.session.rollback()
    payloads = _db.session.execute(select(WebhookEvent.payload).order_by(WebhookEvent.id)).scalars().all()
    assert [p["type"] for p in payloads][:3] == ["claim_case.opened", "claim_case.escalated", "claim_case.updated"]
    assert all(same_through(ClaimCaseEnvelope, payload) for payload in payloads)
    assert payloads[-1]["data"]["claim_case"] == answers[-3]  # the event carries what the API answered


def test_an_opening_names_every_wrong_field_at_once_in_the_contracts_words(live_server, marketplace_key, db):
    url, headers = f"{live_server.url}/api/v1/claim-cases", {"Authorization": f"Bearer {marketplace_key}"}
    wrong = {"case_id": "AZ 42", "seller_id": "x", "kind": "emotional", "incident_date": "2026-02-30",
             "amount_claimed": "-1", "category": "socks", "order_id": " ", "description": "x" * 4001,
             "respond_by": "2026-11-24T11:00:00Z", "colour": "red"}
    response = requests.post(url, json=wrong, timeout=30, headers=headers)
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid_request", "message": "The claim case was not opened.",
                                         "fields": {
        "case_id": "Must be 1 to 64 characters from A-Z a-z 0-9 - _ ..",
        "seller_id": "Must be 6 to 20 letters A-Z and digits 0-9.", "kind": "Must be one of bodily_injury, "
        "property_damage.", "incident_date": "Is not a real calendar date.", "amount_claimed": "Must not be negative.",
        "category": "Must be a category code from GET /api/v1/categories.", "order_id": "Must not be empty.",
        "description": "Must be at most 4,000 characters.", "respond_by": "Must be after now.",
        "colour": "Unknown field."}}}
    missing = requests.post(url, json={"case_id": None, "note": 1}, timeout=30, headers=headers)
    assert missing.json()["error"]["fields"] == {
        **{name: "This field is required." for name in ("case_id", "seller_id", "kind", "incident_date",
                                                        "amount_claimed", "description")},
        "note": "Unknown field."}
    assert count(CaseRow) == 0


def test_the_case_list_names_every_wrong_parameter_at_once(live_server, marketplace_key, db):
    response = requests.get(f"{live_server.url}/api/v1/claim-cases?state=lost&seller_id=x&page=0&per_page=201"
                            "&page=2&colour=red", headers={"Authorization": f"Bearer {marketplace_key}"}, timeout=30)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "page": "Give this parameter once.", "per_page": "Must be from 1 to 200.",
        "state": "Must be one of " + ", ".join(("marketplace_to_pay", "awaiting_insurer", "awaiting_seller",
                                                 "in_review", "accepted", "escalated", "paid", "closed")) + ".",
        "seller_id": "Must be 6 to 20 letters A-Z and digits 0-9.", "colour": "Unknown field."}


def test_the_webhook_answers_read_back_through_their_declarations(live_server, market, api, insurer, insurer_key,
                                                                   live_app):
    factories.make_seller(seller_id=SELLER)
    factories.make_policy(seller_id=SELLER, insurer=insurer, policy_number="DC-P1",
                          per_occurrence_limit=Decimal("5000.00"), aggregate_limit=Decimal("10000.00"))
    registered = api.register_webhook("http://127.0.0.1:9/insurer")
    assert same_through(NewWebhookEndpoint, registered) and registered["secret"].startswith("whsec_")
    listed = api.list_webhooks()["items"]
    assert listed == [{k: v for k, v in registered.items() if k != "secret"}]
    assert same_through(WebhookEndpoint, listed[0])
    market.open_claim_case(CASE)  # the insurer's case: claim_case.opened to its endpoint
    _db.session.rollback()
    with live_app.app_context():
        webhooks.deliver_due()  # port 9 refuses: one failed attempt, the event still pending
    log = api.webhook_deliveries()["items"]
    assert len(log) == 1 and log[0]["status"] == "pending" and log[0]["attempts"][0]["status_code"] is None
    assert log[0]["next_attempt_at"] is not None and same_through(WebhookDelivery, log[0])
    wrong = requests.get(f"{live_server.url}/api/v1/webhooks/deliveries?status=lost&per_page=0&x=1", timeout=30,
                         headers={"Authorization": f"Bearer {insurer_key}"})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["fields"] == {"per_page": "Must be from 1 to 200.", "status":
                                               "Must be one of pending, delivered, failed.", "x": "Unknown field."}

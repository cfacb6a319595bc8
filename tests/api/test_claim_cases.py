"""Claim cases through the client against the live server: the whole life on each route, and bad input."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from accelerator import clock
from accelerator.client import AcceleratorClient, ApiError
from accelerator.extensions import db as _db
from accelerator.models import Claim, ClaimCase, CoverageCheck, WebhookEvent
from tests import factories
from tests.api.conftest import count, policy_body
from tests.factories import NOW

SELLER = "CASES00001"


@pytest.fixture()
def market(live_server, marketplace_key):
    """The client, as the marketplace's claims service."""
    with AcceleratorClient(live_server.url, marketplace_key, timeout=30) as client:
        yield client


@pytest.fixture()
def policy(db, insurer):
    """The insurer's policy for SELLER: 5,000 per occurrence, 10,000 aggregate, in force through 2026."""
    factories.make_seller(seller_id=SELLER)
    return factories.make_policy(seller_id=SELLER, insurer=insurer, policy_number="CC-1",
                                 per_occurrence_limit=Decimal("5000.00"), aggregate_limit=Decimal("10000.00"),
                                 deductible=Decimal("0.00"))


def case(**overrides) -> dict:
    """A valid opening body (2,500 claimed: above the guarantee limit)."""
    body = {"case_id": "AZ-2026-0042", "seller_id": SELLER.lower(), "kind": "property_damage",
            "incident_date": "2026-06-01", "amount_claimed": "2500.00", "category": "toys",
            "order_id": "112-1234567-1234567", "description": "The heater's cord melted and scorched the carpet."}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def events(answer: dict) -> list[tuple[str, str]]:
    """(event, by) of a case's history."""
    return [(h["event"], h["by"]) for h in answer["history"]]


# --- opening on each route ------------------------------------------------------------------------


def test_a_case_above_the_guarantee_goes_to_the_insurer_and_a_repeat_answers_it_as_it_is(market, policy, insurer):
    opened = market.open_claim_case(case())
    assert market.last_status == 201
    assert opened["case_id"] == "AZ-2026-0042"
    assert opened["seller_id"] == SELLER
    assert (opened["route"], opened["state"], opened["insurer_id"]) == ("insurer", "awaiting_insurer", str(insurer.id))
    assert opened["check"]["route"] == "insurer"
    assert opened["check"]["amount"] == "2500.00"
    assert opened["check"]["policy"]["policy_number"] == "CC-1"
    assert market.get_coverage_check(opened["check"]["check_id"]) == opened["check"]
    assert opened["respond_by"] == "2026-12-01T12:00:00Z"
    assert (opened["escalation"], opened["payment"], opened["recovery"]) == (None, None, None)
    assert events(opened) == [("opened", "marketplace")]
    again = market.open_claim_case(case(amount_claimed=2500, seller_id=SELLER))
    assert (market.last_status, again) == (200, opened)
    assert count(ClaimCase) == 1


def test_a_case_within_the_guarantee_is_the_marketplaces_to_pay_and_owes_no_recovery(market, policy):
    opened = market.open_claim_case(case(amount_claimed="400.00"))
    assert (opened["route"], opened["state"], opened["respond_by"]) == ("marketplace", "marketplace_to_pay", None)
    paid = market.pay_claim_case("AZ-2026-0042", "marketplace", "400.00")
    assert paid["state"] == "paid"
    assert paid["payment"]["payer"] == "marketplace"
    assert paid["payment"]["amount"] == "400.00"
    assert paid["recovery"] is None
    with pytest.raises(ApiError) as refused:
        market.recover_claim_case("AZ-2026-0042", "1.00")
    assert (refused.value.status, refused.value.code) == (409, "invalid_transition")


def test_a_seller_without_a_policy_is_asked_and_a_pending_upload_goes_to_review(market, db):
    factories.make_seller(seller_id=SELLER)
    opened = market.open_claim_case(case())
    assert (opened["route"], opened["state"], opened["insurer_id"]) == ("seller", "awaiting_seller", None)
    factories.make_seller(seller_id="CASES00002")
    factories.make_policy(seller_id="CASES00002", source="seller_upload", verification="pending", insurer_id=None)
    review = market.open_claim_case(case(case_id="AZ-2", seller_id="CASES00002"))
    assert (review["route"], review["state"], review["respond_by"]) == ("review", "in_review", None)
    closed = market.close_claim_case("AZ-2", "withdrawn", "The customer withdrew the claim.")
    assert closed["state"] == "closed"
    assert events(closed)[-1] == ("closed", "marketplace")
    with pytest.raises(ApiError) as refused:
        market.step_in_claim_case("AZ-2", "too late")
    assert (refused.value.status, refused.value.code) == (409, "invalid_transition")
    assert "closed" in refused.value.message


def test_respond_by_given_is_kept(market, policy):
    opened = market.open_claim_case(case(respond_by="2026-11-27T09:30:00Z"))
    assert opened["respond_by"] == "2026-11-27T09:30:00Z"


# --- the insurer answers --------------------------------------------------------------------------


def test_the_insurer_accepts_and_pays_and_the_aggregate_falls_once(market, api, policy):
    market.open_claim_case(case())
    accepted = api.accept_claim_case("AZ-2026-0042")
    assert accepted["state"] == "accepted"
    assert accepted["respond_by"] == "2026-12-01T12:00:00Z"
    assert api.accept_claim_case("AZ-2026-0042") == accepted
    paid = api.pay_claim_case("AZ-2026-0042", "insurer", "2500.00")
    assert paid["state"] == "paid"
    assert paid["payment"]["payer"] == "insurer"
    assert paid["respond_by"] is None
    assert api.pay_claim_case("AZ-2026-0042", "insurer", "2500.00") == paid
    with pytest.raises(ApiError) as refused:
        api.pay_claim_case("AZ-2026-0042", "insurer", "2600.00")
    assert (refused.value.status, refused.value.code) == (409, "already_paid")
    assert api.get_policy("CC-1")["aggregate_remaining"] == "7500.00"
    claims = api.policy_claims("CC-1")["items"]
    assert [(c["claim_id"], c["amount_paid"]) for c in claims] == [("AZ-2026-0042", "2500.00")]
    assert count(Claim) == 1
    assert [e for e, _ in events(market.get_claim_case("AZ-2026-0042"))] == ["opened", "accepted", "paid"]


def test_the_insurer_denies_the_marketplace_steps_in_pays_and_recovers_from_the_insurer(market, api, policy):
    market.open_claim_case(case())
    denied = api.deny_claim_case("AZ-2026-0042", "The product was misused.")
    assert (denied["state"], denied["escalation"]) == ("escalated", "insurer_denied")
    assert denied["history"][-1]["note"] == "The product was misused."
    with pytest.raises(ApiError) as refused:
        api.accept_claim_case("AZ-2026-0042")
    assert (refused.value.status, refused.value.code) == (409, "invalid_transition")
    assert "escalated" in refused.value.message
    stepped = market.step_in_claim_case("AZ-2026-0042", "Denied without grounds.")
    assert (stepped["state"], stepped["escalation"]) == ("marketplace_to_pay", None)
    paid = market.pay_claim_case("AZ-2026-0042", "marketplace", "2500.00")
    assert paid["recovery"] == {"from": "insurer", "due": "2500.00", "recovered": "0.00"}
    part = market.recover_claim_case("AZ-2026-0042", "1000.00")
    assert part["recovery"]["recovered"] == "1000.00"
    with pytest.raises(ApiError) as refused:
        market.recover_claim_case("AZ-2026-0042", "1500.01")
    assert (refused.value.status, refused.value.code) == (409, "recovery_exceeds_due")
    assert market.recover_claim_case("AZ-2026-0042", "1500.00")["recovery"]["recovered"] == "2500.00"
    assert [e for e, _ in events(market.get_claim_case("AZ-2026-0042"))] == [
        "opened", "denied", "stepped_in", "paid", "recovered", "recovered"]
    assert api.get_policy("CC-1")["aggregate_remaining"] == "10000.00"


def test_an_insurer_sees_only_its_own_cases(market, api, other_api, policy):
    factories.make_seller(seller_id="CASES00002")
    market.open_claim_case(case())
    market.open_claim_case(case(case_id="AZ-low", seller_id="CASES00002", amount_claimed="100.00"))
    assert [c["case_id"] for c in api.list_claim_cases()["items"]] == ["AZ-2026-0042"]
    assert other_api.list_claim_cases()["total"] == 0
    for call in (lambda: other_api.get_claim_case("AZ-2026-0042"), lambda: other_api.accept_claim_case("AZ-2026-0042"),
                 lambda: api.get_claim_case("AZ-low")):
        with pytest.raises(ApiError) as hidden:
            call()
        assert hidden.value.status == 404
    listed = market.list_claim_cases()
    assert [c["case_id"] for c in listed["items"]] == ["AZ-low", "AZ-2026-0042"]
    assert market.list_claim_cases(state="awaiting_seller")["total"] == 1
    assert market.list_claim_cases(seller_id="cases00002")["items"][0]["case_id"] == "AZ-low"
    assert market.list_claim_cases(seller_id="OTHER00001")["total"] == 0


def test_a_payment_by_the_wrong_party(market, api, policy):
    market.open_claim_case(case())
    with pytest.raises(ApiError) as refused:
        api.pay_claim_case("AZ-2026-0042", "marketplace", "10.00")
    assert refused.value.status == 403
    with pytest.raises(ApiError) as refused:
        market.pay_claim_case("AZ-2026-0042", "insurer", "10.00")
    assert refused.value.status == 403
    with pytest.raises(ApiError) as refused:
        market.pay_claim_case("AZ-2026-0042", "marketplace", "10.00")
    assert (refused.value.status, refused.value.code) == (409, "invalid_transition")
    assert "awaiting_insurer" in refused.value.message
    assert market.get_claim_case("AZ-2026-0042")["payment"] is None


# --- the deadline ---------------------------------------------------------------------------------


def test_a_passing_deadline_escalates_on_read_and_refuses_a_late_answer(market, api, policy):
    market.open_claim_case(case())
    clock.pin(NOW + timedelta(days=7, seconds=-1))
    assert market.get_claim_case("AZ-2026-0042")["state"] == "awaiting_insurer"
    clock.pin(NOW + timedelta(days=7, seconds=1))
    late = market.get_claim_case("AZ-2026-0042")
    assert (late["state"], late["escalation"], late["respond_by"]) == ("escalated", "insurer_unresponsive", None)
    assert late["history"][-1] == {"at": "2026-12-01T12:00:00Z", "event": "escalated", "by": "system",
                                   "note": "insurer_unresponsive"}
    with pytest.raises(ApiError) as refused:
        api.accept_claim_case("AZ-2026-0042")
    assert refused.value.code == "invalid_transition"
    assert market.get_claim_case("AZ-2026-0042") == late


def test_an_unresponsive_seller_is_escalated_in_the_list_and_the_seller_pays(market, db):
    factories.make_seller(seller_id=SELLER)
    market.open_claim_case(case())
    clock.pin(NOW + timedelta(days=8))
    listed = market.list_claim_cases(state="escalated")
    assert [(c["case_id"], c["escalation"]) for c in listed["items"]] == [("AZ-2026-0042", "seller_unresponsive")]
    paid = market.pay_claim_case("AZ-2026-0042", "seller", "2500.00")
    assert (paid["state"], paid["payment"]["payer"], paid["recovery"]) == ("paid", "seller", None)


def test_a_step_in_on_the_seller_route_is_recovered_from_the_seller(market, db):
    factories.make_seller(seller_id=SELLER)
    market.open_claim_case(case())
    market.step_in_claim_case("AZ-2026-0042")
    paid = market.pay_claim_case("AZ-2026-0042", "marketplace", "2500.00")
    assert paid["recovery"] == {"from": "seller", "due": "2500.00", "recovered": "0.00"}


# --- idempotency under concurrency ----------------------------------------------------------------


def test_twenty_identical_opens_at_once_give_one_case(live_server, marketplace_key, policy):
    statuses, answers, errors = [], [], []
    start = threading.Barrier(20)

    def open_one():
        with AcceleratorClient(live_server.url, marketplace_key, timeout=60) as client:
            start.wait()
            try:
                answers.append(client.open_claim_case(case()))
                statuses.append(client.last_status)
            except ApiError as exc:  # pragma: no cover - reported below
                errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(statuses) == [200] * 19 + [201]
    assert count(ClaimCase) == 1
    assert len({a["check"]["check_id"] for a in answers}) == 1


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "field"), [
    ({"respond_by": "2026-11-24T11:59:59Z"}, "respond_by"),
    ({"respond_by": "2027-02-23T12:00:01Z"}, "respond_by"),
    ({"respond_by": "tomorrow"}, "respond_by"),
    ({"description": "x" * 4001}, "description"),
    ({"description": ""}, "description"),
    ({"case_id": "AZ 42"}, "case_id"),
    ({"case_id": "x" * 65}, "case_id"),
    ({"kind": "emotional_damage"}, "kind"),
    ({"amount_claimed": "-1"}, "amount_claimed"),
    ({"seller_id": "bad"}, "seller_id"),
    ({"order_id": "x" * 65}, "order_id"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_input_is_400_at_its_field_and_nothing_changes(market, policy, overrides, field):
    with pytest.raises(ApiError) as refused:
        market.open_claim_case(case(**overrides))
    assert (refused.value.status, refused.value.code) == (400, "invalid_request")
    assert field in refused.value.fields
    assert count(ClaimCase) == 0
    assert count(CoverageCheck) == 0


def test_a_description_of_4000_characters_and_respond_by_90_days_ahead_are_fine(market, policy):
    opened = market.open_claim_case(case(description="x" * 4000, respond_by="2027-02-22T12:00:00Z"))
    assert len(opened["description"]) == 4000


def test_the_same_case_id_with_another_body_is_409_case_exists(market, policy):
    market.open_claim_case(case())
    with pytest.raises(ApiError) as refused:
        market.open_claim_case(case(amount_claimed="2600.00"))
    assert (refused.value.status, refused.value.code) == (409, "case_exists")
    assert count(ClaimCase) == 1
    assert count(CoverageCheck) == 1


def test_answers_with_bad_bodies_change_nothing(market, api, policy):
    market.open_claim_case(case())
    for call, field in ((lambda: api.deny_claim_case("AZ-2026-0042", "x" * 2001), "reason"),
                        (lambda: market.close_claim_case("AZ-2026-0042", "lost"), "outcome"),
                        (lambda: market.pay_claim_case("AZ-2026-0042", "nobody", "1.00"), "payer")):
        with pytest.raises(ApiError) as refused:
            call()
        assert refused.value.status == 400
        assert field in refused.value.fields
    assert market.get_claim_case("AZ-2026-0042")["state"] == "awaiting_insurer"
    with pytest.raises(ApiError) as missing:
        market.get_claim_case("no such case")
    assert missing.value.status == 404


def test_roles(market, api, policy):
    with pytest.raises(ApiError) as refused:
        api.open_claim_case(case())
    assert refused.value.status == 403
    market.open_claim_case(case())
    with pytest.raises(ApiError) as refused:
        market.accept_claim_case("AZ-2026-0042")
    assert refused.value.status == 403


# --- re-check on a policy change ------------------------------------------------------------------


def test_a_policy_reported_for_the_seller_rechecks_its_waiting_case(market, api, db, insurer):
    factories.make_seller(seller_id=SELLER)
    opened = market.open_claim_case(case())
    assert opened["route"] == "seller"
    api.report_policy(policy_body(seller_id=SELLER, policy_number="NEW-1", excluded_categories=[]))
    rechecked = market.get_claim_case("AZ-2026-0042")
    assert (rechecked["route"], rechecked["state"], rechecked["insurer_id"]) == (
        "insurer", "awaiting_insurer", str(insurer.id))
    assert rechecked["respond_by"] == opened["respond_by"]
    assert rechecked["check"]["check_id"] != opened["check"]["check_id"]
    assert events(rechecked) == [("opened", "marketplace"), ("rechecked", "system")]
    assert api.get_claim_case("AZ-2026-0042")["case_id"] == "AZ-2026-0042"


# --- webhook events -------------------------------------------------------------------------------


def test_events_go_to_the_marketplaces_endpoints_and_to_the_insurer_for_its_own_cases(market, api, other_api,
                                                                                       policy):
    market_hook = market.register_webhook("http://127.0.0.1:9/market")
    insurer_hook = api.register_webhook("http://127.0.0.1:9/insurer")
    other_api.register_webhook("http://127.0.0.1:9/other")
    assert [h["id"] for h in market.list_webhooks()["items"]] == [market_hook["id"]]
    market.open_claim_case(case())
    api.deny_claim_case("AZ-2026-0042", "Misuse.")
    _db.session.rollback()
    sent = _db.session.execute(select(WebhookEvent.endpoint_id, WebhookEvent.event_type, WebhookEvent.payload)
                               .order_by(WebhookEvent.id)).all()
    by_endpoint: dict[str, list[str]] = {}
    for endpoint_id, event_type, _ in sent:
        by_endpoint.setdefault(str(endpoint_id), []).append(event_type)
    expected = ["claim_case.opened", "claim_case.escalated", "claim_case.updated"]
    assert by_endpoint == {market_hook["id"]: expected, insurer_hook["id"]: expected}
    last = sent[-1].payload["data"]["claim_case"]
    assert (last["case_id"], last["state"], last["escalation"]) == ("AZ-2026-0042", "escalated", "insurer_denied")
    assert [d["type"] for d in market.webhook_deliveries()["items"]][:1] == ["claim_case.updated"]


def test_an_insurer_payment_under_an_id_already_paid_as_a_claim_is_already_paid(market, api, policy):
    market.open_claim_case(case())
    market.record_claim({"claim_id": "AZ-2026-0042", "seller_id": SELLER, "policy_number": "CC-1",
                         "incident_date": "2026-06-01", "amount_paid": "2500.00"})
    with pytest.raises(ApiError) as refused:
        api.pay_claim_case("AZ-2026-0042", "insurer", "2500.00")
    assert (refused.value.status, refused.value.code) == (409, "already_paid")
    assert api.get_policy("CC-1")["aggregate_remaining"] == "7500.00"
    assert market.get_claim_case("AZ-2026-0042")["state"] == "awaiting_insurer"


def test_ten_payments_at_once_draw_the_aggregate_down_once(live_server, market, insurer_key, policy):
    market.open_claim_case(case())
    statuses, codes = [], []
    start = threading.Barrier(10)

    def pay(amount: str):
        with AcceleratorClient(live_server.url, insurer_key, timeout=60) as client:
            start.wait()
            try:
                client.pay_claim_case("AZ-2026-0042", "insurer", amount)
                statuses.append(client.last_status)
            except ApiError as exc:
                codes.append(exc.code)

    threads = [threading.Thread(target=pay, args=("2500.00" if n % 2 else "2400.00",)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    paid = market.get_claim_case("AZ-2026-0042")["payment"]["amount"]
    assert statuses == [200] * 5
    assert codes == ["already_paid"] * 5
    assert count(Claim) == 1
    with AcceleratorClient(live_server.url, insurer_key, timeout=30) as client:
        assert client.get_policy("CC-1")["aggregate_remaining"] == format(Decimal("10000.00") - Decimal(paid), "f")

"""Notices from insurers (POST /api/v1/policies/{policy_number}/notices) through the client against the live
server: a cancellation to come, a reinstatement, a non-renewal, every refusal, and who is told."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from accelerator.client import AcceleratorClient, ApiError
from accelerator.extensions import db as _db
from accelerator.models import AuditEntry, EmailMessage, Policy, WebhookEndpoint, WebhookEvent
from tests import factories
from tests.api.conftest import policy_body

NUMBER = "HX-2026-000123"
PATH = f"/api/v1/policies/{NUMBER}/notices"
REASON = "Premium not paid after two notices."
# The clock is pinned at 2026-11-24; the reported policy runs 2026-01-01 to 2027-01-01.
DAY = "2026-12-15"


def _fresh() -> None:
    """Forget what the test's session read: the live server writes through its own connections."""
    _db.session.rollback()


def _events(event_type: str) -> list[WebhookEvent]:
    """The outbox's events of a type, oldest first."""
    _fresh()
    return list(_db.session.execute(select(WebhookEvent).where(WebhookEvent.event_type == event_type)
                                    .order_by(WebhookEvent.id)).scalars())


def _emails(kind: str) -> list[EmailMessage]:
    """The outbox's emails of a kind, oldest first."""
    _fresh()
    return list(_db.session.execute(select(EmailMessage).where(EmailMessage.kind == kind)
                                    .order_by(EmailMessage.id)).scalars())


@pytest.fixture()
def reported(api, insurer):
    """The insurer's policy for a seller with an account, the marketplace's admin and both parties' endpoints."""
    factories.make_seller(seller_id="A1B2C3D4E5", legal_name="Acme Goods LLC")
    factories.make_seller_user(seller_id="A1B2C3D4E5", email="owner@acme.example")
    factories.make_user(role="admin", email="ops@marketplace.example", name="Ops")
    _db.session.add_all([WebhookEndpoint(insurer_id=None, url="https://hooks.marketplace.example/a", secret="s1"),
                         WebhookEndpoint(insurer_id=insurer.id, url="https://hooks.harbor.example/a", secret="s2")])
    _db.session.commit()
    return api.report_policy(policy_body())


def test_notice_of_cancellation_keeps_cover_until_the_date_and_tells_everyone(api, reported, insurer):
    policy = api.send_notice(NUMBER, "notice_of_cancellation", cancellation_date=DAY, reason=REASON)
    assert api.last_status == 200
    assert policy == {**reported, "cancellation_date": DAY,
                      "pending_cancellation": {"date": DAY, "reason": REASON}, "renewal": None}
    assert api.get_policy(NUMBER) == policy

    events = _events("policy.cancellation_pending")
    assert sorted((e.insurer_id is None) for e in events) == [False, True]  # the marketplace and the insurer
    assert all(e.payload["data"]["policy"] == policy for e in events)
    to = {m.to_address: m for m in _emails("policy_cancellation_pending")}
    assert set(to) == {"owner@acme.example", "ops@marketplace.example"}
    assert "December 15, 2026" in to["owner@acme.example"].text_body
    seller_mail = to["owner@acme.example"].text_body
    assert REASON in seller_mail and "Ask insurers for quotes" in seller_mail
    assert "A1B2C3D4E5" in to["ops@marketplace.example"].text_body


def test_the_check_covers_the_day_before_the_date_and_not_the_date(api, reported, marketplace_key, live_server):
    api.send_notice(NUMBER, "notice_of_cancellation", cancellation_date=DAY, reason=REASON)
    with AcceleratorClient(live_server.url, marketplace_key, timeout=30) as market:
        before = market.request("GET", "/api/v1/coverage", params={
            "seller_id": "A1B2C3D4E5", "incident_date": "2026-12-14", "amount": "2500.00"})
        on = market.request("GET", "/api/v1/coverage", params={
            "seller_id": "A1B2C3D4E5", "incident_date": DAY, "amount": "2500.00"})
    assert before["status"] == "covered"
    assert before["policy"]["pending_cancellation"] == {"date": DAY, "reason": REASON}
    assert on["status"] == "not_covered" and [r["code"] for r in on["reasons"]] == ["cancelled"]


def test_the_same_notice_again_counts_once_and_another_is_409(api, reported):
    first = api.send_notice(NUMBER, "notice_of_cancellation", cancellation_date=DAY, reason=REASON)
    assert api.send_notice(NUMBER, "notice_of_cancellation", cancellation_date=DAY, reason=REASON) == first
    assert len(_events("policy.cancellation_pending")) == 2  # one per endpoint, once
    assert len(_emails("policy_cancellation_pending")) == 2
    for other in ({"cancellation_date": "2026-12-16", "reason": REASON},
                  {"cancellation_date": DAY, "reason": "Other."}):
        with pytest.raises(ApiError) as exc:
            api.send_notice(NUMBER, "notice_of_cancellation", **other)
        assert exc.value.status == 409 and exc.value.code == "already_cancelled"
    assert api.get_policy(NUMBER) == first


def test_concurrent_identical_notices_count_once(api, reported, insurer_key, live_server):
    answers: list = []

    def send():
        with AcceleratorClient(live_server.url, insurer_key, timeout=30) as client:
            answers.append(client.send_notice(NUMBER, "notice_of_cancellation", cancellation_date=DAY,
                                              reason=REASON))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 4 and all(a == answers[0] for a in answers)
    assert len(_events("policy.cancellation_pending")) == 2
    assert len(_emails("policy_cancellation_pending")) == 2
    _fresh()
    audit = _db.session.execute(select(AuditEntry).where(AuditEntry.action == "notice_of_cancellation")).scalars()
    assert len(list(audit)) == 1


@pytest.mark.parametrize(("day", "field_says"), [
    ("2026-11-24", "after today"),  # today: cover would already have ended at 12:01 a.m.
    ("2026-11-01", "after today"),
    ("2025-12-31", "effective date"),
    ("2027-01-01", "expiration date"),
])
def test_the_date_must_be_after_today_and_in_the_period(api, reported, day, field_says):
    with pytest.raises(ApiError) as exc:
        api.send_notice(NUMBER, "notice_of_cancellation", cancellation_date=day, reason=REASON)
    assert exc.value.status == 400 and set(exc.value.fields) == {"cancellation_date"}
    assert field_says in exc.value.fields["cancellation_date"]
    assert api.get_policy(NUMBER) == reported


def test_the_last_day_of_the_period_is_a_valid_date(api, reported):
    assert api.send_notice(NUMBER, "notice_of_cancellation", cancellation_date="2026-12-31",
                           reason=REASON)["cancellation_date"] == "2026-12-31"


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"kind"}),
    ({"kind": "cancel"}, {"kind"}),
    ({"kind": 3}, {"kind"}),
    ({"kind": "notice_of_cancellation"}, {"cancellation_date", "reason"}),
    ({"kind": "notice_of_cancellation", "cancellation_date": DAY}, {"reason"}),
    ({"kind": "notice_of_cancellation", "cancellation_date": DAY, "reason": "   "}, {"reason"}),
    ({"kind": "notice_of_cancellation", "cancellation_date": DAY, "reason": "x" * 2001}, {"reason"}),
    ({"kind": "notice_of_cancellation", "cancellation_date": DAY, "reason": None}, {"reason"}),
    ({"kind": "notice_of_cancellation", "cancellation_date": "2026-02-30", "reason": REASON}, {"cancellation_date"}),
    ({"kind": "notice_of_cancellation", "cancellation_date": 20261215, "reason": REASON}, {"cancellation_date"}),
    ({"kind": "reinstatement", "reason": "x"}, {"reason"}),
    ({"kind": "non_renewal", "cancellation_date": DAY}, {"cancellation_date"}),
    ({"kind": "non_renewal", "extra": 1}, {"extra"}),
])
def test_bad_bodies_are_400_at_their_fields_and_change_nothing(api, reported, body, fields):
    with pytest.raises(ApiError) as exc:
        api.request("POST", PATH, json=body)
    assert exc.value.status == 400 and exc.value.code == "invalid_request"
    assert set(exc.value.fields) == fields
    assert api.get_policy(NUMBER) == reported


@pytest.mark.parametrize("body", [[], "x", 7, [{"kind": "non_renewal"}]])
def test_a_body_that_is_not_an_object_is_400(api, reported, body):
    with pytest.raises(ApiError) as exc:
        api.request("POST", PATH, json=body)
    assert exc.value.status == 400


def test_another_insurers_policy_and_an_unknown_one_are_404_whatever_the_body(api, other_api, reported):
    for client, path, body in ((other_api, PATH, {"kind": "reinstatement"}), (other_api, PATH, {"nonsense": 1}),
                               (api, "/api/v1/policies/NOPE-1/notices", {"kind": "non_renewal"}),
                               (api, "/api/v1/policies/-bad/notices", {"kind": "non_renewal"})):
        with pytest.raises(ApiError) as exc:
            client.request("POST", path, json=body)
        assert exc.value.status == 404 and exc.value.code == "not_found"
    assert api.get_policy(NUMBER) == reported


def test_a_marketplace_key_is_403_and_no_key_401(reported, marketplace_key, live_server, anonymous):
    with AcceleratorClient(live_server.url, marketplace_key, timeout=30) as market:
        with pytest.raises(ApiError) as exc:
            market.send_notice(NUMBER, "reinstatement")
        assert exc.value.status == 403
    with pytest.raises(ApiError) as exc:
        anonymous.send_notice(NUMBER, "reinstatement")
    assert exc.value.status == 401


def test_reinstatement_lifts_a_pending_cancellation(api, reported):
    api.send_notice(NUMBER, "notice_of_cancellation", cancellation_date=DAY, reason=REASON)
    policy = api.send_notice(NUMBER, "reinstatement")
    assert policy == {**reported, "renewal": None}
    assert policy["cancellation_date"] is None and policy["pending_cancellation"] is None
    assert [e.insurer_id is None for e in _events("policy.reinstated")].count(True) == 1
    assert [m.to_address for m in _emails("policy_reinstated")] == ["owner@acme.example"]
    # A new notice after the reinstatement is a new notice (told again).
    api.send_notice(NUMBER, "notice_of_cancellation", cancellation_date=DAY, reason=REASON)
    assert len(_emails("policy_cancellation_pending")) == 4


def test_reinstatement_lifts_a_cancellation_already_in_effect(api, reported):
    api.cancel_policy(NUMBER, "2026-06-01")
    assert api.get_policy(NUMBER)["pending_cancellation"] is None  # in effect, not to come
    assert api.send_notice(NUMBER, "reinstatement")["cancellation_date"] is None


def test_reinstatement_of_a_policy_not_cancelled_answers_it_unchanged(api, reported):
    assert api.send_notice(NUMBER, "reinstatement") == reported
    assert _events("policy.reinstated") == [] and _emails("policy_reinstated") == []


def test_non_renewal_marks_the_policy_and_starts_the_reminders_at_once(api, reported):
    policy = api.send_notice(NUMBER, "non_renewal")
    assert policy == {**reported, "renewal": "not_offered"}
    assert api.send_notice(NUMBER, "non_renewal") == policy
    reminders = _emails("policy_not_renewed")
    assert len(reminders) == 1 and reminders[0].to_address == "owner@acme.example"
    assert "will not renew" in reminders[0].text_body and "January 1, 2027" in reminders[0].text_body
    # A reinstatement leaves the renewal as the insurer said.
    assert api.send_notice(NUMBER, "reinstatement")["renewal"] == "not_offered"


def test_non_renewal_of_an_expired_policy_is_409(api, reported):
    api.report_policy(policy_body(policy_number="OLD-1", effective_date="2025-01-01", expiration_date="2026-01-01"))
    with pytest.raises(ApiError) as exc:
        api.send_notice("OLD-1", "non_renewal")
    assert exc.value.status == 409 and exc.value.code == "policy_expired"
    assert api.get_policy("OLD-1")["renewal"] is None


def test_the_waiting_claim_cases_of_the_seller_are_rechecked(api, reported, marketplace_key, live_server):
    with AcceleratorClient(live_server.url, marketplace_key, timeout=30) as market:
        market.open_claim_case({"case_id": "AZ-1", "seller_id": "A1B2C3D4E5", "kind": "property_damage",
                                "incident_date": "2026-11-01", "amount_claimed": "2500.00",
                                "description": "The heater's cord melted."})
        api.send_notice(NUMBER, "notice_of_cancellation", cancellation_date=DAY, reason=REASON)
        case = market.get_claim_case("AZ-1")
    assert [entry["event"] for entry in case["history"]] == ["opened", "rechecked"]
    assert case["state"] == "awaiting_insurer"  # the incident is before the cancellation date: still covered
    assert case["check"]["policy"]["pending_cancellation"] == {"date": DAY, "reason": REASON}


def test_the_idempotency_key_replays_the_first_answer(api, reported):
    first = api.send_notice(NUMBER, "non_renewal", idempotency_key="notice-1")
    assert api.send_notice(NUMBER, "non_renewal", idempotency_key="notice-1") == first
    with pytest.raises(ApiError) as exc:
        api.send_notice(NUMBER, "reinstatement", idempotency_key="notice-1")
    assert exc.value.status == 409 and exc.value.code == "idempotency_key_reused"


def test_the_stored_columns(api, reported):
    api.send_notice(NUMBER, "notice_of_cancellation", cancellation_date=DAY, reason=REASON)
    _fresh()
    row = _db.session.execute(select(Policy).where(Policy.policy_number == NUMBER)).scalar_one()
    assert row.cancellation_reason == REASON and row.cancellation_noticed_at.date() == factories.TODAY

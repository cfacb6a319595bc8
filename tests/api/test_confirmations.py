"""Confirmations through the client against the live server: the insurer lists the uploads put to it and answers
them once; every status the endpoints answer."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from accelerator.client import AcceleratorClient, ApiError
from accelerator.extensions import db as _db
from accelerator.models import Policy
from accelerator.services import confirmations, uploads
from accelerator.services.audit import Actor
from accelerator.shapes.confirmations import ConfirmationAnswer
from tests import factories
from tests.factories import TODAY


@pytest.fixture()
def seller(db):
    """A seller with an account."""
    return factories.make_seller_user(email="owner@shop.example")


def upload(seller_user, insurer, number: str = "HX-UP-1") -> int:
    """The seller uploads a policy naming `insurer` (services.uploads, as the site does); its confirmation's id."""
    data = uploads.UploadedPolicy(
        policy_number=number, effective_date=TODAY, expiration_date=TODAY + timedelta(days=365),
        per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"), deductible=Decimal("0"),
        occurrence_based=True, additional_insured=True, insurer_id=insurer.id)
    policy = uploads.upload_policy(Actor(seller_user.email, seller_user.id), seller_user.seller_id, data,
                                   io.BytesIO(factories.make_pdf_bytes()))
    return confirmations.of_policy(policy.id).id


def policy_row(number: str) -> Policy:
    """The policy as the server left it."""
    _db.session.rollback()
    return _db.session.execute(select(Policy).where(Policy.policy_number == number)).scalar_one()


def test_the_insurer_lists_the_uploads_put_to_it(api, insurer, seller):
    first = upload(seller, insurer, "HX-A")
    second = upload(seller, insurer, "HX-B")
    page = api.list_confirmations()
    assert [item["id"] for item in page["items"]] == [str(first), str(second)]
    assert (page["page"], page["per_page"], page["total"]) == (1, 50, 2)
    item = page["items"][0]
    assert item["status"] == "pending" and item["requested_at"].endswith("Z") and item["answered_at"] is None
    assert item["policy"]["policy_number"] == "HX-A" and item["policy"]["source"] == "seller_upload"
    assert item["policy"]["verification"] == "pending" and item["policy"]["insurer"]["id"] == str(insurer.id)
    assert page.parsed().items[0].id == first
    assert api.list_confirmations(status="confirmed")["total"] == 0
    assert [i["id"] for i in api.list_confirmations(status="pending", page=2, per_page=1)["items"]] == [str(second)]


@pytest.mark.parametrize("query, field", [({"status": "maybe"}, "status"), ({"page": "0"}, "page"),
                                          ({"per_page": "201"}, "per_page"), ({"sort": "x"}, "sort")])
def test_a_bad_query_is_a_400_naming_the_field(api, insurer, query, field):
    with pytest.raises(ApiError) as refused:
        api.request("GET", "/api/v1/confirmations", params=query)
    assert refused.value.status == 400 and field in refused.value.fields


def test_confirming_verifies_the_policy_and_the_same_answer_again_answers_the_same(api, insurer, seller):
    cid = upload(seller, insurer)
    answered = api.answer_confirmation(cid, "confirmed", "Matches our records.")
    assert api.last_status == 200
    assert answered["status"] == "confirmed" and answered["note"] == "Matches our records."
    assert answered["policy"]["verification"] == "verified"
    assert policy_row("HX-UP-1").verification == "verified"
    again = api.answer_confirmation(cid, ConfirmationAnswer(answer="confirmed"))
    assert api.last_status == 200 and again == answered
    assert api.get_confirmation(cid) == answered
    with pytest.raises(ApiError) as refused:
        api.answer_confirmation(cid, "denied", "Changed our mind.")
    assert (refused.value.status, refused.value.code) == (409, "already_answered")
    assert api.list_confirmations(status="confirmed")["items"][0]["id"] == str(cid)


def test_denying_rejects_the_policy_with_the_note_as_the_reason(api, insurer, seller):
    cid = upload(seller, insurer)
    with pytest.raises(ApiError) as refused:
        api.answer_confirmation(cid, "denied")
    assert refused.value.status == 400 and "note" in refused.value.fields
    answered = api.answer_confirmation(cid, "denied", "We never issued this policy.")
    assert answered["status"] == "denied" and answered["policy"]["verification"] == "rejected"
    policy = policy_row("HX-UP-1")
    assert policy.verification == "rejected" and policy.rejection_reason == "We never issued this policy."
    with pytest.raises(ApiError) as refused:
        api.answer_confirmation(cid, "confirmed")
    assert refused.value.code == "already_answered"


@pytest.mark.parametrize("body, field", [({"answer": "maybe"}, "answer"), ({}, "answer"),
                                         ({"answer": "confirmed", "note": 5}, "note"),
                                         ({"answer": "confirmed", "extra": 1}, "extra"),
                                         ({"answer": "denied", "note": "x" * 2001}, "note")])
def test_a_bad_body_is_a_400_naming_the_field_and_nothing_changes(api, insurer, seller, body, field):
    cid = upload(seller, insurer)
    with pytest.raises(ApiError) as refused:
        api.request("POST", f"/api/v1/confirmations/{cid}", json=body)
    assert refused.value.status == 400 and field in refused.value.fields
    assert policy_row("HX-UP-1").verification == "pending"


def test_another_insurers_confirmation_is_a_404_whatever_the_body(api, other_api, insurer, seller):
    cid = upload(seller, insurer)
    assert other_api.list_confirmations()["total"] == 0
    with pytest.raises(ApiError) as refused:
        other_api.get_confirmation(cid)
    assert refused.value.status == 404
    for body in ({"answer": "confirmed"}, {"answer": "nonsense"}, []):
        with pytest.raises(ApiError) as refused:
            other_api.request("POST", f"/api/v1/confirmations/{cid}", json=body)
        assert (refused.value.status, refused.value.code) == (404, "not_found")
    for missing in ("999999", "abc", "0", "99999999999"):
        with pytest.raises(ApiError) as refused:
            api.answer_confirmation(missing, "confirmed")
        assert refused.value.status == 404
    assert policy_row("HX-UP-1").verification == "pending"


def test_keys_and_roles(live_server, marketplace_key, api, insurer, seller):
    cid = upload(seller, insurer)
    with AcceleratorClient(live_server.url, marketplace_key, timeout=30) as marketplace:
        with pytest.raises(ApiError) as refused:
            marketplace.list_confirmations()
        assert refused.value.status == 403
        with pytest.raises(ApiError) as refused:
            marketplace.answer_confirmation(cid, "confirmed")
        assert refused.value.status == 403
    with AcceleratorClient(live_server.url, timeout=30) as anonymous:
        with pytest.raises(ApiError) as refused:
            anonymous.list_confirmations()
        assert refused.value.status == 401
    with pytest.raises(ApiError) as refused:
        api.request("POST", f"/api/v1/confirmations/{cid}", json=None, headers={"Content-Type": "text/plain"})
    assert refused.value.status == 415
    assert policy_row("HX-UP-1").verification == "pending"


def test_concurrent_answers_through_the_server_count_once(live_server, insurer_key, insurer, seller):
    cid = upload(seller, insurer)
    _db.session.commit()
    barrier = threading.Barrier(4)
    outcomes: list = []

    def answer(kind: str) -> None:
        with AcceleratorClient(live_server.url, insurer_key, timeout=60) as client:
            barrier.wait()
            try:
                outcomes.append(client.answer_confirmation(cid, kind, "why")["status"])
            except ApiError as exc:
                outcomes.append(exc.code)

    threads = [threading.Thread(target=answer, args=(kind,)) for kind in ("confirmed", "denied", "confirmed", "denied")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winner = policy_row("HX-UP-1").verification
    status = "confirmed" if winner == "verified" else "denied"
    assert sorted(outcomes) == sorted([status, status, "already_answered", "already_answered"])


def test_the_document_describes_both_operations_and_the_event(api):
    document = api.openapi()
    assert set(document["paths"]["/api/v1/confirmations"]) == {"get"}
    assert set(document["paths"]["/api/v1/confirmations/{confirmation_id}"]) == {"get", "post"}
    assert "409" in document["paths"]["/api/v1/confirmations/{confirmation_id}"]["post"]["responses"]
    assert "confirmation.requested" in document["webhooks"]
    assert {"Confirmation", "ConfirmationPage", "ConfirmationAnswer", "ConfirmationEnvelope"} <= set(
        document["components"]["schemas"])

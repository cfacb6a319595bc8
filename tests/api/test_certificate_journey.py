"""A certificate's whole road through the API against the live server: the marketplace stores a seller's
certificate, the named insurer is asked to confirm it, and the coverage check's answer follows each step."""

from __future__ import annotations

import pytest

from accelerator.client import AcceleratorClient, ApiError
from tests import certificate_pdfs

SELLER = "A1B2C3D4E5"


@pytest.fixture()
def market(live_server, marketplace_key):
    """The client, as the marketplace."""
    with AcceleratorClient(live_server.url, marketplace_key, timeout=60) as client:
        yield client


def _check(market, incident_date: str = "2026-06-01", amount: str = "2500.00") -> dict:
    return market.check_coverage(SELLER, incident_date, amount)


def test_a_stored_certificate_is_put_to_its_insurer_and_its_confirmation_makes_the_seller_covered(market, api):
    before = _check(market)
    assert (before["status"], before["route"]) == ("not_covered", "seller")

    stored = market.store_certificate(SELLER, certificate_pdfs.certificate(policy_number="HX-77"))
    assert market.last_status == 201
    assert stored["policy"]["source"] == "seller_upload" and stored["policy"]["verification"] == "pending"
    assert stored["read"]["requirement"]["meets"] is True and stored["read"]["signals"] == []

    pending = _check(market)  # the upload is a candidate, waiting for a person (or its insurer) to verify it
    assert (pending["status"], pending["route"]) == ("undetermined", "review")
    assert [reason["code"] for reason in pending["reasons"]] == ["pending_verification"]

    [confirmation] = api.list_confirmations(status="pending")["items"]
    assert confirmation["policy"]["policy_number"] == "HX-77" and confirmation["policy"]["seller_id"] == SELLER
    answered = api.answer_confirmation(confirmation["id"], "confirmed", "On our books.")
    assert answered["status"] == "confirmed"

    covered = _check(market)
    assert (covered["status"], covered["route"], covered["covered_amount"]) == ("covered", "insurer", "2500.00")
    assert covered["policy"]["policy_number"] == "HX-77" and covered["policy"]["verification"] == "verified"
    small = _check(market, amount="1000.00")
    assert (small["status"], small["route"]) == ("covered", "marketplace")
    outside_the_period = _check(market, incident_date="2027-01-01")
    assert [reason["code"] for reason in outside_the_period["reasons"]] == ["expired"]


def test_a_denied_certificate_leaves_the_seller_uncovered(market, api):
    market.store_certificate(SELLER, certificate_pdfs.certificate(policy_number="HX-78"))
    [confirmation] = api.list_confirmations(status="pending")["items"]
    api.answer_confirmation(confirmation["id"], "denied", "We never issued HX-78.")

    answer = _check(market)
    assert (answer["status"], answer["route"]) == ("not_covered", "seller")
    assert [reason["code"] for reason in answer["reasons"]] == ["verification_rejected"]
    with pytest.raises(ApiError) as caught:
        api.answer_confirmation(confirmation["id"], "confirmed")
    assert (caught.value.status, caught.value.code) == (409, "already_answered")


def test_a_certificate_of_an_outside_insurer_is_put_to_nobody(market, api):
    stored = market.store_certificate(SELLER, certificate_pdfs.certificate(
        policy_number="OUT-1", insurer_name="Faraway Indemnity", naic_code="99999"))
    assert stored["policy"]["verification"] == "pending"
    assert api.list_confirmations()["items"] == []
    assert _check(market)["route"] == "review"

"""Real concurrent claim posts against the live server (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from accelerator.extensions import db as _db
from accelerator.models import Claim, CoverageCheck, Policy
from tests import factories
from tests.api.conftest import count

THREADS = 20


def _post_at_once(url: str, key: str, bodies: list[dict]) -> list[requests.Response]:
    """POST every body from its own thread and connection, all released together by a barrier."""
    barrier = threading.Barrier(len(bodies))
    answers: list[requests.Response | BaseException | None] = [None] * len(bodies)

    def post(index: int, body: dict) -> None:
        with requests.Session() as session:
            try:
                barrier.wait(timeout=30)
                answers[index] = session.post(url, json=body, timeout=60,
                                              headers={"Authorization": f"Bearer {key}"})
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                answers[index] = exc

    threads = [threading.Thread(target=post, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(a, requests.Response) for a in answers), answers
    return answers


@pytest.fixture()
def policy(db):
    """A policy with an aggregate of 10,000."""
    seller = factories.make_seller(seller_id="RACE000001").seller_id
    return factories.make_policy(seller_id=seller, policy_number="RACE-1", per_occurrence_limit=Decimal("5000.00"),
                                 aggregate_limit=Decimal("10000.00"), deductible=Decimal("0.00"))


def _claims_paid(policy_id: int) -> Decimal:
    _db.session.rollback()
    return _db.session.execute(select(Policy.claims_paid).where(Policy.id == policy_id)).scalar_one()


def test_twenty_identical_claims_at_once_count_once(live_server, marketplace_key, policy):
    body = {"claim_id": "same-claim", "seller_id": "RACE000001", "policy_number": "RACE-1",
            "incident_date": "2026-06-01", "amount_paid": "700.00"}
    answers = _post_at_once(f"{live_server.url}/api/v1/claims", marketplace_key, [body] * THREADS)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * (THREADS - 1) + [201], [a.text for a in answers if a.status_code >= 300]
    assert {a.text for a in answers} == {answers[0].text}
    assert answers[0].json()["aggregate_remaining"] == "9300.00"
    assert count(Claim) == 1 and _claims_paid(policy.id) == Decimal("700.00")


def test_twenty_different_claims_at_once_are_all_recorded_and_never_overdraw(live_server, marketplace_key, policy):
    bodies = [{"claim_id": f"claim-{n:02d}", "seller_id": "RACE000001", "policy_number": "RACE-1",
               "incident_date": "2026-06-01", "amount_paid": "700.00"} for n in range(THREADS)]
    answers = _post_at_once(f"{live_server.url}/api/v1/claims", marketplace_key, bodies)
    assert [a.status_code for a in answers] == [201] * THREADS, [a.text for a in answers if a.status_code != 201]
    assert count(Claim) == THREADS
    total = Decimal("700.00") * THREADS
    assert _claims_paid(policy.id) == total
    # Each answer saw the aggregate as a serial order of the claims would leave it: none lost, none negative.
    remaining = sorted((Decimal(a.json()["aggregate_remaining"]) for a in answers), reverse=True)
    assert remaining == [max(Decimal("0.00"), Decimal("10000.00") - Decimal("700.00") * k)
                         for k in range(1, THREADS + 1)]
    check = requests.get(f"{live_server.url}/api/v1/coverage", timeout=30,
                         params={"seller_id": "RACE000001", "incident_date": "2026-06-02", "amount": "5.00"},
                         headers={"Authorization": f"Bearer {marketplace_key}"}).json()
    assert check["reasons"][0]["code"] == "aggregate_exhausted"


def test_concurrent_checks_are_each_recorded_once(live_server, marketplace_key, policy):
    url = f"{live_server.url}/api/v1/coverage/batch"
    bodies = [{"checks": [{"seller_id": "RACE000001", "incident_date": "2026-06-01", "amount": f"{n + 1}.00"}] * 25}
              for n in range(10)]
    answers = _post_at_once(url, marketplace_key, bodies)
    assert [a.status_code for a in answers] == [200] * 10
    ids = {r["check_id"] for a in answers for r in a.json()["results"]}
    assert len(ids) == 250 and count(CoverageCheck) == 250

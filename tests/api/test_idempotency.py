"""Idempotency-Key: replays, reuse, scope, and real concurrent requests against the live server."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from accelerator.client import AcceleratorClient, ApiError
from accelerator.models import AuditEntry, IdempotencyRecord, Policy
from tests import factories
from tests.api.conftest import count, policy_body


def test_repeat_with_same_key_replays_status_and_body_and_changes_nothing(api):
    first = api.report_policy(policy_body(), idempotency_key="report-1")
    assert api.last_status == 201
    audit_entries = count(AuditEntry)
    again = api.report_policy(policy_body(), idempotency_key="report-1")
    assert api.last_status == 201  # the first answer's status, not the 200 of a plain repeat
    assert again == first
    assert count(Policy) == 1 and count(AuditEntry) == audit_entries


def test_replayed_answer_is_marked(live_server, insurer_key):
    headers = {"Authorization": f"Bearer {insurer_key}", "Idempotency-Key": "mark-1"}
    first = requests.post(live_server.url + "/api/v1/policies", json=policy_body(), headers=headers, timeout=10)
    second = requests.post(live_server.url + "/api/v1/policies", json=policy_body(), headers=headers, timeout=10)
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.content == first.content


def test_errors_below_500_are_kept_too(api):
    with pytest.raises(ApiError) as first:
        api.report_policy(policy_body(deductible="1000000.00"), idempotency_key="bad-1")
    with pytest.raises(ApiError) as again:
        api.report_policy(policy_body(deductible="1000000.00"), idempotency_key="bad-1")
    assert first.value.status == again.value.status == 400
    assert first.value.body == again.value.body


def test_same_key_with_another_body_or_path_is_409(api):
    api.report_policy(policy_body(), idempotency_key="k-1")
    with pytest.raises(ApiError) as exc:
        api.report_policy(policy_body(deductible="100.00"), idempotency_key="k-1")
    assert exc.value.status == 409 and exc.value.code == "idempotency_key_reused"
    with pytest.raises(ApiError) as exc:
        api.cancel_policy("HX-2026-000123", "2026-02-01", idempotency_key="k-1")
    assert exc.value.code == "idempotency_key_reused"
    assert api.get_policy("HX-2026-000123")["cancellation_date"] is None
    assert count(Policy) == 1


def test_keys_are_scoped_to_the_api_key(api, other_api):
    api.report_policy(policy_body(), idempotency_key="shared")
    theirs = other_api.report_policy(policy_body(policy_number="OTHER-1"), idempotency_key="shared")
    assert other_api.last_status == 201 and theirs["policy_number"] == "OTHER-1"


def test_a_second_key_of_the_same_insurer_has_its_own_scope(live_server, api, insurer):
    api.report_policy(policy_body(), idempotency_key="scope")
    with AcceleratorClient(live_server.url, factories.make_api_key("insurer", insurer)) as second:
        second.report_policy(policy_body(policy_number="HX-2"), idempotency_key="scope")
        assert second.last_status == 201
    assert count(Policy) == 2


def test_key_of_255_characters_is_accepted(api):
    api.report_policy(policy_body(), idempotency_key="k" * 255)
    assert api.last_status == 201


def _concurrently(n, call):
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_identical_posts_with_the_same_key_at_once_create_one_row_and_get_one_answer(live_server, insurer_key):
    def post(_i):
        response = requests.post(live_server.url + "/api/v1/policies", json=policy_body(),
                                 headers={"Authorization": f"Bearer {insurer_key}", "Idempotency-Key": "race-1"},
                                 timeout=60)
        return response.status_code, response.content

    results = _concurrently(6, post)
    assert {status for status, _ in results} == {201}
    assert len({body for _, body in results}) == 1
    assert count(Policy) == 1 and count(IdempotencyRecord) == 1


def test_the_same_policy_reported_at_once_without_keys_creates_one_policy(live_server, insurer_key):
    def post(_i):
        response = requests.post(live_server.url + "/api/v1/policies", json=policy_body(seller_id="racer0001"),
                                 headers={"Authorization": f"Bearer {insurer_key}"}, timeout=60)
        return response.status_code, response.json()

    results = _concurrently(6, post)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 5 + [201]
    assert len({str(body) for _, body in results}) == 1
    assert count(Policy) == 1


def test_policies_of_one_new_seller_reported_at_once_create_the_seller_once(live_server, insurer_key):
    from accelerator.models import Seller

    def post(i):
        response = requests.post(live_server.url + "/api/v1/policies",
                                 json=policy_body(policy_number=f"NEW-{i}", seller_id="brandnew01"),
                                 headers={"Authorization": f"Bearer {insurer_key}"}, timeout=60)
        return response.status_code

    assert _concurrently(6, post) == [201] * 6
    assert count(Policy) == 6 and count(Seller) == 1

"""JSON errors on every /api/ path and status, and bad input: each a clear 4xx that changes nothing."""

from __future__ import annotations

import json

import pytest
import requests

from accelerator.models import IdempotencyRecord, Policy, Seller
from tests.api.conftest import count, policy_body


def _post(live_server, key, path, data, content_type="application/json", headers=None):
    sent = {"Authorization": f"Bearer {key}", "Content-Type": content_type, **(headers or {})}
    return requests.post(live_server.url + path, data=data, headers=sent, timeout=30)


def _assert_error(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def test_unknown_api_path_is_json_404(live_server):
    _assert_error(requests.get(live_server.url + "/api/v1/nothing-here", timeout=10), 404, "not_found")
    _assert_error(requests.get(live_server.url + "/api/v2/policies", timeout=10), 404, "not_found")


def test_wrong_method_is_json_405_with_allow(live_server):
    response = requests.delete(live_server.url + "/api/v1/policies", timeout=10)
    _assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"] and "GET" in response.headers["Allow"]


def test_body_over_one_mebibyte_is_413(live_server, insurer_key):
    big = json.dumps({**policy_body(), "notes": "x" * (1024 * 1024)})
    _assert_error(_post(live_server, insurer_key, "/api/v1/policies", big), 413, "too_large")
    assert count(Policy) == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml",
                                          "application/json; charset=latin-1", ""])
def test_wrong_content_type_is_415(live_server, insurer_key, content_type):
    response = _post(live_server, insurer_key, "/api/v1/policies", json.dumps(policy_body()), content_type)
    _assert_error(response, 415, "unsupported_media_type")
    assert count(Policy) == 0


def test_json_with_charset_utf8_is_accepted(live_server, insurer_key):
    response = _post(live_server, insurer_key, "/api/v1/policies", json.dumps(policy_body()),
                     "application/json; charset=utf-8")
    assert response.status_code == 201


BAD_BODIES = {
    "invalid utf-8": b'{"policy_number": "\xff\xfe"}',
    "not json": b"{policy_number: 1}",
    "trailing garbage": b"{} {}",
    "empty": b"",
    "array": b"[]",
    "string": b'"hello"',
    "null": b"null",
    "deeply nested": b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}",
    "very deeply nested": b"[" * 100000 + b"]" * 100000,
    "NaN": json.dumps(policy_body()).replace('"2500.00"', "NaN").encode(),
    "duplicate keys": b'{"policy_number": "A1", "policy_number": "A2"}',
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_malformed_bodies_are_400(live_server, insurer_key, name):
    error = _assert_error(_post(live_server, insurer_key, "/api/v1/policies", BAD_BODIES[name]), 400, "invalid_request")
    assert len(error["message"]) < 400
    assert count(Policy) == 0 and count(Seller) == 0


BAD_FIELDS = [
    ("unknown field", {"colour": "blue"}, "colour"),
    ("1e309", {"per_occurrence_limit": 1e309}, "per_occurrence_limit"),
    ("exponent", {"aggregate_limit": "2e6"}, "aggregate_limit"),
    ("-0", {"deductible": "-0"}, "deductible"),
    ("0.001", {"deductible": 0.001}, "deductible"),
    ("three decimals as string", {"per_occurrence_limit": "1000000.001"}, "per_occurrence_limit"),
    ("too large", {"aggregate_limit": "1000000000.00"}, "aggregate_limit"),
    ("negative", {"per_occurrence_limit": -5}, "per_occurrence_limit"),
    ("money as bool", {"deductible": True}, "deductible"),
    ("money as object", {"deductible": {"amount": 1}}, "deductible"),
    ("date 2026-02-30", {"effective_date": "2026-02-30"}, "effective_date"),
    ("date 2026-13-01", {"effective_date": "2026-13-01"}, "effective_date"),
    ("date with time", {"effective_date": "2026-01-01T00:00:00Z"}, "effective_date"),
    ("date before 1900", {"effective_date": "1899-12-31"}, "effective_date"),
    ("date after 2999", {"expiration_date": "3000-01-01"}, "expiration_date"),
    ("date as number", {"effective_date": 20260101}, "effective_date"),
    ("10,000-char policy number", {"policy_number": "P" * 10000}, "policy_number"),
    ("10,000-char seller id", {"seller_id": "S" * 10000}, "seller_id"),
    ("policy number with slash", {"policy_number": "HX/1"}, "policy_number"),
    ("seller id too short", {"seller_id": "ab12"}, "seller_id"),
    ("seller id with dash", {"seller_id": "abc-1234"}, "seller_id"),
    ("bool as string", {"occurrence_based": "true"}, "occurrence_based"),
    ("bool as number", {"additional_insured": 1}, "additional_insured"),
    ("categories not a list", {"excluded_categories": "toys"}, "excluded_categories"),
    ("unknown category", {"excluded_categories": ["toys", "weapons"]}, "excluded_categories"),
    ("category twice", {"excluded_categories": ["toys", "toys"]}, "excluded_categories"),
    ("category not a string", {"excluded_categories": [1]}, "excluded_categories"),
    ("required missing", {"seller_id": ...}, "seller_id"),
    ("required null", {"policy_number": None}, "policy_number"),
    ("10,000-char unknown field", {"x" * 10000: 1}, "x" * 100 + "…"),
]


@pytest.mark.parametrize(("name", "change", "field"), BAD_FIELDS, ids=[b[0] for b in BAD_FIELDS])
def test_bad_fields_are_400_with_the_field_named(live_server, insurer_key, name, change, field):
    body = json.dumps(policy_body(**change))
    if name == "1e309":  # json.dumps would write Infinity: send the number as a client would write it
        body = json.dumps(policy_body()).replace('"1000000.00"', "1e309")
    error = _assert_error(_post(live_server, insurer_key, "/api/v1/policies", body), 400, "invalid_request")
    assert field in error["fields"], error
    assert count(Policy) == 0 and count(Seller) == 0


def test_bad_idempotency_key_header_is_400(live_server, insurer_key):
    response = _post(live_server, insurer_key, "/api/v1/policies", json.dumps(policy_body()),
                     headers={"Idempotency-Key": "k" * 256})
    _assert_error(response, 400, "invalid_request")
    assert count(Policy) == 0 and count(IdempotencyRecord) == 0


def test_unexpected_failure_is_a_json_500_and_changes_nothing(app, db, monkeypatch, insurer_key):
    from accelerator.services import policies

    def broken(*args, **kwargs):
        raise RuntimeError("simulated fault")

    monkeypatch.setattr(policies, "list_policies", broken)
    response = app.test_client().get("/api/v1/policies", headers={"Authorization": f"Bearer {insurer_key}"})
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"


def test_healthz_is_503_when_the_database_does_not_answer(app, db, monkeypatch):
    from accelerator.api import discovery

    def unavailable(*args, **kwargs):
        raise OSError("database down")

    monkeypatch.setattr(discovery.db.session, "execute", unavailable)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable"}


def test_idempotency_key_with_control_characters_is_400(app, db, insurer_key):
    response = app.test_client().post("/api/v1/policies", json=policy_body(),
                                      headers={"Authorization": f"Bearer {insurer_key}", "Idempotency-Key": "a\x00b"})
    assert response.status_code == 400
    assert count(Policy) == 0 and count(IdempotencyRecord) == 0

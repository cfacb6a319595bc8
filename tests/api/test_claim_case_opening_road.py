"""POST /api/v1/claim-cases has one road, the lean adapter (api/claim_case_adapter.py): every answer to it,
error or not, is the contract's, with the headers of every other API answer, and Flask never sees it;
every other method on the path is Flask's."""

from __future__ import annotations

import json

import pytest
from flask import request_started

from accelerator.http import security_headers
from accelerator.models import AuditEntry, ClaimCase, ClaimCaseEvent, CoverageCheck, IdempotencyRecord
from accelerator.observability.logs import configure_logging
from accelerator.services import api_keys
from accelerator.services.audit import Actor
from tests import factories
from tests.api.conftest import count

PATH = "/api/v1/claim-cases"
SELLER = "ROAD000001"
CHALLENGE = 'Bearer realm="accelerator-api"'


@pytest.fixture()
def key(db) -> str:
    """A marketplace key."""
    return api_keys.create_key(Actor.cli(), "marketplace", "road key", None)[1]


@pytest.fixture()
def seller(db) -> str:
    """A seller with a policy in force in 2026."""
    factories.make_seller(seller_id=SELLER)
    factories.make_policy(seller_id=SELLER, policy_number="ROAD-1")
    return SELLER


@pytest.fixture()
def through_flask(app):
    """The requests Flask itself dispatched (the adapter sends no request_started)."""
    seen: list[str] = []

    def note(sender, **extra):
        from flask import request

        seen.append(f"{request.method} {request.path}")

    request_started.connect(note, app)
    yield seen
    request_started.disconnect(note, app)


def _body(**overrides) -> dict:
    body = {"case_id": "ROAD-1", "seller_id": SELLER, "kind": "property_damage", "incident_date": "2026-06-01",
            "amount_claimed": "250.00", "description": "The lamp fell over."}
    return {**body, **overrides}


def _post(client, raw_key: str | None = None, body=None, **headers):
    if raw_key is not None:
        headers["Authorization"] = f"Bearer {raw_key}"
    if isinstance(body, dict):
        return client.post(PATH, data=json.dumps(body), content_type="application/json", headers=headers)
    return client.post(PATH, data=body or b"", headers=headers)


def _api_headers(app, answer) -> None:
    """The headers every JSON API answer carries (security headers, no-store, Vary: Cookie, the request id)."""
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Vary"] == "Cookie" and answer.headers["X-Request-Id"]
    for name, value in security_headers(app.config, PATH, "application/json"):
        assert answer.headers[name] == value, name
    assert answer.headers["Content-Length"] == str(len(answer.data))


def _error(answer, status: int, code: str, message: str, fields: dict | None = None) -> None:
    assert answer.status_code == status, answer.get_data(as_text=True)
    expected = {"code": code, "message": message}
    if fields is not None:
        expected["fields"] = fields
    assert answer.get_json() == {"error": expected}
    assert answer.data.endswith(b"}\n")


@pytest.fixture()
def json_logs(app):
    """Log lines as JSON while the test runs (as LOG_FORMAT=json makes them), then text again."""
    configure_logging("json")
    yield
    configure_logging(app.config["LOG_FORMAT"])


def test_an_opening_is_answered_and_written_by_the_adapter_alone(app, client, key, seller, through_flask, json_logs,
                                                                 capsys):
    audited = count(AuditEntry)
    capsys.readouterr()
    answer = _post(client, key, _body(), **{"X-Request-Id": "open-1"})
    answer.close()  # the line is written when the server closes the answer
    assert answer.status_code == 201 and through_flask == []
    _api_headers(app, answer)
    case = answer.get_json()
    assert case["case_id"] == "ROAD-1" and case["check"]["seller_id"] == SELLER
    assert answer.data.endswith(b"}\n") and b": " not in answer.data  # jsonify's compact text
    assert (count(ClaimCase), count(ClaimCaseEvent), count(CoverageCheck), count(AuditEntry) - audited) == (
        1, 1, 1, 1)
    line, = [json.loads(text) for text in capsys.readouterr().err.splitlines() if text.startswith("{")]
    assert (line["request_id"], line["method"], line["route"], line["status"]) == ("open-1", "POST", PATH, 201)
    assert line["api_key_prefix"] == key[:12] and answer.headers["X-Request-Id"] == "open-1"
    again = _post(client, key, _body())
    assert again.status_code == 200 and again.get_json() == case and through_flask == []
    _error(_post(client, key, _body(amount_claimed="260.00")), 409, "case_exists",
           "Claim case ROAD-1 was already opened with a different body.")
    listed = client.get(PATH, headers={"Authorization": f"Bearer {key}"})  # the list is Flask's
    assert listed.status_code == 200 and through_flask == [f"GET {PATH}"]


def test_keys_are_checked_before_the_body_by_the_one_key_check(app, db, client, key, seller, through_flask):
    for answer in (_post(client, None, _body()), _post(client, None, b"not json")):
        _error(answer, 401, "unauthenticated", "Send an API key: Authorization: Bearer <key>.")
        assert answer.headers["WWW-Authenticate"] == CHALLENGE
        _api_headers(app, answer)
    _error(_post(client, key[:-1] + ("A" if key[-1] != "A" else "B"), _body()), 401, "unauthenticated",
           "That API key is not valid.")
    insurer = factories.make_insurer()
    insurer_key = api_keys.create_key(Actor.cli(), "insurer", "road insurer", insurer.id)[1]
    _error(_post(client, insurer_key, _body()), 403, "forbidden", "This endpoint is for marketplace keys.")
    assert through_flask == [] and count(ClaimCase) == 0


def test_the_body_is_read_by_the_declaration_and_the_shared_json_reader(app, client, key, seller, through_flask):
    _error(_post(client, key, b"{}", **{"Content-Type": "text/plain"}), 415, "unsupported_media_type",
           "Send the body as JSON with Content-Type: application/json.")
    _error(_post(client, key, b"[]", **{"Content-Type": "application/json"}), 400, "invalid_request",
           "The body must be a JSON object.")
    answer = _post(client, key, _body(kind="flood", colour="red", amount_claimed="1e3"))
    _error(answer, 400, "invalid_request", "The claim case was not opened.", answer.get_json()["error"]["fields"])
    assert set(answer.get_json()["error"]["fields"]) == {"kind", "colour", "amount_claimed"}
    big = b"{" + b" " * (app.config["MAX_CONTENT_LENGTH"] + 10) + b"}"
    answer = _post(client, key, big, **{"Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.get_json()["error"]["code"] == "too_large"
    _api_headers(app, answer)
    assert through_flask == [] and count(ClaimCase) == 0 and count(CoverageCheck) == 0


def test_an_idempotency_key_replays_the_first_answer(app, client, key, seller, through_flask):
    first = _post(client, key, _body(), **{"Idempotency-Key": "open-1"})
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = _post(client, key, _body(), **{"Idempotency-Key": "open-1"})
    assert again.status_code == 201 and again.data == first.data and again.headers["Idempotent-Replayed"] == "true"
    _api_headers(app, again)
    _error(_post(client, key, _body(case_id="ROAD-2"), **{"Idempotency-Key": "open-1"}), 409,
           "idempotency_key_reused",
           _post(client, key, _body(case_id="ROAD-2"), **{"Idempotency-Key": "open-1"}).get_json()["error"]["message"])
    refused = _post(client, key, _body(kind="flood"), **{"Idempotency-Key": "open-2"})
    assert refused.status_code == 400  # an answer below 500 is kept for the key
    assert _post(client, key, _body(kind="flood"), **{"Idempotency-Key": "open-2"}).headers["Idempotent-Replayed"]
    _error(_post(client, key, _body(), **{"Idempotency-Key": ""}), 400, "invalid_request",
           "The Idempotency-Key header must be 1 to 255 printable characters.",
           {"Idempotency-Key": "Must be 1 to 255 printable characters."})
    assert through_flask == [] and count(ClaimCase) == 1 and count(IdempotencyRecord) == 2


def test_a_failing_opening_is_the_logged_500_and_frees_its_idempotency_key(app, client, key, seller, monkeypatch,
                                                                              caplog):
    from accelerator.services import claim_cases

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(claim_cases, "open_case", broken)
    answer = _post(client, key, _body(), **{"Idempotency-Key": "open-3"})
    _error(answer, 500, "internal_error", "An unexpected error occurred; nothing was changed.")
    _api_headers(app, answer)
    assert any("unhandled error on POST /api/v1/claim-cases" in r.getMessage() for r in caplog.records)
    assert count(IdempotencyRecord) == 0 and count(ClaimCase) == 0


def test_without_an_idempotency_key_the_key_is_still_answered_before_the_body(app, db, client, key, seller,
                                                                              through_flask):
    """The key is read with the case's rows when the body is fine; a refused body still waits for the key check."""
    insurer = factories.make_insurer()
    insurer_key = api_keys.create_key(Actor.cli(), "insurer", "road insurer", insurer.id)[1]
    for body in (b"not json", _body(kind="flood"), _body()):
        _error(_post(client, "acc_" + "x" * 40, body, **({} if isinstance(body, dict) else
                                                       {"Content-Type": "application/json"})),
               401, "unauthenticated", "That API key is not valid.")
        _error(_post(client, insurer_key, body, **({} if isinstance(body, dict) else
                                                   {"Content-Type": "application/json"})),
               403, "forbidden", "This endpoint is for marketplace keys.")
    api_keys.revoke_key(Actor.cli(), key[:12])
    _error(_post(client, key, _body()), 401, "unauthenticated", "That API key was revoked.")
    assert through_flask == [] and count(ClaimCase) == 0 and count(CoverageCheck) == 0


def test_an_opening_notes_the_keys_last_use_and_a_rate_limited_key_is_counted(app, db, client, seller):
    from accelerator.models import ApiKey, ApiKeyWindow

    plain, raw = api_keys.create_key(Actor.cli(), "marketplace", "plain", None)
    assert plain.last_used_at is None
    assert _post(client, raw, _body()).status_code == 201
    db.session.rollback()  # the test's own read began before the request wrote
    assert db.session.get(ApiKey, plain.id).last_used_at is not None
    _limited, raw_limited = api_keys.create_key(Actor.cli(), "marketplace", "limited", None, rate_limit=1)
    answer = _post(client, raw_limited, _body(case_id="ROAD-2"))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    _error(_post(client, raw_limited, _body(case_id="ROAD-3")), 429, "rate_limited",
           _post(client, raw_limited, _body(case_id="ROAD-3")).get_json()["error"]["message"])
    assert count(ApiKeyWindow) >= 1 and count(ClaimCase) == 2

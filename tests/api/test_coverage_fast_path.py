"""GET /api/v1/coverage has one road, the lean adapter (api/coverage/adapter.py): every answer on the path,
error or not, is the contract's, with the headers of every other API answer, and Flask never sees the path."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import request_started
from sqlalchemy import select, update

from accelerator import clock
from accelerator.http import security_headers
from accelerator.models import ApiKey, ApiKeyWindow, CoverageCheck, Insurer
from accelerator.services import api_keys
from accelerator.services.api_keys import revoke_key
from accelerator.services.audit import Actor
from tests import factories
from tests.api.conftest import count

PATH = "/api/v1/coverage"
QUERY = "seller_id=FAST000001&incident_date=2026-06-01&amount=2500.00"
URL = f"{PATH}?{QUERY}"
CHALLENGE = 'Bearer realm="accelerator-api"'


def _key(db, role: str = "marketplace", insurer=None, *, rate_limit: int | None = None, used: bool = True) -> str:
    """A raw key of `role`; `used`: its last use is recent (no write for it on the next request)."""
    _row, raw = api_keys.create_key(Actor.cli(), role, "test key", insurer.id if insurer else None,
                                    rate_limit=rate_limit)
    if used:
        db.session.execute(update(ApiKey).where(ApiKey.prefix == raw[:12]).values(last_used_at=clock.now()))
        db.session.commit()
    return raw


@pytest.fixture()
def key(db) -> str:
    """A marketplace key."""
    return _key(db)


@pytest.fixture()
def seller(db) -> str:
    """A seller with a policy in force in 2026 that excludes toys."""
    seller_id = factories.make_seller(seller_id="FAST000001").seller_id
    factories.make_policy(seller_id=seller_id, policy_number="FAST-1", excluded_categories=["toys"])
    return seller_id


@pytest.fixture()
def through_flask(app):
    """The requests Flask itself dispatched (the adapter sends no request_started)."""
    seen: list[str] = []

    def note(sender, **extra):
        from flask import request

        seen.append(request.full_path)

    request_started.connect(note, app)
    yield seen
    request_started.disconnect(note, app)


def _get(client, url: str, raw_key: str | None = None, method: str = "GET", **headers):
    if raw_key is not None:
        headers["Authorization"] = f"Bearer {raw_key}"
    return client.open(url, method=method, headers=headers)


def _api_headers(app, answer, content_type: str = "application/json") -> None:
    """The headers every API answer carries (security headers, no-store, Vary: Cookie, the request id)."""
    assert answer.headers["Content-Type"] == content_type
    assert answer.headers["Vary"] == "Cookie" and answer.headers["X-Request-Id"]
    for name, value in security_headers(app.config, PATH, content_type.split(";")[0]):
        assert answer.headers[name] == value, name
    assert answer.headers["Content-Length"] == str(len(answer.data)) or answer.request.method == "HEAD"


def _error(answer, status: int, code: str, message: str, fields: dict | None = None) -> None:
    assert answer.status_code == status, answer.get_data(as_text=True)
    expected = {"code": code, "message": message}
    if fields is not None:
        expected["fields"] = fields
    assert answer.get_json() == {"error": expected}
    assert answer.data.endswith(b"}\n")  # the app's one JSON error text (sorted, compact, a newline)


def test_a_check_is_answered_and_recorded_by_the_adapter_alone(app, client, key, seller, through_flask):
    answer = _get(client, URL, key)
    assert answer.status_code == 200 and through_flask == []
    _api_headers(app, answer)
    body = answer.get_json()
    assert body["status"] == "covered" and body["policy"]["policy_number"] == "FAST-1"
    assert count(CoverageCheck) == 1
    replay = _get(client, f"{PATH}/checks/{body['check_id']}", key)  # the replay is Flask's (one road too)
    assert replay.data == answer.data and len(through_flask) == 1


def test_percent_encoded_and_plus_encoded_queries_are_decoded_as_werkzeug_decodes_them(client, key, seller,
                                                                                    through_flask):
    encoded = URL.replace("FAST000001", "fast%30%30%30%30%30%31") + "&category=%74oys"
    answer = _get(client, encoded, key)
    assert answer.status_code == 200 and answer.get_json()["category"] == "toys"
    assert answer.get_json()["seller_id"] == "FAST000001"
    message = "Must be a category code from GET /api/v1/categories."
    _error(_get(client, URL + "&category=baby+toys", key), 400, "invalid_request", "Check the coverage question.",
           {"category": message})
    _error(_get(client, URL + "&category=%FF", key), 400, "invalid_request", "Check the coverage question.",
           {"category": message})
    assert through_flask == [] and count(CoverageCheck) == 1


def test_every_wrong_field_is_named_at_once_by_the_declaration(app, client, key, seller, through_flask):
    answer = _get(client, f"{PATH}?seller_id=x&seller_id=y&incident_date=2026-02-30&amount=1e3&colour=red", key)
    assert answer.status_code == 400
    _api_headers(app, answer)
    fields = answer.get_json()["error"]["fields"]
    assert set(fields) == {"seller_id", "incident_date", "amount", "colour"}
    assert fields["seller_id"] == "Give this parameter once." and fields["colour"] == "Unknown field."
    missing = _get(client, PATH, key).get_json()["error"]["fields"]
    assert missing == {name: "This field is required." for name in ("seller_id", "incident_date", "amount")}
    assert through_flask == [] and count(CoverageCheck) == 0


def test_keys_are_checked_before_the_query_by_the_one_key_check(app, db, client, key, seller, through_flask):
    send = "Send an API key: Authorization: Bearer <key>."
    for answer in (_get(client, URL), _get(client, f"{PATH}?amount=x"),
                   _get(client, URL, Authorization="Basic abc")):
        _error(answer, 401, "unauthenticated", send)
        assert answer.headers["WWW-Authenticate"] == CHALLENGE
        _api_headers(app, answer)
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    for raw in (wrong, "acc_x", "a" * 300, "acc_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"):
        answer = _get(client, f"{PATH}?amount=x", raw)
        _error(answer, 401, "unauthenticated", "That API key is not valid.")
        assert answer.headers["WWW-Authenticate"] == CHALLENGE
    revoked = _key(db)
    revoke_key(Actor.cli(), revoked[:12])
    _error(_get(client, URL, revoked), 401, "unauthenticated", "That API key was revoked.")
    insurer = factories.make_insurer(name="Suspended Mutual", naic_code="12398")
    suspended = _key(db, "insurer", insurer)
    db.session.execute(update(Insurer).where(Insurer.id == insurer.id).values(status="suspended"))
    db.session.commit()
    _error(_get(client, URL, suspended), 401, "unauthenticated", "That API key's insurer is not approved.")
    insurer_key = _key(db, "insurer", factories.make_insurer())
    for url in (URL, f"{PATH}?amount=x"):
        answer = _get(client, url, insurer_key)
        _error(answer, 403, "forbidden", "This endpoint is for marketplace keys.")
        assert "WWW-Authenticate" not in answer.headers
    # Read on every request: the key that answered a moment ago is refused once revoked.
    assert _get(client, URL, key).status_code == 200
    revoke_key(Actor.cli(), key[:12])
    _error(_get(client, URL, key), 401, "unauthenticated", "That API key was revoked.")
    assert through_flask == [] and count(CoverageCheck) == 1


@pytest.mark.parametrize("query", [QUERY, "amount=x"], ids=["a check", "a refused query"])
def test_a_key_not_used_for_a_minute_has_its_use_written(db, client, seller, through_flask, query):
    for role in ("marketplace", "insurer"):
        raw = _key(db, role, factories.make_insurer() if role == "insurer" else None, used=False)
        expected = {("marketplace", QUERY): 200, ("marketplace", "amount=x"): 400}.get((role, query), 403)
        assert _get(client, f"{PATH}?{query}", raw).status_code == expected
        db.session.rollback()
        used = db.session.execute(select(ApiKey.last_used_at).where(ApiKey.prefix == raw[:12])).scalar_one()
        assert used is not None and clock.now() - used < timedelta(seconds=5)
    assert through_flask == []


@pytest.mark.parametrize("query", [QUERY, "amount=x"], ids=["a check", "a refused query"])
def test_a_rate_limited_key_gets_429_with_retry_after(app, db, client, seller, through_flask, query):
    clock.pin(factories.NOW)
    raw = _key(db, rate_limit=1)
    first = _get(client, f"{PATH}?{query}", raw)
    assert first.status_code == (200 if query == QUERY else 400)
    second = _get(client, f"{PATH}?{query}", raw)
    _error(second, 429, "rate_limited", "This key is limited to 1 requests a second.")
    assert int(second.headers["Retry-After"]) >= 1
    _api_headers(app, second)
    assert count(CoverageCheck) == (1 if query == QUERY else 0)
    db.session.rollback()
    # The first counted; the second refused without counting: the process was told the second is full.
    assert db.session.execute(select(ApiKeyWindow.count)).scalar_one() == 1
    assert through_flask == []


def test_head_options_and_other_methods_answer_as_the_url_map_says(app, client, key, seller, through_flask):
    head = _get(client, URL, key, method="HEAD")
    assert head.status_code == 200 and head.data == b"" and int(head.headers["Content-Length"]) > 100
    assert count(CoverageCheck) == 1  # a HEAD is a GET without the body, as Flask runs it
    assert _get(client, URL, method="HEAD").status_code == 401
    for raw in (None, key):
        options = _get(client, URL, raw, method="OPTIONS")
        assert options.status_code == 200 and options.data == b""
        assert options.headers["Allow"] == "GET, HEAD, OPTIONS"
        _api_headers(app, options, "text/html; charset=utf-8")
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        answer = _get(client, URL, key, method=method)
        _error(answer, 405, "method_not_allowed", "The method is not allowed for the requested URL.")
        assert answer.headers["Allow"] == "GET, HEAD, OPTIONS"
        _api_headers(app, answer)
    assert through_flask == [] and count(CoverageCheck) == 1


def test_a_cookie_or_a_body_changes_nothing(client, key, seller, through_flask):
    client.set_cookie("session", "x")
    assert _get(client, URL, key).status_code == 200
    client.delete_cookie("session")
    answer = client.get(URL, headers={"Authorization": f"Bearer {key}"}, data=b'{"a": 1}',
                        content_type="application/json")
    assert answer.status_code == 200 and through_flask == [] and count(CoverageCheck) == 2


def test_a_failing_check_is_the_logged_500_of_every_endpoint(app, client, key, seller, monkeypatch, caplog):
    from accelerator.services import coverage

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(coverage, "run_checks", broken)
    answer = _get(client, URL, key)
    _error(answer, 500, "internal_error", "An unexpected error occurred; nothing was changed.")
    _api_headers(app, answer)
    assert any("unhandled error on GET /api/v1/coverage" in r.getMessage() for r in caplog.records)


def test_a_stale_key_row_is_never_cached(db, client, key, seller):
    """The key's row is read with the policies on every request: a key made a minute ago and never used
    answers at once, and its last use is written once."""
    fresh = _key(db, used=False)
    assert _get(client, URL, fresh).status_code == 200
    db.session.rollback()
    first = db.session.execute(select(ApiKey.last_used_at).where(ApiKey.prefix == fresh[:12])).scalar_one()
    clock.pin(factories.NOW + timedelta(seconds=30))
    assert _get(client, URL, fresh).status_code == 200
    db.session.rollback()
    assert db.session.execute(select(ApiKey.last_used_at).where(ApiKey.prefix == fresh[:12])).scalar_one() == first


@pytest.mark.parametrize("query", ["a=1&b=2", "a=%41%zz&b", "a+b=c+d&&a=x", "=v&k=", "%FF=%e9&x=%C3%A9",
                                   "a=1;b=2", "seller_id=fast%30%30%30%30%30%31", ""])
def test_the_one_query_reader_reads_as_werkzeug_reads_request_args(query):
    """query_values (every endpoint's, the adapter's too) is parse_qsl as Werkzeug calls it, only faster."""
    from urllib.parse import parse_qsl

    from accelerator.api.core import query_values

    expected: dict[str, str] = {}
    repeated: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True, errors="werkzeug.url_quote"):
        if name in expected:
            repeated[name] = "Give this parameter once."
        else:
            expected[name] = value
    assert query_values(query.encode("latin-1")) == (expected, repeated)

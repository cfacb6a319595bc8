"""The single check's WSGI fast path (api/coverage/fast_path.py): the same answers as Flask, and Flask for the rest."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask import request_started
from sqlalchemy import select, update

from accelerator import clock
from accelerator.models import ApiKey, CoverageCheck
from accelerator.services.api_keys import revoke_key
from accelerator.services.audit import Actor
from tests import factories
from tests.api.conftest import count

URL = "/api/v1/coverage?seller_id=FAST000001&incident_date=2026-06-01&amount=2500.00"


@pytest.fixture()
def key(db) -> str:
    """A marketplace key, already used (so its last use is recent and the fast path may answer)."""
    raw = factories.make_api_key("marketplace")
    db.session.execute(update(ApiKey).where(ApiKey.prefix == raw[:12]).values(last_used_at=clock.now()))
    db.session.commit()
    return raw


@pytest.fixture()
def seller(db) -> str:
    """A seller with a policy in force in 2026 that excludes toys."""
    seller_id = factories.make_seller(seller_id="FAST000001").seller_id
    factories.make_policy(seller_id=seller_id, policy_number="FAST-1", excluded_categories=["toys"])
    return seller_id


@pytest.fixture()
def through_flask(app):
    """The requests Flask itself dispatched (the fast path sends no request_started)."""
    seen: list[str] = []

    def note(sender, **extra):
        from flask import request

        seen.append(request.full_path)

    request_started.connect(note, app)
    yield seen
    request_started.disconnect(note, app)


def _get(client, url: str, raw_key: str | None, **headers):
    if raw_key is not None:
        headers["Authorization"] = f"Bearer {raw_key}"
    return client.get(url, headers=headers)


def test_a_plain_check_is_answered_without_flask_exactly_as_flask_answers_it(app, client, key, seller,
                                                                            through_flask):
    fast = _get(client, URL, key)
    assert fast.status_code == 200 and through_flask == []
    app.config["COVERAGE_FAST_PATH"] = False
    try:
        slow = _get(client, URL, key)
    finally:
        app.config.pop("COVERAGE_FAST_PATH")
    assert slow.status_code == 200 and len(through_flask) == 1
    # Each answer has a request id of its own (tests/api/test_request_ids.py).
    fast_headers = {k: v for k, v in fast.headers.items() if k not in ("Content-Length", "X-Request-Id")}
    slow_headers = {k: v for k, v in slow.headers.items() if k not in ("Content-Length", "X-Request-Id")}
    assert fast.headers["X-Request-Id"] != slow.headers["X-Request-Id"]
    assert fast_headers == slow_headers and fast_headers["Content-Type"] == "application/json"
    assert "Cache-Control" in fast_headers and "Content-Security-Policy" in fast_headers
    one, two = fast.get_json(), slow.get_json()
    assert one["check_id"] != two["check_id"]
    for answer in (one, two):
        answer.pop("check_id")
        answer.pop("checked_at")
    assert one == two and one["status"] == "covered" and one["policy"]["policy_number"] == "FAST-1"
    assert count(CoverageCheck) == 2


def test_the_fast_answer_is_recorded_and_replays_byte_for_byte(client, key, seller):
    fast = _get(client, URL + "&category=toys", key)
    answer = fast.get_json()
    assert answer["status"] == "not_covered" and answer["reasons"][0]["code"] == "category_excluded"
    replay = _get(client, f"/api/v1/coverage/checks/{answer['check_id']}", key)
    assert replay.data == fast.data


@pytest.mark.parametrize(("url", "status"), [
    (URL + "&seller_id=FAST000001", 400),            # a repeated parameter
    (URL.replace("2500.00", "1e3"), 400),
    (URL + "&colour=red", 400),
    (URL.replace("FAST000001", "fast%30%30%30%30%30%31"), 200),  # percent-encoded: Flask decodes it
    (URL.replace("2026-06-01", "2026-02-30"), 400),
    (URL + "&category=", 400),
])
def test_every_other_query_is_flasks(client, key, seller, through_flask, url, status):
    response = _get(client, url, key)
    assert response.status_code == status, response.get_data(as_text=True)
    assert len(through_flask) == 1
    assert count(CoverageCheck) == (1 if status == 200 else 0)


def test_keys_are_read_on_every_request_and_a_revoked_key_is_refused_at_once(db, client, key, seller,
                                                                            through_flask):
    assert _get(client, URL, key).status_code == 200 and through_flask == []
    revoke_key(Actor.cli(), key[:12])
    refused = _get(client, URL, key)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthenticated"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert count(CoverageCheck) == 1


def test_no_key_a_wrong_key_and_an_insurer_key_are_answered_by_flask(client, key, seller, through_flask):
    assert _get(client, URL, None).status_code == 401
    assert _get(client, URL, key[:-1] + ("A" if key[-1] != "A" else "B")).status_code == 401
    assert _get(client, URL, factories.make_api_key("insurer")).status_code == 403
    assert len(through_flask) == 3 and count(CoverageCheck) == 0


def test_a_key_not_used_for_a_minute_goes_through_flask_which_records_the_use(db, client, key, seller,
                                                                              through_flask):
    long_ago = clock.now() - timedelta(hours=1)
    db.session.execute(update(ApiKey).where(ApiKey.prefix == key[:12]).values(last_used_at=long_ago))
    db.session.commit()
    assert _get(client, URL, key).status_code == 200 and len(through_flask) == 1
    db.session.rollback()
    used = db.session.execute(select(ApiKey.last_used_at).where(ApiKey.prefix == key[:12])).scalar_one()
    assert used > long_ago
    assert _get(client, URL, key).status_code == 200 and len(through_flask) == 1  # now the fast path


def test_a_cookie_a_body_or_another_method_goes_to_flask(client, key, seller, through_flask):
    client.set_cookie("session", "x")
    assert _get(client, URL, key).status_code == 200
    client.delete_cookie("session")
    assert client.head(URL, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert client.post(URL, headers={"Authorization": f"Bearer {key}"}).status_code == 405
    assert len(through_flask) == 3


def test_the_fast_path_answers_the_error_flask_would_when_the_check_fails(app, client, key, seller, monkeypatch):
    from accelerator.services import coverage

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(coverage, "run_checks", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = _get(client, URL, key)
    finally:
        app.config.pop("PROPAGATE_EXCEPTIONS")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert json.loads(response.data)["error"]["message"]

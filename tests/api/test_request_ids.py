"""X-Request-Id on every answer (contract, "Operating it"): the caller's own when valid, else a new one,
on an API path through Flask, the coverage fast path, a page and a 404; shown on the site's error pages."""

from __future__ import annotations

import re

import pytest
import requests
from flask import request_started
from sqlalchemy import update

from accelerator import clock
from accelerator.models import ApiKey
from tests import factories

FAST = "/api/v1/coverage?seller_id=RIDS000001&incident_date=2026-06-01&amount=2500.00"
NEW_ID = re.compile(r"[0-9a-f]{32}")
VALID = ["ticket-42_a.B", "x", "A" * 128]
# Too long, spaces, an empty value, characters outside A-Z a-z 0-9 . _ -
INVALID = ["r" * 200, "has spaces in it", "A" * 129, "", "semi;colon", "quote\"d", "caf\u00e9"]


@pytest.fixture()
def key(db) -> str:
    """A marketplace key, already used (so the fast path may answer with it)."""
    raw = factories.make_api_key("marketplace")
    db.session.execute(update(ApiKey).where(ApiKey.prefix == raw[:12]).values(last_used_at=clock.now()))
    db.session.commit()
    factories.make_policy(seller_id=factories.make_seller(seller_id="RIDS000001").seller_id)
    return raw


@pytest.fixture()
def through_flask(app):
    """The requests Flask itself dispatched (the fast path sends no request_started)."""
    seen: list[str] = []

    def note(sender, **extra):
        seen.append("flask")

    request_started.connect(note, app)
    yield seen
    request_started.disconnect(note, app)


def _paths(key: str) -> dict[str, tuple[str, dict, int]]:
    """Name -> (path, headers, expected status): one of each kind of answer."""
    bearer = {"Authorization": f"Bearer {key}"}
    return {
        "fast coverage path": (FAST, bearer, 200),
        "API through Flask": ("/api/v1/coverage/checks/chk_missing", bearer, 404),
        "API without a key": ("/api/v1/policies", {}, 401),
        "page": ("/login", {}, 200),
        "page 404": ("/no/such/page", {}, 404),
        "API 404": ("/api/v1/no-such-thing", bearer, 404),
    }


@pytest.mark.parametrize("sent", VALID)
def test_a_valid_id_is_echoed_on_every_path(client, key, through_flask, sent):
    for name, (path, headers, status) in _paths(key).items():
        before = len(through_flask)
        response = client.get(path, headers={**headers, "X-Request-Id": sent})
        assert response.status_code == status, name
        assert response.headers["X-Request-Id"] == sent, name
        assert response.headers.getlist("X-Request-Id") == [sent], name
        if name == "fast coverage path":
            assert len(through_flask) == before  # answered without Flask, and still has its id


@pytest.mark.parametrize("sent", INVALID)
def test_an_invalid_id_is_replaced_and_never_echoed(client, key, sent):
    for name, (path, headers, status) in _paths(key).items():
        response = client.get(path, headers={**headers, "X-Request-Id": sent})
        assert response.status_code == status, name
        given = response.headers["X-Request-Id"]
        assert NEW_ID.fullmatch(given) and given != sent, name
        if sent:
            assert sent not in response.get_data(as_text=True), name


def test_without_an_id_each_answer_gets_a_new_one(client, key):
    given = [client.get(path, headers=headers).headers["X-Request-Id"] for path, headers, _ in _paths(key).values()]
    assert all(NEW_ID.fullmatch(one) for one in given)
    assert len(set(given)) == len(given)


def test_an_over_long_address_answered_by_the_request_limits_has_its_id_too(client):
    response = client.get("/api/v1/policies?x=" + "a" * 9000, headers={"X-Request-Id": "long-one"})
    assert response.status_code == 414
    assert response.headers["X-Request-Id"] == "long-one"


def test_the_error_page_shows_the_id_to_quote_to_support(client):
    response = client.get("/no/such/page", headers={"X-Request-Id": "quote-me-123"})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<code class="error-page__request-id">quote-me-123</code>' in html
    fresh = client.get("/no/such/page")
    shown = f'<code class="error-page__request-id">{fresh.headers["X-Request-Id"]}</code>'
    assert shown in fresh.get_data(as_text=True)


def test_over_real_http_the_header_comes_back(live_server, key):
    with requests.get(live_server.url + FAST, headers={"Authorization": f"Bearer {key}", "X-Request-Id": "live.1"},
                      timeout=30) as fast, \
            requests.get(live_server.url + "/nowhere", headers={"X-Request-Id": "bad id"}, timeout=30) as missing:
        assert fast.status_code == 200 and fast.headers["X-Request-Id"] == "live.1"
        assert missing.status_code == 404 and NEW_ID.fullmatch(missing.headers["X-Request-Id"])
        assert "bad id" not in missing.text

"""Bearer key authentication: roles, revocation and suspension from the very next request, last use."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from accelerator.client import AcceleratorClient, ApiError
from accelerator.extensions import db as _db
from accelerator.models import ApiKey
from accelerator.services import api_keys, insurers
from accelerator.services.audit import Actor
from tests.api.conftest import policy_body


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Token acc_abcdefghijklmnop",
                                    "Bearer acc_short", "Bearer acc_" + "x" * 300])
def test_missing_or_malformed_keys_are_401_json_with_a_challenge(live_server, header):
    headers = {} if header is None else {"Authorization": header}
    response = requests.get(live_server.url + "/api/v1/policies", headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_key_with_a_known_prefix_but_wrong_secret_is_refused(live_server, insurer_key):
    forged = insurer_key[:12] + "A" * (len(insurer_key) - 12)
    with AcceleratorClient(live_server.url, forged) as client, pytest.raises(ApiError) as exc:
        client.list_policies()
    assert exc.value.status == 401


def test_marketplace_key_on_insurer_endpoint_is_403(live_server, marketplace_key):
    with AcceleratorClient(live_server.url, marketplace_key) as client, pytest.raises(ApiError) as exc:
        client.report_policy(policy_body())
    assert exc.value.status == 403 and exc.value.code == "forbidden"


def test_revoked_key_is_refused_from_the_next_request(api, insurer_key):
    assert api.list_policies()["total"] == 0
    api_keys.revoke_key(Actor.cli(), insurer_key[:12])
    with pytest.raises(ApiError) as exc:
        api.list_policies()
    assert exc.value.status == 401


def test_suspended_insurers_key_is_refused_from_the_next_request_and_works_again_on_approval(api, insurer):
    assert api.list_policies()["total"] == 0
    insurers.set_status(Actor.cli(), insurer.id, "suspended")
    with pytest.raises(ApiError) as exc:
        api.list_policies()
    assert exc.value.status == 401
    insurers.set_status(Actor.cli(), insurer.id, "approved")
    assert api.list_policies()["total"] == 0


def test_last_used_is_written_at_most_once_a_minute(api, insurer_key):
    def last_used():
        _db.session.rollback()
        return _db.session.execute(select(ApiKey.last_used_at).where(ApiKey.prefix == insurer_key[:12])).scalar_one()

    assert last_used() is None
    api.list_policies()
    first = last_used()
    assert first is not None
    api.list_policies()
    assert last_used() == first  # no write within the minute
    key = _db.session.execute(select(ApiKey).where(ApiKey.prefix == insurer_key[:12])).scalar_one()
    key.last_used_at = first - timedelta(seconds=61)
    _db.session.commit()
    api.list_policies()
    assert last_used() > first - timedelta(seconds=61)


def test_discovery_needs_no_key(anonymous):
    assert anonymous.health() == {"status": "ok"}
    categories = anonymous.categories()
    assert {"code": "toys", "name": "Toys & Games"} in categories
    assert anonymous.openapi()["openapi"] == "3.1.0"

"""OPTIONS advertises only what exists: on every API path in the url map (paths added later included), the
Allow header lists exactly the methods that do not answer 405."""

from __future__ import annotations

import re

import requests

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def api_paths(app) -> list[str]:
    """Every API path of the url map, a sample value (1) in place of each variable part."""
    return sorted({re.sub(r"<[^<>]+>", "1", rule.rule) for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/api/")})


def test_allow_lists_exactly_the_methods_that_do_not_answer_405(live_server, live_app):
    paths = api_paths(live_app)
    assert "/api/v1/webhooks/deliveries" in paths and "/api/v1/webhooks/1" in paths
    with requests.Session() as session:
        for path in paths:
            options = session.options(live_server.url + path, timeout=30)
            assert options.status_code in (200, 204), path
            allowed = {m.strip() for m in options.headers["Allow"].split(",")}
            answering = {m for m in METHODS
                         if session.request(m, live_server.url + path, timeout=30).status_code != 405}
            assert allowed == answering, path


def test_webhook_deliveries_advertise_no_delete(live_server):
    url = live_server.url + "/api/v1/webhooks/deliveries"
    allowed = {m.strip() for m in requests.options(url, timeout=30).headers["Allow"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}
    answer = requests.delete(url, timeout=30)
    assert answer.status_code == 405 and answer.json()["error"]["code"] == "method_not_allowed"
    assert {m.strip() for m in answer.headers["Allow"].split(",")} == allowed

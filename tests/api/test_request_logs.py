"""The log line of every request (LOG_FORMAT=json parsed; text by default): time, request id, method,
route template, status, duration, the key's prefix or the user's id; never a secret or a whole key."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import update

from accelerator import clock
from accelerator.models import ApiKey
from accelerator.observability import RequestObserver
from accelerator.observability.logs import configure_logging
from tests import factories
from tests.conftest import TEST_PASSWORD, post_form

FAST = "/api/v1/coverage?seller_id=LOGS000001&incident_date=2026-06-01&amount=2500.00"


@pytest.fixture()
def json_logs(app):
    """Log lines as JSON while the test runs (as LOG_FORMAT=json makes them), then text again."""
    configure_logging("json")
    yield
    configure_logging(app.config["LOG_FORMAT"])


def _request_lines(text: str) -> list[dict]:
    """The JSON request lines among what was written to standard error."""
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return [line for line in lines if line["logger"] == "accelerator.requests"]


def _closed(response):
    """The answer, closed: the line is written when the server closes the answer (after its last byte)."""
    response.close()
    return response


def test_json_lines_name_the_key_by_its_prefix_and_never_hold_the_key(client, db, json_logs, capsys):
    raw = factories.make_api_key("marketplace")
    db.session.execute(update(ApiKey).where(ApiKey.prefix == raw[:12]).values(last_used_at=clock.now()))
    db.session.commit()
    factories.make_policy(seller_id=factories.make_seller(seller_id="LOGS000001").seller_id)
    capsys.readouterr()
    headers = {"Authorization": f"Bearer {raw}"}
    fast = _closed(client.get(FAST, headers={**headers, "X-Request-Id": "fast-1"}))
    slow = _closed(client.get("/api/v1/coverage/checks/chk_nothing", headers=headers))
    written = capsys.readouterr().err
    assert raw not in written and "Bearer" not in written
    one, two = _request_lines(written)
    assert fast.status_code == 200 and slow.status_code == 404
    assert one["request_id"] == "fast-1" and two["request_id"] == slow.headers["X-Request-Id"]
    assert (one["method"], one["route"], one["status"]) == ("GET", "/api/v1/coverage", 200)
    assert (two["method"], two["route"], two["status"]) == ("GET", "/api/v1/coverage/checks/<check_id>", 404)
    for line in (one, two):
        assert line["api_key_prefix"] == raw[:12] and line["user_id"] is None
        assert isinstance(line["duration_ms"], float) and 0 <= line["duration_ms"] < 60_000
        assert line["time"].endswith("Z") and line["time"][:10] == clock.today().isoformat()
        assert line["level"] == "INFO" and line["message"] == f"GET {line['route']} {line['status']}"
        assert "chk_nothing" not in json.dumps(line)  # the template, not the address


def test_a_login_line_has_no_password_and_a_user_line_has_the_id(client, db, json_logs, capsys):
    user = factories.make_seller_user(email="logs@shop.example")
    wrong = "a-Wrong-Secret-Passw0rd"
    refused = _closed(post_form(client, "/login", {"email": "logs@shop.example", "password": wrong}))
    logged_in = _closed(post_form(client, "/login", {"email": "logs@shop.example", "password": TEST_PASSWORD}))
    home = _closed(client.get("/seller", headers={"X-Request-Id": "seller-home"}))
    written = capsys.readouterr().err
    assert refused.status_code == 400 and logged_in.status_code == 302 and home.status_code == 200
    assert wrong not in written and TEST_PASSWORD not in written
    lines = _request_lines(written)
    posts = [line for line in lines if line["method"] == "POST"]
    assert [(line["route"], line["status"]) for line in posts] == [("/login", 400), ("/login", 302)]
    page = next(line for line in lines if line["request_id"] == "seller-home")
    assert page["route"] == "/seller/" or page["route"].startswith("/seller")
    assert page["user_id"] == user.id and page["api_key_prefix"] is None
    assert user.session_token not in written  # the session's identity is "<id>:<token>": only the id is logged


def test_text_lines_are_readable_by_default(client, db, capsys):
    capsys.readouterr()
    _closed(client.get("/no/such/page", headers={"X-Request-Id": "text-1"}))
    line = next(line for line in capsys.readouterr().err.splitlines() if "accelerator.requests" in line)
    assert "INFO accelerator.requests [text-1] GET <unmatched> 404 " in line
    assert " duration_ms=" in line and not line.startswith("{")


def test_every_line_written_while_serving_carries_the_request_id(json_logs, capsys):
    """Any logger, any level, while a request is served: the request's id (and none after it)."""

    def inner(environ, start_response):
        logging.getLogger("accelerator.somewhere").warning("something to look into")
        logging.getLogger("a.library").error("a library's complaint")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    observed = RequestObserver(inner)
    answers = []
    body = observed({"REQUEST_METHOD": "GET", "PATH_INFO": "/x", "HTTP_X_REQUEST_ID": "inner-7"},
                    lambda status, headers, exc_info=None: answers.append((status, headers)))
    assert body == [b"ok"] and ("X-Request-Id", "inner-7") in answers[0][1]
    logging.getLogger("accelerator.somewhere").warning("after the request")
    entries = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    by_message = {entry["message"]: entry for entry in entries}
    assert by_message["something to look into"]["request_id"] == "inner-7"
    assert by_message["a library's complaint"]["request_id"] == "inner-7"
    assert by_message["GET <unmatched> 200"]["request_id"] == "inner-7"
    assert by_message["after the request"]["request_id"] == "-"

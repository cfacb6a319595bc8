"""Webhooks: registration rules, signed delivery to a real receiver on a loopback port, retries, the log."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from accelerator import clock
from accelerator.client import ApiError
from accelerator.domain.errors import ValidationError
from accelerator.extensions import db as _db
from accelerator.models import WebhookAttempt, WebhookEndpoint, WebhookEvent
from accelerator.services import webhooks
from tests.api.conftest import count, policy_body


class Receiver:
    """A real HTTP server on a loopback port that records what it receives and answers as told."""

    def __init__(self, statuses=(200,), delay: float = 0.0):
        self.statuses = list(statuses)
        self.delay = delay
        self.received: list[tuple[str, dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append((self.path, dict(self.headers), body))
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/accelerator"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver():
    r = Receiver()
    yield r
    r.close()


def deliver(live_app, **kwargs):
    """Run one delivery round as `flask webhooks deliver` would, in the live app (loopback allowed)."""
    _db.session.rollback()
    with live_app.app_context():
        return webhooks.deliver_due(**kwargs)


def test_register_list_and_remove(api, other_api, receiver):
    endpoint = api.register_webhook(receiver.url)
    assert api.last_status == 201
    assert endpoint["url"] == receiver.url and endpoint["active"] is True
    assert endpoint["secret"].startswith("whsec_") and len(endpoint["secret"]) > 40
    listed = api.list_webhooks()
    assert listed["total"] == 1 and "secret" not in listed["items"][0]
    assert other_api.list_webhooks()["total"] == 0
    with pytest.raises(ApiError) as exc:
        other_api.delete_webhook(endpoint["id"])
    assert exc.value.status == 404
    api.delete_webhook(endpoint["id"])
    assert api.list_webhooks()["total"] == 0
    with pytest.raises(ApiError) as exc:
        api.delete_webhook(endpoint["id"])
    assert exc.value.status == 404


@pytest.mark.parametrize("url", [
    "https://10.0.0.1/hook", "https://192.168.1.20/hook", "https://172.16.0.1/hook",
    "https://169.254.169.254/latest/meta-data", "https://[fd00:ec2::254]/", "https://100.100.100.200/",
    "https://0.0.0.0/", "https://[::ffff:10.0.0.1]/", "https://224.0.0.1/",
    "http://93.184.216.34/hook", "ftp://93.184.216.34/hook", "https://user:pw@93.184.216.34/",
    "https://93.184.216.34/#frag", "not a url", "https://", "https://no-such-host.invalid/hook",
    "https://93.184.216.34:99999/", "https://93.184.216.34/" + "a" * 2000,
])
def test_registration_refuses_private_and_malformed_urls(api, url):
    with pytest.raises(ApiError) as exc:
        api.register_webhook(url)
    assert exc.value.status == 400 and "url" in exc.value.fields
    assert count(WebhookEndpoint) == 0


def test_loopback_is_refused_unless_allowed(db, insurer):
    for url in ("http://127.0.0.1:8080/hook", "https://127.0.0.1/hook", "https://localhost/hook", "https://[::1]/"):
        with pytest.raises(ValidationError):
            webhooks.check_url(url, allow_loopback=False)
    assert webhooks.check_url("http://127.0.0.1:8080/hook", allow_loopback=True)
    assert webhooks.check_url("https://93.184.216.34/hook", allow_loopback=False)


def test_at_most_five_endpoints(api, receiver):
    for _ in range(5):
        api.register_webhook(receiver.url)
    with pytest.raises(ApiError) as exc:
        api.register_webhook(receiver.url)
    assert exc.value.status == 409 and exc.value.code == "too_many_endpoints"


def test_cancellation_is_delivered_signed_and_logged(api, live_app, receiver):
    secret = api.register_webhook(receiver.url)["secret"]
    api.report_policy(policy_body())
    api.cancel_policy("HX-2026-000123", "2026-06-01")
    report = deliver(live_app)
    assert (report.delivered, report.retrying, report.failed) == (1, 0, 0)
    assert len(receiver.received) == 1
    path, headers, body = receiver.received[0]
    assert path == "/hooks/accelerator"
    assert headers["Content-Type"] == "application/json"
    assert webhooks.verify_signature(secret, headers["X-Accelerator-Signature"], body)
    assert not webhooks.verify_signature(secret, headers["X-Accelerator-Signature"], body + b" ")
    assert not webhooks.verify_signature("whsec_wrong", headers["X-Accelerator-Signature"], body)
    event = json.loads(body)
    assert event["type"] == "policy.cancelled" == headers["X-Accelerator-Event"]
    assert event["id"] == headers["X-Accelerator-Event-Id"] and event["id"].startswith("evt_")
    assert event["data"]["policy"]["cancellation_date"] == "2026-06-01"
    assert event["created_at"].endswith("Z")
    log = api.webhook_deliveries()
    assert log["total"] == 1
    entry = log["items"][0]
    assert entry["status"] == "delivered" and entry["event_id"] == event["id"]
    assert [a["status_code"] for a in entry["attempts"]] == [200]
    assert deliver(live_app).attempted == 0  # nothing left to send


def test_a_failing_endpoint_is_retried_with_backoff_and_recovers(api, live_app):
    receiver = Receiver(statuses=[500, 200])
    try:
        api.register_webhook(receiver.url)
        api.report_policy(policy_body())
        api.cancel_policy("HX-2026-000123", "2026-06-01")
        first = deliver(live_app)
        assert (first.delivered, first.retrying) == (0, 1)
        entry = api.webhook_deliveries()["items"][0]
        assert entry["status"] == "pending" and entry["attempts"][0]["error"] == "HTTP 500"
        assert deliver(live_app).attempted == 0  # not due yet: it waits out the backoff
        second = deliver(live_app, now=clock.now() + timedelta(hours=1))
        assert second.delivered == 1
        entry = api.webhook_deliveries(status="delivered")["items"][0]
        assert [a["status_code"] for a in entry["attempts"]] == [500, 200]
        assert len(receiver.received) == 2
        assert receiver.received[0][2] == receiver.received[1][2]  # the same event, the same body
    finally:
        receiver.close()


def test_redirects_are_not_followed_and_attempts_stop_at_the_maximum(api, live_app, monkeypatch):
    monkeypatch.setitem(live_app.config, "WEBHOOK_MAX_ATTEMPTS", 2)
    receiver = Receiver(statuses=[302])
    try:
        api.register_webhook(receiver.url)
        api.report_policy(policy_body())
        api.cancel_policy("HX-2026-000123", "2026-06-01")
        assert deliver(live_app).retrying == 1
        assert deliver(live_app, now=clock.now() + timedelta(days=1)).failed == 1
        assert [r[0] for r in receiver.received] == ["/hooks/accelerator"] * 2  # never /elsewhere
        entry = api.webhook_deliveries(status="failed")["items"][0]
        assert [a["status_code"] for a in entry["attempts"]] == [302, 302]
        assert "redirects are not followed" in entry["attempts"][0]["error"]
        assert deliver(live_app, now=clock.now() + timedelta(days=30)).attempted == 0
    finally:
        receiver.close()


def test_a_slow_endpoint_times_out(api, live_app, monkeypatch):
    monkeypatch.setitem(live_app.config, "WEBHOOK_TIMEOUT_SECONDS", 0.3)
    receiver = Receiver(delay=1.0)
    try:
        api.register_webhook(receiver.url)
        api.report_policy(policy_body())
        api.cancel_policy("HX-2026-000123", "2026-06-01")
        assert deliver(live_app).retrying == 1
        assert api.webhook_deliveries()["items"][0]["attempts"][0]["error"] == "timed out"
    finally:
        receiver.close()


def test_an_app_without_the_loopback_setting_refuses_to_deliver_there(api, app, receiver):
    """Registered while loopback was allowed, delivered by an app that forbids it: refused, never sent."""
    api.register_webhook(receiver.url)
    api.report_policy(policy_body())
    api.cancel_policy("HX-2026-000123", "2026-06-01")
    _db.session.rollback()
    report = webhooks.deliver_due()  # the test app: WEBHOOK_ALLOW_LOOPBACK is off
    assert report.retrying == 1
    assert receiver.received == []
    _db.session.rollback()
    attempt = _db.session.execute(_db.select(WebhookAttempt)).scalar_one()
    assert attempt.error == "refused: not an https URL"


def test_addresses_are_checked_before_connecting(app, db, live_app, receiver):
    """Whatever a name resolved to at registration, the address to connect to is judged before connecting."""
    for url in (receiver.url, receiver.url.replace("127.0.0.1", "localhost")):
        with pytest.raises(webhooks.BlockedAddress):
            webhooks.delivery_session().post(url, data=b"{}", timeout=5)
    assert receiver.received == []
    with live_app.app_context():
        assert webhooks.delivery_session().post(receiver.url, data=b"{}", timeout=5).status_code == 200
    assert len(receiver.received) == 1


def local_table(entries: dict[str, str]):
    """A resolver answering from a local table: the app never asks DNS outside the machine."""
    return lambda host, port: [entries[host]]


class Listener:
    """A bare TCP socket listening on loopback that never accepts: a connection would wait in its backlog."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def was_connected_to(self) -> bool:
        time.sleep(0.2)
        try:
            peer, _ = self.sock.accept()
        except BlockingIOError:
            return False
        peer.close()
        return True

    def close(self):
        self.sock.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_name_repointed_at_loopback_is_refused_before_connecting_with_one_neutral_reason(api, app, receiver):
    """DNS rebinding: registered while public, resolved to 127.0.0.1 at delivery; open and closed ports look alike."""
    listener = Listener()
    try:
        first = api.register_webhook(receiver.url)
        second = api.register_webhook(receiver.url)
        _db.session.rollback()
        # As if both had registered as https names that resolved to a public address then.
        _db.session.get(WebhookEndpoint, first["id"]).url = f"https://hooks.insurer.test:{listener.port}/hook"
        _db.session.get(WebhookEndpoint, second["id"]).url = f"https://hooks.insurer.test:{closed_port()}/hook"
        _db.session.commit()
        assert webhooks.check_url(f"https://hooks.insurer.test:{listener.port}/hook", allow_loopback=False,
                                  resolver=local_table({"hooks.insurer.test": "93.184.216.34"}))
        api.report_policy(policy_body())
        api.cancel_policy("HX-2026-000123", "2026-06-01")
        _db.session.rollback()
        session = webhooks.delivery_session(resolver=local_table({"hooks.insurer.test": "127.0.0.1"}))
        report = webhooks.deliver_due(session=session)
        assert report.retrying == 2
        assert not listener.was_connected_to()
        _db.session.rollback()
        errors = _db.session.execute(_db.select(WebhookAttempt.error)).scalars().all()
        assert errors == [webhooks.NOT_ALLOWED, webhooks.NOT_ALLOWED]
        entries = api.webhook_deliveries()["items"]
        assert [e["attempts"][0]["error"] for e in entries] == ["the endpoint's address is not allowed"] * 2
    finally:
        listener.close()


@pytest.mark.parametrize("address", ["127.0.0.1", "::ffff:127.0.0.1", "10.0.0.1", "2002:7f00:1::", "169.254.169.254"])
def test_the_session_never_connects_to_a_refused_address(db, address):
    listener = Listener()
    try:
        session = webhooks.delivery_session(resolver=local_table({"hooks.insurer.test": address}))
        with pytest.raises(webhooks.BlockedAddress) as exc:
            session.post(f"https://hooks.insurer.test:{listener.port}/hook", data=b"{}", timeout=5)
        assert str(exc.value) == webhooks.NOT_ALLOWED
        assert not listener.was_connected_to()
    finally:
        listener.close()


def test_a_name_with_one_refused_address_among_public_ones_is_refused(db):
    listener = Listener()
    try:
        session = webhooks.delivery_session(resolver=lambda host, port: ["93.184.216.34", "127.0.0.1"])
        with pytest.raises(webhooks.BlockedAddress):
            session.post(f"http://hooks.insurer.test:{listener.port}/hook", data=b"{}", timeout=5)
        assert not listener.was_connected_to()
    finally:
        listener.close()


def test_the_connection_is_pinned_to_the_checked_address_and_keeps_the_host_name(live_app, receiver):
    """The socket goes to the address the resolver gave (and was checked); the Host header keeps the name."""
    port = receiver.server.server_port
    with live_app.app_context():
        session = webhooks.delivery_session(resolver=local_table({"hooks.insurer.test": "127.0.0.1"}))
        answer = session.post(f"http://hooks.insurer.test:{port}/hook", data=b"{}", timeout=5)
    assert answer.status_code == 200
    path, headers, _ = receiver.received[0]
    assert path == "/hook" and headers["Host"] == f"hooks.insurer.test:{port}"


def test_https_is_pinned_while_sni_and_certificate_checks_stay_with_the_name(live_app, tmp_path):
    """A TLS receiver on 127.0.0.1 with a certificate for hooks.insurer.test: reached by the name, verified."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", "/CN=hooks.insurer.test",
                    "-addext", "subjectAltName=DNS:hooks.insurer.test"], check=True, capture_output=True)
    receiver = Receiver()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server_names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
    port = receiver.server.server_port
    table = local_table({"hooks.insurer.test": "127.0.0.1", "other.insurer.test": "127.0.0.1"})
    try:
        with live_app.app_context():
            session = webhooks.delivery_session(resolver=table)
            answer = session.post(f"https://hooks.insurer.test:{port}/hook", data=b"{}", timeout=5, verify=str(cert))
            assert answer.status_code == 200
            assert server_names == ["hooks.insurer.test"]
            assert receiver.received[0][1]["Host"] == f"hooks.insurer.test:{port}"
            # The same address under a name the certificate does not carry: verification fails.
            with pytest.raises(requests.exceptions.SSLError):
                session.post(f"https://other.insurer.test:{port}/hook", data=b"{}", timeout=5, verify=str(cert))
    finally:
        receiver.close()


def test_removing_an_endpoint_drops_its_pending_events(api, live_app, receiver):
    endpoint = api.register_webhook(receiver.url)
    api.report_policy(policy_body())
    api.cancel_policy("HX-2026-000123", "2026-06-01")
    api.delete_webhook(endpoint["id"])
    assert deliver(live_app).attempted == 0
    assert receiver.received == []
    entry = api.webhook_deliveries()["items"][0]
    assert entry["status"] == "failed"


def test_cli_delivers_once(api, live_app, receiver):
    api.register_webhook(receiver.url)
    api.report_policy(policy_body())
    api.cancel_policy("HX-2026-000123", "2026-06-01")
    _db.session.rollback()
    with live_app.app_context():  # the command runs in the current app: here, the live one
        result = live_app.test_cli_runner().invoke(args=["webhooks", "deliver"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "Webhooks: 1 delivered, 0 to retry, 0 failed"
    assert len(receiver.received) == 1
    assert count(WebhookEvent) == 1


def test_backoff_is_exponential_and_capped(app, db):
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert webhooks.backoff(30) == timedelta(hours=6)


def test_signature_is_hmac_sha256_over_timestamp_and_body():
    import hashlib
    import hmac

    header = webhooks.sign("whsec_abc", 1700000000, b'{"a":1}')
    expected = hmac.new(b"whsec_abc", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert webhooks.verify_signature("whsec_abc", header, b'{"a":1}', now=1700000100)
    assert not webhooks.verify_signature("whsec_abc", header, b'{"a":1}', now=1700000000 + 301)
    assert not webhooks.verify_signature("whsec_abc", "garbage", b'{"a":1}')


def test_cli_loop_keeps_delivering_until_stopped(db, database_url, insurer, receiver):
    """`webhooks deliver --loop` as its own process: it picks up events that arrive while it runs."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "loop-test",
           "ACCELERATOR_CLOCK": clock.now().isoformat()}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "webhooks", "deliver", "--loop", "--interval", "0.2"]
    worker = subprocess.Popen(flask, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(1.0)
        endpoint = WebhookEndpoint(insurer_id=insurer.id, url=receiver.url, secret="whsec_x", active=True)
        _db.session.add(endpoint)
        _db.session.flush()
        webhooks.emit(insurer.id, "policy.cancelled", {"policy": {"policy_number": "HX-1"}})
        _db.session.commit()
        deadline = time.monotonic() + 20
        while count(WebhookAttempt) == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        # That process has no WEBHOOK_ALLOW_LOOPBACK: it tried, and refused plain http on loopback.
        assert count(WebhookAttempt) == 1
        assert receiver.received == []
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    assert worker.returncode == 0, output
    assert output.strip().splitlines()[-1] == "Webhooks: 0 delivered, 1 to retry, 0 failed"

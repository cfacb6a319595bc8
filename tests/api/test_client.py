"""accelerator.client against real HTTP servers: retries on 429/503 with Retry-After, errors, encoding."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accelerator.client import AcceleratorClient, ApiError


class Scripted:
    """A real HTTP server on a loopback port answering a scripted list of (status, headers, body)."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.seen: list[tuple[str, str, dict]] = []
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length", 0))
                self.rfile.read(length)
                scripted.seen.append((self.command, self.path, dict(self.headers)))
                status, headers, body = scripted.answers.pop(0)
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


BUSY = {"error": {"code": "rate_limited", "message": "slow down"}}


def test_retries_429_and_503_honouring_retry_after_and_keeps_the_idempotency_key():
    server = Scripted([(429, {"Retry-After": "1"}, BUSY), (503, {"Retry-After": "0"}, BUSY),
                       (201, {}, {"policy_number": "HX-1"})])
    try:
        client = AcceleratorClient(server.url, "acc_key")
        started = time.monotonic()
        assert client.report_policy({"policy_number": "HX-1"}) == {"policy_number": "HX-1"}
        assert time.monotonic() - started >= 1.0
        assert client.last_status == 201
        keys = {headers["Idempotency-Key"] for _, _, headers in server.seen}
        assert len(server.seen) == 3 and len(keys) == 1  # the retried write is the same request
        assert server.seen[0][2]["Authorization"] == "Bearer acc_key"
    finally:
        server.close()


def test_gives_up_after_max_retries_and_raises_the_contract_error():
    server = Scripted([(429, {"Retry-After": "0"}, BUSY)] * 3)
    try:
        with pytest.raises(ApiError) as exc:
            AcceleratorClient(server.url, max_retries=2).list_policies()
        assert exc.value.status == 429 and exc.value.code == "rate_limited" and exc.value.message == "slow down"
        assert exc.value.headers["Retry-After"] == "0"
        assert len(server.seen) == 3
    finally:
        server.close()


def test_does_not_wait_longer_than_allowed():
    server = Scripted([(503, {"Retry-After": "3600"}, BUSY)])
    try:
        with pytest.raises(ApiError) as exc:
            AcceleratorClient(server.url, max_retry_wait=5).health()
        assert exc.value.status == 503 and len(server.seen) == 1
    finally:
        server.close()


def test_path_values_are_encoded_so_they_cannot_reach_another_path():
    server = Scripted([(404, {}, {"error": {"code": "not_found", "message": "no"}})])
    try:
        with pytest.raises(ApiError) as exc:
            AcceleratorClient(server.url).get_policy("../webhooks")
        assert exc.value.status == 404
        assert server.seen[0][1] == "/api/v1/policies/..%2Fwebhooks"
    finally:
        server.close()


def test_field_errors_come_through(api):
    with pytest.raises(ApiError) as exc:
        api.report_policy({"policy_number": "HX-1"})
    assert exc.value.status == 400 and "seller_id" in exc.value.fields
    assert exc.value.body["error"]["fields"] == exc.value.fields

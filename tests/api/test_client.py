"""accelerator.client against real HTTP servers: retries on 429/503 with Retry-After, errors, encoding, and the
answers of the live server typed by their declarations."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accelerator.client import AcceleratorClient, ApiError
from accelerator.shapes.claim_cases import ClaimCase, ClaimCasePage, OpenCase
from accelerator.shapes.policies import Claim, ClaimPage, ClaimReport, Policy, PolicyPage, PolicyReport
from accelerator.shapes.webhooks import NewWebhookEndpoint, WebhookDeliveryPage, WebhookEndpointPage
from tests import factories
from tests.api.conftest import policy_body


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


# --- typed answers: each resource's real answers read through its declaration (accelerator/shapes) -----------


def _round_trip(answer, model):
    """The answer read through its declaration, which writes it back exactly as it came."""
    parsed = answer.parsed()
    assert isinstance(parsed, model)
    assert parsed.model_dump(mode="json", by_alias=True) == answer
    return parsed


@pytest.fixture()
def market(live_server, marketplace_key):
    """The client, as the marketplace."""
    with AcceleratorClient(live_server.url, marketplace_key, timeout=30) as client:
        yield client


def test_policy_and_claim_answers_are_typed_by_their_declarations(api, market, insurer):
    reported = _round_trip(api.report_policy(PolicyReport.model_validate(policy_body(premium="1200.5"))), Policy)
    assert api.last_status == 201
    assert (reported.seller_id, reported.effective_date, reported.per_occurrence_limit) == (
        "A1B2C3D4E5", date(2026, 1, 1), Decimal("1000000.00"))
    assert reported.insurer.id == insurer.id and reported.insurer.name == "Harbor Mutual"
    claim = _round_trip(market.record_claim(ClaimReport.model_validate(
        {"claim_id": "clm-typed", "seller_id": "a1b2c3d4e5", "policy_number": "HX-2026-000123",
         "incident_date": "2026-03-01", "amount_paid": "2500"})), Claim)
    assert (claim.amount_paid, claim.aggregate_remaining) == (Decimal("2500.00"), Decimal("1997500.00"))
    assert _round_trip(api.get_policy("HX-2026-000123"), Policy).aggregate_remaining == Decimal("1997500.00")
    cancelled = _round_trip(api.cancel_policy("HX-2026-000123", "2026-09-01"), Policy)
    assert cancelled.cancellation_date == date(2026, 9, 1)
    page = _round_trip(api.list_policies(seller_id="a1b2c3d4e5"), PolicyPage)
    assert (page.total, page.items) == (1, [cancelled])
    claims = _round_trip(api.policy_claims("HX-2026-000123"), ClaimPage)
    assert (claims.total, claims.items) == (1, [claim])


def test_claim_case_answers_are_typed_by_their_declaration(api, market, insurer):
    factories.make_seller(seller_id="TYPED00001")
    factories.make_policy(seller_id="TYPED00001", insurer=insurer, policy_number="TY-1")
    opened = _round_trip(market.open_claim_case(OpenCase.model_validate(
        {"case_id": "AZ-TYPED-1", "seller_id": "typed00001", "kind": "property_damage",
         "incident_date": "2026-06-01", "amount_claimed": "2500.00", "description": "Scorched carpet."})), ClaimCase)
    assert market.last_status == 201
    assert (opened.route, opened.state, opened.insurer_id) == ("insurer", "awaiting_insurer", insurer.id)
    assert opened.respond_by is not None and opened.respond_by.tzinfo is not None
    assert opened.check["policy"]["policy_number"] == "TY-1"
    accepted = _round_trip(api.accept_claim_case("AZ-TYPED-1"), ClaimCase)
    assert accepted.state == "accepted" and [h.event for h in accepted.history] == ["opened", "accepted"]
    paid = _round_trip(api.pay_claim_case("AZ-TYPED-1", "insurer", "2500.00"), ClaimCase)
    assert paid.payment is not None and paid.payment.amount == Decimal("2500.00")
    assert _round_trip(api.get_claim_case("AZ-TYPED-1"), ClaimCase) == paid
    page = _round_trip(api.list_claim_cases(seller_id="typed00001"), ClaimCasePage)
    assert (page.total, page.items) == (1, [paid])


def test_webhook_answers_are_typed_by_their_declarations(api, insurer):
    endpoint = _round_trip(api.register_webhook("http://127.0.0.1:9/hooks"), NewWebhookEndpoint)
    assert endpoint.secret.startswith("whsec_") and endpoint.created_at.tzinfo is not None
    listed = _round_trip(api.list_webhooks(), WebhookEndpointPage)
    assert [(e.id, e.url, e.active) for e in listed.items] == [(endpoint.id, "http://127.0.0.1:9/hooks", True)]
    api.report_policy(policy_body())
    api.cancel_policy("HX-2026-000123", "2026-09-01")  # emits policy.cancelled to the insurer's endpoint
    deliveries = _round_trip(api.webhook_deliveries(status="pending"), WebhookDeliveryPage)
    assert [(d.type, d.endpoint_id, d.status, d.attempts) for d in deliveries.items] == [
        ("policy.cancelled", endpoint.id, "pending", [])]
    assert deliveries.items[0].next_attempt_at is not None and deliveries.items[0].delivered_at is None

"""GET /metrics: a 404 like any unknown address without METRICS_TOKEN's bearer; with it, Prometheus' text:
requests by route and status, latency, coverage checks by status and route, claim cases by state, the
outboxes' backlog, login failures and lockouts (one process here; tests/api/test_metrics_workers.py: gunicorn)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from accelerator import clock
from accelerator.models import ApiKey
from tests import factories
from tests.conftest import post_form
from tests.integration.test_claim_cases_service import opened

TOKEN = "metrics-token-for-the-tests-0123456789"
FAST = "/api/v1/coverage?seller_id=METR000001&incident_date=2026-06-01&amount=2500.00"


@pytest.fixture()
def token(app, monkeypatch):
    """METRICS_TOKEN set for the test."""
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    return TOKEN


def scrape(client) -> dict[tuple[str, frozenset], float]:
    """The samples of one scrape: (name, labels) -> value."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True)) for s in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    """One sample's value (0 when absent: a counter not yet counted)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def _page_without_id(response) -> str:
    html = response.get_data(as_text=True)
    return html.replace(response.headers["X-Request-Id"], "")


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"])
def test_without_the_token_it_is_a_404_like_any_unknown_address(client, token, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    unknown = client.get("/no-such-address", headers=headers)
    assert response.status_code == 404 == unknown.status_code
    assert _page_without_id(response) == _page_without_id(unknown)
    assert "accelerator_" not in response.get_data(as_text=True)


def test_without_metrics_token_set_even_an_empty_bearer_is_a_404(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer None"}).status_code == 404


def test_requests_checks_and_latency_are_counted(client, db, token):
    raw = factories.make_api_key("marketplace")
    db.session.execute(update(ApiKey).where(ApiKey.prefix == raw[:12]).values(last_used_at=clock.now()))
    db.session.commit()
    factories.make_policy(seller_id=factories.make_seller(seller_id="METR000001").seller_id,
                          excluded_categories=["toys"])
    before = scrape(client)
    headers = {"Authorization": f"Bearer {raw}"}
    for _ in range(3):
        client.get(FAST, headers=headers).close()  # the fast path
    client.get(FAST + "&category=toys", headers=headers).close()
    client.get("/api/v1/coverage/checks/chk_none", headers=headers).close()  # through Flask
    client.get("/no/such/page").close()
    after = scrape(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("accelerator_http_requests_total", method="GET", route="/api/v1/coverage", status="200") == 4
    assert grew("accelerator_http_requests_total", method="GET", route="/api/v1/coverage/checks/<check_id>",
                status="404") == 1
    assert grew("accelerator_http_requests_total", method="GET", route="<unmatched>", status="404") == 1
    assert grew("accelerator_http_request_duration_seconds_count", method="GET", route="/api/v1/coverage") == 4
    assert grew("accelerator_http_request_duration_seconds_bucket", method="GET", route="/api/v1/coverage",
                le="+Inf") == 4
    assert grew("accelerator_http_request_duration_seconds_sum", method="GET", route="/api/v1/coverage") > 0
    assert grew("accelerator_coverage_checks_total", status="covered", route="insurer") == 3
    assert grew("accelerator_coverage_checks_total", status="not_covered", route="seller") == 1


def test_a_batch_is_counted_check_by_check(client, db, token):
    raw = factories.make_api_key("marketplace")
    factories.make_policy(seller_id=factories.make_seller(seller_id="METR000002").seller_id)
    before = scrape(client)
    items = [{"seller_id": "METR000002", "incident_date": "2026-06-01", "amount": "100.00"}] * 5
    answer = client.post("/api/v1/coverage/batch", json={"checks": items}, headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    after = scrape(client)
    counted = sum(value(after, n, **dict(k)) - value(before, n, **dict(k))
                  for (n, k) in after if n == "accelerator_coverage_checks_total")
    assert counted == 5


def test_claim_cases_and_outboxes_are_read_from_the_database_at_scrape_time(client, db, token):
    empty = scrape(client)
    assert value(empty, "accelerator_outbox_pending", outbox="email") == 0
    assert value(empty, "accelerator_outbox_oldest_pending_age_seconds", outbox="webhook") == 0
    assert sum(v for (n, _), v in empty.items() if n == "accelerator_claim_cases") == 0
    case = opened("MC-1")
    factories.make_email_message(created_at=clock.now() - timedelta(minutes=20))
    factories.make_email_message(created_at=clock.now() - timedelta(minutes=2))
    factories.make_email_message(status="sent", created_at=clock.now() - timedelta(days=3))
    samples = scrape(client)
    assert value(samples, "accelerator_claim_cases", state=case.case.state) == 1
    assert sum(v for (n, _), v in samples.items() if n == "accelerator_claim_cases") == 1
    assert ("accelerator_claim_cases", frozenset({("state", "paid")})) in samples  # every state, 0 when none
    assert value(samples, "accelerator_outbox_pending", outbox="email") == 2
    assert 20 * 60 <= value(samples, "accelerator_outbox_oldest_pending_age_seconds", outbox="email") < 25 * 60
    assert value(samples, "accelerator_outbox_pending", outbox="webhook") == 0


def test_login_failures_and_lockouts_are_counted(client, db, token, app):
    factories.make_seller_user(email="locked@shop.example")
    limit = app.config["LOGIN_MAX_FAILURES"]
    before = scrape(client)
    for _ in range(limit):
        post_form(client, "/login", {"email": "locked@shop.example", "password": "not the password"}).close()
    after = scrape(client)
    assert value(after, "accelerator_login_failures_total") - value(before, "accelerator_login_failures_total") \
        == limit
    assert value(after, "accelerator_login_lockouts_total") - value(before, "accelerator_login_lockouts_total") == 1


"""Metrics counted across several real gunicorn workers (prometheus_client's multiprocess mode, set up by
gunicorn.conf.py): N requests spread over the workers, and any worker's /metrics says N."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from accelerator import clock
from accelerator.models import ApiKey
from tests import factories
from tests.servers import free_port, output, server_env, start_gunicorn, stop, wait_healthy

TOKEN = "workers-metrics-token-0123456789"
N = 90


@pytest.fixture()
def server(database_url, tmp_path, db):
    """gunicorn with three sync workers, JSON logs and a metrics token, its multiprocess folder in tmp_path."""
    port = free_port()
    env = server_env(database_url, METRICS_TOKEN=TOKEN, LOG_FORMAT="json",
                     PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
    process = start_gunicorn(port, env, "--workers", "3", "--log-level", "warning")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        _wait_for_workers(url, process, 3)
        yield url, process
    finally:
        stop(process)


def _wait_for_workers(url: str, process, workers: int, seconds: float = 90) -> None:
    """Wait until every worker has booted and answered (their log lines name their pids): on a loaded
    machine the first worker answers long before the last has imported the app."""
    deadline = time.monotonic() + seconds
    pids: set[int] = set()
    while time.monotonic() < deadline:
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(lambda _: requests.get(url + "/healthz", timeout=30).close(), range(12)))
        pids = {json.loads(line)["pid"] for line in output(process).splitlines()
                if line.startswith("{") and '"route":"/healthz"' in line}
        if len(pids) >= workers:
            return
        time.sleep(0.5)
    raise AssertionError(f"only workers {pids} answered")


def _samples(url: str) -> dict[tuple[str, frozenset], float]:
    with requests.get(url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as answer:
        assert answer.status_code == 200
        return {(s.name, frozenset(s.labels.items())): s.value
                for family in text_string_to_metric_families(answer.text) for s in family.samples}


def test_requests_spread_over_the_workers_are_all_counted(server, db):
    url, process = server
    raw = factories.make_api_key("marketplace")
    db.session.execute(update(ApiKey).where(ApiKey.prefix == raw[:12]).values(last_used_at=clock.now()))
    db.session.commit()
    factories.make_policy(seller_id=factories.make_seller(seller_id="WORK000001").seller_id)
    params = {"seller_id": "WORK000001", "incident_date": "2026-06-01", "amount": "2500.00"}

    def check(n: int) -> int:
        # A connection of its own each time, so the workers take turns accepting them.
        with requests.get(url + "/api/v1/coverage", params=params, timeout=60,
                          headers={"Authorization": f"Bearer {raw}", "X-Request-Id": f"worker-test-{n}"}) as answer:
            return answer.status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        assert list(pool.map(check, range(N))) == [200] * N

    route = frozenset({("method", "GET"), ("route", "/api/v1/coverage"), ("status", "200")})
    # Each worker writes its counts every REQUEST_RECORDS_INTERVAL (0.1 s): give the last batch its time.
    deadline = time.monotonic() + 10
    while _samples(url).get(("accelerator_http_requests_total", route)) != N and time.monotonic() < deadline:
        time.sleep(0.1)
    for _ in range(6):  # whichever worker answers the scrape, it adds up every worker's files
        samples = _samples(url)
        assert samples[("accelerator_http_requests_total", route)] == N
        assert samples[("accelerator_coverage_checks_total",
                        frozenset({("status", "covered"), ("route", "insurer")}))] == N
        assert samples[("accelerator_http_request_duration_seconds_count",
                        frozenset({("method", "GET"), ("route", "/api/v1/coverage")}))] == N

    for headers in ({}, {"Authorization": "Bearer not-the-token"}):
        with requests.get(url + "/metrics", headers=headers, timeout=30) as refused:
            assert refused.status_code == 404 and "accelerator_" not in refused.text

    stop(process)
    lines = [json.loads(line) for line in output(process).splitlines() if line.startswith("{")]
    checks = [line for line in lines if line.get("route") == "/api/v1/coverage"]
    assert sorted(line["request_id"] for line in checks) == sorted(f"worker-test-{n}" for n in range(N))
    assert all(line["api_key_prefix"] == raw[:12] and line["status"] == 200 for line in checks)
    assert len({line["pid"] for line in checks}) >= 2, "the requests were served by more than one worker"
    assert raw not in output(process)


def test_a_graceful_stop_writes_the_lines_a_worker_still_holds(database_url, tmp_path, db):
    """With lines held for an hour, none is written while serving, and every one when gunicorn stops."""
    port = free_port()
    env = server_env(database_url, LOG_FORMAT="json", REQUEST_RECORDS_INTERVAL="3600",
                     PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
    process = start_gunicorn(port, env, "--workers", "2", "--log-level", "warning")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(pool.map(lambda n: _healthz(url, f"held-{n}"), range(20)))
        assert statuses == [200] * 20
        assert "held-" not in output(process)  # held by the workers, not written one by one
    finally:
        stop(process)
    written = [json.loads(line) for line in output(process).splitlines() if line.startswith("{")]
    held = sorted(line["request_id"] for line in written if line["request_id"].startswith("held-"))
    assert held == sorted(f"held-{n}" for n in range(20))


def _healthz(url: str, request_id: str) -> int:
    with requests.get(url + "/healthz", headers={"X-Request-Id": request_id}, timeout=30) as answer:
        return answer.status_code

"""Several gunicorn worker processes writing at once: every write lands, none fails as "locked"."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from accelerator.models import CoverageCheck, Policy
from tests.api.conftest import count, policy_body
from tests.servers import free_port, server_env, start_gunicorn, stop, wait_healthy


@pytest.fixture()
def gunicorn_server(database_url, tmp_path, db):
    """gunicorn with three worker processes on the test database, as the README runs it."""
    port = free_port()
    process = start_gunicorn(port, server_env(database_url), "--workers", "3", "--threads", "4",
                             "--log-level", "warning")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        stop(process)


def test_concurrent_writes_through_three_workers_all_succeed(gunicorn_server, insurer_key, marketplace_key):
    def report(n: int) -> int:
        body = policy_body(policy_number=f"GW-{n:04d}", seller_id=f"GUNISELLER{n % 7}")
        return requests.post(gunicorn_server + "/api/v1/policies", json=body, timeout=60,
                             headers={"Authorization": f"Bearer {insurer_key}"}).status_code

    def check(n: int) -> int:
        params = {"seller_id": f"GUNISELLER{n % 7}", "incident_date": "2026-06-01", "amount": "2500.00"}
        return requests.get(gunicorn_server + "/api/v1/coverage", params=params, timeout=60,
                            headers={"Authorization": f"Bearer {marketplace_key}"}).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        reports = list(pool.map(report, range(120)))
        checks = list(pool.map(check, range(120)))
    assert reports == [201] * 120
    assert checks == [200] * 120
    assert count(Policy) == 120
    assert count(CoverageCheck) == 120

"""Several gunicorn worker processes writing at once: every write lands, none fails as "locked"."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from accelerator import clock
from accelerator.models import CoverageCheck, Policy
from tests.api.conftest import count, policy_body

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def gunicorn_server(database_url, tmp_path, db):
    """gunicorn with three worker processes on the test database, as the README runs it."""
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="gunicorn-test-secret",
               PYTHONPATH=str(ROOT), ACCELERATOR_CLOCK=clock.now().isoformat())
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "3",
         "--threads", "4", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise AssertionError("gunicorn did not start: " + process.stdout.read1().decode())
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        process.stdout.close()


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

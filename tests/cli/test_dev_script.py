"""The README's first command, `bash scripts/dev.sh`, as a newcomer runs it: schema, demo data, a site."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from accelerator import clock
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def _run_dev(tmp_path, port: int) -> tuple[subprocess.Popen, list[str]]:
    """Start scripts/dev.sh on a database of its own; return it and its output up to 'Serving on'."""
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "TEST_DATABASE_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite3'}", PORT=str(port), SECRET_KEY="dev-script-test",
               ACCELERATOR_CLOCK=clock.now().isoformat())
    process = subprocess.Popen(["bash", "scripts/dev.sh"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    deadline = time.monotonic() + 240
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Serving on") or time.monotonic() > deadline:
            break
    return process, lines


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    process.stdout.close()


def _wait_for(url: str) -> requests.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            return requests.get(url, timeout=10)
        except (requests.ConnectionError, requests.Timeout):  # the workers are still starting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_dev_script_loads_the_demo_and_serves_it_where_it_says(tmp_path):
    port = free_port()
    process, lines = _run_dev(tmp_path, port)
    try:
        output = "\n".join(lines)
        assert f"Log in at http://127.0.0.1:{port}/login" in output, output
        assert "Marketplace API key (shown once): acc_" in output, output
        assert lines[-1] == f"Serving on http://127.0.0.1:{port} (Ctrl+C stops it)", output
        assert _wait_for(f"http://127.0.0.1:{port}/login").status_code == 200
        # The README's coverage check, with the key the script printed, answers `covered`.
        key = output.split("Marketplace API key (shown once): ", 1)[1].split()[0]
        answer = requests.get(f"http://127.0.0.1:{port}/api/v1/coverage", timeout=30,
                              headers={"Authorization": f"Bearer {key}"},
                              params={"seller_id": "A1TOYOAK7Q", "incident_date": clock.today().isoformat(),
                                      "amount": "2500.00", "category": "toys"}).json()
        assert (answer["status"], answer["route"]) == ("covered", "insurer"), answer
    finally:
        _stop(process)

    again, lines = _run_dev(tmp_path, port)  # the second run adds nothing and says how to get a key
    try:
        output = "\n".join(lines)
        assert "Demo data was already there; nothing added." in output, output
        assert "api-keys create --role marketplace" in output, output
    finally:
        _stop(again)

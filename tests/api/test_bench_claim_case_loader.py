"""The benchmark's bulk loader of claim cases (bench/generate_claim_cases.py) writes cases the API reads back whole."""

from __future__ import annotations

import subprocess
import sys

import requests

from accelerator.models import ClaimCaseEvent
from tests.api.conftest import count
from tests.servers import ROOT, server_env

CASES = 50


def _load(database_url: str, out) -> str:
    """The data generator's policies and marketplace key, then CASES claim cases; the key."""
    env = server_env(database_url, ACCELERATOR_ENV="development")
    for script, size in (("generate_data.py", "--policies=300"), ("generate_claim_cases.py", f"--cases={CASES}")):
        subprocess.run([sys.executable, str(ROOT / "bench" / script), size, "--out", str(out)], cwd=ROOT, env=env,
                       check=True, capture_output=True, timeout=120)
    return (out / "marketplace.key").read_text().strip()


def test_loaded_cases_read_back_through_the_api_with_their_history_and_checks(live_server, database_url, tmp_path):
    key = _load(database_url, tmp_path)
    auth = {"Authorization": f"Bearer {key}"}
    with requests.get(f"{live_server.url}/api/v1/claim-cases?per_page=100", headers=auth, timeout=30) as answer:
        assert answer.status_code == 200, answer.text
        page = answer.json()
    cases = page["items"]
    assert page["total"] == CASES and len(cases) == CASES
    assert [c["opened_at"] for c in cases] == sorted((c["opened_at"] for c in cases), reverse=True)
    assert sum(len(c["history"]) for c in cases) == count(ClaimCaseEvent)
    states = {c["state"] for c in cases}
    assert "paid" in states and len(states) >= 2, states  # lives of several kinds, most of them ended
    for case in cases:
        history = case["history"]
        assert history[0]["event"] == "opened" and history[0]["at"] == case["opened_at"]
        assert [h["at"] for h in history] == sorted(h["at"] for h in history)
        assert case["route"] == case["check"]["route"]
        assert (case["payment"] is not None) == (case["state"] == "paid" or any(h["event"] == "paid" for h in history))
        if case["state"] in ("awaiting_insurer", "awaiting_seller", "accepted"):
            assert case["respond_by"] > case["opened_at"]
    sample = cases[0]
    with requests.get(f"{live_server.url}/api/v1/claim-cases/{sample['case_id']}", headers=auth, timeout=30) as one:
        assert one.status_code == 200 and one.json() == sample
    with requests.get(f"{live_server.url}/api/v1/coverage/checks/{sample['check']['check_id']}", headers=auth,
                      timeout=30) as check:
        assert check.status_code == 200 and check.json() == sample["check"]

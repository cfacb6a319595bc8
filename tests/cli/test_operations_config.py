"""LOG_FORMAT and METRICS_TOKEN as read from the environment (docs/operations.md), and the timeouts of gunicorn,
nginx and systemd against the certificate reader's limit."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import requests

from accelerator import client
from accelerator.config import ConfigError, load_config
from accelerator.services import certificate_reading, upload_reading

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def clean_env(monkeypatch):
    """No LOG_FORMAT or METRICS_TOKEN from the shell that runs the tests."""
    for name in ("LOG_FORMAT", "METRICS_TOKEN", "SECRET_KEY", "ACCELERATOR_ENV", "ACCELERATOR_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_logs_are_text_by_default_and_json_on_request(clean_env, tmp_path):
    assert load_config(str(tmp_path))["LOG_FORMAT"] == "text"
    clean_env.setenv("LOG_FORMAT", " JSON ")
    assert load_config(str(tmp_path))["LOG_FORMAT"] == "json"


def test_an_unknown_log_format_is_refused(clean_env, tmp_path):
    clean_env.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="LOG_FORMAT='xml' must be text or json"):
        load_config(str(tmp_path))


def test_a_blank_metrics_token_is_no_token(clean_env, tmp_path):
    assert load_config(str(tmp_path))["METRICS_TOKEN"] is None
    clean_env.setenv("METRICS_TOKEN", "   ")
    assert load_config(str(tmp_path))["METRICS_TOKEN"] is None
    clean_env.setenv("METRICS_TOKEN", " s3cret-token ")
    assert load_config(str(tmp_path))["METRICS_TOKEN"] == "s3cret-token"


def _gunicorn_setting(name: str) -> float:
    """A number gunicorn.conf.py assigns (read, not run: running it would make a metrics folder)."""
    tree = ast.parse((ROOT / "gunicorn.conf.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [name]:
            return float(ast.literal_eval(node.value))
    raise AssertionError(f"gunicorn.conf.py does not set {name}")


def _seconds(text: str, pattern: str) -> float:
    """The seconds a deploy file's setting gives (`proxy_read_timeout 70s;`, `TimeoutStopSec=50`)."""
    found = re.search(pattern, text, re.MULTILINE)
    assert found, pattern
    return float(found.group(1))


def test_a_certificate_read_ends_before_the_worker_timeout_and_nginx_waits_for_gunicorn():
    timeout = _gunicorn_setting("timeout")
    # The read's own limit, on the site and in the API, and time for the rest of the request besides.
    assert upload_reading.SITE_TIME_LIMIT < certificate_reading.TIME_LIMIT <= timeout - 20
    nginx = (ROOT / "deploy" / "nginx" / "accelerator.conf").read_text()
    assert _seconds(nginx, r"^\s*proxy_read_timeout (\d+)s;") > timeout  # gunicorn, not nginx, ends a stuck request
    assert _seconds(nginx, r"^\s*proxy_send_timeout (\d+)s;") > timeout
    graceful = _gunicorn_setting("graceful_timeout")
    assert graceful > certificate_reading.TIME_LIMIT  # a reload lets a read in progress finish
    unit = (ROOT / "deploy" / "systemd" / "accelerator.service").read_text()
    assert _seconds(unit, r"^TimeoutStopSec=(\d+)$") > graceful
    assert client.CERTIFICATE_TIMEOUT > timeout  # the API's client waits for gunicorn's answer


class _RecordingSession(requests.Session):
    """A requests session that answers every request with an empty 200 and keeps each call's timeout."""

    def __init__(self):
        super().__init__()
        self.timeouts: list[float] = []

    def request(self, method, url, **kwargs):
        self.timeouts.append(kwargs["timeout"])
        answer = requests.Response()
        answer.status_code, answer._content = 200, b"{}"
        return answer


def test_the_clients_certificate_calls_wait_for_a_slow_read_and_its_other_calls_keep_its_timeout():
    session = _RecordingSession()
    api = client.AcceleratorClient("http://127.0.0.1:9", "key", timeout=10, session=session)
    api.read_certificate(b"%PDF-1.4")
    api.store_certificate("A1B2C3D4E5", b"%PDF-1.4")
    api.categories()
    assert session.timeouts == [client.CERTIFICATE_TIMEOUT, client.CERTIFICATE_TIMEOUT, 10]

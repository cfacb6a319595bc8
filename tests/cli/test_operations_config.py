"""LOG_FORMAT and METRICS_TOKEN as read from the environment (docs/operations.md)."""

from __future__ import annotations

import pytest

from accelerator.config import ConfigError, load_config


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

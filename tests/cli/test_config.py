"""Settings that guard the accounts and sessions: the password hash and the secret key."""

from __future__ import annotations

import stat

import pytest
from werkzeug.security import check_password_hash

from accelerator import create_app
from accelerator.config import ConfigError, load_config
from accelerator.services import accounts


@pytest.fixture()
def clean_env(monkeypatch):
    """No setting from the shell that runs the tests leaks into these."""
    for name in ("PASSWORD_HASH_METHOD", "SECRET_KEY", "ACCELERATOR_ENV", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_default_password_hash_is_pbkdf2_sha256_with_at_least_600000_rounds(clean_env, tmp_path):
    method = load_config(str(tmp_path))["PASSWORD_HASH_METHOD"]

    name, digest, rounds = method.split(":")
    assert (name, digest) == ("pbkdf2", "sha256")
    assert int(rounds) >= 600_000


def test_a_real_hash_with_the_default_method_verifies(clean_env, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.sqlite3'}"})
    with app.app_context():
        hashed = accounts.hash_password("correct horse battery")

    assert hashed.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    assert app.config["PASSWORD_HASH_METHOD"].startswith("pbkdf2:sha256:")
    assert check_password_hash(hashed, "correct horse battery")
    assert not check_password_hash(hashed, "correct horse battery!")


def test_production_refuses_to_start_without_a_secret_key(clean_env, tmp_path):
    clean_env.setenv("ACCELERATOR_ENV", "production")

    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        load_config(str(tmp_path))
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        create_app()
    assert not (tmp_path / "secret_key").exists()


def test_production_uses_the_secret_key_it_is_given(clean_env, tmp_path):
    clean_env.setenv("ACCELERATOR_ENV", "production")
    clean_env.setenv("SECRET_KEY", "k" * 64)

    config = load_config(str(tmp_path))

    assert config["SECRET_KEY"] == "k" * 64
    assert config["ENV_NAME"] == "production" and config["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "secret_key").exists()


def test_development_writes_a_generated_key_to_the_instance_folder_and_reuses_it(clean_env, tmp_path):
    instance = tmp_path / "instance"

    first = load_config(str(instance))["SECRET_KEY"]
    second = load_config(str(instance))["SECRET_KEY"]

    path = instance / "secret_key"
    assert path.read_text().strip() == first == second
    assert len(first) >= 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_config(str(tmp_path / "another"))["SECRET_KEY"] != first

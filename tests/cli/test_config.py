"""Settings that guard the accounts, sessions and data: the password hash, the secret key, SQLite's syncing."""

from __future__ import annotations

import stat
from datetime import UTC, datetime

import pytest
from werkzeug.security import check_password_hash

from accelerator import clock, create_app
from accelerator.config import ConfigError, load_config
from accelerator.services import accounts


@pytest.fixture()
def clean_env(monkeypatch):
    """No setting from the shell that runs the tests leaks into these."""
    for name in ("PASSWORD_HASH_METHOD", "SECRET_KEY", "ACCELERATOR_ENV", "DATABASE_URL", "SQLITE_SYNCHRONOUS",
                 "ACCELERATOR_CLOCK"):
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


def _synchronous_of(app) -> int:
    from accelerator.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA synchronous").scalar_one()


def test_sqlite_syncs_normal_by_default_and_full_on_request(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'normal.sqlite3'}")
    assert _synchronous_of(create_app()) == 1  # NORMAL
    clean_env.setenv("SQLITE_SYNCHRONOUS", "full")
    clean_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'full.sqlite3'}")
    assert _synchronous_of(create_app()) == 2  # FULL


def test_an_unknown_synchronous_mode_is_refused(clean_env, tmp_path):
    clean_env.setenv("SQLITE_SYNCHRONOUS", "OFF")
    with pytest.raises(ConfigError, match="SQLITE_SYNCHRONOUS='OFF' must be FULL or NORMAL"):
        load_config(str(tmp_path))


def test_accelerator_clock_pins_a_test_servers_clock(clean_env, tmp_path):
    clean_env.setenv("ACCELERATOR_CLOCK", "2031-07-04T09:30:00Z")
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.sqlite3'}"})
    assert clock.today().isoformat() == "2031-07-04"
    assert clock.now() >= datetime(2031, 7, 4, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("value", ["tomorrow", "2031-07-04T09:30:00"])
def test_an_unreadable_accelerator_clock_is_refused(clean_env, tmp_path, value):
    clean_env.setenv("ACCELERATOR_CLOCK", value)
    with pytest.raises(ConfigError, match="ACCELERATOR_CLOCK"):
        load_config(str(tmp_path))


def test_production_refuses_a_pinned_clock(clean_env, tmp_path):
    clean_env.setenv("ACCELERATOR_ENV", "production")
    clean_env.setenv("SECRET_KEY", "s" * 40)
    clean_env.setenv("ACCELERATOR_CLOCK", "2031-07-04T09:30:00Z")
    with pytest.raises(ConfigError, match="ACCELERATOR_CLOCK is for tests"):
        load_config(str(tmp_path))

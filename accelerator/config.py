"""Settings from the environment: database, secrets, the marketplace and its requirement."""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from accelerator.clock import parse_moment
from accelerator.database import SYNCHRONOUS_MODES
from accelerator.domain.money import parse_money
from accelerator.domain.terms import Requirement
from accelerator.domain.values import AM_BEST_RATINGS
from accelerator.proxies import parse_networks


class ConfigError(RuntimeError):
    """The environment does not describe a runnable application."""


def _money_env(name: str, default: str, *, allow_zero: bool = False) -> Decimal:
    raw = os.environ.get(name, default)
    try:
        return parse_money(raw, allow_zero=allow_zero)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} {exc}") from exc


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} must be a whole number") from exc
    if value < 0:
        raise ConfigError(f"{name}={raw!r} must not be negative")
    return value


def _bool_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _networks_env(name: str) -> tuple:
    raw = os.environ.get(name, "")
    try:
        return parse_networks(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r}: {exc}") from exc


def _sqlite_synchronous() -> str:
    raw = os.environ.get("SQLITE_SYNCHRONOUS", "NORMAL").strip().upper()
    if raw not in SYNCHRONOUS_MODES:
        raise ConfigError(f"SQLITE_SYNCHRONOUS={raw!r} must be {' or '.join(SYNCHRONOUS_MODES)}")
    return raw


def _log_format() -> str:
    """LOG_FORMAT: text (readable, the default) or json (one object a line)."""
    raw = os.environ.get("LOG_FORMAT", "text").strip().lower() or "text"
    if raw not in ("text", "json"):
        raise ConfigError(f"LOG_FORMAT={raw!r} must be text or json")
    return raw


def _clock_pin(production: bool) -> datetime | None:
    """ACCELERATOR_CLOCK: the moment a test server's clock starts from (never in production)."""
    raw = os.environ.get("ACCELERATOR_CLOCK", "").strip()
    if not raw:
        return None
    if production:
        raise ConfigError("ACCELERATOR_CLOCK is for tests; it must not be set in production")
    try:
        return parse_moment(raw)
    except ValueError as exc:
        raise ConfigError(f"ACCELERATOR_CLOCK={raw!r} is not an RFC 3339 moment such as 2026-11-24T12:00:00Z") from exc


def requirement_from_env() -> Requirement:
    """The marketplace's insurance requirement, each figure overridable by environment."""
    rating = os.environ.get("REQUIREMENT_MIN_RATING", "A-")
    if rating not in AM_BEST_RATINGS:
        raise ConfigError(f"REQUIREMENT_MIN_RATING={rating!r} is not an AM Best rating")
    return Requirement(
        sales_threshold=_money_env("REQUIREMENT_SALES_THRESHOLD", "10000.00"),
        grace_days=_int_env("REQUIREMENT_GRACE_DAYS", 30),
        min_per_occurrence=_money_env("REQUIREMENT_MIN_PER_OCCURRENCE", "1000000.00"),
        min_aggregate=_money_env("REQUIREMENT_MIN_AGGREGATE", "1000000.00"),
        max_deductible=_money_env("REQUIREMENT_MAX_DEDUCTIBLE", "10000.00", allow_zero=True),
        min_rating=rating,
        additional_insured=_bool_env("REQUIREMENT_ADDITIONAL_INSURED", True),
        occurrence_based=_bool_env("REQUIREMENT_OCCURRENCE_BASED", True),
    )


def _secret_key(instance_path: Path, production: bool) -> str:
    """SECRET_KEY from the environment; in development a generated one kept in the instance folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set in production (ACCELERATOR_ENV=production)")
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def load_config(instance_path: str) -> dict:
    """Build the Flask config dict from the environment."""
    instance = Path(instance_path)
    production = os.environ.get("ACCELERATOR_ENV", "development").lower() == "production"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'accelerator.sqlite3'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    if production and _bool_env("WEBHOOK_ALLOW_LOOPBACK", False):
        raise ConfigError("WEBHOOK_ALLOW_LOOPBACK is for tests; it must not be set in production")
    return {
        "ENV_NAME": "production" if production else "development",
        "CLOCK_PIN": _clock_pin(production),
        "SECRET_KEY": _secret_key(instance, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Only the test harness's own (reading) app turns this off; every served app keeps it.
        "SQLITE_BEGIN_IMMEDIATE": True,
        # NORMAL (WAL): a commit survives a crash of the app, not a power cut of the machine (SQLite's
        # advice for WAL). FULL: each commit is synced to disk before it returns, as PostgreSQL does;
        # measured 25-35% fewer report-policy POSTs/s on the 2-core VM (bench/results.md).
        "SQLITE_SYNCHRONOUS": _sqlite_synchronous(),
        "MARKETPLACE_NAME": os.environ.get("MARKETPLACE_NAME", "Marketplace"),
        "MARKETPLACE_LEGAL_NAME": os.environ.get("MARKETPLACE_LEGAL_NAME", "Marketplace Services LLC"),
        "MARKETPLACE_GUARANTEE_LIMIT": _money_env("MARKETPLACE_GUARANTEE_LIMIT", "1000.00"),
        # Days a party has to answer a claim case, and to pay it once accepted.
        "CLAIM_RESPONSE_DAYS": _int_env("CLAIM_RESPONSE_DAYS", 7),
        "REQUIREMENT": requirement_from_env(),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(instance / "uploads")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "pbkdf2:sha256:600000"),
        "LOGIN_MAX_FAILURES": _int_env("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCKOUT_SECONDS": _int_env("LOGIN_LOCKOUT_SECONDS", 900),
        # Failed logins from one address before it is "busy" (accounts that failed are then refused).
        "LOGIN_ADDRESS_MAX_FAILURES": _int_env("LOGIN_ADDRESS_MAX_FAILURES", 20),
        "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:5000"),
        # Webhook delivery (accelerator/services/webhooks/). Loopback targets are for tests only.
        "WEBHOOK_ALLOW_LOOPBACK": _bool_env("WEBHOOK_ALLOW_LOOPBACK", False),
        "WEBHOOK_MAX_ATTEMPTS": _int_env("WEBHOOK_MAX_ATTEMPTS", 8),
        "WEBHOOK_BACKOFF_SECONDS": _int_env("WEBHOOK_BACKOFF_SECONDS", 30),
        "WEBHOOK_BACKOFF_MAX_SECONDS": _int_env("WEBHOOK_BACKOFF_MAX_SECONDS", 6 * 3600),
        "WEBHOOK_TIMEOUT_SECONDS": _int_env("WEBHOOK_TIMEOUT_SECONDS", 10),
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: none).
        # Login throttling keys on the client address, so behind a proxy this must be set.
        "TRUSTED_PROXIES": _int_env("TRUSTED_PROXIES", 0),
        # The proxies' own addresses or networks: X-Forwarded-* from any other peer is dropped (empty: any peer).
        "TRUSTED_PROXY_ADDRESSES": _networks_env("TRUSTED_PROXY_ADDRESSES"),
        # Operating it (docs/operations.md): the log lines' format, and the token /metrics asks for.
        "LOG_FORMAT": _log_format(),
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", "").strip() or None,
        # Outgoing email (reminders): over SMTP when MAIL_SERVER is set, else .eml files in MAIL_FOLDER.
        **_mail_settings(instance),
    }


def _mail_settings(instance: Path) -> dict:
    """MAIL_* settings: the SMTP server (STARTTLS and login optional), sender, mail folder, retries."""
    port = _int_env("MAIL_PORT", 587)
    if not 1 <= port <= 65535:
        raise ConfigError(f"MAIL_PORT={port} must be a port number (1 to 65535)")
    return {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "").strip() or None,
        "MAIL_PORT": port,
        "MAIL_USE_TLS": _bool_env("MAIL_USE_TLS", True),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Insurance Accelerator <no-reply@localhost>"),
        "MAIL_FOLDER": os.environ.get("MAIL_FOLDER", str(instance / "mail")),
        "MAIL_TIMEOUT_SECONDS": max(1, _int_env("MAIL_TIMEOUT_SECONDS", 30)),
        "MAIL_MAX_ATTEMPTS": max(1, _int_env("MAIL_MAX_ATTEMPTS", 6)),
        "MAIL_RETRY_SECONDS": _int_env("MAIL_RETRY_SECONDS", 300),
    }

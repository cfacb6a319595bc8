"""Login and sessions: authentication with throttling, Flask-Login's user loader, and logout.

Throttling (the design; README, Configuration, lists the settings):

- Per account (`acct:<email>`, known or not, so an unknown email behaves like a known one): at most
  LOGIN_MAX_FAILURES passwords are checked in a window of LOGIN_LOCKOUT_SECONDS, whatever the
  address and however many attempts arrive at once. Each attempt first *reserves* a check with one
  atomic statement (INSERT ... ON CONFLICT DO UPDATE SET failures = failures + 1 WHERE failures <
  limit RETURNING failures, on SQLite and PostgreSQL alike), committed before the password is
  looked at; an attempt that gets no row back is refused with 429 without checking anything. A wrong
  password leaves its reservation as the failure it is (so the counter is the number of failed
  checks); the right one deletes the row. The check that reaches the limit locks the account until
  LOGIN_LOCKOUT_SECONDS later; after that, or once a window passes without reaching it, counting
  starts again at one. (The price: anyone can keep an account locked by failing for it; its owner then
  waits out the window. Guesses at an account stay capped wherever they come from.)
- Per address (`addr:<client address>`, see TRUSTED_PROXIES): wrong passwords are counted the same
  way; at LOGIN_ADDRESS_MAX_FAILURES in a window the address is *busy* until LOGIN_LOCKOUT_SECONDS
  after its latest failure. A busy address is not locked out: from it, an account that has no
  failure in its window still gets its password checked (so its owner, behind the same proxy as an
  attacker, still logs in), but an account that already failed is refused until its window ends.
  A guesser spraying many emails from one address so gets one guess per account instead of
  LOGIN_MAX_FAILURES, and nobody else at that address is refused a first, correct password.

Both paths cost one password hash: an unknown email is checked against a dummy hash made once
(per process and hash method) with the configured PASSWORD_HASH_METHOD.
"""

from __future__ import annotations

import secrets
import threading
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, delete, literal, null, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.security import check_password_hash

from accelerator import clock
from accelerator.domain.errors import RateLimited, ValidationError
from accelerator.extensions import db
from accelerator.models import LoginThrottle, User
from accelerator.models.types import UTCDateTime
from accelerator.observability.metrics import LOGIN_FAILURES, LOGIN_LOCKOUTS
from accelerator.services.accounts.passwords import hash_password
from accelerator.services.accounts.validation import MAX_EMAIL, has_control_characters

_DUMMY_HASHES: dict[str, str] = {}  # hash method -> a hash of a random password, made once
_DUMMY_LOCK = threading.Lock()
_THROTTLE = LoginThrottle.__table__
_TOO_MANY = "Too many failed logins. Wait a few minutes and try again."


def _dummy_hash() -> str:
    """A hash of a random password with the configured method, for checking unknown emails."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        with _DUMMY_LOCK:  # once, even when the first unknown emails arrive at the same moment
            if method not in _DUMMY_HASHES:
                _DUMMY_HASHES[method] = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASHES[method]


def _count_attempt(key: str, now: datetime, *, gate: int | None, lock_at: int) -> int | None:
    """Count one attempt on a throttle key in one atomic statement; returns the new count, or None when
    the key already holds `gate` attempts in its window (nothing is counted then). The count that
    reaches `lock_at` locks the key for LOGIN_LOCKOUT_SECONDS."""
    window = timedelta(seconds=current_app.config["LOGIN_LOCKOUT_SECONDS"])
    at_now, lock_end = literal(now, UTCDateTime()), literal(now + window, UTCDateTime())
    col = _THROTTLE.c
    expired = or_(and_(col.locked_until.is_not(None), col.locked_until <= at_now),
                  and_(col.locked_until.is_(None), col.first_failure_at <= literal(now - window, UTCDateTime())))
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(_THROTTLE).values(key=key, failures=1, first_failure_at=now,
                                         locked_until=now + window if lock_at <= 1 else None)
    statement = statement.on_conflict_do_update(
        index_elements=[col.key],
        set_={
            "failures": case((expired, 1), else_=col.failures + 1),
            "first_failure_at": case((expired, at_now), else_=col.first_failure_at),
            "locked_until": case((expired, lock_end if lock_at <= 1 else null()),
                                 (col.failures + 1 >= lock_at, lock_end),
                                 else_=col.locked_until),
        },
        where=None if gate is None else or_(expired, col.failures < gate),
    ).returning(col.failures)
    return db.session.execute(statement).scalar_one_or_none()


def _locked_until(key: str, now: datetime) -> datetime | None:
    """When a key's lock ends, if it is locked now."""
    until = db.session.execute(select(_THROTTLE.c.locked_until).where(_THROTTLE.c.key == key)).scalar()
    return until if until is not None and until > now else None


def _refuse(now: datetime, *locks: datetime | None) -> RateLimited:
    """The 429, with Retry-After until the latest of the locks (at least one second)."""
    until = max((lock for lock in locks if lock is not None), default=now)
    return RateLimited(_TOO_MANY, retry_after=max(1, int((until - now).total_seconds()) + 1))


def authenticate(email: str, password: str, remote_addr: str) -> User:
    """Check a login, throttled per account and per address (see the module docstring); raises
    RateLimited (429) or ValidationError (a wrong email or password, said the same way for both)."""
    email = (email or "").strip().lower()
    if len(email) > MAX_EMAIL or has_control_characters(email):
        email = ""  # no account has such an address; it still counts as a failure below
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    # An address is at most 45 characters (IPv6); a longer one (a forged X-Forwarded-For) is cut to fit.
    account_key, address_key = f"acct:{email}", f"addr:{(remote_addr or 'unknown')[:64]}"
    now = clock.now()
    address_busy = _locked_until(address_key, now)
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    stored_hash = user.password_hash if user else None
    # Reserve the check before looking at the password, committed at once so every other attempt sees
    # it (and no transaction is open while the hash is computed).
    count = _count_attempt(account_key, now, gate=1 if address_busy else limit, lock_at=limit)
    db.session.commit()
    if count is None:
        raise _refuse(now, _locked_until(account_key, now), address_busy)
    ok = check_password_hash(stored_hash or _dummy_hash(), password or "")
    if not ok or user is None or not user.is_active:
        _count_attempt(address_key, now, gate=None, lock_at=current_app.config["LOGIN_ADDRESS_MAX_FAILURES"])
        db.session.commit()
        LOGIN_FAILURES.inc()
        if count >= limit:
            LOGIN_LOCKOUTS.inc()  # this failure reached the limit: the account is locked now
            raise _refuse(now, _locked_until(account_key, now))
        raise ValidationError("Email or password is not right.",
                              fields={"password": "Email or password is not right."})
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key))
    user.last_login_at = clock.now()
    db.session.commit()
    return user


def load_user(identity: str) -> User | None:
    """Flask-Login's loader: `<id>:<session token>`, refused once the token was rotated or the user
    became inactive (so suspending an insurer logs its staff out at their next request)."""
    user_id, _, token = (identity or "").partition(":")
    if not user_id.isdigit() or len(user_id) > 12:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not secrets.compare_digest(user.session_token.encode(), token.encode()):
        return None
    if not user.is_active:
        return None
    return user


def logout(user_id: int) -> None:
    """End every session of a user."""
    user = db.session.get(User, user_id)
    if user:
        user.rotate_session()
        db.session.commit()

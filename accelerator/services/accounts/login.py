"""Login and sessions: authentication with throttling, Flask-Login's user loader, and logout."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash

from accelerator import clock
from accelerator.domain.errors import RateLimited, ValidationError
from accelerator.extensions import db
from accelerator.models import LoginThrottle, User
from accelerator.services.accounts.passwords import hash_password
from accelerator.services.accounts.validation import MAX_EMAIL, has_control_characters

# A hash of a random password, checked when the email is unknown so both paths cost the same.
_DUMMY_PASSWORD = secrets.token_urlsafe(16)


def _throttle_keys(email: str, remote_addr: str) -> list[tuple[str, int]]:
    """The throttle rows a login touches, with their limits: one per account and address, one per address."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    return [(f"acct:{email}|{remote_addr}", limit), (f"addr:{remote_addr}", limit * 4)]


def _check_throttle(keys: list[tuple[str, int]]) -> None:
    """Raise RateLimited while any of the keys is locked."""
    now = clock.now()
    for key, _limit in keys:
        row = db.session.get(LoginThrottle, key)
        if row and row.locked_until and row.locked_until > now:
            retry = int((row.locked_until - now).total_seconds()) + 1
            raise RateLimited("Too many failed logins. Wait a few minutes and try again.", retry_after=retry)


def _record_failure(keys: list[tuple[str, int]]) -> None:
    """Count a failed login on each key, locking a key that reaches its limit (committed at once)."""
    now = clock.now()
    window = timedelta(seconds=current_app.config["LOGIN_LOCKOUT_SECONDS"])
    for key, limit in keys:
        row = db.session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, first_failure_at=now)
            db.session.add(row)
        if row.first_failure_at + window < now:
            row.failures, row.first_failure_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + window
    db.session.commit()


def authenticate(email: str, password: str, remote_addr: str) -> User:
    """Check a login; repeated failures from one address are refused (RateLimited) for a while."""
    email = (email or "").strip().lower()
    if len(email) > MAX_EMAIL or has_control_characters(email):
        email = ""  # no account has such an address; it still counts as a failure below
    keys = _throttle_keys(email, remote_addr or "unknown")
    _check_throttle(keys)
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        check_password_hash(hash_password(_DUMMY_PASSWORD), password or "")
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password or "")
    if not ok or not user.is_active:
        _record_failure(keys)
        _check_throttle(keys)
        raise ValidationError("Email or password is not right.",
                              fields={"password": "Email or password is not right."})
    for key, _limit in keys[:1]:
        row = db.session.get(LoginThrottle, key)
        if row:
            db.session.delete(row)
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


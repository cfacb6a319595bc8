"""API key authentication: `require_role`, `authenticate`, the one key check (`verify_key`, `note_key_use`)."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import g, request
from sqlalchemy import or_, update

from accelerator import clock
from accelerator.domain.errors import DomainError, Forbidden
from accelerator.extensions import db
from accelerator.models import ApiKey
from accelerator.services import rate_limits
from accelerator.services.api_keys import PREFIX_LENGTH, hash_key
from accelerator.services.hotpath import KeyRow, read_api_key

MAX_KEY_LENGTH = 200
LAST_USED_RESOLUTION = timedelta(seconds=60)
# Compared against when the prefix is unknown, so a miss costs what a hit costs.
_DUMMY_HASH = hash_key("acc_not-a-key-but-the-same-length-as-one-000000")


class Unauthenticated(DomainError):
    """No key, an unknown or revoked key, or the key of an insurer that is not approved."""

    status = 401
    code = "unauthenticated"


@dataclass(frozen=True)
class AuthenticatedKey:
    """The API key of the current request (`g.api_key`)."""

    id: int
    role: str
    insurer_id: int | None
    prefix: str


# --- authentication: one key check, for every endpoint and the coverage adapter --------------------


def bearer_key(header: str) -> str:
    """The key of an `Authorization: Bearer <key>` header, or Unauthenticated when it cannot be one."""
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        raise Unauthenticated("Send an API key: Authorization: Bearer <key>.")
    if len(raw) > MAX_KEY_LENGTH or len(raw) < PREFIX_LENGTH:
        raise Unauthenticated("That API key is not valid.")
    return raw


def verify_key(raw: str, row: KeyRow | None) -> KeyRow:
    """`row` (the key with `raw`'s prefix, read afresh, or None) if it is that key, not revoked, and its
    insurer approved; Unauthenticated otherwise. The hash is compared in constant time, a dummy one when
    the prefix is unknown, so a miss costs what a hit costs."""
    matches = hmac.compare_digest(hash_key(raw), row.key_hash if row else _DUMMY_HASH)
    if row is None or not matches:
        raise Unauthenticated("That API key is not valid.")
    if row.revoked_at is not None:
        raise Unauthenticated("That API key was revoked.")
    if row.role == "insurer" and row.status != "approved":
        raise Unauthenticated("That API key's insurer is not approved.")
    return row


def key_of_role(raw: str, row: KeyRow | None, roles: tuple[str, ...],
                refusals: list[Unauthenticated] | None = None) -> KeyRow | None:
    """`row` when `verify_key` accepts it as `raw`'s key and its role is one of `roles`; else None, with the
    401 kept in `refusals` (when given) if the key check refused it. For the adapters whose key is read with
    their rows on the hot path: returning, not raising, keeps the hot connection (one that raised is thrown
    away)."""
    try:
        key = verify_key(raw, row)
    except Unauthenticated as exc:
        if refusals is not None:
            refusals.append(exc)
        return None
    return key if key.role in roles else None


def last_use_is_stale(row: KeyRow) -> bool:
    """Whether the key's last use is older than LAST_USED_RESOLUTION (so this use is written)."""
    return row.last_used_at is None or clock.now() - row.last_used_at > LAST_USED_RESOLUTION


def record_last_use(key_id: int) -> None:
    """Write the key's last use (needs an app context); the condition makes concurrent requests write once."""
    now = clock.now()
    db.session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id,
               or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - LAST_USED_RESOLUTION))
        .values(last_used_at=now)
    )
    db.session.commit()


def note_key_use(row: KeyRow) -> None:
    """A verified key's use: its last use written at most once a minute, then the request of a
    rate-limited key counted (RateLimited over its limit). Needs an app context."""
    if last_use_is_stale(row):
        record_last_use(row.id)
    # Otherwise the read stays in the request's transaction: one transaction per request, not two.
    if row.rate_limit is not None:
        # Only a limited key pays for its count (one upsert, committed); RateLimited is the 429.
        rate_limits.count_request(row.id, row.prefix, row.rate_limit)


def authenticate_key(raw: str) -> AuthenticatedKey:
    """Check a bearer key against the database (no cache) and note its use, or raise Unauthenticated
    (RateLimited over a limited key's limit). Needs an app context, not a request."""
    # Read afresh on every request (no cache), outside the session's write-locking transaction.
    row = verify_key(raw, read_api_key(raw[:PREFIX_LENGTH]))
    note_key_use(row)
    return AuthenticatedKey(id=row.id, role=row.role, insurer_id=row.insurer_id, prefix=row.prefix)


def allow_roles(key: AuthenticatedKey, roles: tuple[str, ...]) -> None:
    """Forbidden unless the key is of one of `roles`."""
    if key.role not in roles:
        raise Forbidden(f"This endpoint is for {' or '.join(roles)} keys.")


def authenticate() -> AuthenticatedKey:
    """The current request's bearer key, checked (see authenticate_key), or Unauthenticated."""
    return authenticate_key(bearer_key(request.headers.get("Authorization", "")))


def require_role(*roles: str) -> Callable:
    """Decorator: the request must carry a valid key of one of `roles` (401 / 403); sets `g.api_key`."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = authenticate()
            allow_roles(key, roles)
            g.api_key = key
            return view(*args, **kwargs)

        wrapper.api_roles = roles  # read by the OpenAPI test
        return wrapper

    return decorator

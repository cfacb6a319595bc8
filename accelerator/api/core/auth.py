"""API key authentication: `require_role`, `authenticate`, `AuthenticatedKey` and the 401 error."""

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
from accelerator.services.hotpath import read_api_key

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


# --- authentication -----------------------------------------------------------------------------


def authenticate() -> AuthenticatedKey:
    """Check the request's bearer key against the database (no cache), or raise Unauthenticated; count
    the request of a rate-limited key (raises RateLimited over its limit)."""
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        raise Unauthenticated("Send an API key: Authorization: Bearer <key>.")
    if len(raw) > MAX_KEY_LENGTH or len(raw) < PREFIX_LENGTH:
        raise Unauthenticated("That API key is not valid.")
    # Read afresh on every request (no cache), outside the session's write-locking transaction.
    row = read_api_key(raw[:PREFIX_LENGTH])
    presented = hash_key(raw)
    matches = hmac.compare_digest(presented, row.key_hash if row else _DUMMY_HASH)
    if row is None or not matches:
        raise Unauthenticated("That API key is not valid.")
    if row.revoked_at is not None:
        raise Unauthenticated("That API key was revoked.")
    if row.role == "insurer" and row.status != "approved":
        raise Unauthenticated("That API key's insurer is not approved.")
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        # At most one write a minute per key; the condition makes concurrent requests write once.
        db.session.execute(
            update(ApiKey)
            .where(ApiKey.id == row.id,
                   or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - LAST_USED_RESOLUTION))
            .values(last_used_at=now)
        )
        db.session.commit()
    # Otherwise the read stays in the request's transaction: one transaction per request, not two.
    if row.rate_limit is not None:
        # Only a limited key pays for its count (one upsert, committed); RateLimited is the 429.
        rate_limits.count_request(row.id, row.rate_limit)
    return AuthenticatedKey(id=row.id, role=row.role, insurer_id=row.insurer_id, prefix=row.prefix)


def require_role(*roles: str) -> Callable:
    """Decorator: the request must carry a valid key of one of `roles` (401 / 403); sets `g.api_key`."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = authenticate()
            if key.role not in roles:
                raise Forbidden(f"This endpoint is for {' or '.join(roles)} keys.")
            g.api_key = key
            return view(*args, **kwargs)

        wrapper.api_roles = roles  # read by the OpenAPI test
        return wrapper

    return decorator

"""API keys: made once and shown once; only a 12-character prefix and a SHA-256 hash are kept."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator import clock
from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.extensions import db
from accelerator.models import ApiKey, Insurer
from accelerator.services import audit

PREFIX_LENGTH = 12
MAX_RATE_LIMIT = 100_000  # requests a second
KEY_ROLES = ("marketplace", "insurer")


def hash_key(raw: str) -> str:
    """SHA-256 of a key: keys are 256-bit random, so a fast hash is enough and lookups stay cheap."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _new_raw_key() -> str:
    # "acc_" + 43 url-safe characters of 256 random bits; the prefix is the first 12 characters.
    return "acc_" + secrets.token_urlsafe(32)


def create_key(actor: audit.Actor, role: str, name: str, insurer_id: int | None = None,
               rate_limit: int | None = None) -> tuple[ApiKey, str]:
    """Make a key for the marketplace or for one approved insurer, limited to `rate_limit` requests a
    second when given; returns it and the raw key."""
    name = (name or "").strip()
    errors = {}
    if role not in KEY_ROLES:
        errors["role"] = "Role is marketplace or insurer."
    if not name or len(name) > 200:
        errors["name"] = "Name the key (at most 200 characters)."
    if role == "insurer" and insurer_id is None:
        errors["insurer"] = "An insurer key names its insurer."
    if role == "marketplace" and insurer_id is not None:
        errors["insurer"] = "A marketplace key belongs to no insurer."
    if rate_limit is not None and (isinstance(rate_limit, bool) or not isinstance(rate_limit, int)
                                   or not 1 <= rate_limit <= MAX_RATE_LIMIT):
        errors["rate_limit"] = f"A rate limit is a whole number of requests a second, 1 to {MAX_RATE_LIMIT}."
    if errors:
        raise ValidationError("Check the key's details.", fields=errors)
    if role == "insurer":
        insurer = db.session.get(Insurer, insurer_id)
        if insurer is None:
            raise NotFound("No such insurer.")
        if insurer.status != "approved":
            raise Conflict("Keys are only made for approved insurers.",
                           fields={"insurer": f"{insurer.name} is {insurer.status}."})
    for _attempt in range(5):
        raw = _new_raw_key()
        key = ApiKey(prefix=raw[:PREFIX_LENGTH], key_hash=hash_key(raw), name=name, role=role,
                     insurer_id=insurer_id, created_by_id=actor.user_id, rate_limit=rate_limit)
        db.session.add(key)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()  # a prefix collision: draw again
            continue
        audit.record(actor, "create", "api_key", key.prefix, role=role, insurer=insurer_id, name=name,
                     rate_limit=rate_limit)
        db.session.commit()
        return key, raw
    raise Conflict("Could not draw a unique key prefix; try again.")  # pragma: no cover


def list_keys(insurer_id: int | None = None) -> list[ApiKey]:
    """Every key (or one insurer's), newest first."""
    query = select(ApiKey).order_by(ApiKey.id.desc())
    if insurer_id is not None:
        query = query.where(ApiKey.insurer_id == insurer_id)
    return list(db.session.execute(query).scalars())


def revoke_key(actor: audit.Actor, prefix: str, insurer_id: int | None = None) -> ApiKey:
    """Revoke a key by its prefix (only within `insurer_id` when given); refused from the next request."""
    query = select(ApiKey).where(ApiKey.prefix == prefix)
    if insurer_id is not None:
        query = query.where(ApiKey.insurer_id == insurer_id)
    key = db.session.execute(query).scalar_one_or_none()
    if key is None:
        raise NotFound(f"No key with prefix {prefix}.")
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        audit.record(actor, "revoke", "api_key", key.prefix)
    db.session.commit()
    return key

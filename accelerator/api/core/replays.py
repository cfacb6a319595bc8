"""Idempotency of POST and PUT: the `idempotent` decorator replays the first answer to an Idempotency-Key."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

from flask import Request, g, make_response, request
from werkzeug.exceptions import HTTPException

from accelerator.domain.errors import DomainError, ValidationError
from accelerator.extensions import db
from accelerator.http import domain_error_response, http_error_response
from accelerator.services import idempotency

# --- idempotency --------------------------------------------------------------------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"


def check_idempotency_key(key: str) -> None:
    """The contract's 400 unless an Idempotency-Key is 1 to 255 printable characters."""
    if not 1 <= len(key) <= 255 or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in key):
        raise ValidationError("The Idempotency-Key header must be 1 to 255 printable characters.",
                              fields={IDEMPOTENCY_HEADER: "Must be 1 to 255 printable characters."})


def request_fingerprint(request: Request = request) -> str:
    """SHA-256 over method, path with query string and the body bytes as sent (reading the body: 413
    when it is over the limit)."""
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\n")
    digest.update(request.full_path.rstrip("?").encode("utf-8", "surrogatepass"))
    digest.update(b"\n")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(record: idempotency.StoredAnswer):
    response = make_response(record.body, record.status_code)
    response.mimetype = "application/json"
    response.headers[REPLAY_HEADER] = "true"
    return response


def _run_view(view: Callable, args, kwargs):
    """The view's response, with DomainErrors and HTTP errors turned into their JSON answers."""
    try:
        rv = view(*args, **kwargs)
    except DomainError as exc:
        rv = domain_error_response(exc)  # the app's own handlers, called as functions
    except HTTPException as exc:
        rv = http_error_response(exc)
    return make_response(rv)


def idempotent(view: Callable) -> Callable:
    """Decorator for every POST and PUT: an Idempotency-Key makes a repeat replay the first answer.

    The key (1 to 255 characters) is scoped to the API key. The first request inserts its record
    in its own committed transaction, so the unique constraint picks one winner even across
    processes; a concurrent repeat waits for the winner's answer and replays it. Answers below 500
    are kept (at least 24 hours); a 5xx or a crash deletes the record, so a retry runs afresh. The
    same key with another method, path or body is `409 idempotency_key_reused`.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return view(*args, **kwargs)
        check_idempotency_key(key)
        fingerprint = request_fingerprint()  # reads the body: 413 here, before anything is stored
        path = request.full_path.rstrip("?")[:2000]
        claim = idempotency.claim(g.api_key.id, key, request.method, path, fingerprint)
        if claim.answer is not None:
            return _replay(claim.answer)
        try:
            response = _run_view(view, args, kwargs)
        except BaseException:
            db.session.rollback()
            idempotency.release(claim.record_id)
            raise
        if response.status_code >= 500:
            idempotency.release(claim.record_id)
        else:
            idempotency.store(claim.record_id, response.status_code, response.get_data(as_text=True))
        return response

    wrapper.api_idempotent = True
    return wrapper


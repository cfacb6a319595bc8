"""The single check without Flask: the WSGI middleware `CoverageFastPath`, installed in front of the app."""

from __future__ import annotations

import hmac
import logging
import re
from http import HTTPStatus

import pydantic
from flask import Flask

from accelerator import clock
from accelerator.api.blueprint import bp
from accelerator.api.core import LAST_USED_RESOLUTION, MAX_KEY_LENGTH
from accelerator.domain.errors import DomainError
from accelerator.extensions import db
from accelerator.http import API_INTERNAL_ERROR, api_error_body, domain_error_headers, security_headers
from accelerator.observability import record
from accelerator.services import coverage
from accelerator.services.api_keys import PREFIX_LENGTH, hash_key
from accelerator.services.coverage import CheckInput
from accelerator.services.hotpath import KeyRow
from accelerator.shapes.coverage import CoverageQuery

log = logging.getLogger("accelerator.http")  # the app's error log

# --- the single check without Flask ---------------------------------------------------------------

_PATH = "/api/v1/coverage"
_PARAMS = frozenset(CoverageQuery.model_fields)
# Values that URL decoding leaves as they are (no %, no +): anything else goes to Flask.
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9._-]{1,40}")


class CoverageFastPath:
    """WSGI middleware answering plain single checks without Flask; everything else goes to `next_app`."""

    def __init__(self, app: Flask, next_app):
        self.app = app
        self.next_app = next_app
        self.headers: list[tuple[str, str]] | None = None
        self.engine = None

    def __call__(self, environ, start_response):
        if (environ.get("PATH_INFO") != _PATH or environ.get("REQUEST_METHOD") != "GET"
                or "HTTP_COOKIE" in environ or environ.get("CONTENT_LENGTH") not in (None, "", "0")
                or not self.app.config.get("COVERAGE_FAST_PATH", True)):
            return self.next_app(environ, start_response)
        question = _plain_question(environ.get("QUERY_STRING", ""))
        if question is None:
            return self.next_app(environ, start_response)
        if self.engine is None:
            self._prepare()
        raw_key = _bearer_key(environ.get("HTTP_AUTHORIZATION", ""))
        if raw_key is None:
            return self.next_app(environ, start_response)
        try:
            # The key is read in the same read transaction as the policies; nothing is written
            # unless it is a valid marketplace key.
            texts = coverage.run_checks(None, [question], self.app, self.engine, key_prefix=raw_key[:PREFIX_LENGTH],
                                        accept_key=lambda row: _fresh_marketplace_key(raw_key, row))
        except Exception as exc:  # noqa: BLE001 - answered by the app's own error handling
            return self._error(environ, start_response, exc)
        if texts is None:
            return self.next_app(environ, start_response)
        body = texts[0].encode("ascii")
        record(environ, _PATH, raw_key[:PREFIX_LENGTH])  # for the request's log line and metrics
        start_response("200 OK", [*self.headers, ("Content-Length", str(len(body)))])
        return [body]

    def _prepare(self) -> None:
        """The engine, and the headers of a JSON answer on this path (the app's own, from accelerator.http)."""
        with self.app.app_context():
            self.engine = db.engine
        # Vary: Cookie as on the app's other answers (its before-request hooks read the session there).
        self.headers = [("Content-Type", "application/json"), ("Vary", "Cookie"),
                        *security_headers(self.app.config, _PATH, "application/json")]

    def _error(self, environ, start_response, exc: Exception):
        """The contract's JSON error, as the app's error handlers answer it: a domain error (over the key's
        rate limit) at its status, anything else the logged 500 (nothing was written)."""
        if isinstance(exc, DomainError):
            status = exc.status
            body = api_error_body(status, exc.message, code=exc.code, fields=exc.fields).encode("utf-8")
            extra = list((domain_error_headers(exc) or {}).items())
        else:
            log.error("unhandled error on %s %s", environ.get("REQUEST_METHOD"), _PATH, exc_info=exc)
            status, body, extra = 500, api_error_body(500, API_INTERNAL_ERROR).encode("ascii"), []
        start_response(f"{status} {HTTPStatus(status).phrase.upper()}",
                       [*self.headers, *extra, ("Content-Length", str(len(body)))])
        return [body]


def _plain_question(query: str) -> CheckInput | None:
    """The check a query asks for, when it is the plain, valid case; else None (Flask answers it)."""
    values: dict[str, str] = {}
    for part in query.split("&"):
        name, sep, value = part.partition("=")
        if not sep or name not in _PARAMS or name in values or not _PLAIN_VALUE.fullmatch(value):
            return None
        values[name] = value
    try:  # the declaration the Flask view reads the same query with
        return CoverageQuery.model_validate(values).question()
    except pydantic.ValidationError:
        return None


def _bearer_key(header: str) -> str | None:
    """The key of an `Authorization: Bearer <key>` header, read as authenticate() reads it, if it can
    be one; None otherwise (Flask answers)."""
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not PREFIX_LENGTH <= len(raw) <= MAX_KEY_LENGTH:
        return None
    return raw


def _fresh_marketplace_key(raw: str, row: KeyRow | None) -> int | None:
    """The key's id when `row` (read now, never cached) is that key, a valid marketplace key whose
    last use is recorded as recent; None for anything else (Flask answers and records the use). A
    key's rate limit is counted by run_checks, on the hot path as in Flask."""
    if row is None or not hmac.compare_digest(hash_key(raw), row.key_hash):
        return None
    if row.revoked_at is not None or row.role != "marketplace":
        return None
    if row.last_used_at is None or clock.now() - row.last_used_at > LAST_USED_RESOLUTION:
        return None
    return row.id


@bp.record_once
def _install_fast_path(state) -> None:
    """Put CoverageFastPath in front of the app this blueprint is registered on."""
    state.app.wsgi_app = CoverageFastPath(state.app, state.app.wsgi_app)

"""The single check's only road: the lean WSGI adapter `CoverageAdapter`, which answers every request to
GET /api/v1/coverage (errors, HEAD, OPTIONS and 405 included) without Flask's request machinery."""

from __future__ import annotations

from flask import Flask

from accelerator.api.blueprint import bp
from accelerator.api.core import (
    AuthenticatedKey,
    Unauthenticated,
    allow_roles,
    authenticate_key,
    bearer_key,
    key_of_role,
    last_use_is_stale,
    query_values,
    record_last_use,
)
from accelerator.domain.errors import DomainError
from accelerator.extensions import db
from accelerator.http import (
    BEARER_CHALLENGE,
    api_error_answer,
    domain_error_answer,
    internal_error_answer,
    json_headers,
    security_headers,
    send_answer,
    status_line,
)
from accelerator.observability import record
from accelerator.services import coverage
from accelerator.services.api_keys import PREFIX_LENGTH
from accelerator.services.hotpath import KeyRow
from accelerator.shapes.coverage import CoverageQuery
from accelerator.shapes.errors import validate

PATH = "/api/v1/coverage"
ROLES = ("marketplace",)
ALLOW = "GET, HEAD, OPTIONS"  # what the url map's rule for the path answers (tests/api/test_allowed_methods.py)
QUESTION_MESSAGE = "Check the coverage question."


class CoverageAdapter:
    """WSGI middleware owning PATH: every request to it is answered here, every other goes to `next_app`.

    A request is answered in this order, as every API endpoint answers: the method (OPTIONS, 405), the
    key (401, the last use, the rate limit's 429, 403), then the query (400, every field at once, read by
    CoverageQuery, the declaration), then the check. Errors are rendered by accelerator.http's shared
    functions; the request's route and key are recorded for its log line and metrics.
    """

    def __init__(self, app: Flask, next_app):
        self.app = app
        self.next_app = next_app
        self.engine = None
        self.headers: list[tuple[str, str]] = []  # of the 200, made once (accelerator.http's, for JSON)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH:
            return self.next_app(environ, start_response)
        config = self.app.config
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD", "OPTIONS"):  # as a 405 through Flask: no route matched
            return send_answer(environ, start_response, api_error_answer(
                config, PATH, 405, "The method is not allowed for the requested URL.", headers={"Allow": ALLOW}))
        if method == "OPTIONS":
            record(environ, PATH)
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Allow", ALLOW), ("Vary", "Cookie"),
                       *security_headers(config, PATH, "text/html"), ("Content-Length", "0")]
            return send_answer(environ, start_response, (status_line(200), headers, b""))
        try:
            answer = self._check(environ)  # records the route and the key's prefix when it answers 200
        except DomainError as exc:
            record(environ, PATH)  # the key's prefix, when known, is recorded already
            answer = domain_error_answer(config, PATH, exc)
            if exc.status == 401:
                answer[1].insert(-1, ("WWW-Authenticate", BEARER_CHALLENGE))
        except Exception as exc:  # noqa: BLE001 - answered as the app's catch-all answers: logged, a 500
            record(environ, PATH)  # the key's prefix, when known, is recorded already
            answer = internal_error_answer(config, PATH, method, exc)
        return send_answer(environ, start_response, answer)

    def _check(self, environ) -> tuple[str, list, bytes]:
        """The check's 200, or the DomainError a refused request is answered with."""
        raw = bearer_key(environ.get("HTTP_AUTHORIZATION", ""))
        values, repeated = query_values(environ.get("QUERY_STRING", "").encode("latin-1"))
        try:
            question = validate(CoverageQuery, values, QUESTION_MESSAGE, repeated).question()
        except DomainError as invalid:
            self._key_of_refused(environ, raw, None)  # 401, 429 and 403 come before the 400
            raise invalid from None
        if self.engine is None:
            with self.app.app_context():
                self.engine = db.engine
            self.headers = json_headers(self.app.config, PATH)
        accepted: list[KeyRow] = []
        refusals: list[Unauthenticated] = []
        try:
            # The key is read in the same read transaction as the policies; nothing more is read or
            # written for a key that is not a verified marketplace key (its answer is made below).
            texts = coverage.run_checks(None, [question], self.app, self.engine, key_prefix=raw[:PREFIX_LENGTH],
                                        accept_key=lambda row: _accept(raw, row, accepted, refusals))
        finally:
            if accepted and last_use_is_stale(accepted[0]):
                # Written whatever the answer (a 429 too), as authenticate() writes it before counting.
                with self.app.app_context():
                    record_last_use(accepted[0].id)
        if texts is None:
            self._key_of_refused(environ, raw, refusals[0] if refusals else None)
            raise AssertionError("a refused key is answered by its error")  # pragma: no cover
        record(environ, PATH, raw[:PREFIX_LENGTH])
        body = texts[0].encode("ascii")
        return "200 OK", [*self.headers, ("Content-Length", str(len(body)))], body

    def _key_of_refused(self, environ, raw: str, error: DomainError | None) -> AuthenticatedKey:
        """The key of a request that will not be checked, through the key check every endpoint uses (its
        use noted, its rate limit counted); raises the 401, 429 or 403 it is answered with instead."""
        if error is not None:
            raise error
        with self.app.app_context():
            try:
                key = authenticate_key(raw)
            finally:
                db.session.rollback()  # nothing of the session outlives the request
        allow_roles(key, ROLES)
        record(environ, PATH, key.prefix)
        return key


def _accept(raw: str, row: KeyRow | None, accepted: list[KeyRow], refusals: list[Unauthenticated]) -> int | None:
    """The key id to record the check under, when `row` is `raw`'s key and a marketplace key (noted in
    `accepted`); else None, with the 401 in `refusals` when the key check refused it (a key of another
    role is answered by the adapter after its use is noted). A key's rate limit is counted by run_checks,
    before the check is decided (services/rate_limits.py)."""
    key = key_of_role(raw, row, ROLES, refusals)
    if key is None:
        return None
    accepted.append(key)
    return key.id


@bp.record_once
def _install_adapter(state) -> None:
    """Put CoverageAdapter in front of the app this blueprint is registered on."""
    state.app.wsgi_app = CoverageAdapter(state.app, state.app.wsgi_app)

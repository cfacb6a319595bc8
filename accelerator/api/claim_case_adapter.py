"""Opening a claim case's only road: the lean WSGI adapter `OpeningAdapter`, which answers every POST to
/api/v1/claim-cases without Flask's request machinery (every other method on the path goes to Flask)."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException

from accelerator.api.blueprint import bp
from accelerator.api.core import (
    IDEMPOTENCY_HEADER,
    REPLAY_HEADER,
    AuthenticatedKey,
    allow_roles,
    authenticate_key,
    bearer_key,
    check_idempotency_key,
    read_json,
    request_fingerprint,
)
from accelerator.domain.errors import DomainError
from accelerator.extensions import db
from accelerator.http import (
    BEARER_CHALLENGE,
    PAGE_TITLES,
    api_error_answer,
    domain_error_answer,
    internal_error_answer,
    json_headers,
    send_answer,
    status_line,
)
from accelerator.observability import record
from accelerator.services import claim_cases, idempotency
from accelerator.services.audit import Actor
from accelerator.shapes.claim_cases import OpenCase, claim_case_json
from accelerator.shapes.errors import validate_all

PATH = "/api/v1/claim-cases"
ROLES = ("marketplace",)
BODY_MESSAGE = "The claim case was not opened."


class OpeningAdapter:
    """WSGI middleware owning POST PATH: such a request is answered here, every other goes to `next_app`.

    A request is answered in the order of every API endpoint (require_role, then idempotent, then the
    view): the key (401, the last use, the rate limit's 429, 403), the Idempotency-Key (400, then a
    replay or a claim on it), the body (415, 413, 400 naming every wrong field, read by OpenCase, the
    declaration), then the opening (services/claim_cases.open_case). Errors are rendered by
    accelerator.http's shared functions; the route and the key's prefix are recorded for the request's
    log line and metrics. Flask's dispatch (its request context, url matching, hooks and response
    object) cost about as much as the opening's own SQL (bench/results.md, "Claim cases").
    """

    roles = ROLES

    def __init__(self, app: Flask, next_app):
        self.app = app
        self.next_app = next_app
        self.headers: list[tuple[str, str]] | None = None  # of a JSON answer on PATH, made once

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.next_app(environ, start_response)
        app = self.app
        with app.app_context():  # its teardown removes the session, as at the end of a Flask request
            request = app.request_class(environ)
            try:
                answer = self._answer(environ, request)
            except DomainError as exc:
                record(environ, PATH)  # the key's prefix, when accepted, is recorded already
                answer = self._error(exc)
            except HTTPException as exc:  # 413 while the body is read
                record(environ, PATH)
                answer = self._http_error(exc)
            except Exception as exc:  # noqa: BLE001 - answered as the app's catch-all answers: logged, a 500
                record(environ, PATH)
                db.session.rollback()
                answer = internal_error_answer(app.config, PATH, "POST", exc)
        return send_answer(environ, start_response, answer)

    def _answer(self, environ, request) -> tuple[str, list, bytes]:
        """The opening's answer (an error answer from the view is an answer too, stored for its key)."""
        key = self._key(environ)
        idempotency_key = request.headers.get(IDEMPOTENCY_HEADER)
        if idempotency_key is None:
            return self._view(request, key)
        check_idempotency_key(idempotency_key)
        fingerprint = request_fingerprint(request)  # reads the body: 413 here, before anything is stored
        claim = idempotency.claim(key.id, idempotency_key, "POST", request.full_path.rstrip("?")[:2000],
                                  fingerprint)
        if claim.answer is not None:
            body = claim.answer.body.encode("utf-8")
            return (status_line(claim.answer.status_code),
                    [*self._json_headers(), (REPLAY_HEADER, "true"), ("Content-Length", str(len(body)))], body)
        try:
            answer = self._view(request, key)
        except BaseException:
            db.session.rollback()
            idempotency.release(claim.record_id)
            raise
        status = int(answer[0][:3])
        if status >= 500:
            idempotency.release(claim.record_id)
        else:
            idempotency.store(claim.record_id, status, answer[2].decode("utf-8"))
        return answer

    def _key(self, environ) -> AuthenticatedKey:
        """The request's marketplace key, through the key check every endpoint uses (its use noted, its rate
        limit counted); raises the 401, 429 or 403 it is answered with instead."""
        key = authenticate_key(bearer_key(environ.get("HTTP_AUTHORIZATION", "")))
        allow_roles(key, ROLES)
        record(environ, PATH, key.prefix)
        return key

    def _view(self, request, key: AuthenticatedKey) -> tuple[str, list, bytes]:
        """What the view answers: the case (201, or 200 for the same body again), or its error answer."""
        try:
            body, = validate_all(BODY_MESSAGE, (OpenCase, read_json(source=request)))
            view, created = claim_cases.open_case(Actor.api_key(key.prefix), key.id,
                                                  claim_cases.CaseInput(**body.model_dump()))
        except DomainError as exc:
            db.session.rollback()
            return self._error(exc)
        except HTTPException as exc:
            return self._http_error(exc)
        text = _json_text(self.app, claim_case_json(view)).encode("utf-8")
        return (status_line(201 if created else 200), [*self._json_headers(), ("Content-Length", str(len(text)))],
                text)

    def _json_headers(self) -> list[tuple[str, str]]:
        if self.headers is None:
            self.headers = json_headers(self.app.config, PATH)
        return self.headers

    def _error(self, exc: DomainError) -> tuple[str, list, bytes]:
        """A domain error's answer (a 401 with the Bearer challenge, as the blueprint's hook adds it)."""
        answer = domain_error_answer(self.app.config, PATH, exc)
        if exc.status == 401:
            answer[1].insert(-1, ("WWW-Authenticate", BEARER_CHALLENGE))
        return answer

    def _http_error(self, exc: HTTPException) -> tuple[str, list, bytes]:
        """An HTTP error's answer, as the app's handler renders it under /api/."""
        status = exc.code or 500
        return api_error_answer(self.app.config, PATH, status, exc.description or PAGE_TITLES.get(status, "Error"))


def _json_text(app: Flask, value) -> str:
    """`value` as the app's jsonify writes it (its JSON provider; compact unless in debug)."""
    provider = app.json
    compact = getattr(provider, "compact", None)
    if (compact is None and app.debug) or compact is False:
        return provider.dumps(value, indent=2) + "\n"
    return provider.dumps(value, separators=(",", ":")) + "\n"


@bp.record_once
def _install_adapter(state) -> None:
    """Put OpeningAdapter in front of the app this blueprint is registered on."""
    state.app.wsgi_app = OpeningAdapter(state.app, state.app.wsgi_app)

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
    key_of_role,
    last_use_is_stale,
    read_json,
    record_last_use,
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
from accelerator.services.api_keys import PREFIX_LENGTH
from accelerator.services.audit import Actor
from accelerator.services.hotpath import KeyRow
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
        idempotency_key = request.headers.get(IDEMPOTENCY_HEADER)
        if idempotency_key is None:
            return self._open_with_key(environ, request)
        key = self._key(environ)
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

    def _open_with_key(self, environ, request) -> tuple[str, list, bytes]:
        """An opening without an Idempotency-Key (nothing stored before it): the body read first, then the key
        read with the case's rows in the opening's own read transaction (services/claim_cases.open_case), as
        the coverage adapter reads the check's key; the answers and their order are those of `_key` then
        `_view`. A body that is refused is answered after the key check (401, 429 and 403 come first); a
        key that is not accepted there (unknown, revoked, another role, a rate limit to count) is answered by
        the key check every endpoint uses (`_key`), and a key with a rate limit then opens as `_view` does.
        The key's separate read transaction on its own connection cost about a tenth of the opening in
        process (bench/results.md)."""
        raw = bearer_key(environ.get("HTTP_AUTHORIZATION", ""))
        try:
            case = _case_input(request)
        except (DomainError, HTTPException):
            self._key(environ)  # raises the key's 401, 429 or 403 if there is one: they come first
            raise
        prefix = raw[:PREFIX_LENGTH]
        accepted: list[KeyRow] = []
        try:
            opened = claim_cases.open_case(Actor.api_key(prefix), None, case, key_prefix=prefix,
                                           accept_key=lambda row: _accept(raw, row, accepted))
        except DomainError as exc:
            db.session.rollback()
            return self._error(exc)
        finally:
            if accepted:
                record(environ, PATH, prefix)
                if last_use_is_stale(accepted[0]):
                    record_last_use(accepted[0].id)  # as authenticate_key writes it, whatever the answer
        if opened is None:
            return self._opened(case, self._key(environ))
        return self._case_answer(*opened)

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
            case = _case_input(request)
        except DomainError as exc:
            return self._error(exc)
        except HTTPException as exc:
            return self._http_error(exc)
        return self._opened(case, key)

    def _opened(self, case: claim_cases.CaseInput, key: AuthenticatedKey) -> tuple[str, list, bytes]:
        """The case opened with `key` (201, or 200 for the same body again), or its error answer."""
        try:
            opened = claim_cases.open_case(Actor.api_key(key.prefix), key.id, case)
        except DomainError as exc:
            db.session.rollback()
            return self._error(exc)
        return self._case_answer(*opened)

    def _case_answer(self, view: claim_cases.CaseView, created: bool) -> tuple[str, list, bytes]:
        """The case's answer: 201 when this request opened it, else 200."""
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


def _case_input(request) -> claim_cases.CaseInput:
    """The body as the service's opening request: 415, 413 (HTTPException) or 400 naming every wrong field,
    read by OpenCase, the declaration."""
    body, = validate_all(BODY_MESSAGE, (OpenCase, read_json(source=request)))
    return claim_cases.CaseInput(**body.model_dump())


def _accept(raw: str, row: KeyRow | None, accepted: list[KeyRow]) -> int | None:
    """The key id to record the opening's check under, when `row` is `raw`'s key, a marketplace key and
    without a rate limit (noted in `accepted`); else None, and the adapter answers the key by the key check
    every endpoint uses (the 401 or 403, or a rate-limited key's count)."""
    key = key_of_role(raw, row, ROLES)
    if key is None or key.rate_limit is not None:
        return None
    accepted.append(key)
    return key.id


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

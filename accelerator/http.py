"""Cross-cutting HTTP behaviour: request limits, security headers, error pages and the DomainError mapping."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException, RequestHeaderFieldsTooLarge, RequestURITooLarge

from accelerator.domain.errors import DomainError, RateLimited
from accelerator.extensions import db

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

API_ERROR_CODES = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    429: "rate_limited",
    431: "headers_too_large",
    500: "internal_error",
    503: "unavailable",
}

PAGE_TITLES = {
    400: "That request was not understood",
    403: "You may not see this page",
    404: "Page not found",
    405: "That is not allowed here",
    413: "That upload is too large",
    414: "That address is too long",
    429: "Too many attempts",
    431: "That request's headers are too large",
    500: "Something went wrong on our side",
    503: "Temporarily unavailable",
}


API_INTERNAL_ERROR = "An unexpected error occurred; nothing was changed."
BEARER_CHALLENGE = 'Bearer realm="accelerator-api"'  # WWW-Authenticate of every API 401 (RFC 6750)


def security_headers(config, path: str, mimetype: str | None) -> list[tuple[str, str]]:
    """The security headers of every answer (and no-store under /api/ and on pages), for a path and a type."""
    headers = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if config.get("SESSION_COOKIE_SECURE"):
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    if path.startswith("/api/") or mimetype == "text/html":
        headers.append(("Cache-Control", "no-store"))
    return headers


def api_error_body(status: int, message: str, *, code: str | None = None, fields: dict | None = None) -> str:
    """The contract's JSON error body as text (what `api_error` answers: sorted keys, compact, a newline)."""
    body: dict = {"code": code or API_ERROR_CODES.get(status, "error"), "message": message}
    if fields:
        body["fields"] = fields
    return json.dumps({"error": body}, sort_keys=True, separators=(",", ":")) + "\n"


def domain_error_headers(exc: DomainError) -> dict[str, str] | None:
    """The headers a domain error's answer carries besides the usual ones (Retry-After when rate limited)."""
    return {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None


def status_line(status: int) -> str:
    """A WSGI status line as Werkzeug writes it ("404 NOT FOUND")."""
    return f"{status} {HTTPStatus(status).phrase.upper()}"


def json_headers(config, path: str) -> list[tuple[str, str]]:
    """The headers of every JSON answer on `path` (Vary: Cookie, as the app's hooks read the session)."""
    return [("Content-Type", "application/json"), ("Vary", "Cookie"),
            *security_headers(config, path, "application/json")]


def api_error_answer(config, path: str, status: int, message: str, *, code: str | None = None,
                     fields: dict | None = None, headers: dict | None = None) -> tuple[str, list, bytes]:
    """The contract's JSON error as a WSGI answer (status line, headers, body), without Flask."""
    body = api_error_body(status, message, code=code, fields=fields).encode("utf-8")
    return (status_line(status), [*json_headers(config, path), *(headers or {}).items(),
                                  ("Content-Length", str(len(body)))], body)


def domain_error_answer(config, path: str, exc: DomainError) -> tuple[str, list, bytes]:
    """A domain error's JSON answer (the same as the app's DomainError handler), without Flask."""
    return api_error_answer(config, path, exc.status, exc.message, code=exc.code, fields=exc.fields,
                            headers=domain_error_headers(exc))


def internal_error_answer(config, path: str, method: str, exc: BaseException) -> tuple[str, list, bytes]:
    """The logged 500 (as the app's catch-all handler answers it), without Flask."""
    log.error("unhandled error on %s %s", method, path, exc_info=exc)
    return api_error_answer(config, path, 500, API_INTERNAL_ERROR)


def send_answer(environ, start_response, answer: tuple[str, list, bytes]) -> list[bytes]:
    """Start a WSGI answer made by the functions above; HEAD gets the headers only (as Werkzeug answers it)."""
    line, headers, body = answer
    start_response(line, headers)
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def is_api_request() -> bool:
    """Whether the current request is for the JSON API (which never answers HTML)."""
    return request.path.startswith("/api/")


def api_error(status: int, message: str, *, code: str | None = None, fields: dict | None = None,
              headers: dict | None = None):
    """The contract's JSON error body."""
    response = current_app.response_class(api_error_body(status, message, code=code, fields=fields), status=status,
                                          mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_page_html(status: int, message: str | None = None) -> str:
    """The site's error page (in its layout) as HTML; needs a request context."""
    return render_template("errors/error.html", status=status, title=PAGE_TITLES.get(status, "Error"),
                           message=message)


def error_page(status: int, message: str | None = None, headers: dict | None = None):
    """A friendly HTML error page in the site's layout."""
    return error_page_html(status, message), status, headers or {}


# What the app accepts; gunicorn.conf.py lets requests well past these through, so that the answer is
# ours (JSON under /api/) and not the server's own HTML page.
MAX_REQUEST_TARGET = 8000  # characters of path and query string, as sent (gunicorn's line limit: 8190)
MAX_HEADER_FIELDS = 100
MAX_HEADER_FIELD_SIZE = 8190  # bytes of one header line, name and value
MAX_HEADER_BYTES = 65536  # of all header lines together
_BODY_FIELDS = frozenset(("CONTENT_TYPE", "CONTENT_LENGTH"))  # the header fields WSGI names without HTTP_
# Keys of every environ that are not header fields (WSGI's, gunicorn's): only a shortcut, since any other
# key is still looked at; a header's key always starts with HTTP_ or is one of _BODY_FIELDS.
_NOT_HEADERS = frozenset((
    "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL",
    "REMOTE_ADDR", "REMOTE_PORT", "RAW_URI", "REQUEST_URI", "SERVER_SOFTWARE", "wsgi.version", "wsgi.url_scheme",
    "wsgi.input", "wsgi.errors", "wsgi.multithread", "wsgi.multiprocess", "wsgi.run_once", "wsgi.file_wrapper",
    "wsgi.input_terminated", "gunicorn.socket",
))


def request_limit_error(environ: dict) -> HTTPException | None:
    """A 414 when the request target is too long, a 431 when the headers are too large; None when within."""
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if target is None:
        query = environ.get("QUERY_STRING", "")
        target = environ.get("PATH_INFO", "") + ("?" + query if query else "")
    if len(target) > MAX_REQUEST_TARGET:
        return RequestURITooLarge(f"The address is longer than {MAX_REQUEST_TARGET} characters.")
    # Every request pays this (the coverage check's too), so: the keys that are surely not headers are set
    # aside in one set difference, and the few left are looked at one by one; nothing is encoded (a header's
    # value is a str of latin-1 characters, PEP 3333, one byte each as sent: its length is its byte count).
    count = total = largest = 0
    for key in environ.keys() - _NOT_HEADERS:
        if key.startswith("HTTP_") or key in _BODY_FIELDS:
            value = environ[key]
            size = len(key) + 2 + len(value if type(value) is str else str(value))
            count += 1
            total += size
            if size > largest:
                largest = size
    if count > MAX_HEADER_FIELDS:
        return RequestHeaderFieldsTooLarge(f"The request has more than {MAX_HEADER_FIELDS} header fields.")
    if largest > MAX_HEADER_FIELD_SIZE:
        return RequestHeaderFieldsTooLarge(f"A header field is longer than {MAX_HEADER_FIELD_SIZE} bytes.")
    if total > MAX_HEADER_BYTES:
        return RequestHeaderFieldsTooLarge(f"The request's headers are larger than {MAX_HEADER_BYTES} bytes.")
    return None


class RequestLimits:
    """WSGI middleware in front of everything (the coverage adapter too): over-long addresses and headers
    get the app's own error answer (the contract's JSON under /api/, a page elsewhere), never a view."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        error = request_limit_error(environ)
        if error is None:
            return self.wsgi_app(environ, start_response)
        status, message = error.code, error.description
        path = environ.get("PATH_INFO", "")
        if path.startswith("/api/"):
            line, headers, body = api_error_answer(self.app.config, path, status, message)
        else:
            # The page's layout reads the request (the user, the request id): render it in a request context.
            with self.app.request_context(environ):
                body = error_page_html(status).encode("utf-8")
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Vary", "Cookie"),
                       *security_headers(self.app.config, path, "text/html"), ("Content-Length", str(len(body)))]
            line = status_line(status)
        return send_answer(environ, start_response, (line, headers, body))


def domain_error_response(exc: DomainError):
    """The app's answer to a domain error (its JSON under /api/, a page elsewhere); the session rolled back."""
    db.session.rollback()
    headers = domain_error_headers(exc)
    if is_api_request():
        return api_error(exc.status, exc.message, code=exc.code, fields=exc.fields, headers=headers)
    return error_page(exc.status, exc.message, headers)


def http_error_response(exc: HTTPException):
    """The app's answer to an HTTP error (404, 405 with Allow, 413, ...): JSON under /api/, a page elsewhere."""
    status = exc.code or 500
    headers = {}
    valid_methods = getattr(exc, "valid_methods", None)
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    if is_api_request():
        return api_error(status, exc.description or PAGE_TITLES.get(status, "Error"), headers=headers)
    return error_page(status, None, headers)


def register_http(app: Flask) -> None:
    """Install the request limits, security headers and error handlers."""
    app.wsgi_app = RequestLimits(app, app.wsgi_app)

    @app.after_request
    def add_security_headers(response):
        for name, value in security_headers(app.config, request.path, response.mimetype):
            response.headers.setdefault(name, value)
        return response

    app.register_error_handler(DomainError, domain_error_response)
    app.register_error_handler(HTTPException, http_error_response)

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if is_api_request():
            return api_error(500, API_INTERNAL_ERROR)
        return error_page(500)

"""Cross-cutting HTTP behaviour: request limits, security headers, error pages and the DomainError mapping."""

from __future__ import annotations

import json
import logging

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


def error_page(status: int, message: str | None = None, headers: dict | None = None):
    """A friendly HTML error page in the site's layout."""
    html = render_template("errors/error.html", status=status, title=PAGE_TITLES.get(status, "Error"),
                           message=message)
    return html, status, headers or {}


# What the app accepts; gunicorn.conf.py lets requests well past these through, so that the answer is
# ours (JSON under /api/) and not the server's own HTML page.
MAX_REQUEST_TARGET = 8000  # characters of path and query string, as sent (gunicorn's line limit: 8190)
MAX_HEADER_FIELDS = 100
MAX_HEADER_FIELD_SIZE = 8190  # bytes of one header line, name and value
MAX_HEADER_BYTES = 65536  # of all header lines together


def request_limit_error(environ: dict) -> HTTPException | None:
    """A 414 when the request target is too long, a 431 when the headers are too large; None when within."""
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if target is None:
        query = environ.get("QUERY_STRING", "")
        target = environ.get("PATH_INFO", "") + ("?" + query if query else "")
    if len(target) > MAX_REQUEST_TARGET:
        return RequestURITooLarge(f"The address is longer than {MAX_REQUEST_TARGET} characters.")
    fields = [(key, value) for key, value in environ.items()
              if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")]
    sizes = [len(key) + 2 + len(str(value).encode("latin-1", "replace")) for key, value in fields]
    if len(fields) > MAX_HEADER_FIELDS:
        return RequestHeaderFieldsTooLarge(f"The request has more than {MAX_HEADER_FIELDS} header fields.")
    if any(size > MAX_HEADER_FIELD_SIZE for size in sizes):
        return RequestHeaderFieldsTooLarge(f"A header field is longer than {MAX_HEADER_FIELD_SIZE} bytes.")
    if sum(sizes) > MAX_HEADER_BYTES:
        return RequestHeaderFieldsTooLarge(f"The request's headers are larger than {MAX_HEADER_BYTES} bytes.")
    return None


class RequestLimits:
    """WSGI middleware in front of everything (the coverage fast path too): over-long addresses and headers
    get the app's own error answer (the contract's JSON under /api/, a page elsewhere), never a view."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        error = request_limit_error(environ)
        if error is None:
            return self.wsgi_app(environ, start_response)
        with self.app.request_context(environ):
            response = self.app.finalize_request(self.app.handle_user_exception(error))
        return response(environ, start_response)


def register_http(app: Flask) -> None:
    """Install the request limits, security headers and error handlers."""
    app.wsgi_app = RequestLimits(app, app.wsgi_app)

    @app.after_request
    def add_security_headers(response):
        for name, value in security_headers(app.config, request.path, response.mimetype):
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        headers = domain_error_headers(exc)
        if is_api_request():
            return api_error(exc.status, exc.message, code=exc.code, fields=exc.fields, headers=headers)
        return error_page(exc.status, exc.message, headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        headers = {}
        valid_methods = getattr(exc, "valid_methods", None)
        if status == 405 and valid_methods:
            headers["Allow"] = ", ".join(valid_methods)
        if is_api_request():
            return api_error(status, exc.description or PAGE_TITLES.get(status, "Error"), headers=headers)
        return error_page(status, None, headers)

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if is_api_request():
            return api_error(500, API_INTERNAL_ERROR)
        return error_page(500)

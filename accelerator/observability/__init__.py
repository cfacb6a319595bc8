"""Operating the app: request ids, the structured log line of every request, and the Prometheus metrics.

`install(app)` puts `RequestObserver` outermost around the app (so every path gets an id, a log line
and its count, the coverage adapter included), installs the log handler (LOG_FORMAT) and the hook
that records for the observer which route answered and who asked (the API key's prefix, the user's id).
docs/operations.md lists the metrics and what to do when an alert on them fires.
"""

from __future__ import annotations

from flask import Flask, g, request

from accelerator.observability.logs import configure_logging
from accelerator.observability.middleware import KEY_PREFIX_KEY, ROUTE_KEY, USER_KEY, RequestObserver, record
from accelerator.observability.request_ids import current_request_id

__all__ = ["RequestObserver", "current_request_id", "install", "record"]


def install(app: Flask) -> None:
    """Wrap the app (call last, after every other middleware) and install the log handler and hooks."""
    configure_logging(app.config.get("LOG_FORMAT", "text"))
    app.teardown_request(_record_request)
    app.add_template_global(current_request_id, "request_id")
    app.wsgi_app = RequestObserver(app.wsgi_app)


def _record_request(exc: BaseException | None) -> None:
    """Note in the environ the route template that answered, and the API key's prefix or the user's id."""
    environ = request.environ
    rule = request.url_rule
    if rule is not None:
        environ[ROUTE_KEY] = rule.rule
    key = g.get("api_key")
    if key is not None:
        environ[KEY_PREFIX_KEY] = key.prefix
    # Flask-Login keeps the user it loaded in g; a request that never looked at the user loads none here.
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        environ[USER_KEY] = user.id

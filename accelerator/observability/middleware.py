"""`RequestObserver`: the outermost WSGI middleware, giving every answer on every path (the coverage fast
path, Flask, the request limits' errors) its request id, its log line and its request metrics."""

from __future__ import annotations

import os
import time

from accelerator import clock
from accelerator.observability.metrics import UNMATCHED_ROUTE
from accelerator.observability.records import RequestRecord, note
from accelerator.observability.request_ids import ENVIRON_KEY, HEADER, accepted_or_new, serving

# What the inner app records in the environ while serving (see `record`): read once it has answered.
ROUTE_KEY = "accelerator.route"
KEY_PREFIX_KEY = "accelerator.api_key_prefix"
USER_KEY = "accelerator.user_id"
# Any other method is counted as "other": the label's values must not be the caller's to choose.
METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))

_pid = [os.getpid()]  # os.getpid() is a system call; the worker's pid changes only at a fork
os.register_at_fork(after_in_child=lambda: _pid.__setitem__(0, os.getpid()))


def record(environ: dict, route: str, api_key_prefix: str | None = None) -> None:
    """Tell the observer which route template answers this request (and the API key's prefix, if any):
    for an inner app that answers without Flask (Flask's own requests are recorded by a teardown hook)."""
    environ[ROUTE_KEY] = route
    if api_key_prefix is not None:
        environ[KEY_PREFIX_KEY] = api_key_prefix


class RequestObserver:
    """Sets the request id (the caller's X-Request-Id when valid, else a new one) for the request's log
    records and its answer's header, then notes the request for its log line and counts, once its
    answer is complete."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        request_id = accepted_or_new(environ.get("HTTP_X_REQUEST_ID"))
        environ[ENVIRON_KEY] = request_id
        serving(request_id)
        statuses: list[str] = []

        def start_with_id(status, headers, exc_info=None):
            statuses.append(status)
            headers.append((HEADER, request_id))
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, start_with_id)
        except BaseException:
            self.finish(environ, request_id, statuses or ["500"], started)
            raise
        if isinstance(body, list):  # complete already (the coverage adapter's answer)
            self.finish(environ, request_id, statuses, started)
            return body
        return _Observed(body, self, environ, request_id, statuses, started)

    def finish(self, environ: dict, request_id: str, statuses: list[str], started: float) -> None:
        """Note the request's record (its line and counts: records.py writes them); the thread then
        serves no request."""
        try:
            duration = time.perf_counter() - started
            method = environ.get("REQUEST_METHOD", "GET")
            note(RequestRecord(clock.now_ns(), request_id, method if method in METHODS else "other",
                               environ.get(ROUTE_KEY) or UNMATCHED_ROUTE,
                               statuses[-1][:3] if statuses else "500", duration,
                               environ.get(KEY_PREFIX_KEY), environ.get(USER_KEY), _pid[0]))
        finally:
            serving(None)


class _Observed:
    """The inner answer's body, passed through; its close() (the server's, after the last byte) finishes."""

    __slots__ = ("body", "environ", "observer", "request_id", "started", "statuses")

    def __init__(self, body, observer: RequestObserver, environ: dict, request_id: str, statuses: list[str],
                 started: float):
        self.body, self.observer, self.environ = body, observer, environ
        self.request_id, self.statuses, self.started = request_id, statuses, started

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        """Close the inner body, then note the request."""
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.observer.finish(self.environ, self.request_id, self.statuses, self.started)

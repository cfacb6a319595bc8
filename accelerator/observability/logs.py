"""Log output: one handler on the root logger, readable text by default or one JSON object a line
(LOG_FORMAT=json), every record carrying the request id of the request being served; and the
requests' lines, written in the same format by `write_request_lines`."""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii as _quoted

from accelerator import clock
from accelerator.observability.request_ids import RequestIdFilter

# The logger the per-request line is written as (write_request_lines). A record's `fields` attribute,
# when it has one, adds key=value pairs (text) or keys (JSON) to its line.
REQUEST_LOGGER = "accelerator.requests"
FORMATS = ("text", "json")
_format = {"name": "text"}  # as configure_logging last set it
_write_lock = threading.Lock()
# One encoder for every line (json.dumps with options would build one per call).
_encode = json.JSONEncoder(separators=(",", ":"), default=str).encode


def _time() -> str:
    """The app's clock (tests pin it), to the millisecond, as RFC 3339 UTC."""
    return clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    """`time level logger [request id] message key=value ...`: for a person reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        """One line (an exception's traceback follows on the next lines)."""
        fields = getattr(record, "fields", None)
        extra = "".join(f" {name}={value}" for name, value in fields.items() if value is not None) if fields else ""
        line = (f"{_time()} {record.levelname} {record.name} [{getattr(record, 'request_id', '-')}] "
                f"{record.getMessage()}{extra}")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, request_id, message and the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The object, on one line (a traceback goes in `exception`)."""
        entry = {"time": _time(), "level": record.levelname, "logger": record.name,
                 "request_id": getattr(record, "request_id", "-"), "message": record.getMessage()}
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _encode(entry)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test framework swaps it), like logging's last resort."""

    @property
    def stream(self):
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        """Ignored: the stream is always the current standard error."""


def configure_logging(log_format: str) -> logging.Handler:
    """Install (once per process) the root handler with the request id filter, in `log_format`; the
    app's own loggers log from INFO up (the request lines among them)."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, StderrHandler)), None)
    if handler is None:
        handler = StderrHandler()
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    _format["name"] = log_format
    logging.getLogger("accelerator").setLevel(logging.INFO)
    return handler


def write_request_lines(records) -> None:
    """Write requests' lines (accelerator.requests.RequestRecord) to standard error in one write, each as
    the root handler would format a record with these fields (the `accelerator.requests` logger, at INFO).

    Made here rather than through LogRecords: the record, the handlers and the formatter cost the
    single coverage check a quarter of its CPU time, this a few microseconds (bench/results.md).
    Whether the lines are written at all is still the logger's to say (records.py asks it).
    """
    json_lines = _format["name"] == "json"
    lines = []
    for r in records:
        time_text = _time_of(r.time_ns)
        duration_ms = round(r.duration * 1000, 3)
        key = (json_lines, r.method, r.route, r.status)
        middle = _middles.get(key)
        if middle is None:
            middle = _middles[key] = _middle(*key)
        if json_lines:
            lines.append(
                f'{{"time":"{time_text}","level":"INFO","logger":"{REQUEST_LOGGER}","request_id":{_quoted(r.request_id)},'
                f'{middle}"duration_ms":{duration_ms!r},'
                f'"api_key_prefix":{"null" if r.api_key_prefix is None else _quoted(r.api_key_prefix)},'
                f'"user_id":{"null" if r.user_id is None else int(r.user_id)},"pid":{r.pid}}}\n')
        else:
            who = (f" api_key_prefix={r.api_key_prefix}" if r.api_key_prefix is not None else "") + \
                  (f" user_id={r.user_id}" if r.user_id is not None else "")
            lines.append(f"{time_text} INFO {REQUEST_LOGGER} [{r.request_id}] {middle}"
                         f"duration_ms={duration_ms!r}{who} pid={r.pid}\n")
    stream = sys.stderr
    with _write_lock:
        stream.write("".join(lines))
        stream.flush()


# The part of a line its method, route template and status make, by format and those three (as many as
# the request metrics' label sets): made once, it saves a third of a line's formatting (bench/results.md).
_middles: dict[tuple[bool, str, str, str], str] = {}


def _middle(json_lines: bool, method: str, route: str, status: str) -> str:
    """From the message to the status, with the separator that follows."""
    if json_lines:
        return (f'"message":{_quoted(f"{method} {route} {status}")},"method":"{method}","route":{_quoted(route)},'
                f'"status":{int(status)},')
    return f"{method} {route} {status} method={method} route={route} status={int(status)} "


_second: list = [None, ""]  # the last second _time_of formatted, and its text up to the milliseconds


def _time_of(time_ns: int) -> str:
    """A moment in Unix nanoseconds as `_time` writes it (the date and time made once a second)."""
    second, rest = divmod(time_ns, 1_000_000_000)
    if second != _second[0]:
        _second[:] = second, datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S.")
    return f"{_second[1]}{rest // 1_000_000:03d}Z"

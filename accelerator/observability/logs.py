"""Log output: one handler on the root logger, readable text by default or one JSON object a line
(LOG_FORMAT=json), every record carrying the request id of the request being served."""

from __future__ import annotations

import json
import logging
import sys

from accelerator import clock
from accelerator.observability.request_ids import RequestIdFilter

# The per-request line (middleware.py); its fields are in the record's `fields` attribute.
REQUEST_LOGGER = "accelerator.requests"
FORMATS = ("text", "json")
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

    def __init__(self):
        super().__init__()

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
    logging.getLogger("accelerator").setLevel(logging.INFO)
    return handler

"""Request bodies: `read_json`, strict JSON parsing (`parse_json_bytes`) giving `JsonNumber`s, and the 415 error."""

from __future__ import annotations

import json
from typing import Any

from flask import Request
from flask import request as flask_request

from accelerator.domain.errors import DomainError, ValidationError
from accelerator.shapes.values import JsonNumber  # one class: the declarations read its text

MAX_DEPTH = 32


class UnsupportedMediaType(DomainError):
    """A body sent without `Content-Type: application/json`."""

    status = 415
    code = "unsupported_media_type"


# --- request bodies -----------------------------------------------------------------------------


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key[:100]!r} appears twice")
        result[key] = value
    return result


def _too_deep(value: Any, limit: int) -> bool:
    """Whether a parsed JSON value nests arrays and objects more than `limit` levels (iteratively)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def parse_json_bytes(raw: bytes) -> Any:
    """Parse a UTF-8 JSON document strictly, or raise ValidationError with a clear message."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError("The body is not valid UTF-8.") from exc
    try:
        value = json.loads(text, parse_float=JsonNumber, parse_int=JsonNumber,
                           parse_constant=_no_constants, object_pairs_hook=_no_duplicates)
    except RecursionError as exc:
        raise ValidationError(f"The body nests more than {MAX_DEPTH} levels deep.") from exc
    except ValueError as exc:
        raise ValidationError(f"The body is not valid JSON: {str(exc)[:200]}") from exc
    if _too_deep(value, MAX_DEPTH):
        raise ValidationError(f"The body nests more than {MAX_DEPTH} levels deep.")
    return value


def read_json(*, object_required: bool = True, source: Request | None = None) -> Any:
    """The request's JSON body: 415 without application/json, 400 when not UTF-8 JSON (or not an object).

    A body over MAX_CONTENT_LENGTH (1 MiB) is refused with 413 while it is read. `source`: a request
    object made by an adapter that answers without Flask's dispatch (api/claim_case_adapter.py), in an
    app context; by default the current request.
    """
    request = source if source is not None else flask_request
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the body as JSON with Content-Type: application/json.")
    charset = request.mimetype_params.get("charset")
    if charset and charset.lower().replace("-", "") != "utf8":
        raise UnsupportedMediaType("Send the body as UTF-8 JSON.")
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ValidationError("A JSON body is required.")
    value = parse_json_bytes(raw)
    if object_required and not isinstance(value, dict):
        raise ValidationError("The body must be a JSON object.")
    return value

"""One error renderer: a pydantic ValidationError as the contract's 400, every field's message at once."""

from __future__ import annotations

from typing import Any

import pydantic

from accelerator.domain.errors import ValidationError
from accelerator.shapes.values import CONTRACT_ERROR, REQUIRED

# pydantic's own error types, worded as the contract words them; a type not listed keeps pydantic's text.
_MESSAGES = {
    "missing": REQUIRED,
    "extra_forbidden": "Unknown field.",
    "bool_type": "Must be true or false.",
    "string_type": "Must be a string.",
    "list_type": "Must be an array.",
}


def _name(loc: tuple) -> str:
    """The field a location names (a long unknown name cut at 100 characters, as the contract shows it)."""
    name = ".".join(str(part) for part in loc) if loc else "body"
    return name if len(name) <= 100 else name[:100] + "…"


def field_errors(exc: pydantic.ValidationError) -> dict[str, str]:
    """Each wrong field's message (the first one for a field wins), in the contract's words."""
    errors: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_context=False, include_input=False):
        kind = error["type"]
        message = error["msg"] if kind == CONTRACT_ERROR else _MESSAGES.get(kind, error["msg"])
        errors.setdefault(_name(error["loc"]), message)
    return errors


def validate(model: type[pydantic.BaseModel], data: Any, message: str,
             extra_errors: dict[str, str] | None = None) -> Any:
    """`data` read as `model`, or the contract's ValidationError naming every wrong field (and `extra_errors`)."""
    try:
        value = model.model_validate(data)
    except pydantic.ValidationError as exc:
        fields = dict(extra_errors or {})
        for name, text in field_errors(exc).items():
            fields.setdefault(name, text)  # a field's first message wins ("Give this parameter once.")
        raise ValidationError(message, fields=fields) from None
    if extra_errors:
        raise ValidationError(message, fields=dict(extra_errors))
    return value


def validate_all(message: str, *parts: tuple[type[pydantic.BaseModel], Any],
                 extra_errors: dict[str, str] | None = None) -> tuple:
    """Each (model, data) read, or one ValidationError naming every wrong field of them all (a path and a body)."""
    values: list[Any] = []
    fields: dict[str, str] = dict(extra_errors or {})
    for model, data in parts:
        try:
            values.append(model.model_validate(data))
        except pydantic.ValidationError as exc:
            for name, text in field_errors(exc).items():
                fields.setdefault(name, text)
    if fields:
        raise ValidationError(message, fields=fields)
    return tuple(values)

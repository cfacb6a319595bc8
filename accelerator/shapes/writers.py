"""A fast writer derived from an answer's declaration, for answers on a measured hot path (the case list).

pydantic's own validate-and-dump of a claim case costs 2.3 times the old hand-written function
(bench/bench_case_answers.py); `writer(Model)` reads the declaration once, at import, and gives a
function writing an object's attributes as the declaration's JSON: each field under its alias, through
the field's `PlainSerializer` (money, day, timestamp, id; None stays None), nested declarations and lists
of them alike. So adding a field to the declaration adds it to the answer, and a test reads every
answer back through the declaration and writes it again (tests/api/test_case_declarations.py).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, PlainSerializer

Convert = Callable[[Any], Any] | None


def _serializer(metadata) -> Convert:
    """The function of the first PlainSerializer among `metadata`, or None."""
    for item in metadata:
        if isinstance(item, PlainSerializer):
            return item.func
    return None


def _converter(annotation: Any) -> Convert:
    """How a value of this type is written: a serializer, a nested writer, a list of them, or as it is."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _serializer(annotation.__metadata__) or _converter(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _converter(options[0]) if len(options) == 1 else None
    if origin is list:
        item = _converter(typing.get_args(annotation)[0])
        return None if item is None else (lambda values: [item(value) for value in values])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return writer(annotation)
    return None


def writer(model: type[BaseModel]) -> Callable[..., dict]:
    """`write(source, **given)`: the declaration's JSON of `source`'s attributes (a dict's items), `given` first."""
    fields = []
    for name, info in model.model_fields.items():
        convert = _serializer(info.metadata) or _converter(info.annotation)
        fields.append((name, info.serialization_alias or info.alias or name, convert))

    def write(source: Any, **given: Any) -> dict:
        out = {}
        from_dict = type(source) is dict
        for name, key, convert in fields:
            if name in given:
                value = given[name]
            else:
                value = source.get(name) if from_dict else getattr(source, name)
            out[key] = value if convert is None or value is None else convert(value)
        return out

    write.__doc__ = f"The JSON of a {model.__name__}, as its declaration writes it."
    return write

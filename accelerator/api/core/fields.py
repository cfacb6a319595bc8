"""Fields and parameters: `Fields`, `QueryArgs`, pagination (`page_args`, `paginated`) and `parse_id`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import werkzeug.urls  # noqa: F401 - registers the "werkzeug.url_quote" codec error handler used below
from flask import request

from accelerator.api.core.bodies import JsonNumber
from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.errors import ValidationError
from accelerator.domain.money import parse_money
from accelerator.domain.values import normalize_seller_id, parse_date
from accelerator.services.paging import Page

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns on PostgreSQL
_MISSING = object()


# --- fields -------------------------------------------------------------------------------------


def _field_name(name: str) -> str:
    return name if len(name) <= 100 else name[:100] + "…"


class Fields:
    """Reads a JSON object's fields, collecting one message per bad field; `check()` raises them all.

    Every reader takes `required` (default True) or `default` (which makes the field optional);
    a missing optional field, or one sent as null, gives the default. After reading, `check()`
    refuses fields that no reader asked for (the unknown-field policy) and raises
    ValidationError(fields=...) when any field was wrong. `errors` holds the messages so far (the
    batch endpoint reports them per item instead of raising).
    """

    def __init__(self, data: dict, prefix: str = ""):
        self.data = data
        self.prefix = prefix
        self.errors: dict[str, str] = {}
        self._seen: set[str] = set()

    def _take(self, name: str, required: bool, default: Any) -> Any:
        """The raw value, or _MISSING after noting "required" / returning the default."""
        self._seen.add(name)
        value = self.data.get(name)
        if value is None:
            if required and default is _MISSING:
                self.error(name, "This field is required.")
                return _MISSING
            return _MISSING
        return value

    def error(self, name: str, message: str) -> None:
        """Record a message for a field (the first message for a field wins)."""
        self.errors.setdefault(self.prefix + _field_name(name), message)

    def has_error(self, *names: str) -> bool:
        """Whether any of these fields already has a message."""
        return any(self.prefix + n in self.errors for n in names)

    def string(self, name: str, *, max_length: int, min_length: int = 1, required: bool = True,
               default: Any = _MISSING, strip: bool = True) -> str | None:
        """A JSON string of min_length..max_length characters (after stripping outer whitespace)."""
        value = self._take(name, required, default)
        if value is _MISSING:
            return None if default is _MISSING else default
        if not isinstance(value, str):
            self.error(name, "Must be a string.")
            return None
        text = value.strip() if strip else value
        if len(text) > max_length:
            self.error(name, f"Must be at most {max_length:,} characters.")
            return None
        if len(text) < min_length:
            self.error(name, "Must not be empty." if min_length == 1 else f"Must be at least {min_length} characters.")
            return None
        if "\x00" in text:
            self.error(name, "Must not contain NUL characters.")
            return None
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate such as "\ud800": not storable text
            self.error(name, "Must be valid Unicode text.")
            return None
        return text

    def money(self, name: str, *, allow_zero: bool = False, required: bool = True,
              default: Any = _MISSING) -> Decimal | None:
        """USD as a JSON string or number in plain decimal notation, at most two decimals."""
        value = self._take(name, required, default)
        if value is _MISSING:
            return None if default is _MISSING else default
        if isinstance(value, JsonNumber):
            value = value.text
        if not isinstance(value, str):
            self.error(name, "Must be an amount such as \"2500.00\".")
            return None
        try:
            return parse_money(value, allow_zero=allow_zero)
        except ValueError as exc:
            self.error(name, f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return None

    def integer(self, name: str, *, minimum: int, maximum: int, required: bool = True,
                default: Any = _MISSING) -> int | None:
        """A whole JSON number (no fraction, no exponent) within minimum..maximum."""
        value = self._take(name, required, default)
        if value is _MISSING:
            return None if default is _MISSING else default
        if not isinstance(value, JsonNumber) or not re.fullmatch(r"-?[0-9]{1,18}", value.text):
            self.error(name, "Must be a whole number.")
            return None
        number = int(value.text)
        if not minimum <= number <= maximum:
            self.error(name, f"Must be between {minimum:,} and {maximum:,}.")
            return None
        return number

    def date(self, name: str, *, required: bool = True, default: Any = _MISSING) -> date | None:
        """A real calendar date written YYYY-MM-DD, 1900-01-01 to 2999-12-31."""
        value = self._take(name, required, default)
        if value is _MISSING:
            return None if default is _MISSING else default
        try:
            return parse_date(value)
        except ValueError as exc:
            self.error(name, f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return None

    def boolean(self, name: str, *, required: bool = True, default: Any = _MISSING) -> bool | None:
        """A JSON true or false (not "true", not 1)."""
        value = self._take(name, required, default)
        if value is _MISSING:
            return None if default is _MISSING else default
        if not isinstance(value, bool):
            self.error(name, "Must be true or false.")
            return None
        return value

    def categories(self, name: str, *, required: bool = True, default: Any = _MISSING,
                   min_items: int = 0, max_items: int | None = None, repeats: bool = False) -> list[str] | None:
        """A JSON array of category codes from GET /api/v1/categories, each once (or, with `repeats`,
        repeats allowed and left for the caller to ignore), at most `max_items` of them."""
        value = self._take(name, required, default)
        if value is _MISSING:
            return None if default is _MISSING else list(default)
        return self._codes(name, value, CATEGORY_CODES, "category", min_items, max_items, repeats)

    def _codes(self, name: str, value: Any, allowed: Iterable[str], what: str, min_items: int,
               max_items: int | None = None, repeats: bool = False) -> list[str] | None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(name, f"Must be an array of {what} codes.")
            return None
        if max_items is not None and len(value) > max_items:
            self.error(name, f"Give at most {max_items} {what} codes.")
            return None
        unknown = [v for v in value if v not in allowed]
        if unknown:
            shown = ", ".join(repr(v[:40]) for v in unknown[:5])
            self.error(name, f"Unknown {what} code(s): {shown}.")
            return None
        if not repeats and len(set(value)) != len(value):
            self.error(name, f"Each {what} may appear once.")
            return None
        if len(value) < min_items:
            self.error(name, f"Give at least {min_items} {what} code(s).")
            return None
        return list(value)

    def category(self, name: str, *, required: bool = True) -> str | None:
        """One category code from the list."""
        value = self._take(name, required, _MISSING if required else None)
        if value is _MISSING:
            return None
        if not isinstance(value, str) or value not in CATEGORY_CODES:
            self.error(name, "Must be a category code from GET /api/v1/categories.")
            return None
        return value

    def seller_id(self, name: str = "seller_id", *, required: bool = True) -> str | None:
        """A marketplace seller ID, upper-cased, ^[A-Z0-9]{6,20}$."""
        value = self._take(name, required, _MISSING if required else None)
        if value is _MISSING:
            return None
        try:
            return normalize_seller_id(value)
        except ValueError as exc:
            self.error(name, f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return None

    def raw(self, name: str, *, required: bool = True) -> Any:
        """The value as parsed (for shapes the readers above do not cover); None when missing."""
        value = self._take(name, required, _MISSING if required else None)
        return None if value is _MISSING else value

    def unknown(self) -> list[str]:
        """The fields of the object that no reader asked for."""
        return [name for name in self.data if name not in self._seen]

    def check(self, message: str = "Some fields are not right.") -> None:
        """Refuse unknown fields and raise ValidationError(fields=...) if any field was wrong."""
        for name in self.unknown():
            self.error(name, "Unknown field.")
        if self.errors:
            raise ValidationError(message, fields=dict(self.errors))


def query_values(query_string: bytes | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """The query parameters (each one's first value), and an error for each one given twice: of the
    current request, or of `query_string` (the raw bytes, for the coverage adapter, which has no request).
    Decoded as Werkzeug decodes `request.args` (urllib's parse_qsl with blank values kept, invalid bytes
    left percent-encoded), only without unquoting a part that has nothing to unquote: the single
    coverage check's query is read here, and parse_qsl costs it ~10 µs where this costs ~2."""
    if query_string is None:
        query_string = request.query_string
    data: dict[str, str] = {}
    errors: dict[str, str] = {}
    for part in query_string.decode().split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if "%" in part or "+" in part:
            name = unquote(name.replace("+", " "), errors="werkzeug.url_quote")
            value = unquote(value.replace("+", " "), errors="werkzeug.url_quote")
        if name in data:
            errors[_field_name(name)] = "Give this parameter once."
        else:
            data[name] = value
    return data, errors


class QueryArgs(Fields):
    """Reads query parameters like Fields reads a body (unknown parameters refused the same way)."""

    def __init__(self):
        data, errors = query_values()
        super().__init__(data)
        self.errors.update(errors)

    def page(self) -> tuple[int, int]:
        """`page` (>= 1, default 1) and `per_page` (1 to 200, default 50)."""
        page = self._whole("page", 1, None, 1)
        per_page = self._whole("per_page", 1, MAX_PER_PAGE, DEFAULT_PER_PAGE)
        return page, per_page

    def _whole(self, name: str, minimum: int, maximum: int | None, default: int) -> int:
        self._seen.add(name)
        text = self.data.get(name)
        if text is None:
            return default
        if not re.fullmatch(r"[0-9]{1,18}", text):
            self.error(name, "Must be a whole number.")
            return default
        value = int(text)
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
            self.error(name, f"Must be {bound}.")
            return default
        return value

    def choice(self, name: str, choices: Iterable[str]) -> str | None:
        """An optional parameter that must be one of `choices`."""
        self._seen.add(name)
        value = self.data.get(name)
        choices = tuple(choices)
        if value is None:
            return None
        if value not in choices:
            self.error(name, "Must be one of " + ", ".join(choices) + ".")
            return None
        return value


def page_args() -> tuple[int, int]:
    """`page` and `per_page` of the request, or ValidationError (for views with no other parameter)."""
    args = QueryArgs()
    result = args.page()
    args.check()
    return result


def paginated(page: Page, serialize: Callable[[Any], Any]) -> dict:
    """The contract's page answer `{"items", "page", "per_page", "total"}` of a services.paging.Page."""
    return {"items": [serialize(item) for item in page.items], "page": page.page,
            "per_page": page.per_page, "total": page.total}


def parse_id(value: str) -> int | None:
    """A numeric id from a path (as our JSON gives ids: strings of digits), or None if none can exist."""
    if not re.fullmatch(r"[0-9]{1,10}", value or ""):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None

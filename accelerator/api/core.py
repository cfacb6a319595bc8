"""The API's core, shared by every resource module: key auth, JSON bodies, fields, pages, idempotency.

How an endpoint is written (see api/policies.py for real ones):

    @bp.post("/things")
    @require_role("insurer")          # 401 without a valid key, 403 for another role; sets g.api_key
    @idempotent                       # every POST and PUT: Idempotency-Key replays the first answer
    def create_thing():
        data = read_json()            # 415 / 400 / 413 as the contract says; a dict
        f = Fields(data)              # collects one message per bad field
        name = f.string("name", max_length=200)
        amount = f.money("amount")
        f.check()                     # ValidationError(fields=...) if any field was wrong or unknown
        thing = things.create(g.api_key.insurer_id, name, amount)   # one service call
        return jsonify(thing_json(thing)), 201

    @bp.get("/things")
    @require_role("insurer")
    def list_things():
        args = QueryArgs()            # the same unknown-parameter policy as bodies
        page, per_page = args.page()
        seller = args.string("seller_id", required=False)
        args.check()
        return jsonify(paginated(things.list_things(g.api_key.insurer_id, seller, page, per_page), thing_json))

Unknown fields: one policy for every endpoint. A body field or query parameter that the endpoint
does not know is refused with 400 `invalid_request` and a message under its name in `fields`
(`Fields.check()` and `QueryArgs.check()` do this). An optional field sent as JSON `null` is the
same as leaving it out.

JSON numbers: `read_json` gives every JSON number as a `JsonNumber` holding its source text, so the
money rules see exactly what was written (`-0`, `1e2`, `0.001` are refused, `1e309` never becomes
infinity). Use the `Fields` readers (`money`, `integer`) rather than reading numbers by hand.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app, g, make_response, request
from sqlalchemy import or_, update
from werkzeug.exceptions import HTTPException

from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.errors import DomainError, Forbidden, ValidationError
from accelerator.domain.money import parse_money
from accelerator.domain.values import check_policy_number, normalize_seller_id, parse_date
from accelerator.extensions import db
from accelerator.models import ApiKey
from accelerator.models.types import utcnow
from accelerator.services import idempotency
from accelerator.services.api_keys import PREFIX_LENGTH, hash_key
from accelerator.services.hotpath import read_api_key
from accelerator.services.paging import Page

MAX_DEPTH = 32
MAX_KEY_LENGTH = 200
LAST_USED_RESOLUTION = timedelta(seconds=60)
MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns on PostgreSQL
_MISSING = object()
# Compared against when the prefix is unknown, so a miss costs what a hit costs.
_DUMMY_HASH = hash_key("acc_not-a-key-but-the-same-length-as-one-000000")


class Unauthenticated(DomainError):
    """No key, an unknown or revoked key, or the key of an insurer that is not approved."""

    status = 401
    code = "unauthenticated"


class UnsupportedMediaType(DomainError):
    """A body sent without `Content-Type: application/json`."""

    status = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class AuthenticatedKey:
    """The API key of the current request (`g.api_key`)."""

    id: int
    role: str
    insurer_id: int | None
    prefix: str


# --- authentication -----------------------------------------------------------------------------


def authenticate() -> AuthenticatedKey:
    """Check the request's bearer key against the database (no cache), or raise Unauthenticated."""
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        raise Unauthenticated("Send an API key: Authorization: Bearer <key>.")
    if len(raw) > MAX_KEY_LENGTH or len(raw) < PREFIX_LENGTH:
        raise Unauthenticated("That API key is not valid.")
    # Read afresh on every request (no cache), outside the session's write-locking transaction.
    row = read_api_key(raw[:PREFIX_LENGTH])
    presented = hash_key(raw)
    matches = hmac.compare_digest(presented, row.key_hash if row else _DUMMY_HASH)
    if row is None or not matches:
        raise Unauthenticated("That API key is not valid.")
    if row.revoked_at is not None:
        raise Unauthenticated("That API key was revoked.")
    if row.role == "insurer" and row.status != "approved":
        raise Unauthenticated("That API key's insurer is not approved.")
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        # At most one write a minute per key; the condition makes concurrent requests write once.
        db.session.execute(
            update(ApiKey)
            .where(ApiKey.id == row.id,
                   or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - LAST_USED_RESOLUTION))
            .values(last_used_at=now)
        )
        db.session.commit()
    # Otherwise the read stays in the request's transaction: one transaction per request, not two.
    return AuthenticatedKey(id=row.id, role=row.role, insurer_id=row.insurer_id, prefix=row.prefix)


def require_role(*roles: str) -> Callable:
    """Decorator: the request must carry a valid key of one of `roles` (401 / 403); sets `g.api_key`."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = authenticate()
            if key.role not in roles:
                raise Forbidden(f"This endpoint is for {' or '.join(roles)} keys.")
            g.api_key = key
            return view(*args, **kwargs)

        wrapper.api_roles = roles  # read by the OpenAPI test
        return wrapper

    return decorator


# --- request bodies -----------------------------------------------------------------------------


class JsonNumber:
    """A JSON number exactly as written (`.text`); read it with Fields.money or Fields.integer."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"JsonNumber({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonNumber) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


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


def read_json(*, object_required: bool = True) -> Any:
    """The request's JSON body: 415 without application/json, 400 when not UTF-8 JSON (or not an object).

    A body over MAX_CONTENT_LENGTH (1 MiB) is refused with 413 while it is read.
    """
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
                   min_items: int = 0) -> list[str] | None:
        """A JSON array of category codes from GET /api/v1/categories, each once."""
        value = self._take(name, required, default)
        if value is _MISSING:
            return None if default is _MISSING else list(default)
        return self._codes(name, value, CATEGORY_CODES, "category", min_items)

    def _codes(self, name: str, value: Any, allowed: Iterable[str], what: str, min_items: int) -> list[str] | None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(name, f"Must be an array of {what} codes.")
            return None
        unknown = [v for v in value if v not in allowed]
        if unknown:
            shown = ", ".join(repr(v[:40]) for v in unknown[:5])
            self.error(name, f"Unknown {what} code(s): {shown}.")
            return None
        if len(set(value)) != len(value):
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

    def policy_number(self, name: str = "policy_number", *, required: bool = True) -> str | None:
        """1 to 64 of A-Z a-z 0-9 - _ . starting with a letter or digit."""
        value = self._take(name, required, _MISSING if required else None)
        if value is _MISSING:
            return None
        try:
            return check_policy_number(value)
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


class QueryArgs(Fields):
    """Reads query parameters like Fields reads a body (unknown parameters refused the same way)."""

    def __init__(self):
        data: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, values in request.args.lists():
            if len(values) > 1:
                errors[_field_name(name)] = "Give this parameter once."
            data[name] = values[0]
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


# --- idempotency --------------------------------------------------------------------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"


def _request_fingerprint() -> str:
    """SHA-256 over method, path with query string and the body bytes as sent."""
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\n")
    digest.update(request.full_path.rstrip("?").encode("utf-8", "surrogatepass"))
    digest.update(b"\n")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(record: idempotency.StoredAnswer):
    response = make_response(record.body, record.status_code)
    response.mimetype = "application/json"
    response.headers[REPLAY_HEADER] = "true"
    return response


def _run_view(view: Callable, args, kwargs):
    """The view's response, with DomainErrors and HTTP errors turned into their JSON answers."""
    try:
        rv = view(*args, **kwargs)
    except (DomainError, HTTPException) as exc:
        rv = current_app.handle_user_exception(exc)
    return make_response(rv)


def idempotent(view: Callable) -> Callable:
    """Decorator for every POST and PUT: an Idempotency-Key makes a repeat replay the first answer.

    The key (1 to 255 characters) is scoped to the API key. The first request inserts its record
    in its own committed transaction, so the unique constraint picks one winner even across
    processes; a concurrent repeat waits for the winner's answer and replays it. Answers below 500
    are kept (at least 24 hours); a 5xx or a crash deletes the record, so a retry runs afresh. The
    same key with another method, path or body is `409 idempotency_key_reused`.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 255 or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in key):
            raise ValidationError("The Idempotency-Key header must be 1 to 255 printable characters.",
                                  fields={IDEMPOTENCY_HEADER: "Must be 1 to 255 printable characters."})
        fingerprint = _request_fingerprint()  # reads the body: 413 here, before anything is stored
        path = request.full_path.rstrip("?")[:2000]
        claim = idempotency.claim(g.api_key.id, key, request.method, path, fingerprint)
        if claim.answer is not None:
            return _replay(claim.answer)
        try:
            response = _run_view(view, args, kwargs)
        except BaseException:
            db.session.rollback()
            idempotency.release(claim.record_id)
            raise
        if response.status_code >= 500:
            idempotency.release(claim.record_id)
        else:
            idempotency.store(claim.record_id, response.status_code, response.get_data(as_text=True))
        return response

    wrapper.api_idempotent = True
    return wrapper


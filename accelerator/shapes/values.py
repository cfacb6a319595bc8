"""The contract's value rules as reusable pydantic types: money, day, seller ID, policy number, category, paging.

Each type is an `Annotated` string or number checked by the one domain function that owns the rule
(domain/money.py, domain/values.py), so the API, the services and the OpenAPI document share it: the
check gives the contract's per-field message ("Must be ..."), `WithJsonSchema` says what the document
shows. A required field sent as JSON null is the same as leaving it out ("This field is required.").
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.money import MAX_MONEY, format_money, parse_money
from accelerator.domain.values import check_policy_number, normalize_seller_id, parse_date, parse_month

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_PAGE = 10**18 - 1  # "at most 18 digits": anything longer is not a page anyone can have
_WHOLE = re.compile(r"[0-9]{1,18}")

# The error "type" the renderer (shapes/errors.py) shows as its message, as it is.
CONTRACT_ERROR = "contract"
REQUIRED = "This field is required."


class JsonNumber:
    """A JSON number exactly as written (`.text`), as the API's strict JSON parser gives it."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"JsonNumber({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonNumber) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def refuse(message: str) -> PydanticCustomError:
    """The error of one field, with the contract's message."""
    return PydanticCustomError(CONTRACT_ERROR, message)


def _sentence(exc: ValueError) -> str:
    """A domain rule's message ("must be ...") as the contract writes it ("Must be ...")."""
    text = str(exc)
    return f"{text[:1].upper()}{text[1:]}."


def _present(value: Any) -> Any:
    """The value, or the contract's "required" error for null (a required field sent as null)."""
    if value is None:
        raise refuse(REQUIRED)
    return value


def _by_rule(rule):
    """A validator that runs a domain rule (raising ValueError) and words its message as the contract does."""

    def check(value: Any) -> Any:
        value = _present(value)  # outside the try: PydanticCustomError is a ValueError
        try:
            return rule(value)
        except ValueError as exc:
            raise refuse(_sentence(exc)) from None

    check.__doc__ = rule.__doc__
    return check


def _money(value: Any, allow_zero: bool) -> Decimal:
    value = _present(value)
    if isinstance(value, JsonNumber):
        value = value.text
    if not isinstance(value, str | Decimal):  # a Decimal: a service's own value (claim cases)
        raise refuse("Must be an amount such as \"2500.00\".")
    try:  # parse_money raises ValueError only
        return parse_money(value, allow_zero=allow_zero)
    except ValueError as exc:
        raise refuse(_sentence(exc)) from None


def _category(value: Any) -> str:
    if type(_present(value)) is not str or value not in CATEGORY_CODES:
        raise refuse("Must be a category code from GET /api/v1/categories.")
    return value


def _whole(minimum: int, maximum: int | None):
    """A validator of a whole number written as digits (a query parameter) within minimum..maximum."""
    bound = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"

    def check(value: Any) -> int:
        if not isinstance(value, str) or not _WHOLE.fullmatch(value):
            raise refuse("Must be a whole number.")
        number = int(value)
        if number < minimum or (maximum is not None and number > maximum):
            raise refuse(f"Must be {bound}.")
        return number

    return check


_MONEY_PLAIN = r"(0|[1-9][0-9]{0,8})(\.[0-9]{1,2})?"
_MONEY_POSITIVE = r"^(0\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,8}(\.[0-9]{1,2})?)$"
_MONEY_TEXT = "USD in plain decimal notation, at most two decimals, no sign or exponent, at most 999999999.99"

MONEY_OUT_SCHEMA = {"type": "string", "pattern": r"^(0|[1-9][0-9]*)\.[0-9]{2}$", "examples": ["2500.00"]}
DAY_SCHEMA = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
              "examples": ["2026-06-01"]}
TIMESTAMP_SCHEMA = {"type": "string", "format": "date-time", "pattern": r"Z$"}
CATEGORY_SCHEMA = {"type": "string", "enum": sorted(CATEGORY_CODES)}

# Money as a query parameter: a string only (greater than 0).
MoneyText = Annotated[Decimal, PlainValidator(lambda v: _money(v, False)), WithJsonSchema(
    {"type": "string", "pattern": _MONEY_POSITIVE, "description": _MONEY_TEXT + ", greater than 0."})]
# Money in a JSON body: a string or a number, greater than 0 ...
Money = Annotated[Decimal, PlainValidator(lambda v: _money(v, False)), WithJsonSchema({
    "description": _MONEY_TEXT + ", greater than 0; a string or a number.",
    "oneOf": [{"type": "string", "pattern": _MONEY_POSITIVE},
              {"type": "number", "exclusiveMinimum": 0, "maximum": float(MAX_MONEY), "multipleOf": 0.01}]})]
# ... or 0 and more.
MoneyOrZero = Annotated[Decimal, PlainValidator(lambda v: _money(v, True)), WithJsonSchema({
    "description": _MONEY_TEXT + "; a string or a number.",
    "oneOf": [{"type": "string", "pattern": f"^{_MONEY_PLAIN}$"},
              {"type": "number", "minimum": 0, "maximum": float(MAX_MONEY), "multipleOf": 0.01}]})]
DAY_IN_SCHEMA = {**DAY_SCHEMA, "pattern": r"^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                 "description": "A real calendar date, 1900-01-01 to 2999-12-31."}  # a date as the API reads it
Day = Annotated[date, PlainValidator(_by_rule(parse_date)), WithJsonSchema(DAY_IN_SCHEMA)]
Month = Annotated[date, PlainValidator(_by_rule(parse_month)), WithJsonSchema(
    {"type": "string", "pattern": r"^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$", "examples": ["2026-05"],
     "description": "YYYY-MM, 1900-01 to 2999-12."})]
SellerId = Annotated[str, PlainValidator(_by_rule(normalize_seller_id)), WithJsonSchema(
    {"type": "string", "pattern": r"^[A-Za-z0-9]{6,20}$",
     "description": "Case-insensitive; stored and returned upper-cased."})]
PolicyNumber = Annotated[str, PlainValidator(_by_rule(check_policy_number)), WithJsonSchema(
    {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"})]
Category = Annotated[str, PlainValidator(_category), WithJsonSchema(CATEGORY_SCHEMA)]
PageNumber = Annotated[int, PlainValidator(_whole(1, None)), WithJsonSchema(
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1})]
PerPage = Annotated[int, PlainValidator(_whole(1, MAX_PER_PAGE)), WithJsonSchema(
    {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE})]


# What a text pattern excludes: NUL. A lone surrogate (JSON's "\ud800" unpaired) is refused too, but no pattern
# says so: a range of surrogates is a regex most validators cannot compile (Rust's and Go's among them; the
# fuzzer's own validator then takes every value as valid), so the document's description states it instead.
_NOT_STORABLE = r"\x00"


def text_schema(max_length: int, *, nullable: bool = False) -> dict:
    """The JSON Schema of a required text field as the API reads it (stripped, not blank, no NUL; valid Unicode,
    which the document's description says: see _NOT_STORABLE)."""
    schema = {"type": ["string", "null"] if nullable else "string", "minLength": 1, "maxLength": max_length,
              "pattern": rf"^[^{_NOT_STORABLE}]*[^\s{_NOT_STORABLE}][^{_NOT_STORABLE}]*$"}
    return schema


def given_when(field: str, value: str, needed: dict[str, dict], *, not_taken: tuple[str, ...] = ()) -> dict:
    """JSON Schema's if/then/else for fields that depend on another's value, for a model's json_schema_extra:
    where `field` is `value`, each field of `needed` must be sent (not null), as its schema there says; where
    it is not, each of `not_taken` must be null or left out. The fuzzer (tests/api/test_fuzz.py) generates from
    it, so a rule between fields written here is one the document states, not a refusal it does not."""
    rule: dict = {"if": {"properties": {field: {"const": value}}, "required": [field]},
                  "then": {"required": list(needed), "properties": dict(needed)}}
    if not_taken:
        rule["else"] = {"properties": {name: {"type": "null"} for name in not_taken}}
    return rule


# --- more reusable rules (quote requests first; any resource may use them) --------------------------

MAX_RECORD_ID = 2**31 - 1  # ids are 32-bit integer columns on PostgreSQL
ID_SCHEMA = {"type": "string", "pattern": r"^[0-9]+$", "examples": ["7"]}


def by_rule(rule):
    """A validator running a domain rule (raising ValueError), its message worded as the contract words it."""
    return _by_rule(rule)



def one_of(*choices: str):
    """A string that must be one of `choices` ("Must be one of a, b, c.")."""
    message = "Must be one of " + ", ".join(choices) + "."

    def check(value: Any) -> str:
        if type(_present(value)) is not str or value not in choices:
            raise refuse(message)
        return value

    return Annotated[str, PlainValidator(check), WithJsonSchema({"type": "string", "enum": list(choices)})]


def text(max_length: int, *, min_length: int = 1, strip: bool = True, **schema: Any):
    """Text as the API stores it: a string (stripped unless `strip` is False) of min..max characters,
    no NUL, no lone surrogate; the contract's message for each (`schema`: more of what the document says)."""

    def check(value: Any) -> str:
        if not isinstance(_present(value), str):
            raise refuse("Must be a string.")
        value = value.strip() if strip else value
        if len(value) > max_length:
            raise refuse(f"Must be at most {max_length:,} characters.")
        if len(value) < min_length:
            raise refuse("Must not be empty." if min_length == 1 else f"Must be at least {min_length} characters.")
        if "\x00" in value:
            raise refuse("Must not contain NUL characters.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate such as "\ud800": not storable text
            raise refuse("Must be valid Unicode text.") from None
        return value

    documented = (text_schema(max_length) if strip and min_length == 1 else
                  {"type": "string", "minLength": min_length, "maxLength": max_length,
                   "pattern": f"^[^{_NOT_STORABLE}]*$"})
    return Annotated[str, PlainValidator(check), WithJsonSchema({**documented, **schema})]


def _category_set(value: Any) -> list[str]:
    """Known category codes, each once."""
    if not isinstance(_present(value), list) or not all(isinstance(v, str) for v in value):
        raise refuse("Must be an array of category codes.")
    unknown = [v for v in value if v not in CATEGORY_CODES]
    if unknown:
        raise refuse("Unknown category code(s): " + ", ".join(repr(v[:40]) for v in unknown[:5]) + ".")
    if len(set(value)) != len(value):
        raise refuse("Each category may appear once.")
    return list(value)


def _record_id(value: Any) -> int:
    """An id written as digits that a 32-bit id column can hold."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,10}", value) or not 1 <= int(value) <= MAX_RECORD_ID:
        raise refuse("No such record.")
    return int(value)


# Category codes, each once (excluded categories).
CategorySet = Annotated[list[str], PlainValidator(_category_set), WithJsonSchema(
    {"type": "array", "items": CATEGORY_SCHEMA, "uniqueItems": True})]
# A record's id in a path (digits, a 32-bit id); the endpoint answers 404 for one that cannot exist.
RecordId = Annotated[int, PlainValidator(_record_id), WithJsonSchema(ID_SCHEMA)]

# Answers: the value as the service has it, written as the contract writes it; read back (the client,
# the tests) from that text. The schema is the output's.
MoneyOut = Annotated[Decimal, PlainSerializer(format_money, return_type=str),
                     WithJsonSchema(MONEY_OUT_SCHEMA)]
DayOut = Annotated[date, PlainSerializer(lambda v: v.isoformat(), return_type=str), WithJsonSchema(DAY_SCHEMA)]
TimestampOut = Annotated[datetime, PlainSerializer(
    lambda v: v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), return_type=str), WithJsonSchema(TIMESTAMP_SCHEMA)]
IdOut = Annotated[int, PlainSerializer(str, return_type=str), WithJsonSchema(ID_SCHEMA)]
SellerIdOut = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^[A-Z0-9]{6,20}$"})]


class Paging(BaseModel):
    """The contract's paging parameters (a list's query declaration adds its own filters)."""

    model_config = ConfigDict(extra="forbid")

    page: PageNumber = 1
    per_page: PerPage = DEFAULT_PER_PAGE


Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    """The contract's page of a list; a list's answer is declared as `class ThingPage(Page[Thing])`."""

    model_config = ConfigDict(extra="forbid")

    items: list[Item]
    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=MAX_PER_PAGE)
    total: int = Field(ge=0)


class NoQuery(BaseModel):
    """The query of an endpoint that reads no parameter: any parameter is unknown."""

    model_config = ConfigDict(extra="forbid")

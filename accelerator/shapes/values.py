"""The contract's value rules as reusable pydantic types: money, day, seller ID, policy number, category, paging.

Each type is an `Annotated` string or number checked by the one domain function that owns the rule
(domain/money.py, domain/values.py), so the API, the services and the OpenAPI document share it: the
check gives the contract's per-field message ("Must be ..."), `WithJsonSchema` says what the document
shows. A required field sent as JSON null is the same as leaving it out ("This field is required.").
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
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
Day = Annotated[date, PlainValidator(_by_rule(parse_date)), WithJsonSchema(
    {**DAY_SCHEMA, "pattern": r"^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
     "description": "A real calendar date, 1900-01-01 to 2999-12-31."})]
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


def text_schema(max_length: int, *, nullable: bool = False) -> dict:
    """The JSON Schema of a required text field as the API reads it (stripped, not blank, no NUL, valid Unicode)."""
    schema = {"type": ["string", "null"] if nullable else "string", "minLength": 1, "maxLength": max_length,
              "pattern": r"^[^\x00\ud800-\udfff]*[^\s\x00\ud800-\udfff][^\x00\ud800-\udfff]*$"}
    return schema


# --- answers: a value as the model holds it, written out as the contract writes it ---------------------
# An answer declared with these is built from the rows' own values and dumped with `model_dump(mode="json")`;
# read back from JSON (tests), the same types accept the written text.
MoneyOut = Annotated[Decimal, PlainSerializer(format_money, return_type=str), WithJsonSchema(MONEY_OUT_SCHEMA)]
DayOut = Annotated[date, PlainSerializer(date.isoformat, return_type=str), WithJsonSchema(DAY_SCHEMA)]
IdOut = Annotated[int, PlainSerializer(str, return_type=str), WithJsonSchema(
    {"type": "string", "pattern": r"^[0-9]+$", "examples": ["7"]})]
SellerIdOut = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^[A-Z0-9]{6,20}$"})]

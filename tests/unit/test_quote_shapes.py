"""The reusable rules added for quote requests (one_of, text, CategorySet, RecordId, the output types) and the
quote bodies' null handling, without a server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import BaseModel, ConfigDict

from accelerator.domain.errors import ValidationError
from accelerator.shapes.errors import validate
from accelerator.shapes.quotes import QuoteDecline, QuoteOffer, QuoteRequestQuery
from accelerator.shapes.values import CategorySet, DayOut, IdOut, MoneyOut, RecordId, TimestampOut, one_of, text


class Rules(BaseModel):
    """One field of each new rule."""

    model_config = ConfigDict(extra="forbid")

    colour: one_of("red", "blue") | None = None
    name: text(5) | None = None
    raw: text(5, min_length=0, strip=False) | None = None
    excluded: CategorySet | None = None
    record: RecordId | None = None


def _errors(data: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc:
        validate(Rules, data, "Check it.")
    return exc.value.fields


def test_each_rule_words_its_refusal_as_the_contract_does():
    assert _errors({"colour": "green", "name": "  ", "raw": "a\x00", "excluded": ["toys", "toys"],
                    "record": "0"}) == {
        "colour": "Must be one of red, blue.", "name": "Must not be empty.", "raw": "Must not contain NUL characters.",
        "excluded": "Each category may appear once.", "record": "No such record."}
    assert _errors({"name": "toolong", "raw": "\ud800", "excluded": "toys", "record": "2147483648"}) == {
        "name": "Must be at most 5 characters.", "raw": "Must be valid Unicode text.",
        "excluded": "Must be an array of category codes.", "record": "No such record."}
    assert _errors({"name": 5, "excluded": ["nope"], "colour": ["red"]}) == {
        "name": "Must be a string.", "excluded": "Unknown category code(s): 'nope'.",
        "colour": "Must be one of red, blue."}


def test_each_rule_gives_the_value_the_service_takes():
    rules = validate(Rules, {"colour": "blue", "name": "  Ann ", "raw": "  ", "excluded": ["baby", "toys"],
                             "record": "2147483647"}, "Check it.")
    assert (rules.colour, rules.name, rules.raw, rules.excluded, rules.record) == (
        "blue", "Ann", "  ", ["baby", "toys"], 2**31 - 1)


class Out(BaseModel):
    """The output types."""

    amount: MoneyOut
    day: DayOut
    at: TimestampOut
    id: IdOut


def test_output_types_write_the_contracts_text_and_read_it_back():
    at = datetime(2026, 11, 24, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    body = Out(amount=Decimal("2500"), day=date(2026, 6, 1), at=at, id=7).model_dump(mode="json")
    assert body == {"amount": "2500.00", "day": "2026-06-01", "at": "2026-11-24T12:00:00Z", "id": "7"}
    back = Out.model_validate(body)
    assert (back.amount, back.day, back.at, back.id) == (Decimal("2500.00"), date(2026, 6, 1),
                                                        datetime(2026, 11, 24, 12, tzinfo=UTC), 7)


def test_a_null_optional_body_field_is_left_out_a_null_required_one_is_required_and_a_null_unknown_one_refused():
    offer = validate(QuoteOffer, {"annual_premium": "1", "per_occurrence_limit": "2", "aggregate_limit": "3",
                                  "valid_until": "2026-12-01", "deductible": None, "notes": None,
                                  "occurrence_based": None, "excluded_categories": None}, "Check it.")
    assert (offer.deductible, offer.notes, offer.occurrence_based, offer.excluded_categories) == (
        Decimal("0"), "", True, [])
    with pytest.raises(ValidationError) as exc:
        validate(QuoteDecline, {"reason": None, "colour": None}, "Check it.")
    assert exc.value.fields == {"reason": "This field is required.", "colour": "Unknown field."}


def test_the_list_query_takes_its_defaults_and_a_known_status():
    query = validate(QuoteRequestQuery, {"status": "declined"}, "Check it.")
    assert (query.page, query.per_page, query.status) == (1, 50, "declined")

"""The declarations (accelerator/shapes): the contract's value types, the one error renderer, the coverage question."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import BaseModel, ConfigDict

from accelerator.domain.errors import ValidationError
from accelerator.shapes.coverage import CoverageBatch, CoverageCheck, CoverageItem, CoverageQuery
from accelerator.shapes.errors import validate
from accelerator.shapes.values import (
    Category,
    Day,
    JsonNumber,
    Money,
    MoneyOrZero,
    PageNumber,
    PerPage,
    PolicyNumber,
    SellerId,
)


class Everything(BaseModel):
    """One field of each value type."""

    model_config = ConfigDict(extra="forbid")

    amount: Money
    deductible: MoneyOrZero | None = None
    day: Day
    seller_id: SellerId
    policy_number: PolicyNumber
    category: Category | None = None
    page: PageNumber = 1
    per_page: PerPage = 50


GOOD = {"amount": JsonNumber("2500.5"), "deductible": "0", "day": "2026-06-01", "seller_id": "abc123",
        "policy_number": "HX-1", "category": "toys", "page": "3", "per_page": "200"}


def test_valid_values_are_read_and_normalized():
    value = validate(Everything, GOOD, "Check.")
    assert value.amount == Decimal("2500.50") and value.deductible == Decimal("0.00")
    assert value.day == date(2026, 6, 1) and value.seller_id == "ABC123" and value.policy_number == "HX-1"
    assert (value.category, value.page, value.per_page) == ("toys", 3, 200)


def test_every_wrong_field_is_named_at_once_in_the_contracts_words():
    bad = {"amount": "0", "deductible": "-1", "day": "2026-02-30", "seller_id": "ab", "policy_number": "-x",
           "category": "socks", "page": "0", "per_page": "201", "colour": "red"}
    with pytest.raises(ValidationError) as caught:
        validate(Everything, bad, "Check the fields.")
    assert caught.value.message == "Check the fields."
    assert caught.value.fields == {
        "amount": "Must be greater than 0.",
        "deductible": "Must not be negative.",
        "day": "Is not a real calendar date.",
        "seller_id": "Must be 6 to 20 letters A-Z and digits 0-9.",
        "policy_number": "Must be 1 to 64 characters of A-Z a-z 0-9 - _ . starting with a letter or digit.",
        "category": "Must be a category code from GET /api/v1/categories.",
        "page": "Must be at least 1.",
        "per_page": "Must be from 1 to 200.",
        "colour": "Unknown field.",
    }


def test_missing_and_null_required_fields_are_required_and_null_optional_ones_left_out():
    with pytest.raises(ValidationError) as caught:
        validate(Everything, {"amount": None, "category": None, "deductible": None}, "Check.")
    assert caught.value.fields == dict.fromkeys(("amount", "day", "seller_id", "policy_number"),
                                                "This field is required.")


@pytest.mark.parametrize(("raw", "message"), [
    (JsonNumber("1e3"), "Must be an amount in plain decimal notation, such as \"2500.00\"."),
    ("1.001", "Must have at most two decimals."),
    ("1000000000", "Must be at most 999999999.99."),
    (True, "Must be an amount such as \"2500.00\"."),
    ([], "Must be an amount such as \"2500.00\"."),
])
def test_money_is_refused_as_the_domain_rule_words_it(raw, message):
    with pytest.raises(ValidationError) as caught:
        validate(CoverageItem, {"seller_id": "ABC123", "incident_date": "2026-06-01", "amount": raw}, "Check.")
    assert caught.value.fields == {"amount": message}


def test_a_page_longer_than_18_digits_is_not_a_whole_number():
    with pytest.raises(ValidationError) as caught:
        validate(Everything, {**GOOD, "page": "1" * 19}, "Check.")
    assert caught.value.fields == {"page": "Must be a whole number."}


def test_a_repeated_query_parameter_joins_the_fields_errors():
    values = {"seller_id": "ABC123", "incident_date": "2026-06-01", "amount": "1"}
    with pytest.raises(ValidationError) as caught:
        validate(CoverageQuery, values, "Check.", {"amount": "Give this parameter once."})
    assert caught.value.fields == {"amount": "Give this parameter once."}


def test_the_coverage_query_gives_the_services_question_and_money_in_a_query_is_text_only():
    question = CoverageQuery.model_validate(
        {"seller_id": "a1b2c3", "incident_date": "2026-06-01", "amount": "10"}).question()
    assert (question.seller_id, question.incident_date, question.amount, question.category) == (
        "A1B2C3", date(2026, 6, 1), Decimal("10.00"), None)
    schema = CoverageQuery.model_json_schema()
    assert schema["properties"]["amount"]["type"] == "string"
    assert schema["required"] == ["seller_id", "incident_date", "amount"]


def test_the_batch_body_holds_1_to_500_checks():
    for checks in ([], [{}] * 501, "x"):
        with pytest.raises(ValidationError) as caught:
            validate(CoverageBatch, {"checks": checks}, "Send checks.")
        assert caught.value.fields == {"checks": "Must be an array of 1 to 500 checks."}
    assert len(validate(CoverageBatch, {"checks": [{}]}, "Send checks.").checks) == 1


def test_the_answer_declaration_refuses_what_the_contract_does_not_allow():
    answer = {"check_id": "chk_00ab", "checked_at": "2026-11-24T12:00:00Z", "seller_id": "ABC123",
              "incident_date": "2026-06-01", "amount": "10.00", "category": None, "status": "covered",
              "covered_amount": "10.00", "route": "insurer", "policy": None,
              "reasons": [{"code": "no_policy", "policy_number": None, "message": "No policy."}]}
    assert CoverageCheck.model_validate(answer).status == "covered"
    with pytest.raises(ValueError):
        CoverageCheck.model_validate({**answer, "status": "maybe"})
    with pytest.raises(ValueError):
        CoverageCheck.model_validate({**answer, "extra": 1})

"""The value parsers of certificate reading: money, dates, NAIC codes, policy numbers, names, basis, yes/no."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accelerator.domain.certificate_values import (
    parse_basis,
    parse_date,
    parse_money,
    parse_naic,
    parse_name,
    parse_policy_number,
    parse_yes_no,
)


@pytest.mark.parametrize(("text", "amount"), [
    ("$1,000,000", "1000000.00"), ("1,000,000", "1000000.00"), ("$ 1,000,000.00", "1000000.00"),
    ("USD 2,000,000", "2000000.00"), ("$1M", "1000000.00"), ("2MM", "2000000.00"), ("$1.5 million", "1500000.00"),
    ("$250K", "250000.00"), ("5,000", "5000.00"), ("$0", "0.00"), ("None", "0.00"), ("NIL", "0.00"),
    ("1000000", "1000000.00"), ("S1,000,000", "1000000.00"), ("1.000.000", "1000000.00"), ("$2,500.50", "2500.50"),
])
def test_money_as_agencies_print_it(text, amount):
    assert parse_money(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["", "abc", "12,34,567", "$", "1,0000", "$1,000,000,000", "1.5", "Each Occurrence"])
def test_what_is_no_amount_is_none(text):
    assert parse_money(text) is None


@pytest.mark.parametrize("text", ["01/01/2026", "1/1/2026", "2026-01-01", "January 1, 2026", "Jan 1, 2026",
                                  "Jan. 1 2026", "1 January 2026", "1st January 2026", "01-01-2026",
                                  "01/0 1/2026"])
def test_dates_as_agencies_print_them(text):
    assert parse_date(text) == date(2026, 1, 1)


@pytest.mark.parametrize("text", ["13/01/2026", "02/30/2026", "Smarch 1, 2026", "2026", "", "01/01/26"])
def test_what_is_no_date_is_none(text):
    assert parse_date(text) is None


def test_naic_codes_are_five_digits():
    assert parse_naic("12345") == "12345"
    assert parse_naic("NAIC # 02345") == "02345"
    assert parse_naic("NAIC Code: 54321") == "54321"
    assert parse_naic("1234") is None
    assert parse_naic("123456") is None
    assert parse_naic("A1234") is None


def test_policy_numbers_are_one_token_with_a_digit():
    assert parse_policy_number("HX-1") == "HX-1"
    assert parse_policy_number(" PL/77-0311. ") == "PL/77-0311"
    assert parse_policy_number("CPP1048832") == "CPP1048832"
    assert parse_policy_number("POLICY") is None
    assert parse_policy_number("HX 1") is None
    assert parse_policy_number("") is None


def test_names_are_tidied_and_need_letters():
    assert parse_name("  Acme   Goods LLC ,") == "Acme Goods LLC"
    assert parse_name("Blue Heron Candles Inc.") == "Blue Heron Candles Inc."
    assert parse_name("12345") is None
    assert parse_name("A") is None
    assert parse_name("ae") is None
    assert parse_name("Acme Goods LLC.") == "Acme Goods LLC"
    assert parse_name("Granite State Casualty”") == "Granite State Casualty"
    assert parse_name("Lakeshore Indemnity Co.") == "Lakeshore Indemnity Co."
    assert parse_name("Acme Goods L.L.C.") == "Acme Goods L.L.C."
    assert parse_name("x" * 121) is None


@pytest.mark.parametrize(("text", "basis"), [
    ("[X] OCCUR  [ ] CLAIMS-MADE", True), ("[ ] OCCUR [X] CLAIMS-MADE", False), ("☒ OCCUR ☐ CLAIMS-MADE", True),
    ("Occurrence", True), ("Claims-Made", False), ("claims made basis", False), ("[X] OCCUR [X] CLAIMS-MADE", None),
    ("[ ] OCCUR [ ] CLAIMS-MADE", None), ("Commercial general liability", None),
])
def test_occurrence_or_claims_made(text, basis):
    assert parse_basis(text) is basis


@pytest.mark.parametrize(("text", "answer"), [("Y", True), ("Yes", True), ("X", True), ("included", True),
                                              ("N", False), ("NO", False), ("excluded", False), ("maybe", None),
                                              ("", None)])
def test_yes_or_no(text, answer):
    assert parse_yes_no(text) is answer

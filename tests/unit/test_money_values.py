"""Money and the small value rules: what the contract accepts, what it refuses, and how it prints."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accelerator.domain.money import MAX_MONEY, display_money, format_money, parse_money, to_money
from accelerator.domain.values import (
    check_policy_number,
    format_month,
    month_end,
    normalize_seller_id,
    parse_date,
    parse_month,
    rating_at_least,
)

# --- parse_money: accepted ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2500.00", "2500.00"),
        ("2500", "2500.00"),
        ("2500.5", "2500.50"),
        (2500.5, "2500.50"),
        (2500, "2500.00"),
        (1000.0, "1000.00"),
        ("0.01", "0.01"),
        (0.01, "0.01"),
        ("999999999.99", "999999999.99"),
        (999999999.99, "999999999.99"),
        (Decimal("12.30"), "12.30"),
    ],
)
def test_parse_money_accepts_plain_amounts(value, expected):
    amount = parse_money(value)
    assert isinstance(amount, Decimal)
    assert str(amount) == expected


# --- parse_money: refused -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        1e309,  # a float overflowing to infinity
        float("inf"),
        float("-inf"),
        float("nan"),
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        Decimal("NaN"),
        "-0",
        -0.0,
        "-1.00",
        -5,
        0.001,
        "0.001",
        "1000.005",
        "1e3",
        "1E3",
        1e16,  # repr is 1e+16
        1e-7,  # repr is 1e-07
        0.1 + 0.2,  # 0.30000000000000004
        "1000000000.00",
        1000000000.00,
        10**20,
        "",
        " 2500",
        "2,500.00",
        "$2500",
        "00.50",
        "2500.",
        ".50",
        "+2500",
        "１２３",  # full-width digits
        "١٢٣",  # Arabic-Indic digits
        True,
        False,
        None,
        [],
        {},
    ],
)
def test_parse_money_refuses(value):
    with pytest.raises(ValueError, match=r"."):
        parse_money(value)


def test_bool_is_not_an_amount_even_though_it_is_an_int():
    with pytest.raises(ValueError):
        parse_money(True, allow_zero=True)


@pytest.mark.parametrize("zero", [0, "0", "0.00", 0.0, "0.0"])
def test_zero_only_where_allowed(zero):
    with pytest.raises(ValueError, match="greater than 0"):
        parse_money(zero)
    assert str(parse_money(zero, allow_zero=True)) == "0.00"


@pytest.mark.parametrize(("value", "message"), [
    ("-0", "negative"),
    ("1000.005", "two decimals"),
    ("1000000000.00", "999999999.99"),
    (1e309, "plain decimal"),
])
def test_parse_money_says_why(value, message):
    with pytest.raises(ValueError, match=message):
        parse_money(value)


def test_parse_money_refuses_a_trailing_newline():
    with pytest.raises(ValueError):
        parse_money("2500.00\n")


# --- formatting -----------------------------------------------------------------------------------


def test_format_money_two_places_no_grouping():
    assert format_money(Decimal("2500")) == "2500.00"
    assert format_money(Decimal("1234567.5")) == "1234567.50"
    assert format_money(MAX_MONEY) == "999999999.99"
    assert format_money(Decimal("0")) == "0.00"


def test_to_money_rounds_half_up_to_cents():
    assert to_money(Decimal("0.005")) == Decimal("0.01")
    assert to_money(Decimal("0.004")) == Decimal("0.00")
    assert str(to_money(7)) == "7.00"
    assert str(to_money("12.3")) == "12.30"


def test_display_money_for_people():
    assert display_money(Decimal("1000000")) == "$1,000,000.00"
    assert display_money(Decimal("0.5")) == "$0.50"
    assert display_money(None) == "—"


# --- dates and months -----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-06-01", date(2026, 6, 1)),
    ("1900-01-01", date(1900, 1, 1)),
    ("2999-12-31", date(2999, 12, 31)),
    ("2024-02-29", date(2024, 2, 29)),
])
def test_parse_date_accepts_real_dates_in_range(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(("value", "message"), [
    ("2026-02-30", "real calendar date"),
    ("2025-02-29", "real calendar date"),
    ("2026-13-01", "real calendar date"),
    ("2026-00-10", "real calendar date"),
    ("1899-12-31", "between"),
    ("3000-01-01", "between"),
    ("0000-01-01", "real calendar date"),
    ("2026-6-1", "YYYY-MM-DD"),
    ("2026/06/01", "YYYY-MM-DD"),
    ("20260601", "YYYY-MM-DD"),
    ("２０２６-06-01", "YYYY-MM-DD"),
    ("", "YYYY-MM-DD"),
    (20260601, "YYYY-MM-DD"),
    (None, "YYYY-MM-DD"),
    ("2026-06-01T00:00:00Z", "YYYY-MM-DD"),
])
def test_parse_date_refuses(value, message):
    with pytest.raises(ValueError, match=message):
        parse_date(value)


def test_parse_month_gives_the_first_day():
    assert parse_month("2026-03") == date(2026, 3, 1)
    assert parse_month("1900-01") == date(1900, 1, 1)
    assert parse_month("2999-12") == date(2999, 12, 1)


@pytest.mark.parametrize("value", ["2026-13", "2026-00", "1899-12", "3000-01", "2026-3", "2026-03-01", "", None])
def test_parse_month_refuses(value):
    with pytest.raises(ValueError):
        parse_month(value)


def test_parse_month_refuses_a_trailing_newline():
    with pytest.raises(ValueError):
        parse_month("2026-03\n")


@pytest.mark.parametrize(("first", "last"), [
    (date(2026, 1, 1), date(2026, 1, 31)),
    (date(2026, 2, 1), date(2026, 2, 28)),
    (date(2024, 2, 1), date(2024, 2, 29)),
    (date(2026, 4, 1), date(2026, 4, 30)),
    (date(2026, 12, 1), date(2026, 12, 31)),
    (date(2999, 12, 1), date(2999, 12, 31)),
    (date(2026, 2, 14), date(2026, 2, 28)),
])
def test_month_end(first, last):
    assert month_end(first) == last


def test_format_month():
    assert format_month(date(2026, 3, 17)) == "2026-03"
    assert format_month(date(1900, 1, 1)) == "1900-01"


# --- seller IDs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("A1B2C3D4E5", "A1B2C3D4E5"),
    ("a1b2c3d4e5", "A1B2C3D4E5"),
    ("aBc123", "ABC123"),
    ("ABCDEF", "ABCDEF"),  # 6, the shortest
    ("A" * 20, "A" * 20),  # 20, the longest
])
def test_seller_id_upper_cased(value, expected):
    assert normalize_seller_id(value) == expected


@pytest.mark.parametrize("value", [
    "ABC12",  # too short
    "",
    "A" * 21,  # too long
    "ÄBCDEF1",
    "ABCDÉF",
    "１２３４５６",  # full-width digits
    "ABC-123",
    "ABC 123",
    "' OR 1=1--",
    "A1B2C3'; DROP TABLE sellers;--",
    "ABC123%",
    "ABC123\x00",
    123456,
    None,
    ["ABC123"],
])
def test_seller_id_refused(value):
    with pytest.raises(ValueError):
        normalize_seller_id(value)


@pytest.mark.parametrize("value", ["abcdeß", "abcdﬀ", "ıabcde"])
def test_seller_id_refuses_letters_that_upper_case_into_ascii(value):
    with pytest.raises(ValueError):
        normalize_seller_id(value)


# --- policy numbers and ratings -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["HX-2026-000123", "a", "9", "A.b_c-1", "x" * 64])
def test_policy_number_accepted(value):
    assert check_policy_number(value) == value


@pytest.mark.parametrize("value", ["", "-HX", ".HX", "_HX", "x" * 65, "HX 1", "HX/1", "é1", "HX'1", None, 12])
def test_policy_number_refused(value):
    with pytest.raises(ValueError):
        check_policy_number(value)


def test_policy_number_refuses_a_trailing_newline():
    with pytest.raises(ValueError):
        check_policy_number("HX-1\n")


@pytest.mark.parametrize(("rating", "minimum", "expected"), [
    ("A++", "A-", True),
    ("A-", "A-", True),
    ("B++", "A-", False),
    ("F", "A-", False),
    ("S", "F", False),
    (None, "A-", False),
    ("AA", "A-", False),
    ("a-", "A-", False),
    ("B", "B", True),
])
def test_rating_at_least(rating, minimum, expected):
    assert rating_at_least(rating, minimum) is expected


def test_decimal_with_an_exponent_is_refused():
    from decimal import Decimal

    with pytest.raises(ValueError):
        parse_money(Decimal("1E+3"))


@pytest.mark.parametrize("raw", [" ABC123", "ABC123 ", "ABC 123", "ABC123\n"])
def test_seller_id_with_whitespace_is_refused(raw):
    with pytest.raises(ValueError):
        normalize_seller_id(raw)

"""The claims service's paid-claim ids, checked by pure rules (domain/claim_input.py)."""

from __future__ import annotations

import pytest

from accelerator.domain.claim_input import check_claim_id, parse_insurer_id


@pytest.mark.parametrize("value", ["", "x" * 65, "bad\x00id", "tab\tid", "\ud800", 12])
def test_a_claim_id_must_be_1_to_64_printable_characters(value):
    with pytest.raises(ValueError):
        check_claim_id(value)


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "abc", "١٢", 7, True])
def test_an_insurer_id_is_a_string_of_digits(value):
    with pytest.raises(ValueError):
        parse_insurer_id(value)


def test_an_insurer_id_parses():
    assert parse_insurer_id("12") == 12 and parse_insurer_id(None) is None

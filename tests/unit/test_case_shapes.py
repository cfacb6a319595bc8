"""The claim case and webhook declarations without a database: the fast writer agrees with pydantic's dump,
and the reusable text and choice types word their errors as the contract does."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from pydantic import BaseModel, ConfigDict

from accelerator import clock
from accelerator.domain.errors import ValidationError
from accelerator.shapes.claim_cases import ClaimCase, DenyCase, OpenCase, claim_case_json
from accelerator.shapes.errors import validate
from accelerator.shapes.values import one_of, text

AT = datetime(2026, 11, 23, 18, 0, 5, 123456, tzinfo=UTC)


def view(**row) -> SimpleNamespace:
    """A CaseView of a stand-in row (the attributes the ORM gives)."""
    events = [SimpleNamespace(at=AT, event="opened", by="marketplace", note=None),
              SimpleNamespace(at=AT, event="denied", by="insurer", note="Misuse.")]
    base = dict(case_id="AZ-1", seller_id="A1B2C3D4E5", kind="bodily_injury", incident_date=date(2026, 6, 1),
                amount_claimed=Decimal("25"), category=None, order_id=None, description="Burnt.", opened_at=AT,
                route="insurer", insurer_id=7, state="escalated", escalation="insurer_denied", respond_by=None,
                payment_payer=None, payment_amount=None, paid_at=None, recovery_from=None, recovery_due=None,
                recovery_recovered=None, events=events, request_hash="not in the answer")
    base.update(row)
    return SimpleNamespace(case=SimpleNamespace(**base), check={"check_id": "chk_1", "route": "insurer"})


@pytest.mark.parametrize("row", [{}, {"payment_payer": "marketplace", "payment_amount": Decimal("10.5"),
                                     "paid_at": AT, "recovery_from": "insurer", "recovery_due": Decimal("10.5"),
                                     "recovery_recovered": Decimal("0"), "state": "paid", "insurer_id": None}])
def test_the_fast_writer_writes_what_the_declaration_dumps(row):
    answer = claim_case_json(view(**row))
    assert ClaimCase.model_validate(answer).model_dump(mode="json", by_alias=True) == answer
    assert list(answer) == list(ClaimCase.model_fields)
    assert (answer["amount_claimed"], answer["opened_at"], answer["incident_date"]) == (
        "25.00", "2026-11-23T18:00:05Z", "2026-06-01")
    if row:
        assert answer["payment"] == {"payer": "marketplace", "amount": "10.50", "paid_at": "2026-11-23T18:00:05Z"}
        assert answer["recovery"] == {"from": "insurer", "due": "10.50", "recovered": "0.00"}
        assert answer["insurer_id"] is None
    else:
        assert (answer["payment"], answer["recovery"], answer["insurer_id"]) == (None, None, "7")
        assert answer["history"][1] == {"at": "2026-11-23T18:00:05Z", "event": "denied", "by": "insurer",
                                        "note": "Misuse."}


class Texts(BaseModel):
    """A text and a choice."""

    model_config = ConfigDict(extra="forbid")

    words: text(5)
    colour: one_of("red", "blue") | None = None


@pytest.mark.parametrize(("data", "errors"), [
    ({"words": 5, "colour": 1}, {"words": "Must be a string.", "colour": "Must be one of red, blue."}),
    ({"words": "  "}, {"words": "Must not be empty."}),
    ({"words": "abcdef"}, {"words": "Must be at most 5 characters."}),
    ({"words": "a\x00b"}, {"words": "Must not contain NUL characters."}),
    ({"words": "a\ud800"}, {"words": "Must be valid Unicode text."}),
    ({"words": None}, {"words": "This field is required."}),
])
def test_texts_and_choices_word_their_errors_as_the_contract_does(data, errors):
    with pytest.raises(ValidationError) as refused:
        validate(Texts, data, "No.")
    assert refused.value.fields == errors


def test_texts_are_stripped_and_an_optional_null_is_left_out():
    assert validate(Texts, {"words": " ab  ", "colour": None}, "No.") == Texts(words="ab")
    assert validate(DenyCase, {"reason": " Misuse. "}, "No.").reason == "Misuse."


def test_respond_by_counts_from_the_one_clock():
    body = {"case_id": "AZ-1", "seller_id": "a1b2c3d4e5", "kind": "bodily_injury", "incident_date": "2026-06-01",
            "amount_claimed": "1", "description": "x", "respond_by": "2026-12-01T00:00:00Z"}
    with clock.moved_to(datetime(2026, 11, 30, tzinfo=UTC)):
        assert validate(OpenCase, body, "No.").respond_by == datetime(2026, 12, 1, tzinfo=UTC)
    with clock.moved_to(datetime(2026, 12, 2, tzinfo=UTC)), pytest.raises(ValidationError) as refused:
        validate(OpenCase, body, "No.")
    assert refused.value.fields == {"respond_by": "Must be after now."}

"""Claim cases, declared once: the opening body, the answers' bodies, the list's query, and the case object.

The case object is written from the row by a writer derived from its declaration (shapes/writers.py: the
case list is a measured hot path): each field that is a column of the same name is read from it, so adding
such a field to the answer is one line here; the API and the webhook events (written by
services/claim_cases.py) both carry what it writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema

from accelerator import clock
from accelerator.domain import claim_case_input as given
from accelerator.domain import claim_cases as rules
from accelerator.shapes.values import (
    Category,
    Day,
    DayOut,
    IdOut,
    Money,
    MoneyOut,
    Page,
    Paging,
    SellerId,
    TimestampOut,
    by_rule,
    one_of,
    refuse,
    text,
)
from accelerator.shapes.writers import writer

CASE_ID_SCHEMA = {"type": "string", "pattern": f"^{given.CASE_ID_PATTERN}$"}


def _respond_by(value: Any) -> datetime:
    """respond_by: after now (the one clock) and at most 90 days ahead."""
    try:
        return given.parse_respond_by(value, clock.now())
    except ValueError as exc:
        raise refuse(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None


CaseId = Annotated[str, PlainValidator(by_rule(given.check_case_id)), WithJsonSchema(CASE_ID_SCHEMA)]
RespondBy = Annotated[datetime, PlainValidator(_respond_by), WithJsonSchema(
    {"type": "string", "format": "date-time",
     "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$",
     "description": "RFC 3339, after now and at most 90 days ahead."})]
Kind = one_of(*rules.KINDS)
Payer = one_of(*rules.PAYERS)
Outcome = one_of(*rules.OUTCOMES)
State = one_of(*rules.STATES)
Description = text(given.MAX_DESCRIPTION)
Reason = text(given.MAX_REASON)
Note = text(given.MAX_NOTE)
OrderId = text(given.MAX_ORDER_ID)


class _Body(BaseModel):
    """A body: unknown fields refused; an optional field sent as null is left out."""

    model_config = ConfigDict(extra="forbid")


class OpenCase(_Body):
    """POST /api/v1/claim-cases's body."""

    case_id: CaseId
    seller_id: SellerId
    kind: Kind
    incident_date: Day
    amount_claimed: Money
    category: Category | None = None
    order_id: OrderId | None = None
    description: Description
    respond_by: RespondBy | None = None


class AcceptCase(_Body):
    """POST /api/v1/claim-cases/{case_id}/accept's body: an empty object."""


class DenyCase(_Body):
    """POST /api/v1/claim-cases/{case_id}/deny's body."""

    reason: Reason


class StepIn(_Body):
    """POST /api/v1/claim-cases/{case_id}/step-in's body."""

    note: Note | None = None


class CasePaymentBody(_Body):
    """POST /api/v1/claim-cases/{case_id}/payments's body."""

    payer: Payer
    amount: Money


class CaseRecoveryBody(_Body):
    """POST /api/v1/claim-cases/{case_id}/recoveries's body."""

    amount: Money


class CloseCase(_Body):
    """POST /api/v1/claim-cases/{case_id}/close's body."""

    outcome: Outcome
    note: Note | None = None


class CaseQuery(Paging):
    """GET /api/v1/claim-cases's query."""

    state: State | None = None
    seller_id: SellerId | None = None


class CasePath(BaseModel):
    """A case named in a path: any text; one that names no case of the key's is a 404, never a 400."""

    case_id: str = Field(examples=["AZ-2026-0042"])


# --- the answer ------------------------------------------------------------------------------------


class CasePayment(BaseModel):
    """The case's one payment."""

    model_config = ConfigDict(extra="forbid")

    payer: Literal[rules.PAYERS]
    amount: MoneyOut
    paid_at: TimestampOut


class CaseRecovery(BaseModel):
    """What the marketplace recovers after stepping in and paying."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    from_: Literal["seller", "insurer"] = Field(alias="from")
    due: MoneyOut
    recovered: MoneyOut


class CaseHistoryEntry(BaseModel):
    """One change of the case (read from its history row)."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    at: TimestampOut
    event: Literal[rules.EVENTS]
    by: Literal[rules.PARTIES]
    note: str | None


class ClaimCase(BaseModel):
    """The contract's claim case object."""

    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(pattern=CASE_ID_SCHEMA["pattern"])
    seller_id: str = Field(pattern=r"^[A-Z0-9]{6,20}$")
    kind: Literal[rules.KINDS]
    incident_date: DayOut
    amount_claimed: MoneyOut
    category: Category | None
    order_id: str | None
    description: str
    opened_at: TimestampOut
    check: Annotated[dict, WithJsonSchema({"allOf": [{"$ref": "#/components/schemas/CoverageCheck"}],
                                           "description": "The coverage check the case stands on (the latest)."})]
    route: Literal[rules.ROUTES]
    insurer_id: IdOut | None = Field(description="The chosen policy's insurer when it is on the Accelerator.")
    state: Literal[rules.STATES]
    escalation: Literal[rules.ESCALATIONS] | None
    respond_by: TimestampOut | None = Field(
        description="Set in awaiting_insurer, awaiting_seller and accepted; else null.")
    payment: CasePayment | None
    recovery: CaseRecovery | None
    history: list[CaseHistoryEntry] = Field(description="Every change, oldest first.")


class ClaimCasePage(Page[ClaimCase]):
    """A page of claim cases, newest first."""


_write_case = writer(ClaimCase)


def claim_case_json(view) -> dict:
    """The case object of a CaseView (the row, its history loaded, and the check answer it stands on) as JSON
    values: what the API answers and the webhook events carry. Every other field is the row's column of its name."""
    row = view.case
    payment = None if row.payment_payer is None else {
        "payer": row.payment_payer, "amount": row.payment_amount, "paid_at": row.paid_at}
    recovery = None if row.recovery_from is None else {
        "from_": row.recovery_from, "due": row.recovery_due, "recovered": row.recovery_recovered}
    return _write_case(row, check=view.check, payment=payment, recovery=recovery, history=row.events)

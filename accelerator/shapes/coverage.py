"""The coverage question, declared once: the single check's query, a batch item and the batch body."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema

from accelerator.shapes.values import (
    DAY_SCHEMA,
    MONEY_OUT_SCHEMA,
    TIMESTAMP_SCHEMA,
    Category,
    Day,
    Money,
    MoneyText,
    SellerId,
    refuse,
)

MAX_BATCH = 500


class CheckInput:
    """One coverage question, every field checked and normalized (what the coverage service decides on)."""

    __slots__ = ("amount", "category", "incident_date", "seller_id")

    def __init__(self, seller_id: str, incident_date: date, amount: Decimal, category: str | None):
        self.seller_id = seller_id
        self.incident_date = incident_date
        self.amount = amount
        self.category = category


def _checks(value: Any) -> list:
    """The batch's items: a JSON array of 1 to MAX_BATCH of them (each read on its own)."""
    if value is None:
        raise refuse("This field is required.")
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_BATCH:
        raise refuse(f"Must be an array of 1 to {MAX_BATCH} checks.")
    return value


class CoverageQuery(BaseModel):
    """GET /api/v1/coverage's query: the four parameters of one check."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seller_id: SellerId
    incident_date: Day
    amount: MoneyText
    category: Category | None = Field(default=None, description="Optional; the answer echoes null without it.")

    def question(self) -> CheckInput:
        """The service's question."""
        return CheckInput(self.seller_id, self.incident_date, self.amount, self.category)


class CoverageItem(CoverageQuery):
    """One item of POST /api/v1/coverage/batch (money may be a JSON number here)."""

    amount: Money


class CoverageBatch(BaseModel):
    """POST /api/v1/coverage/batch's body: the items are read one by one (a bad one is answered in its place)."""

    model_config = ConfigDict(extra="forbid")

    checks: Annotated[list, PlainValidator(_checks), WithJsonSchema(
        {"type": "array", "minItems": 1, "maxItems": MAX_BATCH,
         "items": {"$ref": "#/components/schemas/CoverageItem"}})]


# --- the answer -------------------------------------------------------------------------------------
# The service writes a check's answer as text joined from pre-encoded pieces (services/coverage/answers.py:
# the single check's speed is paid for by it); these declare it for the document, and the tests read every
# answer back through them.

ReasonCode = Literal["not_yet_effective", "expired", "cancelled", "verification_rejected", "category_excluded",
                     "aggregate_exhausted", "pending_verification", "limit_below_amount", "no_policy",
                     "unknown_seller"]


class CoverageReason(BaseModel):
    """One reason of a coverage decision."""

    model_config = ConfigDict(extra="forbid")

    code: ReasonCode
    policy_number: str | None
    message: str


class CoverageCheck(BaseModel):
    """A coverage decision, recorded before it was answered; GET /api/v1/coverage/checks/{check_id} answers
    the same JSON again."""

    model_config = ConfigDict(extra="forbid")

    check_id: str = Field(pattern=r"^chk_[0-9a-f]+$")
    checked_at: Annotated[str, WithJsonSchema(TIMESTAMP_SCHEMA)]
    seller_id: str = Field(pattern=r"^[A-Z0-9]{6,20}$")
    incident_date: Annotated[str, WithJsonSchema(DAY_SCHEMA)]
    amount: Annotated[str, WithJsonSchema(MONEY_OUT_SCHEMA)]
    category: Category | None
    status: Literal["covered", "undetermined", "not_covered"]
    covered_amount: Annotated[str, WithJsonSchema(MONEY_OUT_SCHEMA)]
    route: Literal["marketplace", "insurer", "review", "seller"]
    policy: Annotated[dict | None, WithJsonSchema(
        {"anyOf": [{"$ref": "#/components/schemas/Policy"}, {"type": "null"}]})]
    reasons: list[CoverageReason]

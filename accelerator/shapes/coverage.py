"""The coverage question, declared once: the single check's query, a batch item and the batch body."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema

from accelerator.shapes.values import Category, Day, Money, MoneyText, SellerId, refuse

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

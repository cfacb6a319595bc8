"""Sales and compliance, declared once: the paths, bodies and query the marketplace sends, and the answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema

from accelerator.domain.categories import CATEGORY_CODES
from accelerator.shapes.values import (
    CATEGORY_SCHEMA,
    DAY_SCHEMA,
    MONEY_OUT_SCHEMA,
    Category,
    Day,
    MoneyOrZero,
    Month,
    SellerId,
    refuse,
)

MAX_CATEGORIES = 50
MONTH_OUT_SCHEMA = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}$", "examples": ["2026-05"]}


def _category_codes(value: Any) -> list[str]:
    """0 to MAX_CATEGORIES known category codes; repeats are let through (the service ignores them)."""
    if value is None:
        raise refuse("This field is required.")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise refuse("Must be an array of category codes.")
    if len(value) > MAX_CATEGORIES:
        raise refuse(f"Give at most {MAX_CATEGORIES} category codes.")
    unknown = [v for v in value if v not in CATEGORY_CODES]
    if unknown:
        raise refuse("Unknown category code(s): " + ", ".join(repr(v[:40]) for v in unknown[:5]) + ".")
    return list(value)


class SellerPath(BaseModel):
    """A seller named in a path."""

    model_config = ConfigDict(extra="forbid")

    seller_id: SellerId


class SalesPath(SellerPath):
    """PUT /api/v1/sellers/{seller_id}/sales/{month}'s path."""

    month: Month


class SalesReport(BaseModel):
    """PUT /api/v1/sellers/{seller_id}/sales/{month}'s body."""

    model_config = ConfigDict(extra="forbid")

    gross_proceeds: MoneyOrZero


class SellerCategoriesBody(BaseModel):
    """PUT /api/v1/sellers/{seller_id}/categories's body: 0 to 50 codes, repeats ignored."""

    model_config = ConfigDict(extra="forbid")

    categories: Annotated[list[str], PlainValidator(_category_codes), WithJsonSchema(
        {"type": "array", "items": CATEGORY_SCHEMA, "maxItems": MAX_CATEGORIES})]


class ComplianceQuery(BaseModel):
    """GET /api/v1/sellers/{seller_id}/compliance's query."""

    model_config = ConfigDict(extra="forbid")

    on: Day | None = Field(default=None, description="The day asked about; today (UTC) without it.")


# --- the answers ---------------------------------------------------------------------------------


class MonthlySales(BaseModel):
    """What is recorded for a seller's month."""

    model_config = ConfigDict(extra="forbid")

    seller_id: str = Field(pattern=r"^[A-Z0-9]{6,20}$")
    month: Annotated[str, WithJsonSchema(MONTH_OUT_SCHEMA)]
    gross_proceeds: Annotated[str, WithJsonSchema(MONEY_OUT_SCHEMA)]


class SellerCategories(BaseModel):
    """The categories a seller sells, sorted."""

    model_config = ConfigDict(extra="forbid")

    seller_id: str = Field(pattern=r"^[A-Z0-9]{6,20}$")
    categories: list[Category] = Field(max_length=len(CATEGORY_CODES), json_schema_extra={"uniqueItems": True},
                                       description="Sorted.")


ComplianceCode = Literal["not_yet_effective", "expired", "cancelled", "verification_rejected",
                         "pending_verification", "limit_too_low", "deductible_too_high", "not_additional_insured",
                         "claims_made", "insurer_rating_too_low", "category_excluded", "no_policy"]


class ComplianceReason(BaseModel):
    """One reason of a seller's standing."""

    model_config = ConfigDict(extra="forbid")

    code: ComplianceCode
    policy_number: str | None
    message: str


class Compliance(BaseModel):
    """A seller's standing against the insurance requirement on a day."""

    model_config = ConfigDict(extra="forbid")

    seller_id: str = Field(pattern=r"^[A-Z0-9]{6,20}$")
    on: Annotated[str, WithJsonSchema(DAY_SCHEMA)]
    status: Literal["not_required", "compliant", "pending_verification", "due", "overdue"]
    required_since: Annotated[str | None, WithJsonSchema({"anyOf": [MONTH_OUT_SCHEMA, {"type": "null"}]})]
    deadline: Annotated[str | None, WithJsonSchema({"anyOf": [DAY_SCHEMA, {"type": "null"}]})]
    policy: Annotated[dict | None, WithJsonSchema(
        {"anyOf": [{"$ref": "#/components/schemas/Policy"}, {"type": "null"}]})]
    reasons: list[ComplianceReason]

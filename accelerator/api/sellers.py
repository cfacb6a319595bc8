"""Sales and compliance (role marketplace): monthly gross proceeds and the categories sold in, a
seller's standing out."""

from __future__ import annotations

from flask import g, jsonify
from pydantic import TypeAdapter

from accelerator.api.blueprint import bp
from accelerator.api.core import Fields, QueryArgs, idempotent, read_json, require_role
from accelerator.api.openapi import (
    CATEGORY,
    DATE,
    MONEY_IN_OR_ZERO,
    MONEY_OUT,
    SELLER_ID_IN,
    SELLER_ID_OUT,
    operation,
    path_param,
    ref,
)
from accelerator.domain.values import format_month, normalize_seller_id, parse_month
from accelerator.services import sales
from accelerator.services.audit import Actor
from accelerator.shapes.answers import policy_json
from accelerator.shapes.values import Month

MONTH = TypeAdapter(Month).json_schema()  # the declared value rule (accelerator/shapes/values.py)


def _path_error(fields: Fields, name: str, parse, value: str) -> None:
    """Note a message under a path parameter's name when it does not parse."""
    try:
        parse(value)
    except ValueError as exc:
        text = str(exc)
        fields.error(name, f"{text[:1].upper()}{text[1:]}.")


@bp.put("/sellers/<seller_id>/sales/<month>")
@require_role("marketplace")
@idempotent
def report_sales(seller_id: str, month: str):
    """Record, or replace, a seller's gross proceeds for a month (0 or more)."""
    fields = Fields(read_json())
    proceeds = fields.money("gross_proceeds", allow_zero=True)
    _path_error(fields, "seller_id", normalize_seller_id, seller_id)
    _path_error(fields, "month", parse_month, month)
    fields.check("Check the sales report.")
    return jsonify(sales.report_sales(Actor.api_key(g.api_key.prefix), seller_id, month, proceeds))


@bp.put("/sellers/<seller_id>/categories")
@require_role("marketplace")
@idempotent
def record_categories(seller_id: str):
    """Record, or replace, the product categories a seller sells (0 to 50 known codes, repeats ignored)."""
    fields = Fields(read_json())
    codes = fields.categories("categories", max_items=sales.MAX_CATEGORIES, repeats=True)
    _path_error(fields, "seller_id", normalize_seller_id, seller_id)
    fields.check("Check the seller's categories.")
    return jsonify(sales.record_categories(Actor.api_key(g.api_key.prefix), seller_id, codes))


@bp.get("/sellers/<seller_id>/compliance")
@require_role("marketplace")
def seller_compliance(seller_id: str):
    """A seller's standing against the marketplace's insurance requirement on a day (default today)."""
    args = QueryArgs()
    on = args.date("on", required=False)
    _path_error(args, "seller_id", normalize_seller_id, seller_id)
    args.check("Check the compliance question.")
    standing = sales.seller_compliance(seller_id, on)
    result = standing.result
    return jsonify({
        "seller_id": standing.seller_id,
        "on": standing.on.isoformat(),
        "status": result.status,
        "required_since": format_month(result.required_since) if result.required_since else None,
        "deadline": result.deadline.isoformat() if result.deadline else None,
        "policy": policy_json(standing.policy) if standing.policy is not None else None,
        "reasons": [{"code": r.code, "policy_number": r.policy_number, "message": r.message}
                    for r in result.reasons],
    })


SALES = {
    "type": "object",
    "required": ["seller_id", "month", "gross_proceeds"],
    "additionalProperties": False,
    "properties": {"seller_id": SELLER_ID_OUT, "month": MONTH, "gross_proceeds": MONEY_OUT},
}

SELLER_CATEGORIES = {
    "type": "object",
    "required": ["seller_id", "categories"],
    "additionalProperties": False,
    "properties": {"seller_id": SELLER_ID_OUT,
                   "categories": {"type": "array", "items": CATEGORY, "uniqueItems": True,
                                  "maxItems": len(CATEGORY["enum"]), "description": "Sorted."}},
}

COMPLIANCE = {
    "type": "object",
    "required": ["seller_id", "on", "status", "required_since", "deadline", "policy", "reasons"],
    "additionalProperties": False,
    "properties": {
        "seller_id": SELLER_ID_OUT,
        "on": DATE,
        "status": {"type": "string",
                   "enum": ["not_required", "compliant", "pending_verification", "due", "overdue"]},
        "required_since": {"anyOf": [MONTH, {"type": "null"}]},
        "deadline": {"anyOf": [DATE, {"type": "null"}]},
        "policy": {"anyOf": [ref("Policy"), {"type": "null"}]},
        "reasons": {"type": "array", "items": {
            "type": "object", "required": ["code", "policy_number", "message"], "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "enum": [
                    "not_yet_effective", "expired", "cancelled", "verification_rejected", "pending_verification",
                    "limit_too_low", "deductible_too_high", "not_additional_insured", "claims_made",
                    "insurer_rating_too_low", "category_excluded", "no_policy"]},
                "policy_number": {"type": ["string", "null"]},
                "message": {"type": "string"},
            }}},
    },
}

_SELLER = path_param("seller_id", SELLER_ID_IN, "The marketplace's seller ID (case-insensitive); a malformed "
                                                "one is a 400.")

OPENAPI = {
    "paths": {
        "/api/v1/sellers/{seller_id}/sales/{month}": {
            "put": operation(
                "Report a seller's gross proceeds for a month", operation_id="reportSales", tags=["sales"],
                roles=("marketplace",),
                description="Records, or replaces, the month's gross proceeds (0 or more); creates the seller's "
                            "record when the seller is new. Any month from 1900-01 to 2999-12 may be reported; "
                            "compliance counts only months that ended before the day asked about.",
                params=[_SELLER, path_param("month", MONTH, "YYYY-MM; a malformed one is a 400.")],
                body={"type": "object", "required": ["gross_proceeds"],
                      "properties": {"gross_proceeds": MONEY_IN_OR_ZERO}},
                responses={"200": ("What is now recorded for that month.", ref("MonthlySales"))},
            )
        },
        "/api/v1/sellers/{seller_id}/categories": {
            "put": operation(
                "Record the product categories a seller sells", operation_id="recordSellerCategories",
                tags=["sales"], roles=("marketplace",),
                description="Records, or replaces, the categories the seller sells: 0 to 50 codes from "
                            "GET /api/v1/categories, repeats ignored; an unknown code is a 400. Creates the "
                            "seller's record when the seller is new. The list is the one the seller keeps in "
                            "the profile on the site. A policy excluding any of these categories does not meet "
                            "the requirement for this seller (compliance reason `category_excluded`).",
                params=[_SELLER],
                body={"type": "object", "required": ["categories"], "additionalProperties": False,
                      "properties": {"categories": {"type": "array", "items": CATEGORY,
                                                    "maxItems": sales.MAX_CATEGORIES}}},
                responses={"200": ("The categories now recorded, sorted.", ref("SellerCategories"))},
            )
        },
        "/api/v1/sellers/{seller_id}/compliance": {
            "get": operation(
                "A seller's standing against the insurance requirement", operation_id="getCompliance",
                tags=["sales"], roles=("marketplace",),
                description="Answers for any well-formed seller ID: a seller with no sales over the threshold "
                            "(including one the Accelerator has never heard of) is `not_required`. `on` "
                            "defaults to today (UTC).",
                params=[_SELLER, {"name": "on", "in": "query", "required": False, "schema": DATE}],
                responses={"200": ("The standing and why.", ref("Compliance"))},
            )
        },
    },
    "schemas": {"MonthlySales": SALES, "SellerCategories": SELLER_CATEGORIES, "Compliance": COMPLIANCE},
}

"""Sales and compliance (role marketplace): monthly gross proceeds and the categories sold in, a
seller's standing out."""

from __future__ import annotations

from flask import g, jsonify

from accelerator.api.blueprint import bp
from accelerator.api.core import idempotent, query_values, read_json, require_role
from accelerator.api.openapi import operation, path_params_of, query_params_of, ref, schemas_of
from accelerator.domain.values import format_month
from accelerator.services import sales
from accelerator.services.audit import Actor
from accelerator.shapes.errors import validate_all
from accelerator.shapes.policies import policy_json
from accelerator.shapes.sellers import (
    Compliance,
    ComplianceQuery,
    MonthlySales,
    SalesPath,
    SalesReport,
    SellerCategories,
    SellerCategoriesBody,
    SellerPath,
)


@bp.put("/sellers/<seller_id>/sales/<month>")
@require_role("marketplace")
@idempotent
def report_sales(seller_id: str, month: str):
    """Record, or replace, a seller's gross proceeds for a month (0 or more)."""
    body, _ = validate_all("Check the sales report.", (SalesReport, read_json()),
                           (SalesPath, {"seller_id": seller_id, "month": month}))
    return jsonify(sales.report_sales(Actor.api_key(g.api_key.prefix), seller_id, month, body.gross_proceeds))


@bp.put("/sellers/<seller_id>/categories")
@require_role("marketplace")
@idempotent
def record_categories(seller_id: str):
    """Record, or replace, the product categories a seller sells (0 to 50 known codes, repeats ignored)."""
    body, _ = validate_all("Check the seller's categories.", (SellerCategoriesBody, read_json()),
                           (SellerPath, {"seller_id": seller_id}))
    return jsonify(sales.record_categories(Actor.api_key(g.api_key.prefix), seller_id, body.categories))


@bp.get("/sellers/<seller_id>/compliance")
@require_role("marketplace")
def seller_compliance(seller_id: str):
    """A seller's standing against the marketplace's insurance requirement on a day (default today)."""
    values, repeated = query_values()
    query, _ = validate_all("Check the compliance question.", (ComplianceQuery, values),
                            (SellerPath, {"seller_id": seller_id}), extra_errors=repeated)
    standing = sales.seller_compliance(seller_id, query.on)
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


_SELLER_TEXT = "The marketplace's seller ID (case-insensitive); a malformed one is a 400."

OPENAPI = {
    "paths": {
        "/api/v1/sellers/{seller_id}/sales/{month}": {
            "put": operation(
                "Report a seller's gross proceeds for a month", operation_id="reportSales", tags=["sales"],
                roles=("marketplace",),
                description="Records, or replaces, the month's gross proceeds (0 or more); creates the seller's "
                            "record when the seller is new. Any month from 1900-01 to 2999-12 may be reported; "
                            "compliance counts only months that ended before the day asked about.",
                params=path_params_of(SalesPath, seller_id=_SELLER_TEXT, month="YYYY-MM; a malformed one is a 400."),
                body=ref("SalesReport"),
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
                params=path_params_of(SellerPath, seller_id=_SELLER_TEXT),
                body=ref("SellerCategoriesBody"),
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
                params=[*path_params_of(SellerPath, seller_id=_SELLER_TEXT), *query_params_of(ComplianceQuery)],
                responses={"200": ("The standing and why.", ref("Compliance"))},
            )
        },
    },
    "schemas": schemas_of(SalesReport, SellerCategoriesBody, MonthlySales, SellerCategories, Compliance),
}

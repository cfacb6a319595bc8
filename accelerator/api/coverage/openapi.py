"""The coverage endpoints' OpenAPI fragment `OPENAPI` (with the CoverageCheck and CoverageReason schemas)."""

from __future__ import annotations

from accelerator.api.openapi import (
    CATEGORY,
    DATE,
    MONEY_IN,
    MONEY_OUT,
    SELLER_ID_IN,
    SELLER_ID_OUT,
    TIMESTAMP,
    operation,
    path_param,
    query_param,
    ref,
)
from accelerator.services.coverage import MAX_BATCH


def _required_query(name: str, schema: dict, description: str = "") -> dict:
    """A required query parameter."""
    return {"name": name, "in": "query", "required": True, "schema": schema, "description": description}


REASON = {
    "type": "object",
    "required": ["code", "policy_number", "message"],
    "additionalProperties": False,
    "properties": {
        "code": {"type": "string", "enum": [
            "not_yet_effective", "expired", "cancelled", "verification_rejected", "category_excluded",
            "aggregate_exhausted", "pending_verification", "limit_below_amount", "no_policy", "unknown_seller",
        ]},
        "policy_number": {"type": ["string", "null"]},
        "message": {"type": "string"},
    },
}

COVERAGE_CHECK = {
    "type": "object",
    "description": "A coverage decision, recorded before it was answered; GET /api/v1/coverage/checks/{check_id} "
                   "answers the same JSON again.",
    "required": ["check_id", "checked_at", "seller_id", "incident_date", "amount", "category", "status",
                 "covered_amount", "route", "policy", "reasons"],
    "additionalProperties": False,
    "properties": {
        "check_id": {"type": "string", "pattern": r"^chk_[0-9a-f]+$"},
        "checked_at": TIMESTAMP,
        "seller_id": SELLER_ID_OUT,
        "incident_date": DATE,
        "amount": MONEY_OUT,
        "category": {"anyOf": [CATEGORY, {"type": "null"}]},
        "status": {"type": "string", "enum": ["covered", "undetermined", "not_covered"]},
        "covered_amount": MONEY_OUT,
        "route": {"type": "string", "enum": ["marketplace", "insurer", "review", "seller"]},
        "policy": {"anyOf": [ref("Policy"), {"type": "null"}]},
        "reasons": {"type": "array", "items": ref("CoverageReason")},
    },
}

_CHECK_ITEM_IN = {
    "type": "object",
    "required": ["seller_id", "incident_date", "amount"],
    "properties": {
        "seller_id": SELLER_ID_IN,
        "incident_date": DATE,
        "amount": MONEY_IN,
        "category": {"anyOf": [CATEGORY, {"type": "null"}]},
    },
}

OPENAPI = {
    "paths": {
        "/api/v1/coverage": {
            "get": operation(
                "Check a seller's coverage for an incident", operation_id="checkCoverage", tags=["coverage"],
                roles=("marketplace",),
                description="Answers 200 with a decision, also for an unknown seller. Every check is recorded "
                            "(committed) before the answer is sent. A parameter given twice, or one this "
                            "endpoint does not know, is a 400.",
                params=[
                    _required_query("seller_id", SELLER_ID_IN),
                    _required_query("incident_date", DATE),
                    _required_query("amount", {"type": "string", "pattern": r"^(0|[1-9][0-9]{0,8})(\.[0-9]{1,2})?$"},
                                    "USD, plain decimal notation, at most two decimals, greater than 0."),
                    query_param("category", CATEGORY, "Optional; the answer echoes null without it."),
                ],
                responses={"200": ("The decision.", ref("CoverageCheck"))},
            )
        },
        "/api/v1/coverage/batch": {
            "post": operation(
                "Check up to 500 incidents at once", operation_id="checkCoverageBatch", tags=["coverage"],
                roles=("marketplace",),
                description="Each result is a full check (recorded, with its own check_id) or, in place of an "
                            "item that is not an object or whose fields are invalid, `{\"error\": {...}}`; "
                            "nothing is recorded for such an item. Unknown fields of an item are such errors.",
                body={
                    "type": "object", "required": ["checks"],
                    "properties": {"checks": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH,
                                              "items": _CHECK_ITEM_IN}},
                },
                responses={"200": ("The results, in the order of the checks.", {
                    "type": "object", "required": ["results"], "additionalProperties": False,
                    "properties": {"results": {"type": "array", "items": {
                        "anyOf": [ref("CoverageCheck"), ref("Error")]}}},
                })},
            )
        },
        "/api/v1/coverage/checks/{check_id}": {
            "get": operation(
                "Replay a recorded coverage check", operation_id="getCoverageCheck", tags=["coverage"],
                roles=("marketplace",),
                params=[path_param("check_id", {"type": "string"}, "The check_id a check answered.")],
                responses={"200": ("The same JSON the check answered, field for field.", ref("CoverageCheck"))},
                errors=("404",),
            )
        },
    },
    "schemas": {"CoverageCheck": COVERAGE_CHECK, "CoverageReason": REASON},
}

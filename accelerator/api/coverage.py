"""Coverage checks (role marketplace): one check, a batch of up to 500, and the replay of a recorded check."""

from __future__ import annotations

from flask import current_app, g

from accelerator.api.blueprint import bp
from accelerator.api.core import Fields, QueryArgs, idempotent, read_json, require_role
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
from accelerator.domain.errors import ValidationError
from accelerator.services import coverage
from accelerator.services.coverage import MAX_BATCH, CheckInput


def _json_text(text: str, status: int = 200):
    """A response whose body is JSON text made (and recorded) by the service, sent as it is."""
    return current_app.response_class(text, status=status, mimetype="application/json")


@bp.get("/coverage")
@require_role("marketplace")
def check_coverage():
    """Decide who answers for a claim; the answer is recorded before it is sent."""
    args = QueryArgs()
    seller_id = args.seller_id()
    incident_date = args.date("incident_date")
    amount = args.money("amount")
    category = args.category("category", required=False)
    args.check("Check the coverage question.")
    return _json_text(coverage.check_coverage_text(g.api_key.id, seller_id, incident_date, amount, category))


def _batch_item(item: object) -> CheckInput | ValidationError:
    """One item of a batch: a checked question, or the error answered in its place."""
    if not isinstance(item, dict):
        return ValidationError("Each check must be a JSON object.")
    fields = Fields(item)
    seller_id = fields.seller_id()
    incident_date = fields.date("incident_date")
    amount = fields.money("amount")
    category = fields.category("category", required=False)
    for name in fields.unknown():
        fields.error(name, "Unknown field.")
    if fields.errors:
        return ValidationError("Check this check's fields.", fields=dict(fields.errors))
    return CheckInput(seller_id, incident_date, amount, category)


@bp.post("/coverage/batch")
@require_role("marketplace")
@idempotent
def check_coverage_batch():
    """Decide and record 1 to 500 checks; an invalid item is answered by an error in its place."""
    data = read_json()
    fields = Fields(data)
    checks = fields.raw("checks")
    if checks is not None and (not isinstance(checks, list) or not 1 <= len(checks) <= MAX_BATCH):
        fields.error("checks", f"Must be an array of 1 to {MAX_BATCH} checks.")
    fields.check(f"Send {{\"checks\": [...]}} with 1 to {MAX_BATCH} checks.")
    items = [_batch_item(item) for item in checks]
    return _json_text(coverage.check_batch_text(g.api_key.id, items))


@bp.get("/coverage/checks/<check_id>")
@require_role("marketplace")
def get_coverage_check(check_id: str):
    """A recorded check's answer, exactly as it was first sent."""
    QueryArgs().check()
    return _json_text(coverage.get_check_text(check_id))


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

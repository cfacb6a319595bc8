"""Insurer endpoints for policies: report, list, read, cancel, and the claims paid on a policy."""

from __future__ import annotations

from flask import g, jsonify

from accelerator.api.blueprint import bp
from accelerator.api.core import Fields, QueryArgs, idempotent, paginated, read_json, require_role
from accelerator.api.openapi import (
    CATEGORIES_IN,
    CATEGORIES_OUT,
    DATE,
    ID,
    MONEY_IN,
    MONEY_IN_OR_ZERO,
    MONEY_OUT,
    POLICY_NUMBER,
    SELLER_ID_IN,
    SELLER_ID_OUT,
    operation,
    page_of,
    path_param,
    query_param,
    ref,
)
from accelerator.domain.errors import NotFound
from accelerator.domain.money import ZERO
from accelerator.domain.values import POLICY_NUMBER as POLICY_NUMBER_RE
from accelerator.services import policies
from accelerator.services.audit import Actor
from accelerator.shapes.answers import claim_json, policy_json


def _actor() -> Actor:
    return Actor.api_key(g.api_key.prefix)


def _policy_number(value: str) -> str:
    """A policy number from the path; one that cannot exist is a 404, whatever the body holds."""
    if not POLICY_NUMBER_RE.match(value):
        raise NotFound("No such policy of yours.")
    return value


@bp.post("/policies")
@require_role("insurer")
@idempotent
def report_policy():
    """Report a policy the insurer issued to a marketplace seller: 201 new, 200 repeat, 409 policy_exists."""
    f = Fields(read_json())
    report = dict(
        policy_number=f.policy_number("policy_number"),
        seller_id=f.seller_id("seller_id"),
        effective_date=f.date("effective_date"),
        expiration_date=f.date("expiration_date"),
        per_occurrence_limit=f.money("per_occurrence_limit"),
        aggregate_limit=f.money("aggregate_limit"),
        deductible=f.money("deductible", allow_zero=True, default=ZERO),
        occurrence_based=f.boolean("occurrence_based", default=True),
        additional_insured=f.boolean("additional_insured", default=False),
        excluded_categories=f.categories("excluded_categories", default=()),
        premium=f.money("premium", required=False),
    )
    for name, message in policies.term_errors(
        effective_date=report["effective_date"], expiration_date=report["expiration_date"],
        per_occurrence_limit=report["per_occurrence_limit"], aggregate_limit=report["aggregate_limit"],
        deductible=report["deductible"],
    ).items():
        if not f.has_error(name):
            f.error(name, message)
    f.check("The policy was not recorded: some fields are not right.")
    report["excluded_categories"] = tuple(report["excluded_categories"])
    policy, created = policies.report_policy(_actor(), g.api_key.insurer_id, policies.PolicyReport(**report))
    return jsonify(policy_json(policy)), 201 if created else 200


@bp.get("/policies")
@require_role("insurer")
def list_policies():
    """The insurer's own policies, optionally of one seller, by policy number."""
    args = QueryArgs()
    page, per_page = args.page()
    seller_id = args.seller_id("seller_id", required=False)
    args.check()
    return jsonify(paginated(policies.list_policies(g.api_key.insurer_id, seller_id, page, per_page), policy_json))


@bp.get("/policies/<policy_number>")
@require_role("insurer")
def get_policy(policy_number: str):
    """One of the insurer's own policies (another insurer's is a 404)."""
    QueryArgs().check()
    return jsonify(policy_json(policies.get_policy(g.api_key.insurer_id, _policy_number(policy_number))))


@bp.post("/policies/<policy_number>/cancel")
@require_role("insurer")
@idempotent
def cancel_policy(policy_number: str):
    """Cancel the insurer's policy from a date in its period; the same date again answers the same."""
    number = _policy_number(policy_number)
    policies.get_policy(g.api_key.insurer_id, number)  # 404 before any body error
    f = Fields(read_json())
    cancellation_date = f.date("cancellation_date")
    f.check("The policy was not cancelled: some fields are not right.")
    policy = policies.cancel_policy(_actor(), g.api_key.insurer_id, number, cancellation_date)
    return jsonify(policy_json(policy))


@bp.get("/policies/<policy_number>/claims")
@require_role("insurer")
def list_policy_claims(policy_number: str):
    """The claims paid on one of the insurer's own policies, oldest first."""
    number = _policy_number(policy_number)
    args = QueryArgs()
    page, per_page = args.page()
    args.check()
    return jsonify(paginated(policies.list_claims(g.api_key.insurer_id, number, page, per_page), claim_json))


_POLICY_NUMBER_PATH = path_param("policy_number", POLICY_NUMBER, "The insurer's policy number.")

OPENAPI = {
    "schemas": {
        "Policy": {
            "type": "object",
            "additionalProperties": False,
            "required": ["policy_number", "insurer", "seller_id", "source", "verification", "effective_date",
                         "expiration_date", "cancellation_date", "per_occurrence_limit", "aggregate_limit",
                         "aggregate_remaining", "deductible", "occurrence_based", "additional_insured",
                         "excluded_categories", "meets_requirement"],
            "properties": {
                "policy_number": POLICY_NUMBER,
                "insurer": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["id", "name", "naic_code", "am_best_rating"],
                    "properties": {
                        "id": {"oneOf": [ID, {"type": "null"}]},
                        "name": {"type": "string"},
                        "naic_code": {"type": ["string", "null"]},
                        "am_best_rating": {"type": ["string", "null"]},
                    },
                },
                "seller_id": SELLER_ID_OUT,
                "source": {"enum": ["marketplace", "insurer", "seller_upload"]},
                "verification": {"enum": ["verified", "pending", "rejected"]},
                "effective_date": DATE,
                "expiration_date": DATE,
                "cancellation_date": {"oneOf": [DATE, {"type": "null"}]},
                "per_occurrence_limit": MONEY_OUT,
                "aggregate_limit": MONEY_OUT,
                "aggregate_remaining": MONEY_OUT,
                "deductible": MONEY_OUT,
                "occurrence_based": {"type": "boolean"},
                "additional_insured": {"type": "boolean"},
                "excluded_categories": CATEGORIES_OUT,
                "meets_requirement": {"type": "boolean"},
            },
        },
        "PolicyReport": {
            "type": "object",
            "additionalProperties": False,
            "required": ["policy_number", "seller_id", "effective_date", "expiration_date",
                         "per_occurrence_limit", "aggregate_limit"],
            "description": "expiration_date after effective_date and at most 1,096 days after it; "
                           "aggregate_limit >= per_occurrence_limit; deductible < per_occurrence_limit. "
                           "An unknown seller ID creates the seller's record.",
            "properties": {
                "policy_number": POLICY_NUMBER,
                "seller_id": SELLER_ID_IN,
                "effective_date": DATE,
                "expiration_date": DATE,
                "per_occurrence_limit": MONEY_IN,
                "aggregate_limit": MONEY_IN,
                "deductible": {**MONEY_IN_OR_ZERO, "description": "Default 0; may be 0."},
                "occurrence_based": {"type": "boolean", "default": True},
                "additional_insured": {"type": "boolean", "default": False},
                "excluded_categories": {**CATEGORIES_IN, "default": []},
                "premium": {"oneOf": [MONEY_IN, {"type": "null"}], "description": "Optional annual premium."},
            },
        },
        # "Claim" (the claim object of POST /claims) is declared by api/claims.py.
    },
    "paths": {
        "/api/v1/policies": {
            "post": operation(
                "Report a policy", operation_id="reportPolicy", tags=["policies"], roles=("insurer",),
                body=ref("PolicyReport"),
                responses={"201": ("The policy was recorded.", ref("Policy")),
                           "200": ("The same policy number with the same terms: the stored policy.", ref("Policy"))},
                errors=("409",),
                description="409 `policy_exists` when the policy number was reported with other terms.",
            ),
            "get": operation(
                "List the insurer's policies", operation_id="listPolicies", tags=["policies"], roles=("insurer",),
                params=[query_param("seller_id", SELLER_ID_IN, "Only this seller's policies.")], paged=True,
                responses={"200": ("A page of policies, by policy number.", page_of(ref("Policy")))},
            ),
        },
        "/api/v1/policies/{policy_number}": {
            "get": operation(
                "Read one of the insurer's policies", operation_id="getPolicy", tags=["policies"],
                roles=("insurer",), params=[_POLICY_NUMBER_PATH], errors=("404",),
                responses={"200": ("The policy.", ref("Policy"))},
            ),
        },
        "/api/v1/policies/{policy_number}/cancel": {
            "post": operation(
                "Cancel a policy", operation_id="cancelPolicy", tags=["policies"], roles=("insurer",),
                params=[_POLICY_NUMBER_PATH], errors=("404", "409"),
                body={"type": "object", "additionalProperties": False, "required": ["cancellation_date"],
                      "properties": {"cancellation_date": DATE}},
                responses={"200": ("The cancelled policy.", ref("Policy"))},
                description="The date must be on or after the effective date and before the expiration date. "
                            "Repeating it with the same date answers the same; another date on a cancelled "
                            "policy is 409 `already_cancelled`. Emits `policy.cancelled`.",
            ),
        },
        "/api/v1/policies/{policy_number}/claims": {
            "get": operation(
                "Claims paid on a policy", operation_id="listPolicyClaims", tags=["policies"],
                roles=("insurer",), params=[_POLICY_NUMBER_PATH], paged=True, errors=("404",),
                responses={"200": ("A page of claims, oldest first.", page_of(ref("Claim")))},
            ),
        },
    },
}

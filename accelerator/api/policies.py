"""Insurer endpoints for policies: report, list, read, cancel, send a notice, and the claims paid on a policy."""

from __future__ import annotations

from flask import g, jsonify

from accelerator.api.blueprint import bp
from accelerator.api.core import idempotent, paginated, query_values, read_json, require_role
from accelerator.api.openapi import operation, path_params_of, query_params_of, ref, schemas_of
from accelerator.domain.errors import NotFound, ValidationError
from accelerator.services import policies, policy_notices
from accelerator.services.audit import Actor
from accelerator.shapes.errors import validate_all
from accelerator.shapes.policies import (
    CancelBody,
    ClaimPage,
    NoQuery,
    NoticeBody,
    PageQuery,
    Policy,
    PolicyListQuery,
    PolicyPage,
    PolicyPath,
    PolicyReport,
    claim_json,
    policy_json,
)

_TERMS = ("effective_date", "expiration_date", "per_occurrence_limit", "aggregate_limit", "deductible")


def _actor() -> Actor:
    return Actor.api_key(g.api_key.prefix)


def _policy_number(value: str) -> str:
    """A policy number from the path; one that cannot exist is a 404, whatever the body holds."""
    try:
        (path,) = validate_all("No such policy of yours.", (PolicyPath, {"policy_number": value}))
    except ValidationError:
        raise NotFound("No such policy of yours.") from None
    return path.policy_number


def _query(model):
    """The request's query read as `model` (a parameter given twice is refused too)."""
    values, repeated = query_values()
    (query,) = validate_all("Some fields are not right.", (model, values), extra_errors=repeated or None)
    return query


@bp.post("/policies")
@require_role("insurer")
@idempotent
def report_policy():
    """Report a policy the insurer issued to a marketplace seller: 201 new, 200 repeat, 409 policy_exists."""
    data = read_json()
    terms = policies.term_errors(**PolicyReport.well_formed(data, _TERMS))
    (body,) = validate_all("The policy was not recorded: some fields are not right.", (PolicyReport, data),
                           extra_errors=terms or None)
    report = policies.PolicyReport(**{**body.model_dump(), "excluded_categories": tuple(body.excluded_categories)})
    policy, created = policies.report_policy(_actor(), g.api_key.insurer_id, report)
    return jsonify(policy_json(policy)), 201 if created else 200


@bp.get("/policies")
@require_role("insurer")
def list_policies():
    """The insurer's own policies, optionally of one seller, by policy number."""
    query = _query(PolicyListQuery)
    found = policies.list_policies(g.api_key.insurer_id, query.seller_id, query.page, query.per_page)
    return jsonify(paginated(found, policy_json))


@bp.get("/policies/<policy_number>")
@require_role("insurer")
def get_policy(policy_number: str):
    """One of the insurer's own policies (another insurer's is a 404)."""
    _query(NoQuery)
    return jsonify(policy_json(policies.get_policy(g.api_key.insurer_id, _policy_number(policy_number))))


@bp.post("/policies/<policy_number>/cancel")
@require_role("insurer")
@idempotent
def cancel_policy(policy_number: str):
    """Cancel the insurer's policy from a date in its period; the same date again answers the same."""
    number = _policy_number(policy_number)
    policies.get_policy(g.api_key.insurer_id, number)  # 404 before any body error
    (body,) = validate_all("The policy was not cancelled: some fields are not right.", (CancelBody, read_json()))
    policy = policies.cancel_policy(_actor(), g.api_key.insurer_id, number, body.cancellation_date)
    return jsonify(policy_json(policy))


@bp.post("/policies/<policy_number>/notices")
@require_role("insurer")
@idempotent
def send_policy_notice(policy_number: str):
    """A notice on the insurer's policy: cancellation to come, reinstatement or non-renewal; 200 with the policy."""
    number = _policy_number(policy_number)
    policies.get_policy(g.api_key.insurer_id, number)  # 404 before any body error
    data = read_json()
    raw = data if isinstance(data, dict) else {}
    kinds = policy_notices.kind_errors(raw.get("kind"), raw.get("cancellation_date"), raw.get("reason"))
    (body,) = validate_all("The notice was not recorded: some fields are not right.", (NoticeBody, data),
                           extra_errors=kinds or None)
    notice = policy_notices.Notice(kind=body.kind, cancellation_date=body.cancellation_date, reason=body.reason)
    return jsonify(policy_json(policy_notices.send_notice(_actor(), g.api_key.insurer_id, number, notice)))


@bp.get("/policies/<policy_number>/claims")
@require_role("insurer")
def list_policy_claims(policy_number: str):
    """The claims paid on one of the insurer's own policies, oldest first."""
    number = _policy_number(policy_number)
    query = _query(PageQuery)
    return jsonify(paginated(policies.list_claims(g.api_key.insurer_id, number, query.page, query.per_page),
                             claim_json))


_POLICY_PATH = path_params_of(PolicyPath, policy_number="The insurer's policy number.")

OPENAPI = {
    # "Claim" (the claim object) is declared with "Policy" in shapes/policies.py; api/claims.py lists it.
    "schemas": schemas_of(Policy, PolicyReport, CancelBody, NoticeBody, PolicyPage, ClaimPage),
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
                params=query_params_of(PolicyListQuery),
                responses={"200": ("A page of policies, by policy number.", ref("PolicyPage"))},
            ),
        },
        "/api/v1/policies/{policy_number}": {
            "get": operation(
                "Read one of the insurer's policies", operation_id="getPolicy", tags=["policies"],
                roles=("insurer",), params=_POLICY_PATH, errors=("404",),
                responses={"200": ("The policy.", ref("Policy"))},
            ),
        },
        "/api/v1/policies/{policy_number}/cancel": {
            "post": operation(
                "Cancel a policy", operation_id="cancelPolicy", tags=["policies"], roles=("insurer",),
                params=_POLICY_PATH, errors=("404", "409"), body=ref("CancelBody"),
                responses={"200": ("The cancelled policy.", ref("Policy"))},
                description="The date must be on or after the effective date and before the expiration date. "
                            "Repeating it with the same date answers the same; another date on a cancelled "
                            "policy is 409 `already_cancelled`. Emits `policy.cancelled`.",
            ),
        },
        "/api/v1/policies/{policy_number}/notices": {
            "post": operation(
                "Send a notice on a policy", operation_id="sendPolicyNotice", tags=["policies"],
                roles=("insurer",), params=_POLICY_PATH, errors=("404", "409"), body=ref("NoticeBody"),
                responses={"200": ("The policy after the notice.", ref("Policy"))},
                description=(
                    "`notice_of_cancellation`: the policy stays in force until `cancellation_date` and shows "
                    "`pending_cancellation` until then; the seller and the marketplace are emailed and "
                    "`policy.cancellation_pending` goes to the marketplace's endpoints and the insurer's; the "
                    "seller's waiting claim cases are re-checked. The same notice again answers the same; another "
                    "date or reason on a cancelled policy is 409 `already_cancelled` (reinstate it first). "
                    "`reinstatement`: lifts a cancellation, pending or done (`cancellation_date` null again, "
                    "`policy.reinstated`); on a policy not cancelled it answers the policy unchanged. "
                    "`non_renewal`: `renewal` becomes `not_offered` and the seller's non-renewal reminder is sent "
                    "at once; again answers the same; on an expired policy 409 `policy_expired`."),
            ),
        },
        "/api/v1/policies/{policy_number}/claims": {
            "get": operation(
                "Claims paid on a policy", operation_id="listPolicyClaims", tags=["policies"],
                roles=("insurer",), params=[*_POLICY_PATH, *query_params_of(PageQuery)], errors=("404",),
                responses={"200": ("A page of claims, oldest first.", ref("ClaimPage"))},
            ),
        },
    },
}

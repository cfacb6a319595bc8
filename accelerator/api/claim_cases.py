"""Claim cases: the marketplace opens them and steps in; insurers answer their own; both read and pay."""

from __future__ import annotations

from flask import g, jsonify

from accelerator.api.blueprint import bp
from accelerator.api.claim_case_adapter import OpeningAdapter
from accelerator.api.core import idempotent, paginated, query_values, read_json, require_role
from accelerator.api.openapi import operation, path_params_of, query_params_of, ref, schemas_of
from accelerator.domain.claim_case_input import check_case_id
from accelerator.domain.errors import NotFound
from accelerator.services import claim_cases
from accelerator.services.audit import Actor
from accelerator.shapes.claim_cases import (
    AcceptCase,
    CasePath,
    CasePaymentBody,
    CaseQuery,
    CaseRecoveryBody,
    ClaimCase,
    ClaimCasePage,
    CloseCase,
    DenyCase,
    OpenCase,
    StepIn,
    claim_case_json,
)
from accelerator.shapes.errors import validate_all
from accelerator.shapes.values import NoQuery


def _actor() -> Actor:
    """The request's API key, as the audit log names it."""
    return Actor.api_key(g.api_key.prefix)


def _case_id(value: str) -> str:
    """The path's case id; 404 when it cannot name a case."""
    try:
        return check_case_id(value)
    except ValueError:
        raise NotFound("No such claim case.") from None


def _body(message: str, model):
    """The request's body read as `model`, or the contract's 400 naming every wrong field."""
    body, = validate_all(message, (model, read_json()))
    return body


def _no_query() -> None:
    """Refuse any query parameter (an endpoint that reads none)."""
    values, repeated = query_values()
    validate_all("Some fields are not right.", (NoQuery, values), extra_errors=repeated)


def _answered(view) -> tuple:
    """The case after an answer: 200 with the case object."""
    return jsonify(claim_case_json(view)), 200


@bp.post("/claim-cases")
def open_claim_case():
    """POST /api/v1/claim-cases in the url map (for the OpenAPI document, url_for and Allow): never called,
    since OpeningAdapter (api/claim_case_adapter.py) answers every POST to the path before Flask sees it:
    open a case on a new coverage check, 201, or 200 with the case as it is now for the same body again."""
    raise RuntimeError("POST /api/v1/claim-cases is answered by OpeningAdapter, in front of Flask")


open_claim_case.api_roles = OpeningAdapter.roles  # the roles the adapter allows, read by the OpenAPI test


@bp.get("/claim-cases")
@require_role("marketplace", "insurer")
def list_claim_cases():
    """Cases newest first; an insurer sees only the cases on its own policies."""
    values, repeated = query_values()
    query, = validate_all("Some fields are not right.", (CaseQuery, values), extra_errors=repeated)
    result = claim_cases.list_cases(g.api_key.insurer_id, query.state, query.seller_id, query.page, query.per_page)
    return jsonify(paginated(result, claim_case_json))


@bp.get("/claim-cases/<case_id>")
@require_role("marketplace", "insurer")
def get_claim_case(case_id: str):
    """One case as it stands now (an elapsed deadline has escalated it)."""
    _no_query()
    return _answered(claim_cases.get_case(_case_id(case_id), g.api_key.insurer_id))


@bp.post("/claim-cases/<case_id>/accept")
@require_role("insurer")
@idempotent
def accept_claim_case(case_id: str):
    """The insurer accepts its own case: it owes the payment by the new respond_by."""
    cid = _case_id(case_id)
    _body("The case was not accepted.", AcceptCase)
    return _answered(claim_cases.accept(_actor(), cid, g.api_key.insurer_id))


@bp.post("/claim-cases/<case_id>/deny")
@require_role("insurer")
@idempotent
def deny_claim_case(case_id: str):
    """The insurer denies its own case with a reason: escalated to the marketplace."""
    cid = _case_id(case_id)
    body = _body("The case was not denied.", DenyCase)
    return _answered(claim_cases.deny(_actor(), cid, g.api_key.insurer_id, body.reason))


@bp.post("/claim-cases/<case_id>/step-in")
@require_role("marketplace")
@idempotent
def step_in_claim_case(case_id: str):
    """The marketplace steps in: it pays, and recovers from the party that was to pay."""
    cid = _case_id(case_id)
    body = _body("The marketplace did not step in.", StepIn)
    return _answered(claim_cases.step_in(_actor(), cid, body.note))


@bp.post("/claim-cases/<case_id>/payments")
@require_role("marketplace", "insurer")
@idempotent
def pay_claim_case(case_id: str):
    """Record the case's one payment (an insurer's is a paid claim on the chosen policy)."""
    cid = _case_id(case_id)
    body = _body("The payment was not recorded.", CasePaymentBody)
    return _answered(claim_cases.record_payment(_actor(), cid, g.api_key.insurer_id, body.payer, body.amount))


@bp.post("/claim-cases/<case_id>/recoveries")
@require_role("marketplace")
@idempotent
def recover_claim_case(case_id: str):
    """Money recovered from the party that owed the marketplace; never more than is still due."""
    cid = _case_id(case_id)
    body = _body("The recovery was not recorded.", CaseRecoveryBody)
    return _answered(claim_cases.recover(_actor(), cid, body.amount))


@bp.post("/claim-cases/<case_id>/close")
@require_role("marketplace")
@idempotent
def close_claim_case(case_id: str):
    """Close the case without payment: invalid or withdrawn."""
    cid = _case_id(case_id)
    body = _body("The case was not closed.", CloseCase)
    return _answered(claim_cases.close(_actor(), cid, body.outcome, body.note))


_PATH = path_params_of(CasePath, case_id="The claims service's case id; one that names no case of the key's is a 404.")
_ANSWERED = {"200": ("The case after the answer (the same answer again answers the same).", ref("ClaimCase"))}
_TRANSITIONS = ("409 `invalid_transition` (its message names the state) for an answer the state does not "
                "allow; a case whose respond_by has passed is escalated first, so an answer after the "
                "deadline is refused.")

OPENAPI = {
    "schemas": schemas_of(OpenCase, AcceptCase, DenyCase, StepIn, CasePaymentBody, CaseRecoveryBody, CloseCase,
                          ClaimCase, ClaimCasePage),
    "paths": {
        "/api/v1/claim-cases": {
            "post": operation(
                "Open a claim case", operation_id="openClaimCase", tags=["claim cases"], roles=("marketplace",),
                description="Runs a coverage check (recorded like any other, with amount = amount_claimed) and "
                            "opens the case on its route. `case_id` makes the call idempotent: the same case_id "
                            "with the same body answers 200 with the case as it is now; with a different body "
                            "409 `case_exists`. `respond_by` (after now, at most 90 days ahead) defaults to now "
                            "plus CLAIM_RESPONSE_DAYS.",
                body=ref("OpenCase"),
                responses={"201": ("The case was opened.", ref("ClaimCase")),
                           "200": ("The same case was opened before: the case as it is now.", ref("ClaimCase"))},
            ),
            "get": operation(
                "List claim cases", operation_id="listClaimCases", tags=["claim cases"],
                roles=("marketplace", "insurer"),
                description="Newest first. A marketplace key sees every case; an insurer key only the cases "
                            "whose insurer_id is its own. A case past its respond_by is listed escalated.",
                params=query_params_of(CaseQuery),
                responses={"200": ("One page of cases.", ref("ClaimCasePage"))},
            ),
        },
        "/api/v1/claim-cases/{case_id}": {
            "get": operation(
                "Read a claim case", operation_id="getClaimCase", tags=["claim cases"],
                roles=("marketplace", "insurer"), params=_PATH,
                description="The case as it stands now: read after its respond_by, it is escalated. An insurer "
                            "sees only its own cases (others 404).",
                responses={"200": ("The case.", ref("ClaimCase"))}, errors=("404",),
            ),
        },
        "/api/v1/claim-cases/{case_id}/accept": {
            "post": operation(
                "Accept a claim case", operation_id="acceptClaimCase", tags=["claim cases"], roles=("insurer",),
                params=_PATH, description="Its own case in awaiting_insurer gives accepted; the payment is due "
                                          "by the new respond_by. " + _TRANSITIONS,
                body=ref("AcceptCase"), responses=_ANSWERED, errors=("404",),
            ),
        },
        "/api/v1/claim-cases/{case_id}/deny": {
            "post": operation(
                "Deny a claim case", operation_id="denyClaimCase", tags=["claim cases"], roles=("insurer",),
                params=_PATH, description="Its own case in awaiting_insurer gives escalated / insurer_denied. "
                                          + _TRANSITIONS,
                body=ref("DenyCase"),
                responses=_ANSWERED, errors=("404",),
            ),
        },
        "/api/v1/claim-cases/{case_id}/step-in": {
            "post": operation(
                "Step in on a claim case", operation_id="stepInClaimCase", tags=["claim cases"],
                roles=("marketplace",), params=_PATH,
                description="Any state but paid and closed gives marketplace_to_pay; the party that was to pay "
                            "(the insurer on the route insurer, else the seller; nobody on the route "
                            "marketplace) owes the marketplace what it then pays. " + _TRANSITIONS,
                body=ref("StepIn"), responses=_ANSWERED, errors=("404",),
            ),
        },
        "/api/v1/claim-cases/{case_id}/payments": {
            "post": operation(
                "Record the payment of a claim case", operation_id="payClaimCase", tags=["claim cases"],
                roles=("marketplace", "insurer"), params=_PATH,
                description="The one payment of the case; gives paid. An insurer key pays as `insurer` on its "
                            "own case in awaiting_insurer or accepted, as a paid claim on the check's chosen "
                            "policy (claim_id = case_id). A marketplace key pays as `marketplace` in "
                            "marketplace_to_pay, or `seller` in awaiting_seller, accepted by the seller, or "
                            "escalated (seller_disputed, seller_unresponsive). Another payer for the key's role "
                            "is 403; a second payment 409 `already_paid`. " + _TRANSITIONS,
                body=ref("CasePaymentBody"),
                responses=_ANSWERED, errors=("404",),
            ),
        },
        "/api/v1/claim-cases/{case_id}/recoveries": {
            "post": operation(
                "Record money recovered on a claim case", operation_id="recoverClaimCase", tags=["claim cases"],
                roles=("marketplace",), params=_PATH,
                description="Adds to recovery.recovered; more than is still due is 409 `recovery_exceeds_due`; "
                            "a case with no recovery 409 `invalid_transition`.",
                body=ref("CaseRecoveryBody"),
                responses=_ANSWERED, errors=("404",),
            ),
        },
        "/api/v1/claim-cases/{case_id}/close": {
            "post": operation(
                "Close a claim case", operation_id="closeClaimCase", tags=["claim cases"], roles=("marketplace",),
                params=_PATH, description="Any state but paid and closed gives closed. " + _TRANSITIONS,
                body=ref("CloseCase"),
                responses=_ANSWERED, errors=("404",),
            ),
        },
    },
}

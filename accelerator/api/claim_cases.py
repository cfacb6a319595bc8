"""Claim cases: the marketplace opens them and steps in; insurers answer their own; both read and pay."""

from __future__ import annotations

from flask import g, jsonify

from accelerator import clock
from accelerator.api.blueprint import bp
from accelerator.api.core import Fields, QueryArgs, idempotent, paginated, read_json, require_role
from accelerator.api.openapi import (
    CATEGORY,
    DATE,
    ID,
    MONEY_IN,
    MONEY_OUT,
    SELLER_ID_IN,
    SELLER_ID_OUT,
    TIMESTAMP,
    operation,
    page_of,
    path_param,
    query_param,
    ref,
)
from accelerator.domain import claim_cases as rules
from accelerator.domain.errors import NotFound
from accelerator.services import claim_cases
from accelerator.services.audit import Actor
from accelerator.shapes.answers import claim_case_json
from accelerator.shapes.values import text_schema


def _actor() -> Actor:
    """The request's API key, as the audit log names it."""
    return Actor.api_key(g.api_key.prefix)


def _capitalized(exc: ValueError) -> str:
    """A service's ValueError as a field message."""
    text = str(exc)
    return f"{text[:1].upper()}{text[1:]}."


def _case_id(value: str) -> str:
    """The path's case id; 404 when it cannot name a case."""
    try:
        return claim_cases.check_case_id(value)
    except ValueError:
        raise NotFound("No such claim case.") from None


def _choice(fields: Fields, name: str, choices: tuple[str, ...], *, required: bool = True) -> str | None:
    """A body field that must be one of `choices`."""
    value = fields.raw(name, required=required)
    if value is None:
        return None
    if not isinstance(value, str) or value not in choices:
        fields.error(name, "Must be one of " + ", ".join(choices) + ".")
        return None
    return value


def _answered(view) -> tuple:
    """The case after an answer: 200 with the case object."""
    return jsonify(claim_case_json(view)), 200


@bp.post("/claim-cases")
@require_role("marketplace")
@idempotent
def open_claim_case():
    """Open a case on a new coverage check: 201, or 200 with the case as it is now for the same body again."""
    f = Fields(read_json())
    case_id = f.raw("case_id")
    if case_id is not None:
        try:
            case_id = claim_cases.check_case_id(case_id)
        except ValueError as exc:
            f.error("case_id", _capitalized(exc))
    seller_id = f.seller_id()
    kind = _choice(f, "kind", rules.KINDS)
    incident_date = f.date("incident_date")
    amount = f.money("amount_claimed")
    category = f.category("category", required=False)
    order_id = f.string("order_id", max_length=64, required=False)
    description = f.string("description", max_length=claim_cases.MAX_DESCRIPTION)
    respond_by = f.raw("respond_by", required=False)
    if respond_by is not None:
        try:
            respond_by = claim_cases.parse_respond_by(respond_by, clock.now())
        except ValueError as exc:
            f.error("respond_by", _capitalized(exc))
    f.check("The claim case was not opened.")
    request = claim_cases.CaseInput(case_id=case_id, seller_id=seller_id, kind=kind, incident_date=incident_date,
                                    amount_claimed=amount, category=category, order_id=order_id,
                                    description=description, respond_by=respond_by)
    view, created = claim_cases.open_case(_actor(), g.api_key.id, request)
    return jsonify(claim_case_json(view)), 201 if created else 200


@bp.get("/claim-cases")
@require_role("marketplace", "insurer")
def list_claim_cases():
    """Cases newest first; an insurer sees only the cases on its own policies."""
    args = QueryArgs()
    page, per_page = args.page()
    state = args.choice("state", rules.STATES)
    seller_id = args.seller_id("seller_id", required=False)
    args.check()
    result = claim_cases.list_cases(g.api_key.insurer_id, state, seller_id, page, per_page)
    return jsonify(paginated(result, claim_case_json))


@bp.get("/claim-cases/<case_id>")
@require_role("marketplace", "insurer")
def get_claim_case(case_id: str):
    """One case as it stands now (an elapsed deadline has escalated it)."""
    QueryArgs().check()
    return _answered(claim_cases.get_case(_case_id(case_id), g.api_key.insurer_id))


@bp.post("/claim-cases/<case_id>/accept")
@require_role("insurer")
@idempotent
def accept_claim_case(case_id: str):
    """The insurer accepts its own case: it owes the payment by the new respond_by."""
    cid = _case_id(case_id)
    Fields(read_json()).check("The case was not accepted.")
    return _answered(claim_cases.accept(_actor(), cid, g.api_key.insurer_id))


@bp.post("/claim-cases/<case_id>/deny")
@require_role("insurer")
@idempotent
def deny_claim_case(case_id: str):
    """The insurer denies its own case with a reason: escalated to the marketplace."""
    cid = _case_id(case_id)
    f = Fields(read_json())
    reason = f.string("reason", max_length=claim_cases.MAX_REASON)
    f.check("The case was not denied.")
    return _answered(claim_cases.deny(_actor(), cid, g.api_key.insurer_id, reason))


@bp.post("/claim-cases/<case_id>/step-in")
@require_role("marketplace")
@idempotent
def step_in_claim_case(case_id: str):
    """The marketplace steps in: it pays, and recovers from the party that was to pay."""
    cid = _case_id(case_id)
    f = Fields(read_json())
    note = f.string("note", max_length=claim_cases.MAX_NOTE, required=False)
    f.check("The marketplace did not step in.")
    return _answered(claim_cases.step_in(_actor(), cid, note))


@bp.post("/claim-cases/<case_id>/payments")
@require_role("marketplace", "insurer")
@idempotent
def pay_claim_case(case_id: str):
    """Record the case's one payment (an insurer's is a paid claim on the chosen policy)."""
    cid = _case_id(case_id)
    f = Fields(read_json())
    payer = _choice(f, "payer", rules.PAYERS)
    amount = f.money("amount")
    f.check("The payment was not recorded.")
    return _answered(claim_cases.record_payment(_actor(), cid, g.api_key.insurer_id, payer, amount))


@bp.post("/claim-cases/<case_id>/recoveries")
@require_role("marketplace")
@idempotent
def recover_claim_case(case_id: str):
    """Money recovered from the party that owed the marketplace; never more than is still due."""
    cid = _case_id(case_id)
    f = Fields(read_json())
    amount = f.money("amount")
    f.check("The recovery was not recorded.")
    return _answered(claim_cases.recover(_actor(), cid, amount))


@bp.post("/claim-cases/<case_id>/close")
@require_role("marketplace")
@idempotent
def close_claim_case(case_id: str):
    """Close the case without payment: invalid or withdrawn."""
    cid = _case_id(case_id)
    f = Fields(read_json())
    outcome = _choice(f, "outcome", rules.OUTCOMES)
    note = f.string("note", max_length=claim_cases.MAX_NOTE, required=False)
    f.check("The case was not closed.")
    return _answered(claim_cases.close(_actor(), cid, outcome, note))


CASE_ID = {"type": "string", "pattern": r"^[A-Za-z0-9_.-]{1,64}$"}
_NULLABLE_TIMESTAMP = {"oneOf": [TIMESTAMP, {"type": "null"}]}

CLAIM_CASE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["case_id", "seller_id", "kind", "incident_date", "amount_claimed", "category", "order_id",
                 "description", "opened_at", "check", "route", "insurer_id", "state", "escalation", "respond_by",
                 "payment", "recovery", "history"],
    "properties": {
        "case_id": CASE_ID,
        "seller_id": SELLER_ID_OUT,
        "kind": {"enum": list(rules.KINDS)},
        "incident_date": DATE,
        "amount_claimed": MONEY_OUT,
        "category": {"anyOf": [CATEGORY, {"type": "null"}]},
        "order_id": {"type": ["string", "null"]},
        "description": {"type": "string"},
        "opened_at": TIMESTAMP,
        "check": {**ref("CoverageCheck"), "description": "The coverage check the case stands on (the latest)."},
        "route": {"enum": list(rules.ROUTES)},
        "insurer_id": {"anyOf": [ID, {"type": "null"}],
                       "description": "The chosen policy's insurer when it is on the Accelerator."},
        "state": {"enum": list(rules.STATES)},
        "escalation": {"enum": [*rules.ESCALATIONS, None]},
        "respond_by": {**_NULLABLE_TIMESTAMP,
                       "description": "Set in awaiting_insurer, awaiting_seller and accepted; else null."},
        "payment": {"oneOf": [{"type": "null"}, {
            "type": "object", "additionalProperties": False, "required": ["payer", "amount", "paid_at"],
            "properties": {"payer": {"enum": list(rules.PAYERS)}, "amount": MONEY_OUT, "paid_at": TIMESTAMP}}]},
        "recovery": {"oneOf": [{"type": "null"}, {
            "type": "object", "additionalProperties": False, "required": ["from", "due", "recovered"],
            "properties": {"from": {"enum": ["seller", "insurer"]}, "due": MONEY_OUT, "recovered": MONEY_OUT}}]},
        "history": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["at", "event", "by", "note"],
            "properties": {"at": TIMESTAMP, "event": {"enum": list(rules.EVENTS)},
                           "by": {"enum": list(rules.PARTIES)}, "note": {"type": ["string", "null"]}}}},
    },
}

_PATH = path_param("case_id", {"type": "string", "examples": ["AZ-2026-0042"]}, "The claims service's case id.")
_ANSWERED = {"200": ("The case after the answer (the same answer again answers the same).", ref("ClaimCase"))}
_TRANSITIONS = ("409 `invalid_transition` (its message names the state) for an answer the state does not "
                "allow; a case whose respond_by has passed is escalated first, so an answer after the "
                "deadline is refused.")
_NOTE = text_schema(2000, nullable=True)  # a note sent must say something

OPENAPI = {
    "schemas": {"ClaimCase": CLAIM_CASE},
    "paths": {
        "/api/v1/claim-cases": {
            "post": operation(
                "Open a claim case", operation_id="openClaimCase", tags=["claim cases"], roles=("marketplace",),
                description="Runs a coverage check (recorded like any other, with amount = amount_claimed) and "
                            "opens the case on its route. `case_id` makes the call idempotent: the same case_id "
                            "with the same body answers 200 with the case as it is now; with a different body "
                            "409 `case_exists`. `respond_by` (after now, at most 90 days ahead) defaults to now "
                            "plus CLAIM_RESPONSE_DAYS.",
                body={
                    "type": "object",
                    "required": ["case_id", "seller_id", "kind", "incident_date", "amount_claimed", "description"],
                    "properties": {
                        "case_id": CASE_ID,
                        "seller_id": SELLER_ID_IN,
                        "kind": {"enum": list(rules.KINDS)},
                        "incident_date": DATE,
                        "amount_claimed": MONEY_IN,
                        "category": {"anyOf": [CATEGORY, {"type": "null"}]},
                        "order_id": text_schema(64, nullable=True),
                        "description": text_schema(4000),
                        "respond_by": {"anyOf": [TIMESTAMP, {"type": "null"}],
                                       "description": "RFC 3339, after now and at most 90 days ahead."},
                    },
                },
                responses={"201": ("The case was opened.", ref("ClaimCase")),
                           "200": ("The same case was opened before: the case as it is now.", ref("ClaimCase"))},
            ),
            "get": operation(
                "List claim cases", operation_id="listClaimCases", tags=["claim cases"],
                roles=("marketplace", "insurer"), paged=True,
                description="Newest first. A marketplace key sees every case; an insurer key only the cases "
                            "whose insurer_id is its own. A case past its respond_by is listed escalated.",
                params=[query_param("state", {"enum": list(rules.STATES)}),
                        query_param("seller_id", SELLER_ID_IN)],
                responses={"200": ("One page of cases.", page_of(ref("ClaimCase")))},
            ),
        },
        "/api/v1/claim-cases/{case_id}": {
            "get": operation(
                "Read a claim case", operation_id="getClaimCase", tags=["claim cases"],
                roles=("marketplace", "insurer"), params=[_PATH],
                description="The case as it stands now: read after its respond_by, it is escalated. An insurer "
                            "sees only its own cases (others 404).",
                responses={"200": ("The case.", ref("ClaimCase"))}, errors=("404",),
            ),
        },
        "/api/v1/claim-cases/{case_id}/accept": {
            "post": operation(
                "Accept a claim case", operation_id="acceptClaimCase", tags=["claim cases"], roles=("insurer",),
                params=[_PATH], description="Its own case in awaiting_insurer gives accepted; the payment is due "
                                            "by the new respond_by. " + _TRANSITIONS,
                body={"type": "object", "properties": {}}, responses=_ANSWERED, errors=("404",),
            ),
        },
        "/api/v1/claim-cases/{case_id}/deny": {
            "post": operation(
                "Deny a claim case", operation_id="denyClaimCase", tags=["claim cases"], roles=("insurer",),
                params=[_PATH], description="Its own case in awaiting_insurer gives escalated / insurer_denied. "
                                            + _TRANSITIONS,
                body={"type": "object", "required": ["reason"],
                      "properties": {"reason": text_schema(2000)}},
                responses=_ANSWERED, errors=("404",),
            ),
        },
        "/api/v1/claim-cases/{case_id}/step-in": {
            "post": operation(
                "Step in on a claim case", operation_id="stepInClaimCase", tags=["claim cases"],
                roles=("marketplace",), params=[_PATH],
                description="Any state but paid and closed gives marketplace_to_pay; the party that was to pay "
                            "(the insurer on the route insurer, else the seller; nobody on the route "
                            "marketplace) owes the marketplace what it then pays. " + _TRANSITIONS,
                body={"type": "object", "properties": {"note": _NOTE}}, responses=_ANSWERED, errors=("404",),
            ),
        },
        "/api/v1/claim-cases/{case_id}/payments": {
            "post": operation(
                "Record the payment of a claim case", operation_id="payClaimCase", tags=["claim cases"],
                roles=("marketplace", "insurer"), params=[_PATH],
                description="The one payment of the case; gives paid. An insurer key pays as `insurer` on its "
                            "own case in awaiting_insurer or accepted, as a paid claim on the check's chosen "
                            "policy (claim_id = case_id). A marketplace key pays as `marketplace` in "
                            "marketplace_to_pay, or `seller` in awaiting_seller, accepted by the seller, or "
                            "escalated (seller_disputed, seller_unresponsive). Another payer for the key's role "
                            "is 403; a second payment 409 `already_paid`. " + _TRANSITIONS,
                body={"type": "object", "required": ["payer", "amount"],
                      "properties": {"payer": {"enum": list(rules.PAYERS)}, "amount": MONEY_IN}},
                responses=_ANSWERED, errors=("404",),
            ),
        },
        "/api/v1/claim-cases/{case_id}/recoveries": {
            "post": operation(
                "Record money recovered on a claim case", operation_id="recoverClaimCase", tags=["claim cases"],
                roles=("marketplace",), params=[_PATH],
                description="Adds to recovery.recovered; more than is still due is 409 `recovery_exceeds_due`; "
                            "a case with no recovery 409 `invalid_transition`.",
                body={"type": "object", "required": ["amount"], "properties": {"amount": MONEY_IN}},
                responses=_ANSWERED, errors=("404",),
            ),
        },
        "/api/v1/claim-cases/{case_id}/close": {
            "post": operation(
                "Close a claim case", operation_id="closeClaimCase", tags=["claim cases"], roles=("marketplace",),
                params=[_PATH], description="Any state but paid and closed gives closed. " + _TRANSITIONS,
                body={"type": "object", "required": ["outcome"],
                      "properties": {"outcome": {"enum": list(rules.OUTCOMES)}, "note": _NOTE}},
                responses=_ANSWERED, errors=("404",),
            ),
        },
    },
}

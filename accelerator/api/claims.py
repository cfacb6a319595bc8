"""Claims paid (role marketplace): record a payment on a policy, idempotent by the claims service's id."""

from __future__ import annotations

from flask import g, jsonify

from accelerator.api.blueprint import bp
from accelerator.api.core import Fields, JsonNumber, idempotent, read_json, require_role
from accelerator.api.openapi import (
    DATE,
    ID_IN,
    MONEY_IN,
    MONEY_OUT,
    POLICY_NUMBER,
    SELLER_ID_IN,
    SELLER_ID_OUT,
    operation,
)
from accelerator.services import claims
from accelerator.services.audit import Actor
from accelerator.shapes.answers import claim_json


def _capitalized(exc: ValueError) -> str:
    text = str(exc)
    return f"{text[:1].upper()}{text[1:]}."


@bp.post("/claims")
@require_role("marketplace")
@idempotent
def record_claim():
    """Record a paid claim: 201 the first time, 200 with the first answer for the same claim again."""
    fields = Fields(read_json())
    claim_id = fields.raw("claim_id")
    if claim_id is not None:
        try:
            claim_id = claims.check_claim_id(claim_id)
        except ValueError as exc:
            fields.error("claim_id", _capitalized(exc))
    seller_id = fields.seller_id()
    policy_number = fields.policy_number()
    incident_date = fields.date("incident_date")
    amount_paid = fields.money("amount_paid")
    insurer_id = fields.raw("insurer_id", required=False)
    try:
        insurer_id = claims.parse_insurer_id(insurer_id.text if isinstance(insurer_id, JsonNumber) else insurer_id)
    except ValueError as exc:
        fields.error("insurer_id", _capitalized(exc))
    fields.check("Check the claim's fields.")
    claim = claims.ClaimInput(claim_id=claim_id, seller_id=seller_id, policy_number=policy_number,
                              insurer_id=insurer_id, incident_date=incident_date, amount_paid=amount_paid)
    recorded, created = claims.record_claim(Actor.api_key(g.api_key.prefix), claim)
    return jsonify(claim_json(recorded)), 201 if created else 200


CLAIM = {
    "type": "object",
    "required": ["claim_id", "policy_number", "seller_id", "incident_date", "amount_paid", "aggregate_remaining"],
    "additionalProperties": False,
    "properties": {
        "claim_id": {"type": "string", "minLength": 1, "maxLength": 64},
        "policy_number": POLICY_NUMBER,
        "seller_id": SELLER_ID_OUT,
        "incident_date": DATE,
        "amount_paid": MONEY_OUT,
        "aggregate_remaining": {**MONEY_OUT, "description": "The policy's aggregate remaining right after "
                                                            "this claim; it stops at 0.00."},
    },
}

OPENAPI = {
    "paths": {
        "/api/v1/claims": {
            "post": operation(
                "Record a claim paid on a policy", operation_id="recordClaim", tags=["claims"],
                roles=("marketplace",),
                description="Draws the policy's aggregate down. `claim_id` makes the call idempotent: the same "
                            "claim_id with the same body (compared after normalizing: `\"25\"` and `\"25.00\"` "
                            "are the same amount, seller IDs compare upper-cased) answers 200 with the first "
                            "answer and counts once; with a different body 409 `claim_exists`. An unknown "
                            "policy for that seller (or for that insurer_id) is a 404; a policy not in force "
                            "on the incident date 409 `policy_not_in_force`; where the seller holds two "
                            "policies with that number and no insurer_id was sent, 400 `insurer_id_required`. "
                            "A payment larger than the aggregate remaining is recorded as paid; the remaining "
                            "stops at 0.00.",
                body={
                    "type": "object",
                    "required": ["claim_id", "seller_id", "policy_number", "incident_date", "amount_paid"],
                    "properties": {
                        "claim_id": {"type": "string", "minLength": 1, "maxLength": 64,
                                     "description": "The claims service's own id: printable characters."},
                        "seller_id": SELLER_ID_IN,
                        "policy_number": POLICY_NUMBER,
                        "insurer_id": {"anyOf": [ID_IN, {"type": "null"}],
                                       "description": "Needed only where the seller holds two policies with "
                                                      "that number: the policy object's insurer.id."},
                        "incident_date": DATE,
                        "amount_paid": MONEY_IN,
                    },
                },
                responses={
                    "201": ("The claim was recorded.", {"$ref": "#/components/schemas/Claim"}),
                    "200": ("The same claim was recorded before: its first answer.",
                            {"$ref": "#/components/schemas/Claim"}),
                },
                errors=("404",),
            )
        }
    },
    "schemas": {"Claim": CLAIM},
}

"""Claims paid (role marketplace): record a payment on a policy, idempotent by the claims service's id."""

from __future__ import annotations

from flask import g, jsonify

from accelerator.api.blueprint import bp
from accelerator.api.core import idempotent, read_json, require_role
from accelerator.api.openapi import operation, ref, schemas_of
from accelerator.services import claims
from accelerator.services.audit import Actor
from accelerator.shapes.errors import validate_all
from accelerator.shapes.policies import Claim, ClaimReport, claim_json


@bp.post("/claims")
@require_role("marketplace")
@idempotent
def record_claim():
    """Record a paid claim: 201 the first time, 200 with the first answer for the same claim again."""
    (body,) = validate_all("Check the claim's fields.", (ClaimReport, read_json()))
    recorded, created = claims.record_claim(Actor.api_key(g.api_key.prefix), claims.ClaimInput(**body.model_dump()))
    return jsonify(claim_json(recorded)), 201 if created else 200


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
                body=ref("ClaimReport"),
                responses={
                    "201": ("The claim was recorded.", ref("Claim")),
                    "200": ("The same claim was recorded before: its first answer.", ref("Claim")),
                },
                errors=("404",),
            )
        }
    },
    "schemas": schemas_of(ClaimReport, Claim),
}

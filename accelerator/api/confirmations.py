"""Insurer endpoints for the uploaded policies put to them: list the confirmations, read one, answer one.

Query, path, body and answers are declared in accelerator/shapes/confirmations.py; the OPENAPI fragment below is
generated from the same classes.
"""

from __future__ import annotations

import pydantic
from flask import g, jsonify

from accelerator.api.blueprint import bp
from accelerator.api.core import idempotent, paginated, query_values, read_json, require_role
from accelerator.api.openapi import operation, path_params_of, query_params_of, ref, schemas_of
from accelerator.domain.errors import NotFound
from accelerator.services import confirmations
from accelerator.services.audit import Actor
from accelerator.shapes.confirmations import (
    Confirmation,
    ConfirmationAnswer,
    ConfirmationPage,
    ConfirmationPath,
    ConfirmationQuery,
    confirmation_json,
)
from accelerator.shapes.errors import validate_all
from accelerator.shapes.values import NoQuery


def _confirmation_id(value: str) -> int:
    """A confirmation id from the path; one that cannot exist is a 404 (the contract's rule for paths)."""
    try:
        return ConfirmationPath.model_validate({"confirmation_id": value}).confirmation_id
    except pydantic.ValidationError:
        raise NotFound("No such confirmation of yours.") from None


@bp.get("/confirmations")
@require_role("insurer")
def list_confirmations():
    """The uploaded policies put to this insurer: pending first (oldest first), then the answered ones."""
    values, repeated = query_values()
    (query,) = validate_all("Some fields are not right.", (ConfirmationQuery, values), extra_errors=repeated)
    page = confirmations.list_for_insurer(g.api_key.insurer_id, query.status, query.page, query.per_page)
    return jsonify(paginated(page, confirmation_json))


@bp.get("/confirmations/<confirmation_id>")
@require_role("insurer")
def get_confirmation(confirmation_id: str):
    """One uploaded policy put to this insurer, with its answer if given; another insurer's is a 404."""
    values, repeated = query_values()
    validate_all("Some fields are not right.", (NoQuery, values), extra_errors=repeated)
    confirmation = confirmations.get_for_insurer(g.api_key.insurer_id, _confirmation_id(confirmation_id))
    return jsonify(confirmation_json(confirmation))


@bp.post("/confirmations/<confirmation_id>")
@require_role("insurer")
@idempotent
def answer_confirmation(confirmation_id: str):
    """Confirm or deny an uploaded policy put to this insurer: 200; 404 another insurer's; 409 answered."""
    cid = _confirmation_id(confirmation_id)
    confirmations.get_for_insurer(g.api_key.insurer_id, cid)  # 404 before any body error
    (body,) = validate_all("The answer was not given: some fields are not right.",
                           (ConfirmationAnswer, read_json()))
    answered = confirmations.answer(Actor.api_key(g.api_key.prefix), g.api_key.insurer_id, cid, body.answer,
                                    body.note)
    return jsonify(confirmation_json(answered))


_ID_PATH = path_params_of(ConfirmationPath, confirmation_id="The confirmation's id; another insurer's, or one "
                                                            "that cannot exist, is a 404.")

OPENAPI = {
    "schemas": schemas_of(Confirmation, ConfirmationAnswer, ConfirmationPage),
    "paths": {
        "/api/v1/confirmations": {
            "get": operation(
                "Uploaded policies put to the insurer", operation_id="listConfirmations", tags=["confirmations"],
                roles=("insurer",), params=query_params_of(ConfirmationQuery),
                responses={"200": ("A page of confirmations: pending ones first, oldest first; then the answered "
                                   "ones, latest answer first.", ref("ConfirmationPage"))},
                description="A seller's upload naming this insurer is put to it (webhook event "
                            "`confirmation.requested`).",
            ),
        },
        "/api/v1/confirmations/{confirmation_id}": {
            "get": operation(
                "Read a confirmation", operation_id="getConfirmation", tags=["confirmations"], roles=("insurer",),
                params=_ID_PATH, errors=("400", "404"),
                responses={"200": ("The confirmation, with its policy as it is now.", ref("Confirmation"))},
            ),
            "post": operation(
                "Confirm or deny an uploaded policy", operation_id="answerConfirmation", tags=["confirmations"],
                roles=("insurer",),
                params=_ID_PATH,
                body=ref("ConfirmationAnswer"), errors=("404", "409"),
                responses={"200": ("The confirmation, answered.", ref("Confirmation"))},
                description="`confirmed` verifies the policy (recorded as confirmed by the insurer); `denied` "
                            "rejects it with the note as the reason, and the seller is told by email. The same "
                            "answer again answers the same; the other answer, or any answer once the marketplace "
                            "verified or rejected the policy itself (the confirmation is then `withdrawn`), is 409 "
                            "`already_answered`. Concurrent answers count once.",
            ),
        },
    },
}

"""The coverage endpoints on `bp`: one check (declared here, answered by the adapter), a batch of up to 500
(its items read here), and the replay.

Every question is read by one declaration (accelerator/shapes/coverage.py), here and in the adapter.
"""

from __future__ import annotations

import pydantic
from flask import current_app, g

from accelerator.api.blueprint import bp
from accelerator.api.core import idempotent, query_values, read_json, require_role
from accelerator.domain.errors import ValidationError
from accelerator.services import coverage
from accelerator.services.coverage import CheckInput
from accelerator.shapes.coverage import CoverageBatch, CoverageItem
from accelerator.shapes.errors import field_errors, validate, validate_all
from accelerator.shapes.values import NoQuery


def _json_text(text: str, status: int = 200):
    """A response whose body is JSON text made (and recorded) by the service, sent as it is."""
    return current_app.response_class(text, status=status, mimetype="application/json")


@bp.get("/coverage")
def check_coverage():
    """GET /api/v1/coverage in the url map (for the OpenAPI document, url_for and Allow): never called,
    since CoverageAdapter (coverage/adapter.py) answers every request to the path before Flask sees it."""
    raise RuntimeError("GET /api/v1/coverage is answered by CoverageAdapter, in front of Flask")


check_coverage.api_roles = ("marketplace",)  # the roles the adapter allows, read by the OpenAPI test


def _batch_item(item: object) -> CheckInput | ValidationError:
    """One item of a batch: a checked question, or the error answered in its place."""
    if not isinstance(item, dict):
        return ValidationError("Each check must be a JSON object.")
    try:
        return CoverageItem.model_validate(item).question()
    except pydantic.ValidationError as exc:
        return ValidationError("Check this check's fields.", fields=field_errors(exc))


@bp.post("/coverage/batch")
@require_role("marketplace")
@idempotent
def check_coverage_batch():
    """Decide and record 1 to 500 checks; an invalid item is answered by an error in its place."""
    body = validate(CoverageBatch, read_json(), f"Send {{\"checks\": [...]}} with 1 to {coverage.MAX_BATCH} checks.")
    items = [_batch_item(item) for item in body.checks]
    return _json_text(coverage.check_batch_text(g.api_key.id, items))


@bp.get("/coverage/checks/<check_id>")
@require_role("marketplace")
def get_coverage_check(check_id: str):
    """A recorded check's answer, exactly as it was first sent."""
    values, repeated = query_values()
    validate_all("Some fields are not right.", (NoQuery, values), extra_errors=repeated)
    return _json_text(coverage.get_check_text(check_id))

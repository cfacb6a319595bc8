"""The coverage endpoints' OpenAPI fragment `OPENAPI`, generated from their declarations (accelerator/shapes)."""

from __future__ import annotations

from accelerator.api.openapi import operation, path_param, query_params_of, ref, schemas_of
from accelerator.shapes.coverage import CoverageBatch, CoverageCheck, CoverageItem, CoverageQuery

OPENAPI = {
    "paths": {
        "/api/v1/coverage": {
            "get": operation(
                "Check a seller's coverage for an incident", operation_id="checkCoverage", tags=["coverage"],
                roles=("marketplace",),
                description="Answers 200 with a decision, also for an unknown seller. Every check is recorded "
                            "(committed) before the answer is sent. A parameter given twice, or one this "
                            "endpoint does not know, is a 400.",
                params=query_params_of(CoverageQuery),
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
                body=ref("CoverageBatch"),
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
    "schemas": schemas_of(CoverageBatch, CoverageItem, CoverageCheck),
}

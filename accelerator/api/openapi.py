"""The OpenAPI 3.1 document served at GET /api/v1/openapi.json, assembled from the resource modules.

Each resource module declares, next to its endpoints, a module-level

    OPENAPI = {"paths": {"/api/v1/things": {"get": operation(...)}}, "schemas": {"Thing": {...}}}

and is listed in `accelerator.api.RESOURCE_MODULES`; `register_api` hands the fragments to
`install_document`, and `build_document` merges them over the shared components below (the Error
body, money, dates, pages, the Idempotency-Key header and the error responses).
tests/api/test_openapi.py checks that every route is in the document and every documented path is a
route, and the schemathesis run validates every answer against it.

Helpers for fragments: `operation(...)` builds one operation with the standard error responses of
its kind (auth, body, idempotency, path lookup); `ref("Policy")` points at a schema; `page_of(...)`
is the contract's page of items; `MONEY_IN`, `MONEY_OUT`, `DATE`, `TIMESTAMP`, `ID` are the
common value schemas.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask, current_app, jsonify
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from accelerator.api.blueprint import bp
from accelerator.shapes import values
from accelerator.shapes.discovery import OpenApiDocument
from accelerator.shapes.values import CATEGORY_SCHEMA, MONEY_OUT_SCHEMA, TIMESTAMP_SCHEMA


def _schema(value_type) -> dict:
    """The JSON Schema of one of the declared value types (accelerator/shapes/values.py)."""
    return TypeAdapter(value_type).json_schema()


# The value schemas of whatever is still written by hand: taken from the declared value types, so each
# value rule is written once.
MONEY_OUT = MONEY_OUT_SCHEMA
MONEY_IN = _schema(values.Money)
MONEY_IN_OR_ZERO = _schema(values.MoneyOrZero)
DATE = _schema(values.Day)
TIMESTAMP = TIMESTAMP_SCHEMA
ID = {"type": "string", "pattern": r"^[0-9]+$", "examples": ["7"]}
SELLER_ID_IN = _schema(values.SellerId)
SELLER_ID_OUT = {"type": "string", "pattern": r"^[A-Z0-9]{6,20}$"}
CATEGORY = CATEGORY_SCHEMA
CATEGORIES_IN = {"type": "array", "items": CATEGORY, "uniqueItems": True}
CATEGORIES_OUT = {"type": "array", "items": CATEGORY}

UNKNOWN_FIELDS_NOTE = ("Unknown body fields and query parameters are refused with 400 (invalid_request), "
                       "with a message under the field's name in `error.fields`. An optional field sent "
                       "as null is the same as leaving it out.")

_ERROR_RESPONSES = {
    "400": ("BadRequest", "Invalid input (`invalid_request`); `error.fields` says which fields and why."),
    "401": ("Unauthenticated", "No API key, or an unknown, revoked or suspended insurer's key."),
    "403": ("Forbidden", "The key's role may not use this endpoint."),
    "404": ("NotFound", "Nothing by that name, or it belongs to another insurer."),
    "409": ("Conflict", "The request clashes with the current state; `error.code` says how "
                        "(`idempotency_key_reused`, `idempotency_key_in_use`, or the endpoint's own codes)."),
    "413": ("TooLarge", "The body is over 1 MiB (`too_large`)."),
    "415": ("UnsupportedMediaType", "The body was not sent as application/json (`unsupported_media_type`)."),
    "422": ("Unprocessable", "The body was understood but cannot be used; `error.code` says why (a certificate: "
                             "`unreadable_document`, `fields_missing` with each field in `error.fields`)."),
    "429": ("RateLimited", "Too many requests (`rate_limited`): the key's rate limit (requests a second) is "
                           "used up; see Retry-After."),
}

BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Insurance Accelerator API",
        "version": "1.0.0",
        "description": (
            "Product-liability insurance for marketplace sellers: the marketplace's claims service and "
            "the insurers' systems. Authenticate with `Authorization: Bearer <api key>`; each key has one "
            "role (`marketplace` or `insurer`, see `x-roles` on each operation). Every POST and PUT accepts "
            "an `Idempotency-Key`. Errors always answer `{\"error\": {\"code\", \"message\", \"fields\"?}}`. "
            "Text is valid Unicode: a lone surrogate (an escape such as `\\ud800` outside a pair) is refused "
            "(400), as NUL is. "
            + UNKNOWN_FIELDS_NOTE
        ),
    },
    "servers": [{"url": "/"}],
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "additionalProperties": False,
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "additionalProperties": False,
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                        },
                    }
                },
            },
        },
        "parameters": {
            "Page": {"name": "page", "in": "query", "required": False, "schema": _schema(values.PageNumber)},
            "PerPage": {"name": "per_page", "in": "query", "required": False, "schema": _schema(values.PerPage)},
            "IdempotencyKey": {
                "name": "Idempotency-Key", "in": "header", "required": False,
                "description": "1 to 255 characters, scoped to the API key: a repeat with the same key, path and "
                               "body answers the first answer again (status and body) and changes nothing; the "
                               "same key with another path or body is 409 idempotency_key_reused. Answers below "
                               "500 are kept at least 24 hours.",
                "schema": {"type": "string", "pattern": r"^[\x20-\x7e\x80-\uffff]{1,255}$"},
            },
        },
        "responses": {
            name: {"description": text,
                   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for name, text in _ERROR_RESPONSES.values()
        },
    },
    "paths": {},
}
BASE["components"]["responses"]["RateLimited"]["headers"] = {
    "Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait."}}


def ref(name: str) -> dict:
    """A reference to a schema in components.schemas."""
    return {"$ref": f"#/components/schemas/{name}"}


def page_of(item_schema: dict) -> dict:
    """The contract's page: items, page, per_page, total."""
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "additionalProperties": False,
        "properties": {
            "items": {"type": "array", "items": item_schema},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 200},
            "total": {"type": "integer", "minimum": 0},
        },
    }


def path_param(name: str, schema: dict, description: str = "") -> dict:
    """A path parameter."""
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


def query_param(name: str, schema: dict, description: str = "") -> dict:
    """An optional query parameter."""
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def operation(summary: str, *, operation_id: str, tags: list[str], roles: tuple[str, ...] | None,
              responses: dict[str, tuple[str, dict | None]], body: dict | None = None,
              params: list[dict] | None = None, paged: bool = False, errors: tuple[str, ...] = (),
              description: str = "") -> dict:
    """One operation with the standard error responses of its kind.

    `responses` maps the success statuses to (description, schema or None). `roles` None means no
    key is needed. A `body` adds the body errors (400, 413, 415) and, as on every POST and PUT,
    the Idempotency-Key header and 409. `errors` adds more statuses (e.g. "404", "409").
    """
    op: dict[str, Any] = {"summary": summary, "operationId": operation_id, "tags": tags}
    if description:
        op["description"] = description
    parameters = list(params or [])
    codes = set(errors)
    if paged:
        parameters += [{"$ref": "#/components/parameters/Page"}, {"$ref": "#/components/parameters/PerPage"}]
    if parameters or paged:
        codes.add("400")
    if roles is None:
        op["security"] = []
    else:
        op["security"] = [{"bearerAuth": []}]
        op["x-roles"] = list(roles)
        codes |= {"401", "403", "429"}  # 429: a key with a rate limit, over it
    if body is not None:
        if body.get("type") == "object":  # unknown body fields are refused (UNKNOWN_FIELDS_NOTE)
            body = {"additionalProperties": False, **body}
        parameters.append({"$ref": "#/components/parameters/IdempotencyKey"})
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        codes |= {"400", "409", "413", "415"}
    if parameters:
        op["parameters"] = parameters
    out: dict[str, Any] = {}
    for status, (text, schema) in responses.items():
        out[status] = {"description": text}
        if schema is not None:
            out[status]["content"] = {"application/json": {"schema": schema}}
    for status in sorted(codes):
        out.setdefault(status, {"$ref": f"#/components/responses/{_ERROR_RESPONSES[status][0]}"})
    op["responses"] = out
    return op


# --- from declarations (accelerator/shapes): what the converted endpoints' fragments are made of ---------


class _ContractSchema(GenerateJsonSchema):
    """pydantic's JSON Schema without a title on every field (the names say it)."""

    def field_title_should_be_set(self, schema) -> bool:
        """No field titles."""
        return False


def schemas_of(*models: type[BaseModel]) -> dict[str, dict]:
    """The components.schemas entries of these declarations (and of the declarations they use), by class name."""
    _, top = models_json_schema([(model, "validation") for model in models], schema_generator=_ContractSchema,
                                ref_template="#/components/schemas/{model}")
    return top.get("$defs", {})


def query_params_of(model: type[BaseModel]) -> list[dict]:
    """The query parameters a declaration reads (its fields; an optional one's schema without its null)."""
    schema = model.model_json_schema(schema_generator=_ContractSchema)
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", "")
        if prop.get("default", 0) is None:  # an optional parameter is left out, never sent as null
            del prop["default"]
        options = prop.pop("anyOf", None)
        if options is not None:
            prop.update(next(option for option in options if option.get("type") != "null"))
        params.append({"name": name, "in": "query", "required": name in required, "schema": prop,
                       "description": description})
    return params


def path_params_of(model: type[BaseModel], **descriptions: str) -> list[dict]:
    """The path parameters a declaration reads (each required), with a description for each."""
    schema = model.model_json_schema(schema_generator=_ContractSchema)
    params = []
    for name, prop in schema["properties"].items():
        prop = {key: value for key, value in prop.items() if key != "description"}
        params.append({"name": name, "in": "path", "required": True, "schema": prop,
                       "description": descriptions.get(name, "")})
    return params


def build_document(fragments: list[dict]) -> dict:
    """Merge the fragments' paths, webhooks and schemas over BASE; a path or webhook twice, or a schema twice
    differently, is an error."""
    doc = copy.deepcopy(BASE)
    for fragment in fragments:
        for path, methods in fragment.get("paths", {}).items():
            target = doc["paths"].setdefault(path, {})
            for method, op in methods.items():
                if method in target:
                    raise ValueError(f"OpenAPI: {method.upper()} {path} is declared twice")
                target[method] = op
        for name, item in fragment.get("webhooks", {}).items():  # the events we POST (OpenAPI 3.1)
            if name in doc.setdefault("webhooks", {}):
                raise ValueError(f"OpenAPI: webhook {name} is declared twice")
            doc["webhooks"][name] = item
        for name, schema in fragment.get("schemas", {}).items():
            known = doc["components"]["schemas"].get(name)
            if known is not None and known != schema:
                raise ValueError(f"OpenAPI: schema {name} is declared twice, differently")
            doc["components"]["schemas"][name] = schema
    return doc


_APP_KEY = "accelerator_openapi"


def install_document(app: Flask, fragments: list[dict]) -> None:
    """Build the app's document from the resource modules' fragments, once, when the API is registered."""
    app.extensions[_APP_KEY] = build_document(fragments)


def document() -> dict:
    """The app's document, as `install_document` built it."""
    return current_app.extensions[_APP_KEY]


@bp.get("/openapi.json")
def get_openapi():
    """The OpenAPI 3.1 document of this API (no key needed)."""
    return jsonify(document())


OPENAPI = {
    "paths": {
        "/api/v1/openapi.json": {
            "get": operation(
                "This OpenAPI 3.1 document", operation_id="getOpenapi", tags=["discovery"], roles=None,
                responses={"200": ("The document.", ref("OpenApiDocument"))},
            )
        }
    },
    "schemas": schemas_of(OpenApiDocument),
}

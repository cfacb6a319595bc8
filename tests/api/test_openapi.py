"""The OpenAPI document cannot drift from the code: every route is in it, every path in it is a route."""

from __future__ import annotations

import re

from accelerator.api.openapi import build_document

_IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods - _IGNORED_METHODS)
    return routes


def test_every_route_is_documented_with_its_methods_and_every_documented_path_is_a_route(client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {path: set(ops) for path, ops in document["paths"].items()}
    assert documented == _routes(client.application)


def test_every_operation_names_its_roles_and_documents_its_errors(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            assert op["operationId"] and op["summary"], where
            if op["security"]:
                assert set(op["x-roles"]) <= {"marketplace", "insurer"}, where
                assert {"401", "403"} <= set(op["responses"]), where
                # Any key may have a rate limit.
                assert op["responses"]["429"] == {"$ref": "#/components/responses/RateLimited"}, where
            else:
                assert "429" not in op["responses"], where
            if method in ("post", "put"):
                names = {p.get("$ref", "").rsplit("/", 1)[-1] for p in op.get("parameters", [])}
                assert "IdempotencyKey" in names, where
                assert {"400", "409", "413", "415"} <= set(op["responses"]), where


def test_the_rate_limited_answer_names_its_code_and_retry_after(client):
    response = client.get("/api/v1/openapi.json").get_json()["components"]["responses"]["RateLimited"]
    assert "`rate_limited`" in response["description"]
    assert "Retry-After" in response["headers"]


def test_role_decorators_match_the_documented_roles(client):
    document = client.get("/api/v1/openapi.json").get_json()
    app = client.application
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        view = app.view_functions[rule.endpoint]
        for method in rule.methods - _IGNORED_METHODS:
            op = document["paths"][path][method.lower()]
            assert tuple(op.get("x-roles", ())) == tuple(getattr(view, "api_roles", ())), f"{method} {path}"


def test_the_document_is_valid_openapi_3_1(client):
    import schemathesis

    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    schema = schemathesis.openapi.from_dict(document)
    schema.validate()  # against the OpenAPI 3.1 meta-schema; raises on any error
    assert len(list(schema.get_all_operations())) == sum(len(ops) for ops in document["paths"].values())


def _patterns(node):
    """Every `pattern` in a JSON document, wherever it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_every_pattern_compiles_in_a_rust_validator_as_in_python(client):
    """A pattern some validators cannot compile makes them take any value as valid (the fuzzer's own validator
    among them, which then sends a blank string as a valid one): each must compile in jsonschema_rs (Rust's
    regex) and in Python's re, and mean the same for a few telling values."""
    import jsonschema_rs

    patterns = set(_patterns(client.get("/api/v1/openapi.json").get_json()))
    assert len(patterns) > 10
    for pattern in patterns:
        validator = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})  # raises if it cannot compile
        for value in ("", " ", "\f", "a", "A1B2C3D4E5", "2026-06-01", "x\x00y", "7"):
            assert validator.is_valid(value) == bool(re.search(pattern, value)), (pattern, value)


def test_building_refuses_a_path_declared_twice():
    fragment = {"paths": {"/api/v1/x": {"get": {"summary": "x"}}}}
    try:
        build_document([fragment, fragment])
    except ValueError as exc:
        assert "declared twice" in str(exc)
    else:
        raise AssertionError("a duplicate path was merged silently")

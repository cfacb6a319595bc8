"""Discovery without a key: the category list and the health check (answers declared in shapes/discovery.py)."""

from __future__ import annotations

from flask import jsonify
from pydantic import TypeAdapter
from sqlalchemy import text

from accelerator.api.blueprint import bp
from accelerator.api.openapi import operation, ref, schemas_of
from accelerator.domain.categories import CATEGORIES
from accelerator.extensions import db
from accelerator.shapes.discovery import Health, HealthUnavailable, ProductCategory

# The list never changes while the app runs: dumped through its declaration once.
_CATEGORIES = TypeAdapter(list[ProductCategory]).dump_python(
    [ProductCategory(code=code, name=name) for code, name in CATEGORIES], mode="json")


@bp.get("/categories")
def list_categories():
    """The product categories (no key needed)."""
    return jsonify(_CATEGORIES)


def healthz():
    """200 when the database answers, else 503 (registered on the app at /healthz)."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.commit()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return jsonify(HealthUnavailable(status="unavailable").model_dump(mode="json")), 503
    return jsonify(Health(status="ok").model_dump(mode="json"))


OPENAPI = {
    "paths": {
        "/api/v1/categories": {
            "get": operation(
                "The product categories", operation_id="listCategories", tags=["discovery"], roles=None,
                responses={"200": ("Every category: its code and display name.",
                                   {"type": "array", "items": ref("ProductCategory")})},
            )
        },
        "/healthz": {
            "get": operation(
                "Health check", operation_id="healthz", tags=["discovery"], roles=None,
                responses={"200": ("The database answers.", ref("Health")),
                           "503": ("The database does not answer.", ref("HealthUnavailable"))},
            )
        },
    },
    "schemas": schemas_of(ProductCategory, Health, HealthUnavailable),
}

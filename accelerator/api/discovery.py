"""Discovery without a key: the category list and the health check."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import text

from accelerator.api.blueprint import bp
from accelerator.api.openapi import CATEGORY, operation
from accelerator.domain.categories import CATEGORIES
from accelerator.extensions import db


@bp.get("/categories")
def list_categories():
    """The product categories (no key needed)."""
    return jsonify([{"code": code, "name": name} for code, name in CATEGORIES])


def healthz():
    """200 when the database answers, else 503 (registered on the app at /healthz)."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.commit()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})


OPENAPI = {
    "paths": {
        "/api/v1/categories": {
            "get": operation(
                "The product categories", operation_id="listCategories", tags=["discovery"], roles=None,
                responses={"200": ("Every category: its code and display name.", {
                    "type": "array",
                    "items": {"type": "object", "required": ["code", "name"], "additionalProperties": False,
                              "properties": {"code": CATEGORY, "name": {"type": "string"}}},
                })},
            )
        },
        "/healthz": {
            "get": operation(
                "Health check", operation_id="healthz", tags=["discovery"], roles=None,
                responses={
                    "200": ("The database answers.", {
                        "type": "object", "required": ["status"], "additionalProperties": False,
                        "properties": {"status": {"const": "ok"}}}),
                    "503": ("The database does not answer.", {
                        "type": "object", "required": ["status"], "additionalProperties": False,
                        "properties": {"status": {"const": "unavailable"}}}),
                },
            )
        },
    }
}

"""The /api/v1 blueprint: key auth, one module per resource, serializers, OpenAPI, JSON errors."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text

from accelerator.domain.categories import CATEGORIES
from accelerator.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/categories")
def list_categories():
    """The product categories (no key needed)."""
    return jsonify([{"code": code, "name": name} for code, name in CATEGORIES])


def register_api(app: Flask) -> None:
    """Register the API (the only place exempt from CSRF) and the health check."""
    csrf.exempt(bp)
    app.register_blueprint(bp)

    @app.get("/healthz")
    def healthz():
        """200 when the database answers, else 503."""
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any database failure means unhealthy
            db.session.rollback()
            return jsonify({"status": "unavailable"}), 503
        return jsonify({"status": "ok"})

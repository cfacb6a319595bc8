"""GET /metrics: Prometheus' text format for the holder of METRICS_TOKEN; for anyone else the site's 404."""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, current_app, request

from accelerator.observability.metrics import CONTENT_TYPE, scrape
from accelerator.services.operating_figures import current_figures

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def scrape_metrics():
    """Every worker's request and check counts, and the database's gauges (docs/operations.md)."""
    token = current_app.config.get("METRICS_TOKEN")
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    # Without a token set, or without the right one, the address is like any address that names nothing.
    if not token or scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
        abort(404)
    return scrape(current_figures), 200, {"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"}

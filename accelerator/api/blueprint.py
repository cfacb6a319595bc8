"""The /api/v1 blueprint object, apart so every resource module can import it without a cycle."""

from __future__ import annotations

from flask import Blueprint

from accelerator.http import BEARER_CHALLENGE

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.after_request
def _bearer_challenge(response):
    """A 401 tells the client how to authenticate (RFC 6750)."""
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", BEARER_CHALLENGE)
    return response

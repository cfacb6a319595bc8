"""The /api/v1 blueprint: key auth, one module per resource, OpenAPI, JSON errors.

Where things are:
- api/blueprint.py: the `bp` blueprint every resource module adds its endpoints to.
- api/core/ (a package): key auth and `require_role` (auth.py), `read_json` (bodies.py),
  `query_values`, `paginated` (fields.py), `idempotent` (replays.py: read its
  docstring first); all importable from `accelerator.api.core`.
- accelerator/shapes/ (top level, not here: services use them too): the declarations: value types
  (values.py), the one error renderer (errors.py) and every resource's declarations (coverage.py,
  sellers.py, policies.py, quotes.py, discovery.py, claim_cases.py, confirmations.py, webhooks.py).
- api/openapi.py: the document at /api/v1/openapi.json, merged from each module's `OPENAPI` fragment,
  which `register_api` hands it (the list of modules is kept here, and only here).
- api/claim_case_adapter.py: POST /api/v1/claim-cases's only road, `OpeningAdapter`, in front of Flask (as
  api/coverage/adapter.py is GET /api/v1/coverage's); installed when api/claim_cases.py is registered.
- one module per resource, each listed in RESOURCE_MODULES below (which registers its routes and its
  OpenAPI fragment).
"""

from __future__ import annotations

from flask import Flask

from accelerator.api import (
    certificates,
    claim_cases,
    claims,
    confirmations,
    coverage,
    discovery,
    openapi,
    policies,
    quote_requests,
    sellers,
    webhooks,
)
from accelerator.api.blueprint import bp
from accelerator.extensions import csrf

# Every resource module: importing it adds its routes to `bp`; its OPENAPI fragment joins the document.
# The marketplace endpoints (coverage, claims, sellers) are added here the same way.
RESOURCE_MODULES = (discovery, openapi, policies, quote_requests, webhooks, coverage, claims, sellers, claim_cases,
                    confirmations, certificates)

__all__ = ["RESOURCE_MODULES", "bp", "register_api"]


def register_api(app: Flask) -> None:
    """Register the API (the only place exempt from CSRF), its OpenAPI document and the health check."""
    csrf.exempt(bp)
    openapi.install_document(app, [module.OPENAPI for module in RESOURCE_MODULES])
    app.register_blueprint(bp)
    app.add_url_rule("/healthz", "healthz", discovery.healthz, methods=["GET"])

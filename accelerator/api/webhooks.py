"""Webhooks for insurers and the marketplace: register, list and remove endpoints; read the delivery log.

A marketplace key's endpoints belong to the marketplace (no insurer): they receive the claim case events
of every case; an insurer's receive its own events.
"""

from __future__ import annotations

from flask import g, jsonify

from accelerator.api.blueprint import bp
from accelerator.api.core import Fields, QueryArgs, idempotent, paginated, parse_id, read_json, require_role
from accelerator.api.openapi import ID, TIMESTAMP, operation, page_of, path_param, query_param, ref
from accelerator.domain.errors import NotFound
from accelerator.services import webhooks
from accelerator.services.audit import Actor
from accelerator.shapes.answers import webhook_delivery_json, webhook_endpoint_json

DELIVERY_STATUSES = ("pending", "delivered", "failed")


def _actor() -> Actor:
    return Actor.api_key(g.api_key.prefix)


@bp.post("/webhooks")
@require_role("insurer", "marketplace")
@idempotent
def register_webhook():
    """Register an HTTPS endpoint for this insurer's events; the signing secret is in this answer only."""
    f = Fields(read_json())
    url = f.string("url", max_length=webhooks.MAX_URL_LENGTH)
    f.check("The webhook endpoint was not registered.")
    endpoint, secret = webhooks.register_endpoint(_actor(), g.api_key.insurer_id, url)
    return jsonify(webhook_endpoint_json(endpoint, secret=secret)), 201


@bp.get("/webhooks")
@require_role("insurer", "marketplace")
def list_webhooks():
    """This insurer's active webhook endpoints (without their secrets)."""
    args = QueryArgs()
    page, per_page = args.page()
    args.check()
    return jsonify(paginated(webhooks.list_endpoints(g.api_key.insurer_id, page, per_page), webhook_endpoint_json))


@bp.delete("/webhooks/<int:endpoint_id>")  # digits only, so /webhooks/deliveries is never an endpoint id
@require_role("insurer", "marketplace")
def delete_webhook(endpoint_id: int):
    """Remove an endpoint: nothing more is sent to it; its undelivered events are dropped."""
    QueryArgs().check()
    eid = parse_id(str(endpoint_id))  # within the ids a row can have (a longer number is none of them)
    if eid is None:
        raise NotFound("No such webhook endpoint of yours.")
    webhooks.remove_endpoint(_actor(), g.api_key.insurer_id, eid)
    return "", 204


@bp.get("/webhooks/deliveries")
@require_role("insurer", "marketplace")
def list_webhook_deliveries():
    """The delivery log: this insurer's events, newest first, each with its attempts."""
    args = QueryArgs()
    page, per_page = args.page()
    status = args.choice("status", DELIVERY_STATUSES)
    args.check()
    result = webhooks.list_deliveries(g.api_key.insurer_id, page, per_page, status)
    return jsonify(paginated(result, lambda item: webhook_delivery_json(*item)))


OPENAPI = {
    "schemas": {
        "WebhookEndpoint": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "url", "active", "created_at"],
            "properties": {
                "id": ID,
                "url": {"type": "string"},
                "active": {"type": "boolean"},
                "created_at": TIMESTAMP,
                "secret": {"type": "string", "description": "The signing secret: in the registration answer only."},
            },
        },
        "WebhookDelivery": {
            "type": "object",
            "additionalProperties": False,
            "required": ["event_id", "type", "endpoint_id", "status", "attempts", "created_at", "next_attempt_at",
                         "delivered_at"],
            "properties": {
                "event_id": {"type": "string"},
                "type": {"enum": list(webhooks.EVENT_TYPES)},
                "endpoint_id": ID,
                "status": {"enum": list(DELIVERY_STATUSES)},
                "attempts": {"type": "array", "items": {
                    "type": "object", "additionalProperties": False,
                    "required": ["attempted_at", "status_code", "error", "duration_ms"],
                    "properties": {
                        "attempted_at": TIMESTAMP,
                        "status_code": {"type": ["integer", "null"]},
                        "error": {"type": ["string", "null"]},
                        "duration_ms": {"type": "integer", "minimum": 0},
                    },
                }},
                "created_at": TIMESTAMP,
                "next_attempt_at": {"oneOf": [TIMESTAMP, {"type": "null"}]},
                "delivered_at": {"oneOf": [TIMESTAMP, {"type": "null"}]},
            },
        },
    },
    "paths": {
        "/api/v1/webhooks": {
            "post": operation(
                "Register a webhook endpoint", operation_id="registerWebhook", tags=["webhooks"],
                roles=("insurer", "marketplace"),
                body={"type": "object", "additionalProperties": False, "required": ["url"],
                      "properties": {"url": {"type": "string", "format": "uri", "maxLength": webhooks.MAX_URL_LENGTH}}},
                responses={"201": ("The endpoint, with its signing secret (shown this once).", ref("WebhookEndpoint"))},
                description="The URL must be https and resolve only to public addresses. Events are POSTed as "
                            "JSON `{id, type, created_at, data}` with `X-Accelerator-Signature: t=<unix>,v1=<hex>`, "
                            "the HMAC-SHA256 of `<t>.<body>` under the secret. At most 5 endpoints "
                            "(409 `too_many_endpoints`). An insurer's endpoints receive its own events; a marketplace "
                            "key's endpoints receive the `claim_case.*` events of every case.",
            ),
            "get": operation(
                "List webhook endpoints", operation_id="listWebhooks", tags=["webhooks"],
                roles=("insurer", "marketplace"),
                paged=True, responses={"200": ("A page of endpoints.", page_of(ref("WebhookEndpoint")))},
            ),
        },
        "/api/v1/webhooks/{endpoint_id}": {
            "delete": operation(
                "Remove a webhook endpoint", operation_id="deleteWebhook", tags=["webhooks"],
                roles=("insurer", "marketplace"),
                params=[path_param("endpoint_id", ID)], errors=("400", "404"),
                responses={"204": ("Removed.", None)},
            ),
        },
        "/api/v1/webhooks/deliveries": {
            "get": operation(
                "The webhook delivery log", operation_id="listWebhookDeliveries", tags=["webhooks"],
                roles=("insurer", "marketplace"), paged=True,
                params=[query_param("status", {"enum": list(DELIVERY_STATUSES)})],
                responses={"200": ("A page of events, newest first, with their attempts.",
                                   page_of(ref("WebhookDelivery")))},
            ),
        },
    },
}

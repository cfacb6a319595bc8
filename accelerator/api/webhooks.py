"""Webhooks for insurers and the marketplace: register, list and remove endpoints; read the delivery log.

A marketplace key's endpoints belong to the marketplace (no insurer): they receive the claim case events
of every case; an insurer's receive its own events. The events' envelope is declared in accelerator/shapes/
webhooks.py and documented under the document's `webhooks`.
"""

from __future__ import annotations

from flask import g, jsonify

from accelerator.api.blueprint import bp
from accelerator.api.core import idempotent, paginated, parse_id, query_values, read_json, require_role
from accelerator.api.openapi import operation, path_params_of, query_params_of, ref, schemas_of
from accelerator.domain.errors import NotFound
from accelerator.services import webhooks
from accelerator.services.audit import Actor
from accelerator.shapes.errors import validate_all
from accelerator.shapes.values import NoQuery, Paging
from accelerator.shapes.webhooks import (
    EVENT_TYPES,
    ClaimCaseEnvelope,
    ConfirmationEnvelope,
    DeliveryQuery,
    NewWebhookEndpoint,
    PolicyEnvelope,
    WebhookBody,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookEndpoint,
    WebhookEndpointPage,
    WebhookEnvelope,
    WebhookPath,
)

_QUERY_MESSAGE = "Some fields are not right."


def _actor() -> Actor:
    """The request's API key, as the audit log names it."""
    return Actor.api_key(g.api_key.prefix)


def _query(model):
    """The request's query read as `model` (a parameter given twice is refused), or the contract's 400."""
    values, repeated = query_values()
    query, = validate_all(_QUERY_MESSAGE, (model, values), extra_errors=repeated)
    return query


def _endpoint_json(endpoint) -> dict:
    """An endpoint row as the answer declares it."""
    return WebhookEndpoint.model_validate(endpoint).model_dump(mode="json")


def _delivery_json(item: tuple) -> dict:
    """An (event, attempts) item of the log as the answer declares it."""
    return WebhookDelivery.of(*item).model_dump(mode="json")


@bp.post("/webhooks")
@require_role("insurer", "marketplace")
@idempotent
def register_webhook():
    """Register an HTTPS endpoint for this insurer's events; the signing secret is in this answer only."""
    body, = validate_all("The webhook endpoint was not registered.", (WebhookBody, read_json()))
    endpoint, secret = webhooks.register_endpoint(_actor(), g.api_key.insurer_id, body.url)
    answer = NewWebhookEndpoint.model_validate({**_endpoint_json(endpoint), "secret": secret})
    return jsonify(answer.model_dump(mode="json")), 201


@bp.get("/webhooks")
@require_role("insurer", "marketplace")
def list_webhooks():
    """This insurer's active webhook endpoints (without their secrets)."""
    query = _query(Paging)
    return jsonify(paginated(webhooks.list_endpoints(g.api_key.insurer_id, query.page, query.per_page),
                             _endpoint_json))


@bp.delete("/webhooks/<int:endpoint_id>")  # digits only, so /webhooks/deliveries is never an endpoint id
@require_role("insurer", "marketplace")
def delete_webhook(endpoint_id: int):
    """Remove an endpoint: nothing more is sent to it; its undelivered events are dropped."""
    _query(NoQuery)
    eid = parse_id(str(endpoint_id))  # within the ids a row can have (a longer number is none of them)
    if eid is None:
        raise NotFound("No such webhook endpoint of yours.")
    webhooks.remove_endpoint(_actor(), g.api_key.insurer_id, eid)
    return "", 204


@bp.get("/webhooks/deliveries")
@require_role("insurer", "marketplace")
def list_webhook_deliveries():
    """The delivery log: this insurer's events, newest first, each with its attempts."""
    query = _query(DeliveryQuery)
    result = webhooks.list_deliveries(g.api_key.insurer_id, query.page, query.per_page, query.status)
    return jsonify(paginated(result, _delivery_json))


_SIGNED = ("POSTed as JSON to each of the owner's active endpoints, with `X-Accelerator-Signature: t=<unix>,v1=<hex>`, "
           "the HMAC-SHA256 of `<t>.<body>` under the endpoint's secret. Any 2xx answer delivers it; otherwise it "
           "is tried again with backoff, and the delivery log shows every attempt.")


def _event(event_type: str) -> dict:
    """The document's entry for one event type (OpenAPI 3.1 `webhooks`)."""
    schema = ("ClaimCaseEnvelope" if event_type.startswith("claim_case.") else
              "ConfirmationEnvelope" if event_type.startswith("confirmation.") else
              "PolicyEnvelope" if event_type.startswith("policy.") else "WebhookEnvelope")
    return {"post": {
        "summary": f"The `{event_type}` event", "operationId": "event_" + event_type.replace(".", "_"),
        "tags": ["webhooks"], "description": _SIGNED,
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref(schema)}}},
        "responses": {"2XX": {"description": "Delivered."}},
    }}


OPENAPI = {
    "schemas": schemas_of(WebhookBody, WebhookEndpoint, NewWebhookEndpoint, WebhookDelivery, WebhookEnvelope,
                          ClaimCaseEnvelope, ConfirmationEnvelope, PolicyEnvelope, WebhookEndpointPage,
                          WebhookDeliveryPage),
    "webhooks": {event_type: _event(event_type) for event_type in EVENT_TYPES},
    "paths": {
        "/api/v1/webhooks": {
            "post": operation(
                "Register a webhook endpoint", operation_id="registerWebhook", tags=["webhooks"],
                roles=("insurer", "marketplace"), body=ref("WebhookBody"),
                responses={"201": ("The endpoint, with its signing secret (shown this once).",
                                   ref("NewWebhookEndpoint"))},
                description="The URL must be https and resolve only to public addresses. Events are POSTed as "
                            "JSON `{id, type, created_at, data}` with `X-Accelerator-Signature: t=<unix>,v1=<hex>`, "
                            "the HMAC-SHA256 of `<t>.<body>` under the secret (see the document's `webhooks`). "
                            "At most 5 endpoints (409 `too_many_endpoints`). An insurer's endpoints receive its own "
                            "events; a marketplace key's endpoints receive the `claim_case.*` events of every case.",
            ),
            "get": operation(
                "List webhook endpoints", operation_id="listWebhooks", tags=["webhooks"],
                roles=("insurer", "marketplace"), params=query_params_of(Paging),
                responses={"200": ("A page of endpoints.", ref("WebhookEndpointPage"))},
            ),
        },
        "/api/v1/webhooks/{endpoint_id}": {
            "delete": operation(
                "Remove a webhook endpoint", operation_id="deleteWebhook", tags=["webhooks"],
                roles=("insurer", "marketplace"),
                params=path_params_of(WebhookPath, endpoint_id="One of the key's endpoints (others are 404)."),
                errors=("400", "404"), responses={"204": ("Removed.", None)},
            ),
        },
        "/api/v1/webhooks/deliveries": {
            "get": operation(
                "The webhook delivery log", operation_id="listWebhookDeliveries", tags=["webhooks"],
                roles=("insurer", "marketplace"), params=query_params_of(DeliveryQuery),
                responses={"200": ("A page of events, newest first, with their attempts.",
                                   ref("WebhookDeliveryPage"))},
            ),
        },
    },
}

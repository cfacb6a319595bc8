"""Webhook events: the event types and `emit`, which writes an event to the outbox for each active endpoint.

Event types: `quote_request.routed`, `quote.accepted`, `policy.cancelled`, `claim_case.opened`,
`claim_case.updated`, `claim_case.escalated`; they and the envelope are declared in accelerator/shapes/webhooks.py.
An endpoint with no insurer belongs to the marketplace (`emit(None, ...)` writes to the marketplace's endpoints).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from accelerator import clock
from accelerator.extensions import db
from accelerator.models import WebhookEndpoint, WebhookEvent
from accelerator.observability import current_request_id
from accelerator.shapes.webhooks import EVENT_TYPES, WebhookEnvelope


def emit(insurer_id: int | None, event_type: str, data: dict) -> list[WebhookEvent]:
    """Add an event for each of the insurer's active endpoints (the marketplace's for None) to the session
    (the caller commits)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    owner = WebhookEndpoint.insurer_id.is_(None) if insurer_id is None else WebhookEndpoint.insurer_id == insurer_id
    endpoints = db.session.execute(
        select(WebhookEndpoint.id).where(owner, WebhookEndpoint.active.is_(True))
    ).scalars().all()
    now = clock.now()
    events = []
    for endpoint_id in endpoints:
        event_id = "evt_" + secrets.token_hex(16)
        payload = WebhookEnvelope(id=event_id, type=event_type, created_at=now, data=data).model_dump(mode="json")
        event = WebhookEvent(event_id=event_id, endpoint_id=endpoint_id, insurer_id=insurer_id,
                             event_type=event_type, payload=payload, status="pending", attempts=0,
                             next_attempt_at=now, request_id=current_request_id())
        db.session.add(event)
        events.append(event)
    return events

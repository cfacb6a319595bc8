"""Webhook events: the event types and `emit`, which writes an event to the outbox for each active endpoint.

Event types: `quote_request.routed`, `quote.accepted`, `policy.cancelled`, `policy.cancellation_pending`,
`policy.reinstated` (services/policy_notices: to the marketplace and the insurer), `claim_case.opened`,
`claim_case.updated`, `claim_case.escalated`, `confirmation.requested`; they and the envelope are declared in
accelerator/shapes/webhooks.py.
An endpoint with no insurer belongs to the marketplace (`emit(None, ...)` writes to the marketplace's endpoints).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import bindparam, or_, select

from accelerator import clock
from accelerator.extensions import db
from accelerator.models import WebhookEndpoint, WebhookEvent
from accelerator.observability import current_request_id
from accelerator.services.session_writes import SessionWriter
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


def _endpoints_of() -> tuple:
    """The active endpoints of the marketplace and of one insurer (the select, its bind, its columns)."""
    endpoints = WebhookEndpoint.__table__
    owner = bindparam("insurer_id", type_=endpoints.c.insurer_id.type)
    statement = (select(endpoints.c.id, endpoints.c.insurer_id)
                 .where(endpoints.c.active.is_(True), or_(endpoints.c.insurer_id.is_(None),
                                                          endpoints.c.insurer_id == owner))
                 .order_by(endpoints.c.id))
    return statement, ["insurer_id"], [endpoints.c.id, endpoints.c.insurer_id]


def write_events(writer: SessionWriter, insurer_id: int | None, event_type: str, data: Callable[[], dict]) -> int:
    """As `emit` to the marketplace and (unless None) to the insurer, in one read and one prepared INSERT
    an event, in the session's transaction (for busy writes that bypass the unit of work); how many.
    `data()` gives the events' data, asked only when there is an endpoint to send it to."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    found = writer.rows("webhook_endpoints_of", _endpoints_of, [insurer_id])
    if not found:
        return 0
    data = data()
    # The marketplace's first, as emit(None, ...) then emit(insurer_id, ...) would add them.
    found.sort(key=lambda row: (row[1] is not None, row[0]))
    now = clock.now()
    created_at = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    request_id = current_request_id()
    for endpoint_id, owner in found:
        event_id = "evt_" + secrets.token_hex(16)
        writer.insert(WebhookEvent.__table__, dict(
            event_id=event_id, endpoint_id=endpoint_id, insurer_id=owner, event_type=event_type,
            payload={"id": event_id, "type": event_type, "created_at": created_at, "data": data},
            status="pending", attempts=0, next_attempt_at=now, created_at=now, request_id=request_id))
    return len(found)

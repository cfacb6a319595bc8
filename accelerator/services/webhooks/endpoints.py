"""Webhook endpoints of insurers and of the marketplace (insurer_id None): register, list and remove them,
and read their delivery log."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select, update

from accelerator.domain.errors import Conflict, NotFound
from accelerator.extensions import db
from accelerator.models import WebhookAttempt, WebhookEndpoint, WebhookEvent
from accelerator.services import audit
from accelerator.services.paging import Page, fetch_page
from accelerator.services.webhooks.addresses import check_url
from accelerator.services.webhooks.settings import setting

MAX_ENDPOINTS = 5


def register_endpoint(actor: audit.Actor, insurer_id: int | None, url: str) -> tuple[WebhookEndpoint, str]:
    """Register an insurer's endpoint; returns it and its signing secret (shown this once)."""
    check_url(url, allow_loopback=bool(setting("WEBHOOK_ALLOW_LOOPBACK", False)))
    count = db.session.execute(
        select(func.count(WebhookEndpoint.id))
        .where(WebhookEndpoint.insurer_id == insurer_id, WebhookEndpoint.active.is_(True))
    ).scalar_one()
    if count >= MAX_ENDPOINTS:
        raise Conflict(f"An insurer may have at most {MAX_ENDPOINTS} webhook endpoints; remove one first.",
                       code="too_many_endpoints")
    secret = "whsec_" + secrets.token_hex(32)
    endpoint = WebhookEndpoint(insurer_id=insurer_id, url=url, secret=secret, active=True)
    db.session.add(endpoint)
    db.session.flush()
    audit.record(actor, "register", "webhook_endpoint", endpoint.id, url=url, insurer=insurer_id)
    db.session.commit()
    return endpoint, secret


def list_endpoints(insurer_id: int | None, page: int, per_page: int) -> Page:
    """The insurer's active endpoints, oldest first."""
    query = (select(WebhookEndpoint)
             .where(WebhookEndpoint.insurer_id == insurer_id, WebhookEndpoint.active.is_(True))
             .order_by(WebhookEndpoint.id))
    return fetch_page(query, page, per_page)


def remove_endpoint(actor: audit.Actor, insurer_id: int | None, endpoint_id: int) -> None:
    """Stop sending to an endpoint (its log stays readable); its undelivered events are dropped."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.insurer_id != insurer_id or not endpoint.active:
        raise NotFound("No such webhook endpoint of yours.")
    endpoint.active = False
    db.session.execute(update(WebhookEvent)
                       .where(WebhookEvent.endpoint_id == endpoint.id, WebhookEvent.status == "pending")
                       .values(status="failed", last_error="endpoint removed", locked_until=None))
    audit.record(actor, "remove", "webhook_endpoint", endpoint.id, insurer=insurer_id)
    db.session.commit()


def list_deliveries(insurer_id: int | None, page: int, per_page: int, status: str | None = None) -> Page:
    """The insurer's events, newest first, each with its attempts (items are (event, attempts))."""
    query = select(WebhookEvent).where(WebhookEvent.insurer_id == insurer_id)
    if status:
        query = query.where(WebhookEvent.status == status)
    result = fetch_page(query.order_by(WebhookEvent.id.desc()), page, per_page)
    ids = [event.id for event in result.items]
    attempts: dict[int, list[WebhookAttempt]] = {i: [] for i in ids}
    if ids:
        for attempt in db.session.execute(
            select(WebhookAttempt).where(WebhookAttempt.event_id.in_(ids)).order_by(WebhookAttempt.id)
        ).scalars():
            attempts[attempt.event_id].append(attempt)
    return Page(items=[(e, attempts[e.id]) for e in result.items], page=result.page,
                per_page=result.per_page, total=result.total)

"""Webhook delivery: claiming due events, the signed POST, recording attempts with backoff, `deliver_due`.

An event is written to the outbox (`webhook_events`) by `emit`, inside the transaction of the change
it reports, one row per active endpoint of the insurer. `deliver_due` (run by `flask --app wsgi
webhooks deliver`, once or `--loop`) sends what is due: a POST of the JSON
`{"id": "evt_...", "type": "...", "created_at": "...", "data": {...}}` with the headers

    X-Accelerator-Event: <type>
    X-Accelerator-Event-Id: <id>
    X-Accelerator-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

A 2xx answer delivers it; anything else (a redirect too: none is followed) is retried with
exponential backoff until WEBHOOK_MAX_ATTEMPTS. URLs must be https and resolve only to public
addresses (IPv4 embedded in IPv6 judged as IPv4), checked at registration and again at delivery, where the
name is resolved, every address checked, and the socket connected only to a checked address (so DNS cannot
be re-pointed at a private address in between; a refusal is logged as one neutral reason, NOT_ALLOWED);
WEBHOOK_ALLOW_LOOPBACK lets tests use http on loopback. Both checks take a `resolver` (default `resolve`,
the system's), so tests give a local table instead of DNS.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from sqlalchemy import or_, select, update

from accelerator import clock
from accelerator.extensions import db
from accelerator.models import WebhookAttempt, WebhookEvent
from accelerator.services.webhooks.addresses import NOT_ALLOWED, BlockedAddress, delivery_session
from accelerator.services.webhooks.settings import backoff, max_attempts, setting
from accelerator.services.webhooks.signing import SIGNATURE_HEADER, sign

LEASE = timedelta(minutes=2)  # a claimed event is left alone this long by other workers
USER_AGENT = "Accelerator-Webhooks/1"


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        """Events tried in this run."""
        return self.delivered + self.retrying + self.failed


def _claim(event_id: int) -> bool:
    """Lease an event to this worker; False when another worker holds it or it is no longer due."""
    now = clock.now()
    result = db.session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id, WebhookEvent.status == "pending",
               or_(WebhookEvent.locked_until.is_(None), WebhookEvent.locked_until < now))
        .values(locked_until=now + LEASE)
    )
    db.session.commit()
    return result.rowcount == 1


def _post(session: requests.Session, url: str, body: bytes, headers: dict) -> tuple[int | None, str | None]:
    """POST once; returns (status code, error text or None when 2xx)."""
    if urlsplit(url).scheme != "https" and not setting("WEBHOOK_ALLOW_LOOPBACK", False):
        return None, "refused: not an https URL"
    timeout = float(setting("WEBHOOK_TIMEOUT_SECONDS", 10))
    try:
        response = session.post(url, data=body, headers=headers, timeout=(min(5.0, timeout), timeout),
                                allow_redirects=False, stream=True)
        response.close()
    except BlockedAddress:
        return None, NOT_ALLOWED  # nothing was connected, so nothing about the port can leak
    except requests.Timeout:
        return None, "timed out"
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {str(exc)[:300]}"
    if 200 <= response.status_code < 300:
        return response.status_code, None
    if 300 <= response.status_code < 400:
        return response.status_code, f"HTTP {response.status_code} (redirects are not followed)"
    return response.status_code, f"HTTP {response.status_code}"


def deliver_event(session: requests.Session, event_row_id: int) -> str:
    """Try one leased event once; returns its new status (delivered, pending or failed)."""
    event = db.session.get(WebhookEvent, event_row_id)
    endpoint = event.endpoint
    url, secret, active = endpoint.url, endpoint.secret, endpoint.active
    body = json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()
    db.session.commit()  # no transaction stays open over the network
    if not active:
        status_code, error, elapsed = None, "endpoint removed", 0
    else:
        stamp = clock.timestamp()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Accelerator-Event": event.event_type,
            "X-Accelerator-Event-Id": event.event_id,
            SIGNATURE_HEADER: sign(secret, stamp, body),
        }
        if event.request_id:  # the request that caused the event, for the receiver to quote to support
            headers["X-Request-Id"] = event.request_id
        started = time.monotonic()
        status_code, error = _post(session, url, body, headers)
        elapsed = int((time.monotonic() - started) * 1000)
    event = db.session.get(WebhookEvent, event_row_id)
    now = clock.now()
    db.session.add(WebhookAttempt(event_id=event.id, attempted_at=now, status_code=status_code,
                                  error=error, duration_ms=elapsed))
    event.attempts += 1
    event.locked_until = None
    if error is None:
        event.status, event.delivered_at, event.last_error = "delivered", now, None
    elif not active or event.attempts >= max_attempts():
        event.status, event.last_error = "failed", error
    else:
        event.status, event.last_error = "pending", error
        event.next_attempt_at = now + backoff(event.attempts)
    db.session.commit()
    return event.status


def deliver_due(*, now=None, limit: int = 100, session: requests.Session | None = None) -> DeliveryReport:
    """Send every event due by `now` (default: now), at most `limit`; safe with several workers."""
    moment = now or clock.now()
    due = db.session.execute(
        select(WebhookEvent.id)
        .where(WebhookEvent.status == "pending", WebhookEvent.next_attempt_at <= moment,
               or_(WebhookEvent.locked_until.is_(None), WebhookEvent.locked_until < moment))
        .order_by(WebhookEvent.next_attempt_at, WebhookEvent.id).limit(limit)
    ).scalars().all()
    db.session.commit()
    report = DeliveryReport()
    own_session = session is None
    session = session or delivery_session()
    try:
        for event_id in due:
            if not _claim(event_id):
                continue
            outcome = deliver_event(session, event_id)
            if outcome == "delivered":
                report.delivered += 1
            elif outcome == "failed":
                report.failed += 1
            else:
                report.retrying += 1
    finally:
        if own_session:
            session.close()
    return report

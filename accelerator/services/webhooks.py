"""Webhooks: insurers' HTTPS endpoints, the event outbox, signed delivery with backoff, the delivery log.

An event is written to the outbox (`webhook_events`) by `emit`, inside the transaction of the change
it reports, one row per active endpoint of the insurer. `deliver_due` (run by `flask --app wsgi
webhooks deliver`, once or `--loop`) sends what is due: a POST of the JSON
`{"id": "evt_...", "type": "...", "created_at": "...", "data": {...}}` with the headers

    X-Accelerator-Event: <type>
    X-Accelerator-Event-Id: <id>
    X-Accelerator-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

A 2xx answer delivers it; anything else (a redirect too: none is followed) is retried with
exponential backoff until WEBHOOK_MAX_ATTEMPTS. URLs must be https and resolve only to public
addresses, checked at registration and again on the connected socket at delivery (so DNS cannot be
re-pointed at a private address in between); WEBHOOK_ALLOW_LOOPBACK lets tests use http on loopback.

Event types: `quote_request.routed`, `quote.accepted`, `policy.cancelled`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from flask import current_app
from requests.adapters import HTTPAdapter
from sqlalchemy import func, or_, select, update
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.extensions import db
from accelerator.models import WebhookAttempt, WebhookEndpoint, WebhookEvent
from accelerator.models.types import utcnow
from accelerator.services import audit
from accelerator.services.paging import Page, fetch_page

EVENT_TYPES = ("quote_request.routed", "quote.accepted", "policy.cancelled")
MAX_ENDPOINTS = 5
MAX_URL_LENGTH = 2000
SIGNATURE_HEADER = "X-Accelerator-Signature"
LEASE = timedelta(minutes=2)  # a claimed event is left alone this long by other workers
USER_AGENT = "Accelerator-Webhooks/1"


def _setting(name: str, default):
    return current_app.config.get(name, default)


def max_attempts() -> int:
    """How many times an event is tried before it is marked failed (WEBHOOK_MAX_ATTEMPTS, default 8)."""
    return int(_setting("WEBHOOK_MAX_ATTEMPTS", 8))


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: base * 2^(attempts-1), at most six hours."""
    base = float(_setting("WEBHOOK_BACKOFF_SECONDS", 30))
    ceiling = float(_setting("WEBHOOK_BACKOFF_MAX_SECONDS", 6 * 3600))
    return timedelta(seconds=min(ceiling, base * (2 ** max(0, attempts - 1))))


# --- addresses ----------------------------------------------------------------------------------


class BlockedAddress(Exception):
    """A webhook connection reached (or would reach) an address that is not public."""


def address_allowed(address: str, allow_loopback: bool) -> bool:
    """Whether an IP address is public (or loopback, when allowed): never private, link-local, metadata."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def check_url(url: str, *, allow_loopback: bool) -> str:
    """Validate a webhook URL and every address its host resolves to; returns it, or ValidationError."""

    def refuse(why: str):
        raise ValidationError("This webhook URL cannot be used.", fields={"url": why})

    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        refuse(f"Give an https URL of at most {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        refuse("This is not a valid URL.")
    host = parts.hostname
    if parts.scheme not in ("https", "http") or not host:
        refuse("Must be an https:// URL.")
    if parts.username is not None or parts.password is not None:
        refuse("Must not carry a user name or password.")
    if parts.fragment:
        refuse("Must not have a #fragment.")
    if any(ch.isspace() for ch in url):
        refuse("Must not contain spaces.")
    try:
        infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        refuse(f"The host {host[:100]} does not resolve.")
    addresses = {info[4][0] for info in infos}
    if not addresses or not all(address_allowed(a, allow_loopback) for a in addresses):
        refuse("Must resolve only to public addresses (not private, loopback, link-local or metadata).")
    all_loopback = all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses)
    if parts.scheme == "http" and not (allow_loopback and all_loopback):
        refuse("Must be an https:// URL.")
    return url


def _guarded_adapter(allow_loopback: bool) -> HTTPAdapter:
    """A requests adapter whose connections refuse a peer address that is not allowed."""

    class Guard:
        def _new_conn(self):
            sock = super()._new_conn()
            try:
                peer = sock.getpeername()[0]
            except OSError:
                peer = ""
            if not address_allowed(peer, allow_loopback):
                sock.close()
                raise BlockedAddress(f"connection to {peer or 'an unknown address'} refused: not a public address")
            return sock

    class GuardedHTTPConnection(Guard, HTTPConnection):
        pass

    class GuardedHTTPSConnection(Guard, HTTPSConnection):
        pass

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}

    return GuardedAdapter(max_retries=0)


def delivery_session() -> requests.Session:
    """A session for deliveries: guarded connections, no proxies from the environment."""
    session = requests.Session()
    session.trust_env = False
    adapter = _guarded_adapter(bool(_setting("WEBHOOK_ALLOW_LOOPBACK", False)))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --- endpoints ----------------------------------------------------------------------------------


def register_endpoint(actor: audit.Actor, insurer_id: int, url: str) -> tuple[WebhookEndpoint, str]:
    """Register an insurer's endpoint; returns it and its signing secret (shown this once)."""
    check_url(url, allow_loopback=bool(_setting("WEBHOOK_ALLOW_LOOPBACK", False)))
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


def list_endpoints(insurer_id: int, page: int, per_page: int) -> Page:
    """The insurer's active endpoints, oldest first."""
    query = (select(WebhookEndpoint)
             .where(WebhookEndpoint.insurer_id == insurer_id, WebhookEndpoint.active.is_(True))
             .order_by(WebhookEndpoint.id))
    return fetch_page(query, page, per_page)


def remove_endpoint(actor: audit.Actor, insurer_id: int, endpoint_id: int) -> None:
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


def list_deliveries(insurer_id: int, page: int, per_page: int, status: str | None = None) -> Page:
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


# --- events -------------------------------------------------------------------------------------


def emit(insurer_id: int, event_type: str, data: dict) -> list[WebhookEvent]:
    """Add an event for each of the insurer's active endpoints to the session (the caller commits)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    endpoints = db.session.execute(
        select(WebhookEndpoint.id)
        .where(WebhookEndpoint.insurer_id == insurer_id, WebhookEndpoint.active.is_(True))
    ).scalars().all()
    now = utcnow()
    events = []
    for endpoint_id in endpoints:
        event_id = "evt_" + secrets.token_hex(16)
        payload = {"id": event_id, "type": event_type, "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "data": data}
        event = WebhookEvent(event_id=event_id, endpoint_id=endpoint_id, insurer_id=insurer_id,
                             event_type=event_type, payload=payload, status="pending", attempts=0,
                             next_attempt_at=now)
        db.session.add(event)
        events.append(event)
    return events


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, header: str, body: bytes, *, tolerance: int = 300,
                     now: int | None = None) -> bool:
    """Check a signature header as a receiver should: right HMAC, timestamp within `tolerance` seconds."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs((now or int(time.time())) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


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
    now = utcnow()
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
    if urlsplit(url).scheme != "https" and not _setting("WEBHOOK_ALLOW_LOOPBACK", False):
        return None, "refused: not an https URL"
    timeout = float(_setting("WEBHOOK_TIMEOUT_SECONDS", 10))
    try:
        response = session.post(url, data=body, headers=headers, timeout=(min(5.0, timeout), timeout),
                                allow_redirects=False, stream=True)
        response.close()
    except BlockedAddress as exc:
        return None, str(exc)
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
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Accelerator-Event": event.event_type,
            "X-Accelerator-Event-Id": event.event_id,
            SIGNATURE_HEADER: sign(secret, stamp, body),
        }
        started = time.monotonic()
        status_code, error = _post(session, url, body, headers)
        elapsed = int((time.monotonic() - started) * 1000)
    event = db.session.get(WebhookEvent, event_row_id)
    now = utcnow()
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
    moment = now or utcnow()
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

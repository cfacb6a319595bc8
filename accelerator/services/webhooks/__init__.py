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
addresses (IPv4 embedded in IPv6 judged as IPv4), checked at registration and again at delivery, where the
name is resolved, every address checked, and the socket connected only to a checked address (so DNS cannot
be re-pointed at a private address in between; a refusal is logged as one neutral reason, NOT_ALLOWED);
WEBHOOK_ALLOW_LOOPBACK lets tests use http on loopback. Both checks take a `resolver` (default `resolve`,
the system's), so tests give a local table instead of DNS.

Event types: `quote_request.routed`, `quote.accepted`, `policy.cancelled`, `claim_case.opened`,
`claim_case.updated`, `claim_case.escalated`. An endpoint with no insurer belongs to the marketplace
(`emit(None, ...)` writes to the marketplace's endpoints).

Where things are (every name below is also importable from this package, so `webhooks.<name>` works):
- webhooks/settings.py: `max_attempts` and `backoff` (WEBHOOK_MAX_ATTEMPTS, WEBHOOK_BACKOFF_*), and `setting`,
  the config reader the other modules share.
- webhooks/signing.py: `sign`, `verify_signature`, `SIGNATURE_HEADER`.
- webhooks/addresses.py: the SSRF guards: `check_url` (at registration), `address_allowed`, `embedded_ipv4`,
  `resolve`, `BlockedAddress`, `NOT_ALLOWED`, `delivery_session` (the session whose connections are pinned to
  checked addresses), `MAX_URL_LENGTH`.
- webhooks/endpoints.py: `register_endpoint`, `list_endpoints`, `remove_endpoint`, `list_deliveries` (the
  delivery log), `MAX_ENDPOINTS`.
- webhooks/events.py: `emit` (the outbox) and `EVENT_TYPES`.
- webhooks/delivery.py: `deliver_due`, `deliver_event`, `DeliveryReport`, `LEASE`, `USER_AGENT`.
A test that patches a name used by delivery patches it in the module that uses it, e.g.
`accelerator.services.webhooks.delivery.delivery_session` or `accelerator.services.webhooks.delivery.time`
(patching this package's attribute would not reach `deliver_due`).
"""

from __future__ import annotations

from accelerator.services.webhooks.addresses import (
    MAX_URL_LENGTH,
    NOT_ALLOWED,
    BlockedAddress,
    address_allowed,
    check_url,
    delivery_session,
    embedded_ipv4,
    resolve,
)
from accelerator.services.webhooks.delivery import LEASE, USER_AGENT, DeliveryReport, deliver_due, deliver_event
from accelerator.services.webhooks.endpoints import (
    MAX_ENDPOINTS,
    list_deliveries,
    list_endpoints,
    register_endpoint,
    remove_endpoint,
)
from accelerator.services.webhooks.events import EVENT_TYPES, emit
from accelerator.services.webhooks.settings import backoff, max_attempts
from accelerator.services.webhooks.signing import SIGNATURE_HEADER, sign, verify_signature

__all__ = [
    "EVENT_TYPES", "LEASE", "MAX_ENDPOINTS", "MAX_URL_LENGTH", "NOT_ALLOWED", "SIGNATURE_HEADER", "USER_AGENT",
    "BlockedAddress", "DeliveryReport", "address_allowed", "backoff", "check_url", "deliver_due", "deliver_event",
    "delivery_session", "embedded_ipv4", "emit", "list_deliveries", "list_endpoints", "max_attempts",
    "register_endpoint", "remove_endpoint", "resolve", "sign", "verify_signature",
]

"""Webhooks: insurers' HTTPS endpoints, the event outbox, signed delivery with backoff, the delivery log."""

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
from accelerator.services.webhooks.delivery import LEASE, DeliveryReport, deliver_due
from accelerator.services.webhooks.endpoints import (
    MAX_ENDPOINTS,
    list_deliveries,
    list_endpoints,
    register_endpoint,
    remove_endpoint,
)
from accelerator.services.webhooks.events import EVENT_TYPES, emit, write_events
from accelerator.services.webhooks.settings import backoff
from accelerator.services.webhooks.signing import SIGNATURE_HEADER, sign, verify_signature

__all__ = [
    "EVENT_TYPES",
    "LEASE",
    "MAX_ENDPOINTS",
    "MAX_URL_LENGTH",
    "NOT_ALLOWED",
    "SIGNATURE_HEADER",
    "BlockedAddress",
    "DeliveryReport",
    "address_allowed",
    "backoff",
    "check_url",
    "deliver_due",
    "delivery_session",
    "embedded_ipv4",
    "emit",
    "list_deliveries",
    "list_endpoints",
    "register_endpoint",
    "remove_endpoint",
    "resolve",
    "sign",
    "verify_signature",
    "write_events",
]

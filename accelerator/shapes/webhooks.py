"""Webhooks, declared once: the registration body, the lists' queries, the endpoint, the delivery log and the
event envelope that services/webhooks/events.py writes for every event."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from accelerator.shapes.claim_cases import ClaimCase
from accelerator.shapes.confirmations import Confirmation
from accelerator.shapes.policies import Policy
from accelerator.shapes.values import IdOut, Page, Paging, TimestampOut, one_of, text

MAX_URL_LENGTH = 2000
POLICY_EVENT_TYPES = ("policy.cancelled", "policy.cancellation_pending", "policy.reinstated")
EVENT_TYPES = ("quote_request.routed", "quote.accepted", *POLICY_EVENT_TYPES, "claim_case.opened",
               "claim_case.updated", "claim_case.escalated", "confirmation.requested")
DELIVERY_STATUSES = ("pending", "delivered", "failed")

Url = text(MAX_URL_LENGTH, format="uri", description="https, resolving only to public addresses.")
DeliveryStatus = one_of(*DELIVERY_STATUSES)


class WebhookBody(BaseModel):
    """POST /api/v1/webhooks's body."""

    model_config = ConfigDict(extra="forbid")

    url: Url


class DeliveryQuery(Paging):
    """GET /api/v1/webhooks/deliveries's query."""

    status: DeliveryStatus | None = None


class WebhookPath(BaseModel):
    """An endpoint named in a path: digits (an id no endpoint of the key's has is a 404)."""

    endpoint_id: str = Field(pattern=r"^[0-9]+$", examples=["7"])


# --- the answers -----------------------------------------------------------------------------------


class WebhookEndpoint(BaseModel):
    """A registered endpoint (read from its row)."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: IdOut
    url: str
    active: bool
    created_at: TimestampOut


class NewWebhookEndpoint(WebhookEndpoint):
    """The endpoint just registered, with its signing secret (shown this once)."""

    secret: str = Field(description="The signing secret: in the registration answer only.")


class WebhookAttempt(BaseModel):
    """One delivery attempt (read from its row)."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    attempted_at: TimestampOut
    status_code: int | None
    error: str | None
    duration_ms: int = Field(ge=0)


class WebhookDelivery(BaseModel):
    """One event for one endpoint, its delivery state and every attempt so far."""

    model_config = ConfigDict(extra="forbid")

    event_id: str
    type: Literal[EVENT_TYPES]
    endpoint_id: IdOut
    status: Literal[DELIVERY_STATUSES]
    attempts: list[WebhookAttempt]
    created_at: TimestampOut
    next_attempt_at: TimestampOut | None = Field(description="While pending; else null.")
    delivered_at: TimestampOut | None

    @classmethod
    def of(cls, event, attempts: list) -> WebhookDelivery:
        """The delivery of an event row with its attempt rows."""
        return cls(event_id=event.event_id, type=event.event_type, endpoint_id=event.endpoint_id,
                   status=event.status, attempts=attempts, created_at=event.created_at,
                   next_attempt_at=event.next_attempt_at if event.status == "pending" else None,
                   delivered_at=event.delivered_at)


class WebhookEndpointPage(Page[WebhookEndpoint]):
    """A page of the key's endpoints."""


class WebhookDeliveryPage(Page[WebhookDelivery]):
    """A page of the delivery log, newest first."""


class WebhookEnvelope(BaseModel):
    """What is POSTed to an endpoint for an event, signed with `X-Accelerator-Signature`."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^evt_[0-9a-f]{32}$")
    type: Literal[EVENT_TYPES]
    created_at: TimestampOut
    data: dict = Field(description="The event's object, by name (`claim_case`, `policy`, `quote`, ...).")


class ClaimCaseData(BaseModel):
    """The data of a `claim_case.*` event."""

    model_config = ConfigDict(extra="forbid")

    claim_case: ClaimCase


class ClaimCaseEnvelope(WebhookEnvelope):
    """A `claim_case.opened`, `claim_case.updated` or `claim_case.escalated` event."""

    type: Literal["claim_case.opened", "claim_case.updated", "claim_case.escalated"]
    data: ClaimCaseData


class ConfirmationData(BaseModel):
    """The data of a `confirmation.requested` event."""

    model_config = ConfigDict(extra="forbid")

    confirmation: Confirmation


class ConfirmationEnvelope(WebhookEnvelope):
    """A `confirmation.requested` event: a seller uploaded a policy naming the insurer; confirm or deny it."""

    type: Literal["confirmation.requested"]
    data: ConfirmationData


class PolicyData(BaseModel):
    """The data of a `policy.*` event."""

    model_config = ConfigDict(extra="forbid")

    policy: Policy


class PolicyEnvelope(WebhookEnvelope):
    """A `policy.cancelled`, `policy.cancellation_pending` or `policy.reinstated` event: the policy as it is
    after the change (`pending_cancellation` set by a notice of cancellation, `cancellation_date` null again
    after a reinstatement)."""

    type: Literal[POLICY_EVENT_TYPES]
    data: PolicyData

"""SQLAlchemy 2 typed models of the whole Accelerator."""

from accelerator.models.certificate import Certificate, CertificateRead
from accelerator.models.claim_case import ClaimCase, ClaimCaseEvent, ClaimCaseEvidence
from accelerator.models.confirmation import CONFIRMATION_STATUSES, Confirmation
from accelerator.models.insurer import INSURER_STATUSES, Insurer
from accelerator.models.mail import EmailMessage
from accelerator.models.policy import Claim, Policy
from accelerator.models.quote import Quote, QuoteRequest, QuoteRouting
from accelerator.models.records import (
    ApiKey,
    ApiKeyWindow,
    AuditEntry,
    CoverageCheck,
    IdempotencyRecord,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookEvent,
)
from accelerator.models.seller import MonthlySales, Seller
from accelerator.models.user import ROLES, Invitation, LoginThrottle, User

__all__ = [
    "CONFIRMATION_STATUSES", "INSURER_STATUSES", "ROLES", "ApiKey", "ApiKeyWindow", "AuditEntry", "Certificate",
    "CertificateRead", "Claim", "ClaimCase", "ClaimCaseEvent", "ClaimCaseEvidence", "Confirmation", "CoverageCheck",
    "EmailMessage",
    "IdempotencyRecord", "Insurer", "Invitation", "LoginThrottle", "MonthlySales", "Policy", "Quote", "QuoteRequest",
    "QuoteRouting", "Seller", "User", "WebhookAttempt", "WebhookEndpoint", "WebhookEvent",
]

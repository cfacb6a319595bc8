"""A seller's certificate sent by the marketplace (the API): read, checked and stored as an uploaded policy,
pending verification, through the same upload service as the site's upload page.

The policy's terms are those read. Where the policy number, the insurer's name, both dates or both limits
could not be read, nothing is stored (`422 fields_missing`). The insurer is the one on the Accelerator with
the certificate's NAIC code, else its name, else an outside insurer as read (its NAIC code where read; a
certificate does not state a rating). A deductible that was not read is stored as 0.00, and an occurrence
basis or additional-insured status that was not read as not met: the stored read says they were not read,
and an admin verifies every upload.
"""

from __future__ import annotations

import io
from decimal import Decimal

from accelerator.domain.errors import DomainError
from accelerator.models import Policy
from accelerator.services import audit, certificate_reads, sales, uploads
from accelerator.services.certificate_check import CertificateCheck, check_certificate
from accelerator.services.certificate_reading import MAX_BYTES

# What a policy cannot be stored without.
NEEDED = ("policy_number", "insurer_name", "effective_date", "expiration_date", "per_occurrence_limit",
          "aggregate_limit")


class FieldsMissing(DomainError):
    """The certificate was read, but not the fields a policy needs; `fields` names each one."""

    status = 422
    code = "fields_missing"


def missing_fields(check: CertificateCheck) -> list[str]:
    """The fields a policy needs that could not be read."""
    return [name for name in NEEDED if check.fields.get(name) is None]


def terms_as_read(check: CertificateCheck) -> uploads.UploadedPolicy:
    """The uploaded policy's terms as the certificate states them."""
    fields = check.fields
    insurer = check.insurer
    return uploads.UploadedPolicy(
        policy_number=str(fields["policy_number"]), effective_date=fields["effective_date"],
        expiration_date=fields["expiration_date"], per_occurrence_limit=fields["per_occurrence_limit"],
        aggregate_limit=fields["aggregate_limit"], deductible=fields.get("deductible", Decimal("0.00")),
        occurrence_based=bool(fields.get("occurrence_based", False)),
        additional_insured=bool(fields.get("additional_insured", False)),
        insurer_id=insurer.id if insurer else None,
        insurer_name="" if insurer else str(fields["insurer_name"]),
        insurer_naic_code="" if insurer else str(fields.get("naic_code") or ""), as_read=True)


def store_certificate(actor: audit.Actor, seller_id: str, content: bytes) -> tuple[Policy, CertificateCheck]:
    """Read and check a seller's certificate and store it as an uploaded policy, pending verification
    (the seller's record is made when the seller is new, as the other seller endpoints do)."""
    check = check_certificate(content)
    missing = missing_fields(check)
    if missing:
        raise FieldsMissing(
            "The certificate was read, but not everything a policy needs: nothing was stored.",
            fields={name: "Could not be read from the certificate." for name in missing})
    sales.ensure_seller(seller_id)
    policy = uploads.upload_policy(actor, seller_id, terms_as_read(check), io.BytesIO(content),
                                   read=certificate_reads.of_check(check), limit=MAX_BYTES)
    return policy, check

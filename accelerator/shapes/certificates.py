"""Certificates read and stored, declared once: the read body (fields, evidence, signals, requirement) and
the stored certificate's answer (the policy and its read). The requests' bodies are the PDF itself."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from accelerator.domain.certificate_check import SIGNAL_CODES
from accelerator.domain.certificate_fields import SOURCES
from accelerator.domain.compliance import TERM_CODES
from accelerator.shapes.policies import Policy
from accelerator.shapes.values import DayOut, MoneyOut

# The requirement's codes on a certificate: its dates against today, then its terms (no category: the
# certificate alone does not say what the seller sells).
REQUIREMENT_CODES = ("not_yet_effective", "expired", *(code for code in TERM_CODES if code != "category_excluded"))
NAIC_OUT = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^[0-9]{5}$"})]


class CertificateFields(BaseModel):
    """Every field of a certificate, null where it could not be read."""

    model_config = ConfigDict(extra="forbid")

    insured_name: str | None
    insurer_name: str | None
    naic_code: NAIC_OUT | None
    policy_number: str | None
    effective_date: DayOut | None
    expiration_date: DayOut | None
    per_occurrence_limit: MoneyOut | None
    aggregate_limit: MoneyOut | None
    deductible: MoneyOut | None
    occurrence_based: bool | None
    additional_insured: bool | None
    certificate_holder: str | None


class FieldEvidence(BaseModel):
    """Where a field was read: the page (from 1), the source and the words."""

    model_config = ConfigDict(extra="forbid")

    page: int = Field(ge=1)
    source: Literal[SOURCES]  # type: ignore[valid-type]
    text: str


class CertificateSignal(BaseModel):
    """A sign worth a look, with its evidence in the message."""

    model_config = ConfigDict(extra="forbid")

    code: Literal[SIGNAL_CODES]  # type: ignore[valid-type]
    message: str


class CertificateReason(BaseModel):
    """One requirement rule the certificate fails, in the compliance reasons' form; the message ends with
    how to fix it."""

    model_config = ConfigDict(extra="forbid")

    code: Literal[REQUIREMENT_CODES]  # type: ignore[valid-type]
    policy_number: str | None
    message: str


class CertificateRequirement(BaseModel):
    """Whether the certificate meets the requirement (every rule's field read and none failing), and why not."""

    model_config = ConfigDict(extra="forbid")

    meets: bool
    reasons: list[CertificateReason]


class CertificateRead(BaseModel):
    """POST /api/v1/certificates/read's answer: what was read, where, the signals and the requirement."""

    model_config = ConfigDict(extra="forbid")

    fields: CertificateFields
    evidence: Annotated[dict[str, FieldEvidence], WithJsonSchema(
        {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/FieldEvidence"},
         "description": "An entry for every field read, by the field's name."})]
    signals: list[CertificateSignal]
    requirement: CertificateRequirement


class StoredCertificate(BaseModel):
    """POST /api/v1/sellers/{seller_id}/certificates's answer: the uploaded policy and what was read."""

    model_config = ConfigDict(extra="forbid")

    policy: Policy
    read: CertificateRead


def read_json(read: dict[str, Any]) -> dict:
    """A read body (the service's contract form) as its declaration dumps it."""
    return CertificateRead.model_validate(read).model_dump(mode="json")


def stored_json(policy: Any, read: dict[str, Any]) -> dict:
    """The stored certificate's answer of a policy row and its read."""
    return StoredCertificate.model_validate({"policy": policy, "read": read}).model_dump(mode="json")

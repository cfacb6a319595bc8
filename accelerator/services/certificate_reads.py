"""What was read from the certificate stored with each seller upload: checked when the file is stored, kept
beside the policy (certificate_reads), shown to the admin who verifies the upload.

A file that cannot be read as a certificate is still stored where the upload's own checks accept it (the
seller entered the terms); its read then holds no field and an `unreadable_fields` signal saying why. An
upload with any signal is for a person to verify: nothing verifies an upload by itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from accelerator import clock
from accelerator.domain.certificate_check import FieldComparison, RequirementResult, compare_fields
from accelerator.domain.certificate_fields import FIELDS, contract_value
from accelerator.extensions import db
from accelerator.models import CertificateRead, Policy
from accelerator.services.certificate_check import CertificateCheck, check_certificate
from accelerator.services.certificate_reading import UnreadableCertificate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredRead:
    """A certificate's read in the contract's read body's form (JSON values), and when it was read."""

    fields: dict
    evidence: dict
    signals: list
    requirement: dict
    read_at: datetime | None = None

    def as_contract(self) -> dict:
        """The contract's read body: {fields, evidence, signals, requirement}."""
        return {"fields": self.fields, "evidence": self.evidence, "signals": self.signals,
                "requirement": self.requirement}

    @property
    def signal_codes(self) -> list[str]:
        """The signals' codes, in order."""
        return [signal["code"] for signal in self.signals]


def of_check(check: CertificateCheck) -> StoredRead:
    """A check as it is stored."""
    return StoredRead(**check.as_contract())


def read_upload(content: bytes) -> StoredRead:
    """The read of an uploaded certificate, or, where it cannot be read, a read of no field saying why."""
    try:
        return of_check(check_certificate(content))
    except UnreadableCertificate as exc:
        return nothing_read(exc.message)
    except Exception:  # a reader's fault must not refuse an upload that the upload's own checks accept
        log.exception("reading an uploaded certificate failed")
        return nothing_read("the reader failed on this file.")


def nothing_read(why: str) -> StoredRead:
    """The read of a file no field could be read from, with the signal saying why."""
    return StoredRead(fields=dict.fromkeys(FIELDS), evidence={},
                      signals=[{"code": "unreadable_fields", "message": f"No field could be read: {why}"}],
                      requirement=RequirementResult(False, ()).as_contract())


def upload_key(policy: Policy) -> str | None:
    """The outside insurer's policy named: seller, NAIC code (else the insurer's name) and number; None for
    an insurer on the Accelerator, whose policies the unique index on (insurer, number) already keeps one."""
    if policy.insurer_id is not None:
        return None
    insurer = policy.insurer_naic_code or "name:" + " ".join(policy.insurer_name.casefold().split())
    return f"{policy.seller_id}\x1f{insurer}\x1f{policy.policy_number}"[:300]


def record_read(policy: Policy, read: StoredRead) -> None:
    """Add the read of a just-stored policy's certificate to the session (the caller commits)."""
    db.session.add(CertificateRead(policy_id=policy.id, upload_key=upload_key(policy), fields=read.fields,
                                   evidence=read.evidence, signals=read.signals, requirement=read.requirement,
                                   read_at=read.read_at or clock.now()))


def stored_read(policy_id: int) -> StoredRead | None:
    """The read stored with an upload, or None (uploads made before reads were kept have none)."""
    row = db.session.execute(select(CertificateRead).where(CertificateRead.policy_id == policy_id)).scalar_one_or_none()
    if row is None:
        return None
    return StoredRead(fields=row.fields, evidence=row.evidence, signals=row.signals, requirement=row.requirement,
                      read_at=row.read_at)


def entered_fields(policy: Policy, insured_name: str | None) -> dict[str, object]:
    """What the seller entered for an upload (and the business's name as the insured), in the contract's forms."""
    values = {"insured_name": insured_name or None, "insurer_name": policy.insurer_name,
              "naic_code": policy.insurer_naic_code, "policy_number": policy.policy_number,
              "effective_date": policy.effective_date, "expiration_date": policy.expiration_date,
              "per_occurrence_limit": policy.per_occurrence_limit, "aggregate_limit": policy.aggregate_limit,
              "deductible": policy.deductible, "occurrence_based": policy.occurrence_based,
              "additional_insured": policy.additional_insured}
    return {name: contract_value(value) for name, value in values.items()}


def comparison(policy: Policy, insured_name: str | None, read: StoredRead) -> list[FieldComparison]:
    """Each field as entered and as read, with its evidence."""
    return compare_fields(entered_fields(policy, insured_name), read.fields, read.evidence)

"""Checking a certificate of insurance: its reading (certificate_reading) plus what needs the database: the
signals that compare it with the Accelerator's insurers and the requirement, and the requirement's rules
applied to the fields read, on today's date. Stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from accelerator import clock
from accelerator.domain.certificate_check import (
    KnownInsurer,
    RequirementResult,
    certificate_requirement,
    insurer_signals,
    named_insurer,
    signal_order,
)
from accelerator.domain.certificate_fields import Evidence
from accelerator.extensions import db
from accelerator.models import Insurer
from accelerator.services.certificate_reading import CertificateReading, Signal, read_certificate


@dataclass(frozen=True)
class CertificateCheck:
    """A certificate read and checked: the reading, every signal (file and database), the requirement's
    result, and the Accelerator insurer it names (None: an outside insurer, or none read)."""

    reading: CertificateReading
    signals: tuple[Signal, ...]
    requirement: RequirementResult
    insurer: KnownInsurer | None

    @property
    def fields(self) -> dict[str, object]:
        """The fields read, as Decimal, date, bool and str (absent where unread)."""
        return self.reading.fields

    @property
    def evidence(self) -> dict[str, Evidence]:
        """Each read field's evidence."""
        return dict(self.reading.reading.evidence)

    def as_contract(self) -> dict:
        """The contract's read body: `fields` (every one, null where unread), `evidence`, `signals`, `requirement`."""
        read = self.reading.as_contract()
        return {"fields": read["fields"], "evidence": read["evidence"],
                "signals": [signal.as_contract() for signal in self.signals],
                "requirement": self.requirement.as_contract()}


def known_insurers() -> list[KnownInsurer]:
    """The insurers on the Accelerator (approved), as the checks compare them."""
    rows = db.session.execute(select(Insurer.id, Insurer.name, Insurer.naic_code, Insurer.am_best_rating)
                              .where(Insurer.status == "approved").order_by(Insurer.id)).all()
    return [KnownInsurer(row.id, row.name, row.naic_code, row.am_best_rating) for row in rows]


def check_reading(reading: CertificateReading, *, today: date | None = None) -> CertificateCheck:
    """A reading checked against the Accelerator's insurers and the requirement (on `today`, default today)."""
    requirement = current_app.config["REQUIREMENT"]
    insurers = known_insurers()
    fields, evidence = reading.fields, dict(reading.reading.evidence)
    found = [*reading.signals, *(Signal(code, message) for code, message
                                 in insurer_signals(fields, evidence, insurers, requirement))]
    signals = tuple(sorted(found, key=lambda s: signal_order(s.code)))
    insurer = named_insurer(fields, insurers)
    result = certificate_requirement(fields, insurer.rating if insurer else None, requirement,
                                     today or clock.today(), current_app.config["MARKETPLACE_LEGAL_NAME"])
    return CertificateCheck(reading, signals, result, insurer)


def check_certificate(content: bytes) -> CertificateCheck:
    """Read a certificate PDF and check it; raises UnreadableCertificate (NotAPdf 415, TooLarge 413,
    422 unreadable_document) for a file that will not be read."""
    _end_idle_transaction()
    return check_reading(read_certificate(content))


def _end_idle_transaction() -> None:
    """End the request's transaction where it has written nothing through the session: a read takes seconds
    (a scan's OCR), and on SQLite a transaction holds the writers' lock from its first statement."""
    if not (db.session.new or db.session.dirty or db.session.deleted):
        db.session.commit()

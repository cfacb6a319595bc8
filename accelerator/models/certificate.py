"""Certificates of insurance as issued: what each one stated about the insured on the day it was issued."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator import clock
from accelerator.extensions import db
from accelerator.models.policy import Policy
from accelerator.models.types import UTCDateTime


class Certificate(db.Model):
    """One certificate issued for a policy: the named insured, their address and the issue date, frozen.

    The policy's terms are read from the policy; what the seller's profile said is copied here, so renaming
    the business later does not rewrite a certificate somebody already holds. A policy's certificates are
    numbered 1, 2, ... in the order issued; the number's uniqueness keeps two racing requests to one.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("policy_id", "number", name="uq_certificates_policy_number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    number: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    insured_name: Mapped[str] = mapped_column(String(200))
    # The insured's address as the Accelerator knows it: the state where the business is registered.
    insured_state: Mapped[str | None] = mapped_column(String(2))
    # The random token of this certificate's public verification link (it reveals no id).
    verification_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    policy: Mapped[Policy] = relationship()


class CertificateRead(db.Model):
    """What was read from the certificate a seller uploaded with a policy, when the file was stored: the
    fields, their evidence, the signals and the requirement's result, in the contract's read body's form.

    One row per uploaded policy. `upload_key` names an outside insurer's policy (seller, NAIC code or
    name, number), whose row in `policies` has no insurer id for the unique index to see: two identical
    uploads racing store one policy. Null for a policy of an insurer on the Accelerator.
    """

    __tablename__ = "certificate_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), unique=True)
    upload_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    fields: Mapped[dict] = mapped_column(JSON)
    evidence: Mapped[dict] = mapped_column(JSON)
    signals: Mapped[list] = mapped_column(JSON)
    requirement: Mapped[dict] = mapped_column(JSON)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

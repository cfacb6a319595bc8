"""A seller's upload of a policy bought outside the Accelerator: its terms and its certificate as a PDF.

The PDF is judged by its content, never by its name or the browser's content type: it must start
with the `%PDF-` signature and hold together as a PDF (a cross-reference pointer and an end-of-file
marker), and hold nothing active: no JavaScript, launch actions, embedded files, automatic actions,
rich media or XFA, and no HTML (see pdf_content.py). It is stored outside `static/`, in UPLOAD_FOLDER,
under a random name, and is served only to its seller, to admins and (when the policy was put to it for
confirmation, services/confirmations.py) to the named insurer's staff, as an attachment. The policy lands
as `seller_upload`, `pending`, with what was read from its certificate beside it (certificate_reads).
Nothing is saved, and no file is left behind, when anything is wrong.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator import clock
from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.domain.values import AM_BEST_RATINGS, check_policy_number
from accelerator.domain.warnings import Rule, Shortfall, policy_rules, shortfalls
from accelerator.extensions import db
from accelerator.models import Insurer, Policy
from accelerator.services import audit, certificate_reads, claim_cases, confirmations
from accelerator.services.accounts import has_control_characters
from accelerator.services.pdf_content import active_content_problem
from accelerator.services.policies import term_errors

STORED_NAME = re.compile(r"^[0-9a-f]{32}\.pdf$")
_NAIC = re.compile(r"^[0-9]{5}$")
_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")
_STARTXREF = re.compile(rb"startxref\s+([0-9]{1,12})\s+%%EOF")


@dataclass(frozen=True)
class UploadedPolicy:
    """The terms a seller types in for a policy bought elsewhere (parsed values)."""

    policy_number: str
    effective_date: date
    expiration_date: date
    per_occurrence_limit: Decimal
    aggregate_limit: Decimal
    deductible: Decimal
    occurrence_based: bool
    additional_insured: bool
    excluded_categories: tuple[str, ...] = field(default_factory=tuple)
    insurer_id: int | None = None  # one of the Accelerator's insurers, or None for an outside one
    insurer_name: str = ""  # the outside insurer's name, NAIC code and AM Best rating, as entered
    insurer_naic_code: str = ""
    insurer_rating: str = ""
    # The terms as read from the certificate (the marketplace's API), not typed in: an outside insurer's
    # NAIC code and rating may be unknown (a certificate seldom states the rating).
    as_read: bool = False


def max_bytes() -> int:
    """The largest certificate accepted (UPLOAD_MAX_BYTES)."""
    return int(current_app.config["UPLOAD_MAX_BYTES"])


def size_words(size: int) -> str:
    """`5 MB`, `512 KB`: a size limit as people read it."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def pdf_problem(content: bytes) -> str | None:
    """Why `content` is not a PDF the Accelerator accepts, or None when it is one."""
    if not content:
        return "The file is empty. Choose the PDF of your certificate of insurance."
    if not content.startswith(b"%PDF-") or not _HEADER.match(content):
        return "This file is not a PDF. Choose the certificate as a PDF document."
    tail = content[-2048:]
    pointers = _STARTXREF.findall(tail)
    if not pointers:
        return "This PDF is incomplete or damaged (it has no proper ending). Save or export it again."
    offset = int(pointers[-1])
    if offset >= len(content) or (b" obj" not in content and b"\nobj" not in content):
        return "This PDF is damaged (its index points nowhere). Save or export it again."
    return active_content_problem(content)


def read_limited(stream: BinaryIO, limit: int) -> bytes | None:
    """Read at most `limit` bytes; None when the stream holds more."""
    chunks, size = [], 0
    while True:
        chunk = stream.read(min(64 * 1024, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None


def upload_folder() -> Path:
    """Where certificates are stored: UPLOAD_FOLDER, which must not lie inside the public static folder."""
    folder = Path(current_app.config["UPLOAD_FOLDER"]).resolve()
    static = Path(current_app.static_folder or "static").resolve()
    if folder == static or static in folder.parents:
        raise RuntimeError("UPLOAD_FOLDER must not be inside the static folder: uploads are private")
    return folder


def _terms_errors(data: UploadedPolicy) -> dict[str, str]:
    """What is wrong with the entered terms, field by field (the policy term rules plus the upload's own)."""
    errors: dict[str, str] = {}
    try:
        check_policy_number(data.policy_number)
    except ValueError as exc:
        errors["policy_number"] = f"A policy number {exc}."
    errors.update(term_errors(effective_date=data.effective_date, expiration_date=data.expiration_date,
                              per_occurrence_limit=data.per_occurrence_limit,
                              aggregate_limit=data.aggregate_limit, deductible=data.deductible))
    if any(c not in CATEGORY_CODES for c in data.excluded_categories):
        errors["excluded_categories"] = "Choose categories from the list."
    if data.insurer_id is None:
        name = data.insurer_name.strip()
        if not name or len(name) > 200 or has_control_characters(name):
            errors["insurer_name"] = "Give the insurer's name (at most 200 characters)."
        if not _NAIC.fullmatch(data.insurer_naic_code or "") and not (data.as_read and not data.insurer_naic_code):
            errors["insurer_naic_code"] = "An NAIC company code is five digits."
        if data.insurer_rating not in AM_BEST_RATINGS and not (data.as_read and not data.insurer_rating):
            errors["insurer_rating"] = "Choose the insurer's AM Best rating."
    return errors


def upload_rules() -> list[Rule]:
    """The requirement rules an uploaded policy's entered terms are judged by, today."""
    return policy_rules(current_app.config["REQUIREMENT"], clock.today())


def upload_shortfalls(data: UploadedPolicy) -> list[Shortfall]:
    """Which requirement rules the entered terms fail, before anybody verifies the policy (None: not judged).

    The rating is the chosen Accelerator insurer's, or the one entered for an outside insurer.
    """
    rating = data.insurer_rating or None
    if data.insurer_id is not None:
        insurer = db.session.get(Insurer, data.insurer_id)
        rating = insurer.am_best_rating if insurer is not None else None
    return shortfalls(upload_rules(), {
        "per_occurrence_limit": data.per_occurrence_limit, "aggregate_limit": data.aggregate_limit,
        "deductible": data.deductible, "coverage_basis": "occurrence" if data.occurrence_based else "claims_made",
        "additional_insured": data.additional_insured, "insurer_rating": rating,
        "effective_date": data.effective_date, "expiration_date": data.expiration_date})


def _insurer(data: UploadedPolicy) -> Insurer | None:
    """The Accelerator insurer chosen, which must be approved; None for an outside insurer."""
    if data.insurer_id is None:
        return None
    insurer = db.session.get(Insurer, data.insurer_id)
    if insurer is None or insurer.status != "approved":
        raise ValidationError("Check the insurer.", fields={"insurer_id": "Choose an insurer from the list."})
    return insurer


def _already_on_record(seller_id: str, data: UploadedPolicy, insurer: Insurer | None) -> str | None:
    """Why this policy is already on record, or None."""
    if insurer is not None:
        owner = db.session.execute(
            select(Policy.seller_id).where(Policy.insurer_id == insurer.id,
                                           Policy.policy_number == data.policy_number)).scalar_one_or_none()
        if owner is None:
            return None
        if owner == seller_id:
            return "This policy is already on your record."
        return "A policy with this number from this insurer is already on record. Contact the marketplace."
    same_insurer = (Policy.insurer_naic_code == data.insurer_naic_code if data.insurer_naic_code
                    else Policy.insurer_naic_code.is_(None) & (Policy.insurer_name == data.insurer_name.strip()))
    mine = db.session.execute(
        select(Policy.id).where(Policy.seller_id == seller_id, Policy.insurer_id.is_(None), same_insurer,
                                Policy.policy_number == data.policy_number)).first()
    return "This policy is already on your record." if mine else None


def upload_policy(actor: audit.Actor, seller_id: str, data: UploadedPolicy, stream: BinaryIO | None, *,
                  read: certificate_reads.StoredRead | None = None, limit: int | None = None) -> Policy:
    """Record a policy the seller bought elsewhere, pending verification, with its certificate PDF and what
    was read from it (`read` where the caller already read it; `limit`: the largest file, default
    UPLOAD_MAX_BYTES)."""
    errors = _terms_errors(data)
    limit = limit or max_bytes()
    content = read_limited(stream, limit) if stream is not None else b""
    if content is None:
        errors["certificate"] = f"This file is larger than {size_words(limit)}. Choose a smaller PDF."
    else:
        problem = pdf_problem(content)
        if problem:
            errors["certificate"] = problem
    if errors:
        raise ValidationError("The policy was not uploaded: some fields are not right.", fields=errors)
    insurer = _insurer(data)
    duplicate = _already_on_record(seller_id, data, insurer)
    if duplicate:
        raise Conflict(duplicate, fields={"policy_number": duplicate}, code="policy_exists")
    # Read before anything is written: a scan's OCR takes seconds, and no transaction waits on it.
    read = read or certificate_reads.read_upload(content)
    path = _store(content)
    try:
        policy = Policy(
            policy_number=data.policy_number, seller_id=seller_id,
            insurer_id=insurer.id if insurer else None,
            insurer_name=insurer.name if insurer else data.insurer_name.strip(),
            insurer_naic_code=insurer.naic_code if insurer else (data.insurer_naic_code or None),
            insurer_rating=insurer.am_best_rating if insurer else (data.insurer_rating or None),
            source="seller_upload", verification="pending",
            effective_date=data.effective_date, expiration_date=data.expiration_date,
            per_occurrence_limit=data.per_occurrence_limit, aggregate_limit=data.aggregate_limit,
            deductible=data.deductible, occurrence_based=data.occurrence_based,
            additional_insured=data.additional_insured,
            excluded_categories=sorted(set(data.excluded_categories)), certificate_path=path.name,
        )
        db.session.add(policy)
        db.session.flush()
        certificate_reads.record_read(policy, read)  # a signal in it leaves the upload for a person to verify
        db.session.flush()
        audit.record(actor, "upload", "policy", policy.id, policy_number=policy.policy_number,
                     insurer=policy.insurer_name, bytes=len(content))
        confirmations.request_confirmation(policy.id)  # put to its insurer, when that one is on the Accelerator
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        path.unlink(missing_ok=True)
        raise Conflict("This policy is already on record.", code="policy_exists",
                       fields={"policy_number": "A policy with this number from this insurer is already on record."}
                       ) from exc
    except BaseException:
        db.session.rollback()
        path.unlink(missing_ok=True)
        raise
    claim_cases.recheck_seller(seller_id)  # the seller's waiting claim cases follow its cover
    return policy


def store_pdf(content: bytes) -> str:
    """Check a PDF by its content and store it; the stored name for `Policy.certificate_path`."""
    problem = pdf_problem(content)
    if problem:
        raise ValidationError(problem, fields={"certificate": problem})
    return _store(content).name


def _store(content: bytes) -> Path:
    """Write the PDF under a new random name (never overwriting anything) and return its path."""
    return store_bytes(content, "pdf")


def store_bytes(content: bytes, extension: str) -> Path:
    """Write checked content to UPLOAD_FOLDER under a new random name `<32 hex>.<extension>` (never
    overwriting anything, readable by the app alone) and return its path; the caller removes it on failure."""
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{secrets.token_hex(16)}.{extension}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


@dataclass(frozen=True)
class Document:
    """An uploaded certificate ready to be sent: its path and the name the download gets."""

    path: Path
    download_name: str


def policy_document(policy_id: int, *, seller_id: str | None, admin: bool = False,
                    insurer_id: int | None = None) -> Document:
    """The certificate uploaded with a policy: for its seller, for an admin, or for the staff of the insurer it
    was put to for confirmation (NotFound for anybody else)."""
    policy = db.session.get(Policy, policy_id)
    if policy is None or not (admin or (seller_id is not None and policy.seller_id == seller_id)
                              or (insurer_id is not None and confirmations.put_to(policy_id, insurer_id))):
        raise NotFound("No such document.")
    name = policy.certificate_path or ""
    if not STORED_NAME.fullmatch(name):
        raise NotFound("This policy has no uploaded document.")
    path = upload_folder() / name
    if not path.is_file():
        raise NotFound("The document of this policy is missing.")
    return Document(path, f"policy-{policy.policy_number}.pdf")

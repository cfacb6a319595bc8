"""Evidence on a claim case: the files a party adds (the seller's come with its dispute), checked as uploads are.

A file is judged by its content, never by its name or the browser's content type: a PDF must pass the
policy upload's check (a whole PDF holding no JavaScript, launch action, embedded file or other active
content: uploads.pdf_problem), a PNG or JPEG must carry its signature and be read through by Pillow.
Each file is at most UPLOAD_MAX_BYTES, and at most MAX_FILES come at once. The bytes are stored as
policy uploads are (UPLOAD_FOLDER, a new random name, readable by the app alone) and the rows commit
in the same transaction as the answer they come with: when anything is refused or fails, no row is
written and no file is left behind. A file already on the case (same SHA-256) is not added again.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image
from sqlalchemy import select

from accelerator import clock
from accelerator.domain.errors import NotFound, ValidationError
from accelerator.extensions import db
from accelerator.models import ClaimCase, ClaimCaseEvidence
from accelerator.services import audit, claim_cases, uploads
from accelerator.services.pdf_content import SUFFIX

MAX_FILES = 5  # files added with one answer
MAX_NAME = 120  # characters of a stored file name
FIELD = "evidence"  # the form field the messages belong to
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
_NAME_ENDINGS = {"application/pdf": (".pdf",), "image/png": (".png",), "image/jpeg": (".jpg", ".jpeg")}
_PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg)$")
NOT_ALLOWED = ("This file is not a PDF, PNG or JPEG image (judged by what it holds, not by its name). "
               "Attach a PDF, PNG or JPEG.")


@dataclass(frozen=True)
class Upload:
    """A file as sent: the name the browser gave and its bytes to read."""

    name: str
    stream: BinaryIO


@dataclass(frozen=True)
class Evidence:
    """A file that passed the checks: its sanitised name, its type by content, its bytes and their SHA-256."""

    file_name: str
    content_type: str
    content: bytes
    sha256: str


@dataclass(frozen=True)
class EvidenceDocument:
    """A stored file ready to be sent: where it lies, the name the download gets and its content type."""

    path: Path
    download_name: str
    content_type: str


def safe_name(name: str | None) -> str:
    """The last part of a given file name, reduced to letters, digits, spaces and `._-()`, at most MAX_NAME long."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name or ""))[-1]
    base = "".join(c if (c.isalnum() or c in " ._-()") and c.isprintable() else "_" for c in base)
    base = re.sub(r"\s+", " ", re.sub(r"_+", "_", base)).strip(" ._")
    if len(base) > MAX_NAME:
        stem, dot, ending = base.rpartition(".")
        base = stem[:MAX_NAME - len(ending) - 1] + dot + ending if dot and len(ending) <= 5 else base[:MAX_NAME]
    return base or "evidence"


def size_words(size: int) -> str:
    """A file's size as people read it: `812 bytes`, `34 KB`, `1.2 MB`."""
    if size < 1024:
        return f"{size} byte{'' if size == 1 else 's'}"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def content_type_of(content: bytes) -> tuple[str | None, str | None]:
    """(the content type, None) for an acceptable file, or (None, why it is refused), judged by the bytes."""
    if not content:
        return None, "The file is empty."
    if content.startswith(b"%PDF-"):
        problem = uploads.pdf_problem(content)
        if problem is None:
            return "application/pdf", None
        if problem.startswith("This file is not a PDF"):
            return None, NOT_ALLOWED
        return None, problem.replace(SUFFIX, "; attach a plain PDF.")
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image("image/png", content)
    if content.startswith(b"\xff\xd8\xff"):
        return _image("image/jpeg", content)
    return None, NOT_ALLOWED


def _image(content_type: str, content: bytes) -> tuple[str | None, str | None]:
    """An image whose signature is right must also be read through by Pillow as that format."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != _PILLOW_FORMATS[content_type]:
                return None, NOT_ALLOWED
            image.verify()
    except Exception:  # noqa: BLE001 - whatever Pillow cannot read is refused, with the reason said
        return None, "This image is damaged or incomplete. Save or export it again."
    return content_type, None


def check(files: Sequence[Upload]) -> list[Evidence]:
    """Read and judge every file (the same file twice counts once); ValidationError with every problem at
    the `evidence` field when anything is wrong."""
    limit = uploads.max_bytes()
    problems: list[str] = []
    if len(files) > MAX_FILES:
        problems.append(f"Attach at most {MAX_FILES} files at a time; you chose {len(files)}.")
    accepted: dict[str, Evidence] = {}
    for upload in files:
        name = safe_name(upload.name)
        content = uploads.read_limited(upload.stream, limit)
        if content is None:
            problems.append(f"{name}: This file is larger than {uploads.size_words(limit)}. Attach a smaller file.")
            continue
        content_type, problem = content_type_of(content)
        if problem:
            problems.append(f"{name}: {problem}")
            continue
        digest = hashlib.sha256(content).hexdigest()
        accepted.setdefault(digest, Evidence(name, content_type, content, digest))
    if problems:
        raise ValidationError("The files of evidence were not accepted, so nothing was changed.",
                              fields={FIELD: " ".join(problems)})
    return list(accepted.values())


def seller_dispute(actor: audit.Actor, case_id: str, seller_id: str, reason: str,
                   files: Sequence[Upload]) -> claim_cases.CaseView:
    """The seller disputes its own case with a reason and files of evidence: the files and the dispute commit
    together; a case already disputed (a second post) is left as it is and the files are not added again."""
    evidence = check(files)
    return _with_evidence(evidence, "seller", actor, lambda attach: claim_cases.seller_dispute(
        actor, case_id, seller_id, reason, attach=attach))


def _with_evidence(evidence: list[Evidence], party: str, actor: audit.Actor,
                   answer: Callable[[Callable[[ClaimCase], None]], claim_cases.CaseView]) -> claim_cases.CaseView:
    """Store the bytes, give the answer (which calls `attach` before its commit when it changes the case),
    and remove every stored file that did not end up on a committed row."""
    stored: list[Path] = []
    kept: list[Path] = []

    def attach(row: ClaimCase) -> None:
        """Add the rows of the files not yet on the case (under the case's lock, in the answer's transaction)."""
        on_case = set(db.session.execute(select(ClaimCaseEvidence.sha256)
                                         .where(ClaimCaseEvidence.claim_case_id == row.id)).scalars())
        now = clock.now()
        for item, path in zip(evidence, stored, strict=True):
            if item.sha256 in on_case:
                continue
            db.session.add(ClaimCaseEvidence(
                claim_case_id=row.id, added_by=party, file_name=item.file_name, content_type=item.content_type,
                size=len(item.content), sha256=item.sha256, added_at=now, stored_name=path.name))
            kept.append(path)
        if kept:
            db.session.flush()
            audit.record(actor, "add_evidence", "claim_case", row.case_id, files=len(kept), party=party)

    try:
        for item in evidence:
            stored.append(uploads.store_bytes(item.content, EXTENSIONS[item.content_type]))
        view = answer(attach)
    except BaseException:
        db.session.rollback()
        kept.clear()
        raise
    finally:
        for path in stored:
            if path not in kept:
                path.unlink(missing_ok=True)
    return view


def document(case_id: str, evidence_id: int, *, seller_id: str | None = None, insurer_id: int | None = None,
             admin: bool = False) -> EvidenceDocument:
    """A file of evidence for those entitled to it: the case's seller, its insurer's staff, or an admin
    (NotFound for anybody else, so its existence is not confirmed)."""
    found = db.session.execute(
        select(ClaimCaseEvidence, ClaimCase.seller_id, ClaimCase.insurer_id)
        .join(ClaimCase, ClaimCase.id == ClaimCaseEvidence.claim_case_id)
        .where(ClaimCase.case_id == case_id, ClaimCaseEvidence.id == evidence_id)).first()
    entitled = found is not None and (admin or (seller_id is not None and found[1] == seller_id)
                                      or (insurer_id is not None and found[2] == insurer_id))
    if not entitled:
        raise NotFound("No such file of evidence.")
    row = found[0]
    if not STORED_NAME.fullmatch(row.stored_name):
        raise NotFound("No such file of evidence.")
    path = uploads.upload_folder() / row.stored_name
    if not path.is_file():
        raise NotFound("This file of evidence is missing.")
    name = row.file_name
    if not name.lower().endswith(_NAME_ENDINGS[row.content_type]):
        name = f"{name}.{EXTENSIONS[row.content_type]}"
    return EvidenceDocument(path, name, row.content_type)

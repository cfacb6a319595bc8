"""Files of evidence with a seller's dispute (services/claim_evidence.py): checked by content as uploads are,
stored privately with the dispute in one transaction, and nothing stored or changed when anything is refused,
even by two identical disputes at once."""

from __future__ import annotations

import io
import os
import stat
import threading
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from accelerator.domain.errors import Conflict, ValidationError
from accelerator.extensions import db as _db
from accelerator.models import AuditEntry, ClaimCaseEvidence
from accelerator.services import claim_cases, claim_evidence
from accelerator.services.audit import Actor
from tests import active_pdfs, factories
from tests.factories import NOW

ACTOR = Actor("seller@example.com")
REASON = "We never sold this customer a heater."


def image(kind: str, colour: str = "red") -> bytes:
    """A small real image of `kind` (PNG or JPEG)."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, kind)
    return out.getvalue()


def files(*items: tuple[str, bytes]) -> list[claim_evidence.Upload]:
    """Uploads as the form gives them."""
    return [claim_evidence.Upload(name, io.BytesIO(content)) for name, content in items]


@pytest.fixture()
def folder(app, tmp_path, monkeypatch) -> Path:
    """A fresh upload folder for the test."""
    path = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(path))
    return path


@pytest.fixture()
def seller(db):
    """A seller with a case waiting for its answer (no policy: the seller pays)."""
    seller = factories.make_seller()
    claim_cases.open_case(Actor("claims service"), None, claim_cases.CaseInput(
        case_id="AZ-1", seller_id=seller.seller_id, kind="property_damage", incident_date=date(2026, 6, 1),
        amount_claimed=Decimal("2500.00"), category=None, order_id=None, description="A scorched carpet.",
        respond_by=None))
    return seller


def stored(folder: Path) -> list[str]:
    """The files in the upload folder."""
    return sorted(os.listdir(folder)) if folder.exists() else []


def unchanged(folder: Path) -> bool:
    """The case still waits for the seller, with no evidence, no audit entry of it, and no file on disk."""
    _db.session.rollback()
    view = claim_cases.get_case("AZ-1")
    rows = _db.session.execute(select(func.count(ClaimCaseEvidence.id))).scalar_one()
    audited = _db.session.execute(select(func.count(AuditEntry.id))
                                  .where(AuditEntry.action.in_(("dispute", "add_evidence")))).scalar_one()
    return (view.case.state, [e.event for e in view.case.events], rows, audited, stored(folder)) == \
        ("awaiting_seller", ["opened"], 0, 0, [])


def test_a_dispute_with_files_stores_them_with_the_dispute(seller, folder):
    pdf, png, jpeg = factories.make_pdf_bytes("Receipt"), image("PNG"), image("JPEG")
    view = claim_evidence.seller_dispute(ACTOR, "AZ-1", seller.seller_id, REASON, files(
        ("C:\\Users\\me\\..\\receipt<1>.pdf", pdf), ("photo", png), ("scan.jpeg", jpeg), ("copy.pdf", pdf)))
    assert (view.case.state, view.case.escalation) == ("escalated", "seller_disputed")
    rows = view.case.evidence
    assert [(r.file_name, r.content_type, r.size, r.added_by) for r in rows] == [
        ("receipt_1_.pdf", "application/pdf", len(pdf), "seller"), ("photo", "image/png", len(png), "seller"),
        ("scan.jpeg", "image/jpeg", len(jpeg), "seller")]  # the same PDF twice is kept once
    assert all(NOW <= r.added_at < NOW + timedelta(minutes=1) for r in rows)  # the pinned clock's time
    assert stored(folder) == sorted(r.stored_name for r in rows)
    path = folder / rows[0].stored_name
    assert path.read_bytes() == pdf and stat.S_IMODE(path.stat().st_mode) == 0o600
    document = claim_evidence.document("AZ-1", rows[1].id, seller_id=seller.seller_id)
    assert (document.download_name, document.content_type) == ("photo.png", "image/png")


@pytest.mark.parametrize("items, message", [
    ([("notes.pdf", b"Just some words, named like a PDF.")], "notes.pdf: This file is not a PDF, PNG or JPEG"),
    ([("page.png", b"<html><script>alert(1)</script></html>")], "page.png: This file is not a PDF, PNG or JPEG"),
    ([("macro.pdf", active_pdfs.open_action_javascript())], "macro.pdf: This PDF contains JavaScript; attach a"),
    ([("torn.png", image("PNG")[:40])], "torn.png: This image is damaged or incomplete."),
    ([("empty.jpg", b"")], "empty.jpg: The file is empty."),
    ([(f"p{i}.png", image("PNG", (i, 0, 0))) for i in range(6)], "Attach at most 5 files at a time; you chose 6."),
], ids=["text", "html", "javascript", "damaged", "empty", "six-files"])
def test_a_refused_file_changes_nothing(seller, folder, items, message):
    with pytest.raises(ValidationError) as refused:
        claim_evidence.seller_dispute(ACTOR, "AZ-1", seller.seller_id, REASON, files(*items))
    assert message in refused.value.fields["evidence"]
    assert unchanged(folder)


def test_a_file_over_the_limit_and_a_bad_one_are_both_said(seller, folder, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)
    with pytest.raises(ValidationError) as refused:
        claim_evidence.seller_dispute(ACTOR, "AZ-1", seller.seller_id, REASON, files(
            ("big.pdf", factories.make_pdf_bytes(pad_to=4096)), ("a.txt", b"text"), ("ok.png", image("PNG"))))
    message = refused.value.fields["evidence"]
    assert "big.pdf: This file is larger than 1 KB." in message and "a.txt: This file is not a PDF" in message
    assert unchanged(folder)


def test_a_dispute_the_case_refuses_leaves_no_file_behind(seller, folder):
    claim_cases.seller_accept(ACTOR, "AZ-1", seller.seller_id)
    with pytest.raises(Conflict):
        claim_evidence.seller_dispute(ACTOR, "AZ-1", seller.seller_id, REASON, files(("a.png", image("PNG"))))
    assert stored(folder) == [] and _db.session.execute(select(func.count(ClaimCaseEvidence.id))).scalar_one() == 0


def test_two_identical_disputes_at_once_dispute_once_and_keep_the_files_once(seller, folder, live_app, monkeypatch):
    monkeypatch.setitem(live_app.config, "UPLOAD_FOLDER", str(folder))
    items = (("receipt.pdf", factories.make_pdf_bytes("Receipt")), ("photo.jpg", image("JPEG")))
    seller_id = seller.seller_id
    _db.session.commit()  # nothing of ours holds the database while the two disputes run
    barrier, results = threading.Barrier(2), []

    def dispute() -> None:
        """One of the two posts: its own app context and session (live_app's SQLite writers take turns)."""
        with live_app.app_context():
            barrier.wait(timeout=10)
            try:
                results.append(claim_evidence.seller_dispute(ACTOR, "AZ-1", seller_id, REASON,
                                                             files(*items)).case.state)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                results.append(repr(exc))

    threads = [threading.Thread(target=dispute) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == ["escalated", "escalated"]
    _db.session.rollback()
    view = claim_cases.get_case("AZ-1")
    assert [e.event for e in view.case.events].count("disputed") == 1
    assert [r.file_name for r in view.case.evidence] == ["receipt.pdf", "photo.jpg"]
    assert stored(folder) == sorted(r.stored_name for r in view.case.evidence)

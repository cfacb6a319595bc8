"""Uploading a policy bought elsewhere (services/uploads.py): the PDF check by content, the size limit, the
private random-named storage, and nothing left behind when anything fails."""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.models import Policy
from accelerator.services import audit, uploads
from accelerator.services.audit import Actor
from tests import factories
from tests.factories import TODAY

ACTOR = Actor("seller@example.com")


@pytest.fixture()
def folder(app, tmp_path, monkeypatch) -> Path:
    """A fresh upload folder for the test."""
    path = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(path))
    return path


def _data(**overrides) -> uploads.UploadedPolicy:
    """Valid terms of an outside insurer's policy, with overrides."""
    today = TODAY
    values = dict(policy_number="LS-1001", effective_date=today, expiration_date=today + timedelta(days=365),
                  per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
                  deductible=Decimal("2500.00"), occurrence_based=True, additional_insured=True,
                  excluded_categories=("baby",), insurer_id=None, insurer_name="Lakeside Specialty",
                  insurer_naic_code="54321", insurer_rating="A")
    values.update(overrides)
    return uploads.UploadedPolicy(**values)


def _files(folder: Path) -> list[str]:
    """The names of the files in the folder."""
    return sorted(os.listdir(folder)) if folder.exists() else []


def _count(db) -> int:
    """How many policies exist."""
    return db.session.execute(select(func.count(Policy.id))).scalar_one()


# --- the content check ------------------------------------------------------------------------


def test_a_real_pdf_passes_the_content_check():
    assert uploads.pdf_problem(factories.make_pdf_bytes()) is None


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"GIF89a\x01\x00\x01\x00", "not a PDF"),
    (b"<html>%PDF-1.4</html>", "not a PDF"),
    (b"PK\x03\x04 a zip named certificate.pdf", "not a PDF"),
    (b"%PDF-", "not a PDF"),  # the magic alone, no version
    (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "incomplete"),  # cut off before the end
    (b"%PDF-1.7\nno objects here\nstartxref\n999999\n%%EOF\n", "damaged"),
])
def test_anything_else_is_refused_with_a_reason(content, words):
    assert words in uploads.pdf_problem(content)


def test_a_truncated_pdf_is_refused():
    pdf = factories.make_pdf_bytes()
    assert "incomplete" in uploads.pdf_problem(pdf[: len(pdf) // 2])


def test_read_limited_stops_past_the_limit():
    assert uploads.read_limited(io.BytesIO(b"x" * 10), 10) == b"x" * 10
    assert uploads.read_limited(io.BytesIO(b"x" * 11), 10) is None
    assert uploads.read_limited(io.BytesIO(b""), 10) == b""


def test_size_words():
    assert uploads.size_words(5 * 1024 * 1024) == "5 MB"
    assert uploads.size_words(512 * 1024) == "512 KB"


# --- storing --------------------------------------------------------------------------------------


def test_an_upload_is_stored_under_a_random_name_outside_static_and_lands_pending(app, db, folder):
    seller = factories.make_seller()
    pdf = factories.make_pdf_bytes("first")
    policy = uploads.upload_policy(ACTOR, seller.seller_id, _data(), io.BytesIO(pdf))
    second = uploads.upload_policy(ACTOR, seller.seller_id, _data(policy_number="LS-1002"), io.BytesIO(pdf))
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", policy.certificate_path)
    assert policy.certificate_path != second.certificate_path  # same content, another random name
    assert _files(folder) == sorted([policy.certificate_path, second.certificate_path])
    stored = folder / policy.certificate_path
    assert stored.read_bytes() == pdf
    assert stored.stat().st_mode & 0o077 == 0  # readable by the app alone
    static = Path(app.static_folder).resolve()
    assert static not in stored.resolve().parents
    assert (policy.source, policy.verification, policy.insurer_id) == ("seller_upload", "pending", None)
    assert policy.insurer_rating == "A" and policy.excluded_categories == ["baby"]


def test_the_default_upload_folder_is_outside_static(app):
    from accelerator.config import load_config

    configured = Path(load_config(app.instance_path)["UPLOAD_FOLDER"]).resolve()
    assert Path(app.static_folder).resolve() not in configured.parents


def test_an_upload_folder_inside_static_is_refused_and_nothing_is_written(app, db, monkeypatch):
    inside = Path(app.static_folder) / "uploads-test"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(inside))
    seller = factories.make_seller()
    with pytest.raises(RuntimeError, match="static"):
        uploads.upload_policy(ACTOR, seller.seller_id, _data(), io.BytesIO(factories.make_pdf_bytes()))
    assert not inside.exists()
    assert _count(db) == 0


def test_a_file_over_the_limit_is_refused_and_nothing_is_written(app, db, folder, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 2000)
    seller = factories.make_seller()
    with pytest.raises(ValidationError) as exc:
        uploads.upload_policy(ACTOR, seller.seller_id, _data(), io.BytesIO(factories.make_pdf_bytes(pad_to=2001)))
    assert "larger than" in exc.value.fields["certificate"]
    assert uploads.upload_policy(ACTOR, seller.seller_id, _data(),
                                 io.BytesIO(factories.make_pdf_bytes(pad_to=1999))).id
    assert _count(db) == 1 and len(_files(folder)) == 1


def test_a_failure_after_the_file_was_written_removes_it(app, db, folder, monkeypatch):
    seller = factories.make_seller()

    def broken(*args, **kwargs):
        """An audit log that fails after the file was written."""
        raise OSError("the audit log is unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(OSError):
        uploads.upload_policy(ACTOR, seller.seller_id, _data(), io.BytesIO(factories.make_pdf_bytes()))
    assert _files(folder) == []
    db.session.rollback()
    assert _count(db) == 0


def test_bad_terms_and_a_bad_file_are_reported_together_and_nothing_is_written(db, folder):
    seller = factories.make_seller()
    data = _data(policy_number="no spaces please", expiration_date=TODAY - timedelta(days=1),
                 insurer_naic_code="1234", insurer_rating="Z", excluded_categories=("weapons",))
    with pytest.raises(ValidationError) as exc:
        uploads.upload_policy(ACTOR, seller.seller_id, data, io.BytesIO(b"not a pdf"))
    assert set(exc.value.fields) == {"policy_number", "expiration_date", "insurer_naic_code", "insurer_rating",
                                     "excluded_categories", "certificate"}
    assert _files(folder) == [] and _count(db) == 0


def test_an_accelerator_insurer_must_be_approved(db, folder):
    seller = factories.make_seller()
    pending = factories.make_insurer(status="pending")
    with pytest.raises(ValidationError) as exc:
        uploads.upload_policy(ACTOR, seller.seller_id, _data(insurer_id=pending.id),
                              io.BytesIO(factories.make_pdf_bytes()))
    assert "insurer_id" in exc.value.fields
    assert _files(folder) == []


def test_a_policy_number_the_insurer_already_holds_is_a_conflict(db, folder):
    seller = factories.make_seller()
    insurer = factories.make_insurer()
    factories.make_policy(insurer=insurer, policy_number="HX-1")  # another seller's
    with pytest.raises(Conflict, match="Contact the marketplace"):
        uploads.upload_policy(ACTOR, seller.seller_id, _data(insurer_id=insurer.id, policy_number="HX-1"),
                              io.BytesIO(factories.make_pdf_bytes()))
    factories.make_policy(insurer=insurer, policy_number="HX-2", seller_id=seller.seller_id)
    with pytest.raises(Conflict, match="already on your record"):
        uploads.upload_policy(ACTOR, seller.seller_id, _data(insurer_id=insurer.id, policy_number="HX-2"),
                              io.BytesIO(factories.make_pdf_bytes()))
    assert _files(folder) == []


# --- serving ----------------------------------------------------------------------------------------


def test_the_document_is_found_for_its_seller_and_admins_only(db, folder):
    seller = factories.make_seller()
    policy = uploads.upload_policy(ACTOR, seller.seller_id, _data(), io.BytesIO(factories.make_pdf_bytes()))
    document = uploads.policy_document(policy.id, seller_id=seller.seller_id)
    assert document.path == folder.resolve() / policy.certificate_path
    assert document.download_name == "policy-LS-1001.pdf"
    assert uploads.policy_document(policy.id, seller_id=None, admin=True).path == document.path
    with pytest.raises(NotFound):
        uploads.policy_document(policy.id, seller_id=factories.make_seller().seller_id)
    with pytest.raises(NotFound):
        uploads.policy_document(policy.id, seller_id=None)
    (folder / policy.certificate_path).unlink()
    with pytest.raises(NotFound):
        uploads.policy_document(policy.id, seller_id=seller.seller_id)

"""What was read is stored with every seller upload (the site's and the API's), and an upload with a signal
stays for a person to verify."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator.domain.certificate_fields import FIELDS
from accelerator.models import CertificateRead, Policy
from accelerator.services import certificate_reads, claim_cases, uploads, verification
from accelerator.services.audit import Actor
from accelerator.services.certificate_uploads import store_certificate
from tests import certificate_pdfs, factories

ACTOR = Actor("seller@example.com")


@pytest.fixture()
def folder(app, tmp_path, monkeypatch):
    """A fresh upload folder for the test."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


def _entered(**overrides) -> uploads.UploadedPolicy:
    """What a seller types in on the site for the certificate tests.certificate_pdfs.certificate() describes."""
    values = dict(policy_number="HX-1", effective_date=date(2026, 1, 1), expiration_date=date(2027, 1, 1),
                  per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
                  deductible=Decimal("0.00"), occurrence_based=True, additional_insured=True,
                  insurer_name="Faraway Indemnity", insurer_naic_code="77777", insurer_rating="A")
    values.update(overrides)
    return uploads.UploadedPolicy(**values)


def test_the_sites_upload_stores_what_was_read_beside_the_policy(db, folder):
    seller = factories.make_seller()
    content = certificate_pdfs.certificate(insurer_name="Faraway Indemnity", naic_code="77777")
    policy = uploads.upload_policy(ACTOR, seller.seller_id, _entered(), io.BytesIO(content))
    read = certificate_reads.stored_read(policy.id)
    assert read is not None and read.read_at is not None
    assert read.fields["policy_number"] == "HX-1" and set(read.fields) == set(FIELDS)
    assert read.evidence["policy_number"] == {"page": 1, "source": "text", "text": "Policy Number: HX-1"}
    assert read.signals == [] and read.requirement == {"meets": True, "reasons": []}
    row = db.session.execute(select(CertificateRead)).scalar_one()
    assert row.upload_key == f"{seller.seller_id}\x1f77777\x1fHX-1"


def test_a_file_that_is_no_readable_certificate_is_stored_with_a_signal_saying_so(db, folder):
    seller = factories.make_seller()
    policy = uploads.upload_policy(ACTOR, seller.seller_id, _entered(), io.BytesIO(factories.make_pdf_bytes()))
    read = certificate_reads.stored_read(policy.id)
    assert read.signal_codes == ["unreadable_fields"]
    assert all(value is None for value in read.fields.values())
    assert read.requirement == {"meets": False, "reasons": []}


def test_an_upload_made_before_reads_were_kept_has_none(db):
    policy = factories.make_policy(source="seller_upload", verification="pending", insurer=None,
                                   insurer_name="Old Outside Co", seller_id=factories.make_seller().seller_id)
    assert certificate_reads.stored_read(policy.id) is None


@pytest.mark.parametrize("how", ["site", "api"])
def test_an_upload_with_a_signal_never_verifies_itself(db, folder, how):
    """A signal (here both limits at the minimum, and an edit after the file was made) leaves the upload pending
    through every step that follows an upload; only a person's decision verifies it."""
    seller = factories.make_seller()
    content = certificate_pdfs.certificate(aggregate_limit="$1,000,000", insurer_name="Faraway Indemnity",
                                           naic_code="77777")
    if how == "site":
        policy = uploads.upload_policy(ACTOR, seller.seller_id, _entered(aggregate_limit=Decimal("1000000.00")),
                                       io.BytesIO(content))
    else:
        policy, _ = store_certificate(Actor.api_key("acc_test"), seller.seller_id, content)
    assert certificate_reads.stored_read(policy.id).signal_codes == ["limits_at_minimum"]
    claim_cases.recheck_seller(seller.seller_id)
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).verification == "pending"
    assert verification.queue("pending").items == [db.session.get(Policy, policy.id)]
    admin = factories.make_user()
    assert verification.verify(Actor.of_user(admin), policy.id).verification == "verified"


def test_an_outside_insurers_policy_twice_is_refused_by_the_upload_key_where_the_check_was_passed(db, folder):
    """Two identical uploads racing both pass the duplicate check; the second's read cannot be stored."""
    seller = factories.make_seller()
    content = certificate_pdfs.certificate(insurer_name="Faraway Indemnity", naic_code="77777")
    uploads.upload_policy(ACTOR, seller.seller_id, _entered(), io.BytesIO(content))
    twin = factories.make_policy(source="seller_upload", verification="pending", insurer=None, policy_number="HX-1",
                                 insurer_name="Faraway Indemnity", insurer_naic_code="77777",
                                 seller_id=seller.seller_id)
    with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate"):
        certificate_reads.record_read(twin, certificate_reads.read_upload(content))
        db.session.flush()
    db.session.rollback()

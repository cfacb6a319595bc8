"""Certificates through the client against the live server: read one (stores nothing), store a seller's as an
uploaded policy, and every error the contract names."""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import select

from accelerator.client import AcceleratorClient, ApiError
from accelerator.domain.certificate_fields import FIELDS
from accelerator.extensions import db as _db
from accelerator.models import CertificateRead, Policy, Seller
from tests import certificate_pdfs, factories
from tests.api.conftest import count


@pytest.fixture()
def market(live_server, marketplace_key):
    """The client, as the marketplace."""
    with AcceleratorClient(live_server.url, marketplace_key, timeout=60) as client:
        yield client


@pytest.fixture()
def harbor(db):
    """Harbor Mutual, on the Accelerator, rated A."""
    return factories.make_insurer(name="Harbor Mutual", naic_code="12345", am_best_rating="A")


def _error(call) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value


def test_a_certificate_is_read_and_checked_and_nothing_is_stored(market, harbor):
    answer = market.read_certificate(certificate_pdfs.certificate(additional_insured="No"))
    assert market.last_status == 200
    assert set(answer) == {"fields", "evidence", "signals", "requirement"}
    assert answer["fields"]["policy_number"] == "HX-1" and answer["fields"]["per_occurrence_limit"] == "1000000.00"
    assert set(answer["fields"]) == set(FIELDS)
    assert answer["evidence"]["naic_code"] == {"page": 1, "source": "text", "text": "NAIC #: 12345"}
    assert answer["signals"] == []
    [reason] = answer["requirement"]["reasons"]
    assert answer["requirement"]["meets"] is False and reason["code"] == "not_additional_insured"
    assert reason["policy_number"] == "HX-1" and "in these words" in reason["message"]
    assert answer.parsed().fields.effective_date.isoformat() == "2026-01-01"
    assert count(Policy) == 0 and count(CertificateRead) == 0


def test_the_read_names_its_signals_with_their_evidence(market, harbor):
    factories.make_insurer(name="Granite State Casualty", naic_code="22222", am_best_rating="B")
    answer = market.read_certificate(certificate_pdfs.certificate(
        naic_code="22222", aggregate_limit="$1,000,000", deductible=None))
    codes = [signal["code"] for signal in answer["signals"]]
    assert codes == ["naic_mismatch", "rating_below_minimum", "limits_at_minimum"]
    assert "'NAIC #: 22222'" in answer["signals"][0]["message"]
    assert answer["fields"]["deductible"] is None and "deductible" not in answer["evidence"]


def test_an_edited_certificate_is_a_signal(market):
    answer = market.read_certificate(certificate_pdfs.modified_later())
    assert [s["code"] for s in answer["signals"]] == ["edited_after_creation", "unreadable_fields"]


def test_the_read_refuses_what_is_not_a_pdf_wrong_content_types_large_and_unreadable_files(market):
    wrong_type = _error(lambda: market.read_certificate(certificate_pdfs.certificate(),
                                                        content_type="application/json"))
    assert (wrong_type.status, wrong_type.code) == (415, "unsupported_media_type")
    not_pdf = _error(lambda: market.read_certificate(b"GIF89a not a certificate"))
    assert (not_pdf.status, not_pdf.code) == (415, "unsupported_media_type") and "not a PDF" in not_pdf.message
    too_large = _error(lambda: market.read_certificate(b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024)))
    assert (too_large.status, too_large.code) == (413, "too_large")
    broken = _error(lambda: market.read_certificate(certificate_pdfs.encrypted()))
    assert (broken.status, broken.code) == (422, "unreadable_document") and "encrypted" in broken.message


def test_a_certificate_of_ten_mib_is_read(market):
    content = certificate_pdfs.certificate()
    padded = content + b"%" + b"0" * (10 * 1024 * 1024 - len(content) - 2) + b"\n"  # a comment after the end
    assert len(padded) == 10 * 1024 * 1024
    assert market.read_certificate(padded)["fields"]["policy_number"] == "HX-1"


def test_only_the_marketplace_reads_and_stores_certificates(live_server, api, anonymous):
    content = certificate_pdfs.certificate()
    assert _error(lambda: api.read_certificate(content)).status == 403
    assert _error(lambda: api.store_certificate("A1B2C3D4E5", content)).status == 403
    assert _error(lambda: anonymous.read_certificate(content)).status == 401
    assert _error(lambda: anonymous.store_certificate("A1B2C3D4E5", content)).status == 401


def test_a_stored_certificate_is_a_pending_upload_of_the_insurer_with_that_naic_code(market, harbor):
    factories.make_seller(seller_id="A1B2C3D4E5")
    answer = market.store_certificate("a1b2c3d4e5", certificate_pdfs.certificate(insurer_name="Harbor Mutual Ins Co"))
    assert market.last_status == 201
    policy = answer["policy"]
    assert policy["source"] == "seller_upload" and policy["verification"] == "pending"
    assert policy["seller_id"] == "A1B2C3D4E5" and policy["policy_number"] == "HX-1"
    assert policy["insurer"] == {"id": str(harbor.id), "name": "Harbor Mutual", "naic_code": "12345",
                                 "am_best_rating": "A"}
    assert policy["per_occurrence_limit"] == "1000000.00" and policy["effective_date"] == "2026-01-01"
    assert answer["read"]["fields"]["insurer_name"] == "Harbor Mutual Ins Co"
    _db.session.rollback()
    row = _db.session.execute(select(Policy)).scalar_one()
    assert row.certificate_path and row.verification == "pending"
    stored = _db.session.execute(select(CertificateRead)).scalar_one()
    assert stored.policy_id == row.id and stored.fields == answer["read"]["fields"]
    assert stored.requirement == answer["read"]["requirement"] and stored.upload_key is None


def test_the_insurer_is_found_by_name_when_the_code_is_not_on_the_accelerator(market, harbor):
    answer = market.store_certificate("A1B2C3D4E5", certificate_pdfs.certificate(naic_code="99999"))
    assert answer["policy"]["insurer"]["id"] == str(harbor.id)
    assert [s["code"] for s in answer["read"]["signals"]] == ["naic_mismatch"]
    assert answer["policy"]["verification"] == "pending"


def test_an_outside_insurer_is_stored_as_read_and_an_unknown_seller_gets_a_record(market):
    answer = market.store_certificate("NEWSELLER1", certificate_pdfs.certificate(
        insurer_name="Faraway Indemnity", naic_code=None, deductible=None))
    assert answer["policy"]["insurer"] == {"id": None, "name": "Faraway Indemnity", "naic_code": None,
                                           "am_best_rating": None}
    assert answer["policy"]["deductible"] == "0.00" and answer["read"]["fields"]["deductible"] is None
    _db.session.rollback()
    assert _db.session.execute(select(Seller.seller_id)).scalars().all() == ["NEWSELLER1"]


def test_missing_fields_store_nothing_and_are_named(market):
    error = _error(lambda: market.store_certificate("A1B2C3D4E5", certificate_pdfs.certificate(
        policy_number=None, expiration_date=None, per_occurrence_limit=None)))
    assert (error.status, error.code) == (422, "fields_missing")
    assert set(error.fields) == {"policy_number", "expiration_date", "per_occurrence_limit"}
    assert count(Policy) == 0 and count(CertificateRead) == 0 and count(Seller) == 0


def test_storing_refuses_bad_bodies_and_malformed_sellers_and_stores_nothing(market):
    content = certificate_pdfs.certificate()
    bad_seller = _error(lambda: market.store_certificate("no!", content))
    assert (bad_seller.status, bad_seller.code) == (400, "invalid_request") and "seller_id" in bad_seller.fields
    wrong_type = _error(lambda: market.store_certificate("A1B2C3D4E5", content, content_type="text/plain"))
    assert wrong_type.status == 415
    assert _error(lambda: market.store_certificate("A1B2C3D4E5", b"plain text")).status == 415
    assert _error(lambda: market.store_certificate("A1B2C3D4E5", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))
                  ).status == 413
    unreadable = _error(lambda: market.store_certificate("A1B2C3D4E5", certificate_pdfs.broken()))
    assert (unreadable.status, unreadable.code) == (422, "unreadable_document")
    terms = _error(lambda: market.store_certificate("A1B2C3D4E5", certificate_pdfs.certificate(
        aggregate_limit="$500,000")))
    assert terms.status == 400 and "aggregate_limit" in terms.fields
    assert count(Policy) == 0 and count(Seller) == 0


def test_the_same_certificate_twice_is_a_conflict(market, harbor):
    content = certificate_pdfs.certificate()
    market.store_certificate("A1B2C3D4E5", content)
    again = _error(lambda: market.store_certificate("A1B2C3D4E5", content))
    assert (again.status, again.code) == (409, "policy_exists")
    assert count(Policy) == 1


@pytest.mark.parametrize("outside", [False, True], ids=["accelerator-insurer", "outside-insurer"])
def test_identical_certificates_stored_at_once_make_one_policy(live_server, marketplace_key, harbor, outside):
    content = certificate_pdfs.certificate(**({"insurer_name": "Faraway Indemnity", "naic_code": "77777"}
                                              if outside else {}))
    url = f"{live_server.url}/api/v1/sellers/A1B2C3D4E5/certificates"
    barrier = threading.Barrier(6)
    answers: list = [None] * 6

    def post(index: int) -> None:
        with requests.Session() as session:
            barrier.wait(timeout=30)
            answers[index] = session.post(url, data=content, timeout=120, headers={
                "Authorization": f"Bearer {marketplace_key}", "Content-Type": "application/pdf"})

    threads = [threading.Thread(target=post, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201, 409, 409, 409, 409, 409], [a.text[:200] for a in answers]
    assert all(a.json()["error"]["code"] == "policy_exists" for a in answers if a.status_code == 409)
    assert count(Policy) == 1 and count(CertificateRead) == 1

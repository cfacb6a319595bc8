"""Reading certificate PDFs: grids, letters, filled forms and a scan (OCR), the file's signals, and bad files
refused with a typed, clear answer within the time limit. The certificates are made at test time
(bench/certificate_corpus.py, fixed seed), so no binary file lives in the repository."""

from __future__ import annotations

import time

import pytest

from accelerator.domain.certificate_fields import FIELDS
from accelerator.services import certificate_reading
from accelerator.services.certificate_reading import NotAPdf, TooLarge, UnreadableCertificate, read_certificate
from bench.certificate_corpus import certificate
from tests import certificate_pdfs

SOURCE = {"grid": "text", "letter": "text", "form": "form_field"}


@pytest.mark.parametrize(("kind", "index"), [("grid", 0), ("grid", 1), ("grid", 3), ("letter", 0), ("letter", 1),
                                             ("letter", 2), ("letter", 4), ("form", 0), ("form", 3)])
def test_text_certificates_are_read_field_by_field_with_evidence(kind, index):
    item = certificate(kind, index)
    answer = read_certificate(item.content).as_contract()
    assert answer["fields"] == {name: item.truth[name] for name in FIELDS}
    assert set(answer["evidence"]) == set(FIELDS)
    assert {evidence["source"] for evidence in answer["evidence"].values()} == {SOURCE[kind]}
    assert all(evidence["page"] == 1 and evidence["text"] for evidence in answer["evidence"].values())
    codes = [signal["code"] for signal in answer["signals"]]
    assert codes == (["edited_after_creation"] if item.truth["edited_after_creation"] else [])


def test_a_scan_with_a_fax_header_is_read_by_ocr_within_the_time_limit():
    item = certificate("scan", 2)
    began = time.monotonic()
    reading = read_certificate(certificate_pdfs.fax_header(item.content))
    assert time.monotonic() - began < certificate_reading.TIME_LIMIT
    answer = reading.as_contract()
    right = [name for name in FIELDS if answer["fields"][name] == item.truth[name]]
    assert len(right) >= 11, answer["fields"]
    assert reading.ocr_pages == 1 and reading.pages == 1
    assert {evidence["source"] for evidence in answer["evidence"].values()} == {"ocr"}


def test_a_read_past_its_time_limit_stops_with_a_clear_answer():
    with pytest.raises(UnreadableCertificate, match="took too long") as caught:
        read_certificate(certificate("scan", 0).content, time_limit=0.2)
    assert caught.value.code == "unreadable_document" and caught.value.status == 422


def test_a_modification_date_after_the_creation_date_is_a_signal():
    answer = read_certificate(certificate_pdfs.modified_later()).as_contract()
    assert answer["signals"][0] == {"code": "edited_after_creation",
                                    "message": "The file's modification date is after its creation date."}


def test_an_incremental_update_is_a_signal_and_its_absence_none():
    edited = read_certificate(certificate("letter", 3).content).as_contract()
    plain = read_certificate(certificate("letter", 2).content).as_contract()
    assert [s["code"] for s in edited["signals"]] == ["edited_after_creation"]
    assert "incremental updates" in edited["signals"][0]["message"]
    assert plain["signals"] == []


@pytest.mark.parametrize("content", [b"", b"hello, this is text", b"\x89PNG\r\n\x1a\n0000", b"<html>%PDF-1.7</html>"])
def test_what_is_not_a_pdf_is_refused_as_such(content):
    with pytest.raises(NotAPdf, match="not a PDF") as caught:
        read_certificate(content)
    assert (caught.value.status, caught.value.code) == (415, "unsupported_media_type")


@pytest.mark.parametrize(("build", "words"), [
    (certificate_pdfs.broken, "cannot be opened|no pages"),
    (certificate_pdfs.encrypted, "encrypted"),
    (certificate_pdfs.two_hundred_pages, "200 pages; a certificate has at most 20"),
])
def test_pdfs_that_will_not_be_read_are_refused_with_the_reason(build, words):
    began = time.monotonic()
    with pytest.raises(UnreadableCertificate, match=words) as caught:
        read_certificate(build())
    assert (caught.value.status, caught.value.code) == (422, "unreadable_document")
    assert time.monotonic() - began < 5


def test_a_scan_over_10_mib_is_refused_before_it_is_read():
    content = certificate_pdfs.huge_scan()
    assert len(content) > certificate_reading.MAX_BYTES
    with pytest.raises(TooLarge, match="larger than 10 MiB") as caught:
        read_certificate(content)
    assert (caught.value.status, caught.value.code) == (413, "too_large")


def test_a_pdf_encrypted_with_an_empty_password_is_read():
    item = certificate("letter", 0)
    answer = read_certificate(certificate_pdfs.restricted_only(item.content)).as_contract()
    assert answer["fields"] == {name: item.truth[name] for name in FIELDS}


def test_a_blank_page_reads_nothing_and_says_so():
    reading = read_certificate(certificate_pdfs.blank())
    answer = reading.as_contract()
    assert answer["fields"] == dict.fromkeys(FIELDS)
    assert answer["evidence"] == {}
    assert answer["signals"] == [{"code": "unreadable_fields", "message": (
        "No field of a certificate could be read: is this a certificate of insurance, in English, "
        "and is the page not blank?")}]
    assert reading.ocr_pages == 0


def test_a_certificate_in_another_language_reads_too_little_and_says_so():
    answer = read_certificate(certificate_pdfs.french()).as_contract()
    read = [name for name, value in answer["fields"].items() if value is not None]
    assert len(read) * 2 < len(FIELDS)
    assert [s["code"] for s in answer["signals"]] == ["unreadable_fields"]


def test_the_read_fields_are_the_seam_for_the_checks_that_need_the_database():
    item = certificate("grid", 0)
    fields = read_certificate(item.content).fields
    assert fields["naic_code"] == item.truth["naic_code"]
    assert str(fields["per_occurrence_limit"]) == item.truth["per_occurrence_limit"]
    assert fields["expiration_date"].isoformat() == item.truth["expiration_date"]

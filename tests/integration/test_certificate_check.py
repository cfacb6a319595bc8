"""check_certificate: a certificate read, compared with the Accelerator's insurers and judged against the
requirement on the pinned day, in the contract's read body."""

from __future__ import annotations

import pytest

from accelerator.domain.certificate_fields import FIELDS
from accelerator.services.certificate_check import check_certificate
from accelerator.services.certificate_reading import NotAPdf
from tests import certificate_pdfs, factories


def test_a_good_certificate_from_an_insurer_on_the_accelerator_meets_the_requirement(db):
    insurer = factories.make_insurer(name="Harbor Mutual", naic_code="12345", am_best_rating="A")
    check = check_certificate(certificate_pdfs.certificate())
    answer = check.as_contract()
    assert list(answer) == ["fields", "evidence", "signals", "requirement"]
    assert list(answer["fields"]) == list(FIELDS) and answer["fields"]["policy_number"] == "HX-1"
    assert answer["evidence"]["policy_number"] == {"page": 1, "source": "text", "text": "Policy Number: HX-1"}
    assert answer["signals"] == [] and answer["requirement"] == {"meets": True, "reasons": []}
    assert check.insurer is not None and check.insurer.id == insurer.id


def test_every_field_is_present_and_null_where_unread(db):
    answer = check_certificate(certificate_pdfs.certificate(deductible=None, naic_code=None)).as_contract()
    assert set(answer["fields"]) == set(FIELDS)
    assert answer["fields"]["deductible"] is None and answer["fields"]["naic_code"] is None
    assert "deductible" not in answer["evidence"]
    assert answer["requirement"]["meets"] is False  # the deductible could not be judged


def test_the_database_signals_come_in_the_contracts_order_after_the_files(db):
    factories.make_insurer(name="Harbor Mutual", naic_code="12345", am_best_rating="B+")
    factories.make_insurer(name="Granite State Casualty", naic_code="22222")
    content = certificate_pdfs.certificate(naic_code="22222", aggregate_limit="$1,000,000")
    answer = check_certificate(content).as_contract()
    assert [s["code"] for s in answer["signals"]] == ["naic_mismatch", "rating_below_minimum", "limits_at_minimum"]
    assert "Granite State Casualty" in answer["signals"][0]["message"]
    assert "'NAIC #: 22222'" in answer["signals"][0]["message"]


def test_the_rating_of_the_insurer_named_is_judged_and_dates_against_the_pinned_day(db):
    factories.make_insurer(name="Harbor Mutual", naic_code="12345", am_best_rating="B")
    content = certificate_pdfs.certificate(effective_date="01/01/2025", expiration_date="11/24/2026")
    answer = check_certificate(content).as_contract()
    assert [r["code"] for r in answer["requirement"]["reasons"]] == ["expired", "insurer_rating_too_low"]
    assert answer["requirement"]["meets"] is False


def test_a_pending_insurer_is_not_on_the_accelerator(db):
    factories.make_insurer(name="Harbor Mutual", naic_code="12345", am_best_rating="C", status="pending")
    check = check_certificate(certificate_pdfs.certificate())
    assert check.insurer is None and check.as_contract()["signals"] == []


def test_the_marketplaces_name_is_in_the_wording_to_ask_for(db, app, monkeypatch):
    monkeypatch.setitem(app.config, "MARKETPLACE_LEGAL_NAME", "Main Street Market Inc.")
    answer = check_certificate(certificate_pdfs.certificate(additional_insured="No")).as_contract()
    [reason] = answer["requirement"]["reasons"]
    assert reason["code"] == "not_additional_insured"
    assert "\u201cMain Street Market Inc. and its affiliates and assignees are included" in reason["message"]


def test_what_is_not_a_pdf_is_refused(db):
    with pytest.raises(NotAPdf):
        check_certificate(b"hello")

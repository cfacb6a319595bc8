"""The upload page's certificate reader: the seller's endpoint that reads a dropped PDF and answers the form's
values, their evidence and the requirement rules met or failed, storing nothing; its refusals in words; the
demo's sample certificates."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accelerator.models import AuditEntry, Policy
from scripts.sample_certificates import SAMPLES
from scripts.sample_certificates import main as write_samples
from tests import active_pdfs, certificate_pdfs, factories
from tests.conftest import csrf_token, login_as

PAGE = "/seller/policies/upload"
URL = "/seller/policies/upload/read"
STATIC = Path(__file__).resolve().parents[2] / "static" / "samples"
WORDING = "Marketplace Services LLC and its affiliates and assignees are included as additional insured."


@pytest.fixture(autouse=True)
def _own_upload_folder(app, tmp_path, monkeypatch):
    """Each test has an upload folder of its own, so that it can see that nothing was stored."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


def _sample(name: str) -> bytes:
    """A demo sample certificate as the site serves it."""
    return (STATIC / name).read_bytes()


def _read(client, body: bytes, *, token: str | None = "page", **headers):
    """POST a file to the reader as the page does: the body is the file, the CSRF token in a header."""
    if token == "page":
        token = csrf_token(client, PAGE)
    if token is not None:
        headers["X-CSRFToken"] = token
    return client.post(URL, data=body, content_type="application/pdf", headers=headers)


def _nothing_stored(app, db) -> bool:
    """No policy, no audit entry, no file."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    return (db.session.execute(select(func.count(Policy.id))).scalar_one() == 0
            and db.session.execute(select(func.count(AuditEntry.id))).scalar_one() == 0
            and (not folder.exists() or os.listdir(folder) == []))


def _rule(answer: dict, code: str) -> dict:
    """One rule of the answer, by its code."""
    return next(rule for rule in answer["rules"] if rule["code"] == code)


def test_a_grid_is_read_into_the_form_with_evidence_and_the_rule_it_fails_with_its_fix(app, seller_client, db):
    response = _read(seller_client, _sample("certificate-grid.pdf"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    answer = response.get_json()
    values = answer["values"]
    assert values["policy_number"] == "GL-2026-69938"
    assert (values["effective_date"], values["expiration_date"]) == ("2026-08-14", "2027-08-14")
    assert (values["per_occurrence_limit"], values["aggregate_limit"], values["deductible"]) == (
        "2,000,000.00", "4,000,000.00", "2,500.00")
    assert values["coverage_basis"] == "occurrence" and values["additional_insured"] is False
    # Nobody on the Accelerator has the NAIC code read: an outside insurer, as read; its rating by hand.
    assert (values["insurer_id"], values["insurer_name"], values["insurer_naic_code"]) == (
        "outside", "Prairie General Insurance", "84332")
    assert answer["unread"] == ["insurer_rating"]
    evidence = answer["evidence"]["policy_number"]
    assert (evidence["page"], evidence["source"]) == (1, "text") and "GL-2026-69938" in evidence["text"]
    assert evidence["source_words"] == "the page's text"
    assert answer["meets"] is False
    failed = _rule(answer, "not_additional_insured")
    assert failed["status"] == "failed"
    assert failed["message"] == "This policy does not name the marketplace as additional insured."
    assert failed["rule"] == "Marketplace Services LLC named as additional insured"
    assert f"\u201c{WORDING}\u201d" in failed["fix"] and answer["additional_insured_wording"] == WORDING
    assert _rule(answer, "per_occurrence_below")["status"] == "met"
    assert _rule(answer, "deductible_above")["status"] == "met" and _rule(answer, "expired")["status"] == "met"
    assert _rule(answer, "insurer_rating_too_low")["status"] == "unknown"
    # The contract's requirement, as the API's read answers it; the insured and holder, to recognise it.
    assert answer["requirement"]["meets"] is False
    assert [r["code"] for r in answer["requirement"]["reasons"]] == ["not_additional_insured"]
    assert answer["parties"]["insured_name"]["value"] == "Pine & Maple Toys LLC"
    assert answer["parties"]["certificate_holder"]["value"] == "Marketplace Services LLC"
    assert _nothing_stored(app, db)


def test_an_approved_insurer_with_the_naic_code_read_is_chosen_and_its_rating_judged(seller_client, db):
    insurer = factories.make_insurer(name="Prairie General", naic_code="84332", am_best_rating="B+")
    factories.make_insurer(name="Prairie General Insurance", naic_code="11111", status="pending")
    answer = _read(seller_client, _sample("certificate-grid.pdf")).get_json()
    assert answer["values"]["insurer_id"] == str(insurer.id)
    assert answer["evidence"]["insurer_id"]["text"].strip().endswith("84332")
    assert answer["unread"] == []
    rating = _rule(answer, "insurer_rating_too_low")
    assert rating["status"] == "failed" and "rated B+" in rating["message"] and "A- or better" in rating["fix"]
    assert "rating_below_minimum" in [signal["code"] for signal in answer["signals"]]


def test_a_letter_failing_several_rules_says_how_to_fix_each(seller_client):
    answer = _read(seller_client, _sample("certificate-letter.pdf")).get_json()
    failed = {rule["code"]: rule for rule in answer["rules"] if rule["status"] == "failed"}
    assert set(failed) == {"per_occurrence_below", "claims_made", "not_additional_insured"}
    assert failed["per_occurrence_below"]["message"] == ("Per-occurrence limit $500,000.00 is below the required "
                                                         "$1,000,000.00.")
    assert "at least $1,000,000.00" in failed["per_occurrence_below"]["fix"]
    assert "occurrence-based" in failed["claims_made"]["fix"]
    assert answer["values"]["coverage_basis"] == "claims_made"


@pytest.mark.parametrize("body, status, code, words", [
    (b"<html><script>alert(1)</script></html>", 415, "unsupported_media_type", "This file is not a PDF"),
    (b"", 422, "unreadable_document", "The file is empty"),
    (certificate_pdfs.encrypted(), 422, "unreadable_document", "encrypted"),
    (certificate_pdfs.two_hundred_pages(), 422, "unreadable_document", "200 pages"),
    (certificate_pdfs.broken(), 422, "unreadable_document", "damaged"),
    (active_pdfs.open_action_javascript(), 422, "unreadable_document", "JavaScript"),
])
def test_a_refused_file_is_said_in_words_and_nothing_is_stored(app, seller_client, db, body, status, code, words):
    response = _read(seller_client, body)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and words in error["message"]
    assert _nothing_stored(app, db)


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(app, seller_client, db, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)
    response = _read(seller_client, _sample("certificate-grid.pdf"))
    assert response.status_code == 413
    assert response.get_json()["error"] == {"code": "too_large",
                                            "message": "This file is larger than 1 KB. Choose a smaller PDF."}
    assert _nothing_stored(app, db)


def test_a_read_past_the_time_limit_is_refused(app, seller_client, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_READ_SECONDS", 0.001)
    response = _read(seller_client, _sample("certificate-scan.pdf"))
    assert response.status_code == 422
    assert "took too long" in response.get_json()["error"]["message"]


def test_a_blank_page_reads_nothing_and_says_so(seller_client):
    answer = _read(seller_client, certificate_pdfs.blank()).get_json()
    assert all(value is None for value in answer["values"].values())
    assert "policy_number" in answer["unread"] and "insurer_id" in answer["unread"]
    assert [signal["code"] for signal in answer["signals"]] == ["unreadable_fields"]
    assert {rule["status"] for rule in answer["rules"]} == {"unknown"} and answer["meets"] is True


def test_the_seller_is_not_told_of_the_marketplace_s_tampering_signals(seller_client):
    edited = certificate_pdfs.modified_later()
    answer = _read(seller_client, edited).get_json()
    assert "edited_after_creation" not in str(answer) and "modification date" not in str(answer)
    assert [signal["code"] for signal in answer["signals"]] == ["unreadable_fields"]


def test_mangled_pdfs_never_answer_a_500(seller_client):
    rng = random.Random(15)
    original = _sample("certificate-grid.pdf")
    token = csrf_token(seller_client, PAGE)
    for _ in range(12):
        body = bytearray(original)
        for _ in range(rng.randrange(1, 40)):
            body[rng.randrange(200, len(body))] = rng.randrange(256)
        response = _read(seller_client, bytes(body), token=token)
        assert response.status_code in (200, 415, 422), response.status_code
        assert response.is_json


def test_only_a_seller_with_the_page_s_csrf_token_may_read(app, client, seller_client, insurer_user, db):
    assert _read(seller_client, _sample("certificate-grid.pdf"), token=None).status_code == 400
    assert _read(seller_client, _sample("certificate-grid.pdf"), token="forged").status_code == 400
    assert seller_client.get(URL).status_code == 405
    login_as(client, insurer_user)
    token = csrf_token(client, "/insurer")
    assert _read(client, _sample("certificate-grid.pdf"), token=token).status_code == 403
    assert _nothing_stored(app, db)


def test_an_anonymous_visitor_may_not_read(app, client, db):
    token = csrf_token(client, "/login")
    assert _read(client, _sample("certificate-grid.pdf"), token=token).status_code == 403


def test_the_page_offers_the_samples_and_the_reader(seller_client):
    html = seller_client.get(PAGE).get_data(as_text=True)
    assert 'data-read-url="/seller/policies/upload/read"' in html
    assert "/static/js/certificate-reader.js" in html and "/static/css/certificate-reader.css" in html
    for name in SAMPLES:
        assert f'data-sample="/static/samples/{name}"' in html and f'href="/static/samples/{name}"' in html
        served = seller_client.get(f"/static/samples/{name}")
        assert served.status_code == 200 and served.mimetype == "application/pdf"
        assert served.get_data() == _sample(name)
        served.close()


def test_the_samples_are_what_the_builders_make(tmp_path):
    write_samples(["sample_certificates", str(tmp_path)])
    for name in SAMPLES:
        assert (tmp_path / name).read_bytes() == _sample(name), name

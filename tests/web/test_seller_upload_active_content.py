"""Uploads without active content: a certificate with JavaScript, launch actions, embedded files, automatic
actions, rich media, XFA or HTML is refused at its field through the seller's upload form, and nothing is stored."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accelerator.models import Policy
from tests import active_pdfs, factories
from tests.conftest import post_form
from tests.factories import TODAY
from tests.web.conftest import error_for

URL = "/seller/policies/upload"


@pytest.fixture(autouse=True)
def own_upload_folder(app, tmp_path, monkeypatch):
    """Each test stores uploads in a folder of its own, so it sees only its own files."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


def upload(client, pdf: bytes):
    """POST the upload form (multipart, real CSRF token) for an outside insurer with this certificate."""
    data = {
        "insurer_id": "outside", "insurer_name": "Lakeside Specialty Insurance", "insurer_naic_code": "54321",
        "insurer_rating": "A-", "policy_number": "LS-778899", "effective_date": (TODAY - timedelta(days=5)).isoformat(),
        "expiration_date": (TODAY + timedelta(days=360)).isoformat(), "per_occurrence_limit": "1,000,000",
        "aggregate_limit": "2,000,000", "deductible": "5,000", "coverage_basis": "occurrence",
        "additional_insured": "y", "certificate": (io.BytesIO(pdf), "certificate.pdf", "application/pdf"),
    }
    return post_form(client, URL, data, content_type="multipart/form-data")


def stored(app) -> list[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(os.listdir(folder)) if folder.exists() else []


def policies(db) -> int:
    return db.session.execute(select(func.count(Policy.id))).scalar_one()


@pytest.mark.parametrize(("build", "words"), [
    (active_pdfs.open_action_javascript, "This PDF contains JavaScript; upload a plain PDF certificate."),
    (active_pdfs.document_javascript, "This PDF contains JavaScript"),
    (active_pdfs.hex_escaped_javascript, "This PDF contains JavaScript"),
    (active_pdfs.launch_action, "start other programs"),
    (active_pdfs.embedded_file, "embedded files"),
    (active_pdfs.rich_media, "rich media"),
    (active_pdfs.xfa_form, "XFA form"),
    (active_pdfs.page_open_action, "runs actions by itself"),
    (active_pdfs.open_action_uri, "runs actions by itself"),
    (active_pdfs.html_polyglot, "also a web page"),
    (active_pdfs.html_polyglot_at_the_end, "also a web page"),
], ids=lambda value: getattr(value, "__name__", "words"))
def test_active_content_is_refused_at_the_field_and_nothing_is_stored(app, seller_client, db, build, words):
    response = upload(seller_client, build())
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert words in error_for(html, "certificate")
    assert 'value="LS-778899"' in html  # what was typed is kept
    assert policies(db) == 0 and stored(app) == []


def test_a_plain_pdf_still_passes(app, seller_client, db):
    response = upload(seller_client, factories.make_pdf_bytes("Lakeside certificate"))
    assert response.status_code == 302
    assert policies(db) == 1 and len(stored(app)) == 1


def test_a_pdf_that_only_opens_at_page_one_passes(app, seller_client, db):
    response = upload(seller_client, active_pdfs.open_action_go_to())
    assert response.status_code == 302
    assert policies(db) == 1

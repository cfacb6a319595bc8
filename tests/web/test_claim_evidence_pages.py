"""Files of evidence on the site: the seller's dispute form takes them (refusals at the field, nothing changed),
and the seller's, the insurer's and the admin's case pages list them; each download goes only to those
entitled, as an attachment of its checked type."""

from __future__ import annotations

import io
import os
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import update

from accelerator.extensions import db as _db
from accelerator.models import ClaimCase
from accelerator.services import claim_cases
from accelerator.services.audit import Actor
from tests import factories
from tests.conftest import csrf_token, login_as

REASON = "We never sold this customer a heater."


def png() -> bytes:
    """A small real PNG."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "PNG")
    return out.getvalue()


@pytest.fixture()
def folder(app, tmp_path, monkeypatch):
    """A fresh upload folder for the test."""
    path = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(path))
    return path


@pytest.fixture()
def case(seller_user, folder):
    """The seller's case AZ-1, waiting for its answer."""
    claim_cases.open_case(Actor("claims service"), None, claim_cases.CaseInput(
        case_id="AZ-1", seller_id=seller_user.seller_id, kind="property_damage", incident_date=date(2026, 6, 1),
        amount_claimed=Decimal("2500.00"), category=None, order_id=None, description="A scorched carpet.",
        respond_by=None))
    return "AZ-1"


def dispute(client, reason: str, *files: tuple[str, bytes]):
    """POST the dispute form as a browser does (multipart, with the page's CSRF token)."""
    data = {"csrf_token": csrf_token(client, "/seller/claims/AZ-1"), "reason": reason,
            "evidence": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/seller/claims/AZ-1/dispute", data=data, content_type="multipart/form-data")


def field_error(html: str) -> str:
    """The message at the evidence field."""
    return html.split('id="evidence-error"')[1].split("</p>")[0]


def nothing_changed(folder) -> bool:
    """The case still waits for the seller, with no evidence and no file stored."""
    _db.session.rollback()
    row = claim_cases.get_case("AZ-1").case
    return (row.state, row.evidence, os.listdir(folder) if folder.exists() else []) == ("awaiting_seller", [], [])


def test_a_dispute_with_a_file_lists_it_and_the_seller_downloads_it(seller_client, case, folder):
    pdf = factories.make_pdf_bytes("Receipt")
    response = dispute(seller_client, REASON, ("receipt.pdf", pdf), ("photo.png", png()))
    assert response.status_code == 302
    html = seller_client.get("/seller/claims/AZ-1").get_data(as_text=True)
    table = html.split('id="evidence"')[1].split("</table>")[0]
    assert "receipt.pdf" in table and "photo.png" in table and "You" in table and "PNG image" in table
    link = table.split('href="')[1].split('"')[0]
    download = seller_client.get(link)
    assert download.status_code == 200 and download.data == pdf
    assert download.headers["Content-Disposition"] == "attachment; filename=receipt.pdf"
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_that_is_not_a_pdf_or_image_is_said_at_the_field_and_changes_nothing(seller_client, case, folder):
    response = dispute(seller_client, REASON, ("invoice.pdf", b"MZ\x90\x00 a program named like a PDF"),
                       ("photo.png", png()))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "invoice.pdf: This file is not a PDF, PNG or JPEG image" in field_error(html)
    assert 'aria-describedby="evidence-hint evidence-error"' in html
    assert REASON in html  # what was typed is kept
    assert nothing_changed(folder)


def test_a_missing_reason_and_a_bad_file_are_both_said(seller_client, case, folder):
    html = dispute(seller_client, "  ", ("notes.txt", b"plain words")).get_data(as_text=True)
    assert 'id="reason-error"' in html and "notes.txt: This file is not a PDF" in field_error(html)
    assert nothing_changed(folder)


def test_a_dispute_without_csrf_stores_nothing(seller_client, case, folder):
    response = seller_client.post("/seller/claims/AZ-1/dispute", content_type="multipart/form-data",
                                  data={"reason": REASON, "evidence": [(io.BytesIO(png()), "photo.png")]})
    assert response.status_code == 400
    assert nothing_changed(folder)


def test_each_download_goes_only_to_those_entitled(app, seller_client, case, folder):
    dispute(seller_client, REASON, ("photo.png", png()))
    evidence_id = claim_cases.get_case("AZ-1").case.evidence[0].id
    harbor, rival = factories.make_insurer(name="Harbor Mutual"), factories.make_insurer(name="Rival Casualty")
    # The case passes to Harbor (as a re-check would move it), so Harbor's staff may see its evidence.
    _db.session.execute(update(ClaimCase).where(ClaimCase.case_id == "AZ-1").values(insurer_id=harbor.id))
    _db.session.commit()

    def client_of(user):
        """A client logged in as `user` (None: anonymous)."""
        client = app.test_client()
        if user is not None:
            login_as(client, user)
        return client

    seller_url = f"/seller/claims/AZ-1/evidence/{evidence_id}"
    insurer_url = f"/insurer/claims/AZ-1/evidence/{evidence_id}"
    admin_url = f"/admin/claims/AZ-1/evidence/{evidence_id}"
    other_seller = client_of(factories.make_seller_user())
    harbor_staff = client_of(factories.make_insurer_user(insurer=harbor))
    rival_staff = client_of(factories.make_insurer_user(insurer=rival))
    admin = client_of(factories.make_user())
    anonymous = client_of(None)
    assert other_seller.get(seller_url).status_code == 404
    assert rival_staff.get(insurer_url).status_code == 404
    assert anonymous.get(seller_url).status_code == 302 and anonymous.get(admin_url).status_code == 302
    assert seller_client.get(f"/seller/claims/AZ-1/evidence/{evidence_id + 1}").status_code == 404
    for client, url, page in ((harbor_staff, insurer_url, "/insurer/claims/AZ-1"),
                              (admin, admin_url, "/admin/claims/AZ-1")):
        download = client.get(url)
        assert download.status_code == 200 and download.headers["Content-Type"] == "image/png"
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        html = client.get(page).get_data(as_text=True)
        assert f'href="{url}"' in html and "The seller" in html.split('id="evidence"')[1]


def test_files_far_over_the_limits_are_said_at_the_field(app, seller_client, case, folder, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)  # the body limit is then about 1 MB
    token = csrf_token(seller_client, "/seller/claims/AZ-1")

    def body() -> dict:
        """The dispute with one file of 1.2 MB."""
        return {"csrf_token": token, "reason": REASON, "evidence": [(io.BytesIO(b"x" * 1_200_000), "huge.pdf")]}

    response = seller_client.post("/seller/claims/AZ-1/dispute", data=body(), content_type="multipart/form-data")
    assert response.status_code == 413
    assert "These files are too large together. Attach at most 5 files of at most 1 KB each." in \
        field_error(response.get_data(as_text=True))
    assert nothing_changed(folder)
    anonymous = app.test_client().post("/seller/claims/AZ-1/dispute", data=body(),
                                       content_type="multipart/form-data")
    assert anonymous.status_code == 413

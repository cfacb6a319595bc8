"""A seller's policy page with its certificate of insurance, the PDF download and the public verification."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from accelerator.models import Policy
from tests import factories
from tests.conftest import login_as
from tests.factories import TODAY


def _seller_with_policy(app, **overrides):
    """A logged-in client of a seller with one policy (terms overridable)."""
    seller = factories.make_seller(seller_id="SHOP000777", legal_name="Wooden Toys LLC", state="WA")
    user = factories.make_seller_user(seller=seller)
    insurer = factories.make_insurer(name="Harbor Mutual", naic_code="12345", am_best_rating="A")
    today = TODAY
    values = dict(seller_id=seller.seller_id, insurer=insurer, policy_number="HX-2026-000123",
                  effective_date=today - timedelta(days=30), expiration_date=today + timedelta(days=335),
                  per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
                  deductible=Decimal("2500.00"), excluded_categories=["baby"])
    values.update(overrides)
    policy = factories.make_policy(**values)
    client = app.test_client()
    login_as(client, user)
    return client, policy


def _verify_path(html: str) -> str:
    """The path of the verification link on a certificate page."""
    match = re.search(r'href="http://localhost(/verify/[A-Za-z0-9_-]+)"', html)
    assert match, "no verification link"
    return match.group(1)


def test_certificate_page_has_the_acord_25_fields(app, db):
    client, policy = _seller_with_policy(app)
    response = client.get(f"/seller/policies/{policy.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("Certificate of liability insurance", "Wooden Toys LLC", "Washington", "SHOP000777",
                 "Harbor Mutual", "12345", "HX-2026-000123", policy.effective_date.strftime("%m/%d/%Y"),
                 policy.expiration_date.strftime("%m/%d/%Y"), "Each occurrence", "$1,000,000.00",
                 "Products-completed operations aggregate", "$2,000,000.00", "Deductible", "$2,500.00",
                 "Occurrence", "Marketplace Services LLC and its affiliates and assignees",
                 "Certificate holder", "Excluded product categories: Baby Products",
                 TODAY.strftime("%m/%d/%Y")):
        assert text in html, text
    assert f'href="/seller/policies/{policy.id}/certificate.pdf"' in html
    _verify_path(html)


def test_the_pdf_is_a_real_pdf_attachment_with_the_certificate(app, db):
    client, policy = _seller_with_policy(app)
    response = client.get(f"/seller/policies/{policy.id}/certificate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="certificate-HX-2026-000123.pdf"'
    assert "no-store" in response.headers["Cache-Control"]
    assert response.data.startswith(b"%PDF-")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())
    for needle in ("CERTIFICATE OF LIABILITY INSURANCE", "Wooden Toys LLC", "12345", "HX-2026-000123",
                   "$1,000,000.00", "$2,000,000.00", "$2,500.00",
                   "Marketplace Services LLC and its affiliates and assignees", "/verify/"):
        assert needle in text, needle


def test_the_verification_link_is_stable_and_public_and_says_only_whether_in_force(app, db):
    client, policy = _seller_with_policy(app)
    path = _verify_path(client.get(f"/seller/policies/{policy.id}").get_data(as_text=True))
    assert path == _verify_path(client.get(f"/seller/policies/{policy.id}").get_data(as_text=True))
    response = app.test_client().get(path)  # nobody logged in
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.get_data(as_text=True)
    assert "In force today" in html and "Not in force today" not in html
    assert "HX-2026-000123" in html and "Harbor Mutual" in html
    for private in ("SHOP000777", "Wooden Toys LLC", "1,000,000", "2,500", "Washington", "Baby"):
        assert private not in html, private


def test_verification_says_not_in_force_once_cancelled(app, db):
    client, policy = _seller_with_policy(app)
    path = _verify_path(client.get(f"/seller/policies/{policy.id}").get_data(as_text=True))
    policy.cancellation_date = TODAY - timedelta(days=1)
    db.session.commit()
    html = app.test_client().get(path).get_data(as_text=True)
    assert "Not in force today" in html


def test_unknown_or_malformed_tokens_are_not_found(client):
    assert client.get("/verify/" + "A" * 43).status_code == 404
    assert client.get("/verify/short").status_code == 404
    assert client.get("/verify/%00%27--").status_code == 404


def test_a_pending_upload_has_no_certificate_yet(app, db):
    client, policy = _seller_with_policy(app, source="seller_upload", verification="pending", insurer=None,
                                         insurer_id=None, insurer_name="Outside Co")
    html = client.get(f"/seller/policies/{policy.id}").get_data(as_text=True)
    assert "Waiting for the marketplace to verify this policy" in html
    assert "certificate.pdf" not in html and "/verify/" not in html
    assert client.get(f"/seller/policies/{policy.id}/certificate.pdf").status_code == 404
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).certificate_token is None


def test_a_rejected_upload_shows_the_reason(app, db):
    client, policy = _seller_with_policy(app, source="seller_upload", verification="rejected", insurer=None,
                                         insurer_id=None, insurer_name="Outside Co",
                                         rejection_reason="The dates do not match the certificate.")
    html = client.get(f"/seller/policies/{policy.id}").get_data(as_text=True)
    assert "The marketplace rejected this policy" in html
    assert "The dates do not match the certificate." in html


def test_another_sellers_policy_and_certificate_are_not_found(app, db, seller_client):
    _client, policy = _seller_with_policy(app)
    assert seller_client.get(f"/seller/policies/{policy.id}").status_code == 404
    assert seller_client.get(f"/seller/policies/{policy.id}/certificate.pdf").status_code == 404
    assert seller_client.get("/seller/policies/987654").status_code == 404
    db.session.expire_all()
    assert db.session.execute(select(Policy.certificate_token)).scalar_one() is None

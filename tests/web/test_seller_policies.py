"""A seller's policy page with its certificates of insurance (the newest shown, every one listed, a new one on
request), the PDF downloads and the public verification page."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from accelerator.models import AuditEntry, Certificate, Seller
from tests import factories
from tests.conftest import csrf_token, login_as
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


def _certificates(db) -> list[tuple]:
    """(number, insured name, issue date) of every certificate, as stored."""
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(
        select(Certificate.number, Certificate.insured_name, Certificate.issued_on).order_by(Certificate.id))]


def _ask_for_a_new_certificate(client, policy_id: int, html: str):
    """Press the page's "Ask for a new certificate" button: POST its form as the page rendered it."""
    form = re.search(r'<form method="post" action="(/seller/policies/\d+/certificates)"[^>]*>(.*?)</form>', html, re.S)
    assert form, "no button for a new certificate"
    fields = dict(re.findall(r'name="([a-z_]+)" type="hidden" value="([^"]*)"', form.group(2)))
    assert set(fields) == {"csrf_token", "superseding"}, fields
    return client.post(form.group(1), data=fields)


def _rename(db, seller_id: str, legal_name: str, state: str) -> None:
    """The seller's profile changes (as saving the profile form does)."""
    seller = db.session.execute(select(Seller).where(Seller.seller_id == seller_id)).scalar_one()
    seller.legal_name, seller.state = legal_name, state
    db.session.commit()


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
                 "Certificate holder", "<dt>Excluded product categories</dt><dd>Baby Products</dd>",
                 "HX-2026-000123/1", TODAY.strftime("%m/%d/%Y"), 'alt="QR code of the verification link"'):
        assert text in html, text
    assert f'href="/seller/policies/{policy.id}/certificate.pdf"' in html
    assert f'href="/seller/policies/{policy.id}/certificates/1.pdf"' in html
    _verify_path(html)


def test_the_pdf_is_a_real_pdf_attachment_with_the_certificate(app, db):
    client, policy = _seller_with_policy(app)
    response = client.get(f"/seller/policies/{policy.id}/certificate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="certificate-HX-2026-000123.pdf"'
    assert "no-store" in response.headers["Cache-Control"]
    assert response.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for needle in ("CERTIFICATE OF LIABILITY INSURANCE", "Wooden Toys LLC", "12345", "HX-2026-000123",
                   "$1,000,000.00", "$2,000,000.00", "$2,500.00", "Excluded product categories Baby Products",
                   "Marketplace Services LLC and its affiliates and assignees", "http://localhost/verify/"):
        assert needle in text, needle
    assert len(reader.pages[0].images) == 1  # the QR code of the verification link
    numbered = client.get(f"/seller/policies/{policy.id}/certificates/1.pdf")
    assert numbered.status_code == 200 and numbered.mimetype == "application/pdf"
    assert client.get(f"/seller/policies/{policy.id}/certificates/2.pdf").status_code == 404


def test_the_verification_page_states_the_certificate_and_whether_the_policy_is_in_force(app, db):
    client, policy = _seller_with_policy(app)
    path = _verify_path(client.get(f"/seller/policies/{policy.id}").get_data(as_text=True))
    assert path == _verify_path(client.get(f"/seller/policies/{policy.id}").get_data(as_text=True))
    response = app.test_client().get(path)  # nobody logged in
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]
    html = response.get_data(as_text=True)
    assert '<p class="verify__verdict">In force</p>' in html
    for shown in ("Wooden Toys LLC", "HX-2026-000123", "Harbor Mutual", "$1,000,000.00", "$2,000,000.00",
                  f"{policy.effective_date:%B} {policy.effective_date.day}, {policy.effective_date.year} to "
                  f"{policy.expiration_date:%B} {policy.expiration_date.day}, {policy.expiration_date.year}",
                  "November 24, 2026"):
        assert shown in html, shown
    for private in ("SHOP000777", "2,500", "Washington", "Baby"):
        assert private not in html, private


def _verdict(app, path: str) -> str:
    """The verification page's verdict, as people read it."""
    html = app.test_client().get(path).get_data(as_text=True)
    match = re.search(r'<p class="verify__verdict">(.*?)</p>', html, re.S)
    assert match, html
    return match.group(1).strip()


@pytest.mark.parametrize("terms, day, verdict", [
    ({}, None, "In force"),
    ({"effective_date": date(2026, 12, 17), "expiration_date": date(2027, 12, 17)}, None,
     "Starts December 17, 2026"),
    ({"effective_date": date(2026, 1, 1), "expiration_date": date(2027, 1, 1), "cancellation_date": date(2026, 12, 1)},
     datetime(2026, 12, 3, 9, 0, tzinfo=UTC), "Cancelled on December 1, 2026"),
    ({"effective_date": date(2026, 1, 1), "expiration_date": date(2027, 1, 1)},
     datetime(2027, 1, 1, 0, 30, tzinfo=UTC), "Expired on January 1, 2027"),
])
def test_the_verification_page_says_in_force_or_why_not(app, db, pinned_clock, terms, day, verdict):
    client, policy = _seller_with_policy(app, **terms)
    path = _verify_path(client.get(f"/seller/policies/{policy.id}").get_data(as_text=True))
    if day is not None:
        pinned_clock.pin(day)
    assert _verdict(app, path) == verdict


def test_verification_says_cancelled_once_cancelled(app, db):
    client, policy = _seller_with_policy(app)
    path = _verify_path(client.get(f"/seller/policies/{policy.id}").get_data(as_text=True))
    assert _verdict(app, path) == "In force"
    policy.cancellation_date = TODAY - timedelta(days=1)
    db.session.commit()
    yesterday = TODAY - timedelta(days=1)
    assert _verdict(app, path) == f"Cancelled on {yesterday:%B} {yesterday.day}, {yesterday.year}"


@pytest.mark.parametrize("path", ["/verify/" + "A" * 43, "/verify/short", "/verify/%00%27--",
                                  "/verify/" + "A" * 300, "/verify/a.b"])
def test_unknown_or_malformed_tokens_are_a_404_that_says_so(client, path):
    factories.make_policy()
    response = client.get(path)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "No certificate has this verification link." in html
    assert "verify__verdict" not in html and "Policy number" not in html
    assert path.rsplit("/", 1)[1] not in html  # the token asked for is not echoed


def test_a_pending_upload_has_no_certificate_yet(app, db):
    client, policy = _seller_with_policy(app, source="seller_upload", verification="pending", insurer=None,
                                         insurer_id=None, insurer_name="Outside Co")
    html = client.get(f"/seller/policies/{policy.id}").get_data(as_text=True)
    assert "Waiting for the marketplace to verify this policy" in html
    assert "certificate.pdf" not in html and "/verify/" not in html and "Ask for a new certificate" not in html
    assert client.get(f"/seller/policies/{policy.id}/certificate.pdf").status_code == 404
    assert client.get(f"/seller/policies/{policy.id}/certificates/1.pdf").status_code == 404
    assert _certificates(db) == []


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
    assert seller_client.get(f"/seller/policies/{policy.id}/certificates/1.pdf").status_code == 404
    assert seller_client.get("/seller/policies/987654").status_code == 404
    assert _certificates(db) == []


def test_renaming_the_business_leaves_the_issued_certificate_as_it_was(app, db, pinned_clock):
    client, policy = _seller_with_policy(app)
    client.get(f"/seller/policies/{policy.id}")
    pinned_clock.pin(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    _rename(db, "SHOP000777", "Wooden Toys & Games Inc", "OR")
    html = client.get(f"/seller/policies/{policy.id}").get_data(as_text=True)
    certificate = html[html.index('<article class="certificate"'):html.index("</article>")]
    assert "Wooden Toys LLC" in certificate and "Washington" in certificate and "11/24/2026" in certificate
    assert "Wooden Toys &amp; Games Inc" not in certificate and "Oregon" not in certificate
    pdf = client.get(f"/seller/policies/{policy.id}/certificate.pdf").data
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Wooden Toys LLC" in text and "Games" not in text and "11/24/2026" in text
    assert "Wooden Toys LLC" in app.test_client().get(_verify_path(html)).get_data(as_text=True)


def test_a_new_certificate_names_the_business_as_it_is_and_both_stay_listed(app, db, pinned_clock):
    client, policy = _seller_with_policy(app)
    first_path = _verify_path(client.get(f"/seller/policies/{policy.id}").get_data(as_text=True))
    pinned_clock.pin(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    _rename(db, "SHOP000777", "Wooden Toys & Games Inc", "OR")
    html = client.get(f"/seller/policies/{policy.id}").get_data(as_text=True)
    response = _ask_for_a_new_certificate(client, policy.id, html)
    assert response.status_code == 302 and response.headers["Location"] == f"/seller/policies/{policy.id}"
    assert _certificates(db) == [(1, "Wooden Toys LLC", TODAY), (2, "Wooden Toys & Games Inc", date(2026, 12, 10))]
    html = client.get(f"/seller/policies/{policy.id}").get_data(as_text=True)
    assert "Certificate 2 was issued on December 10, 2026, naming Wooden Toys &amp; Games Inc." in html
    certificate = html[html.index('<article class="certificate"'):html.index("</article>")]
    assert "Wooden Toys &amp; Games Inc" in certificate and "Oregon" in certificate and "12/10/2026" in certificate
    start = html.index('<ol class="certificate-list')
    listed = html[start:html.index("</ol>", start)]
    items = re.findall(r'<li class="certificate-list__item">(.*?)</li>', listed, re.S)
    assert len(items) == 2
    assert "Certificate 2" in items[0] and "Issued December 10, 2026" in items[0]
    assert "Wooden Toys &amp; Games Inc" in items[0] and "Oregon" in items[0]
    assert "Certificate 1" in items[1] and "Issued November 24, 2026" in items[1]
    assert "Wooden Toys LLC" in items[1] and "Washington" in items[1]
    assert f"/seller/policies/{policy.id}/certificates/1.pdf" in items[1]
    new_path = _verify_path(certificate)
    assert new_path != first_path
    assert "Wooden Toys &amp; Games Inc" in app.test_client().get(new_path).get_data(as_text=True)
    assert "Wooden Toys LLC" in app.test_client().get(first_path).get_data(as_text=True)
    old = client.get(f"/seller/policies/{policy.id}/certificates/1.pdf")
    assert old.headers["Content-Disposition"] == 'attachment; filename="certificate-HX-2026-000123.pdf"'
    assert "Wooden Toys LLC" in PdfReader(io.BytesIO(old.data)).pages[0].extract_text()
    new = client.get(f"/seller/policies/{policy.id}/certificate.pdf")
    assert new.headers["Content-Disposition"] == 'attachment; filename="certificate-HX-2026-000123-2.pdf"'


def test_a_double_click_makes_one_new_certificate(app, db):
    client, policy = _seller_with_policy(app)
    html = client.get(f"/seller/policies/{policy.id}").get_data(as_text=True)
    first = _ask_for_a_new_certificate(client, policy.id, html)
    second = _ask_for_a_new_certificate(client, policy.id, html)  # the same form, sent again
    assert first.status_code == second.status_code == 302
    assert [number for number, _name, _day in _certificates(db)] == [1, 2]
    page = client.get(f"/seller/policies/{policy.id}").get_data(as_text=True)
    assert "That certificate had already been replaced: certificate 2 is the newest." in page
    assert db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 1


@pytest.mark.parametrize("fields", [{}, {"superseding": ""}, {"superseding": "abc"}, {"superseding": "0"},
                                    {"superseding": "99999999999999"}])
def test_a_malformed_request_for_a_new_certificate_changes_nothing(app, db, fields):
    client, policy = _seller_with_policy(app)
    token = csrf_token(client, f"/seller/policies/{policy.id}")
    response = client.post(f"/seller/policies/{policy.id}/certificates", data={"csrf_token": token, **fields})
    assert response.status_code == 302
    assert "reload the page and ask again" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert [number for number, _name, _day in _certificates(db)] == [1]


def test_a_request_for_a_new_certificate_without_csrf_changes_nothing(app, db):
    client, policy = _seller_with_policy(app)
    client.get(f"/seller/policies/{policy.id}")
    response = client.post(f"/seller/policies/{policy.id}/certificates", data={"superseding": "1"})
    assert response.status_code == 400
    assert [number for number, _name, _day in _certificates(db)] == [1]


def test_nobody_asks_for_a_new_certificate_of_another_sellers_policy(app, db, seller_client):
    owner, policy = _seller_with_policy(app)
    owner.get(f"/seller/policies/{policy.id}")
    token = csrf_token(seller_client, "/seller/profile")
    response = seller_client.post(f"/seller/policies/{policy.id}/certificates",
                                  data={"csrf_token": token, "superseding": "1"})
    assert response.status_code == 404
    assert [number for number, _name, _day in _certificates(db)] == [1]
    assert db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0

"""The admin verification queue through the Flask client: the queue, one upload beside its certificate,
verify, reject with a reason, one decision only, and the outcome on the seller's dashboard."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from accelerator.models import AuditEntry, Policy
from accelerator.services import uploads
from accelerator.services.audit import Actor
from accelerator.web import admin as admin_views
from tests import certificate_pdfs, factories
from tests.conftest import csrf_token, login_as, post_form
from tests.factories import TODAY
from tests.web.conftest import error_for

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 1\n0000000000 65535 f \n"
       b"trailer\n<< /Root 1 0 R >>\nstartxref\n58\n%%EOF\n")


def _upload(**values) -> Policy:
    """A seller upload waiting for verification (no file unless told)."""
    values.setdefault("insurer_id", None)
    values.setdefault("verification", "pending")
    return factories.make_policy(source="seller_upload", **values)


def _stored_upload(seller_id: str) -> Policy:
    """A real upload through the seller's service: the PDF is stored under a random name."""
    data = uploads.UploadedPolicy(
        policy_number="ASC-PL-4471829", effective_date=TODAY - timedelta(days=20),
        expiration_date=TODAY + timedelta(days=345), per_occurrence_limit=Decimal("1000000.00"),
        aggregate_limit=Decimal("2000000.00"), deductible=Decimal("2500.00"), occurrence_based=True,
        additional_insured=True, insurer_name="Atlantic Shoreline Casualty Company", insurer_naic_code="31742",
        insurer_rating="A")
    return uploads.upload_policy(Actor(f"seller {seller_id}"), seller_id, data, io.BytesIO(PDF))


def test_the_queue_lists_pending_uploads_oldest_first(admin_client):
    newer = _upload(policy_number="NEWER-1", created_at=T0 + timedelta(days=1))
    older = _upload(policy_number="OLDER-1", created_at=T0)
    _upload(policy_number="DONE-1", verification="verified", verified_at=T0)
    html = admin_client.get("/admin/verification").get_data(as_text=True)
    assert html.index("OLDER-1") < html.index("NEWER-1") and "DONE-1" not in html
    assert f'href="/admin/verification/{older.id}"' in html and f'href="/admin/verification/{newer.id}"' in html
    decided = admin_client.get("/admin/verification?state=verified").get_data(as_text=True)
    assert "DONE-1" in decided and "OLDER-1" not in decided
    assert admin_client.get("/admin/verification?state=bogus").status_code == 400


def test_the_queue_is_paginated(admin_client):
    seller = factories.make_seller()
    for n in range(27):
        _upload(seller_id=seller.seller_id, policy_number=f"UP-{n:03d}", created_at=T0 + timedelta(minutes=n))
    first = admin_client.get("/admin/verification").get_data(as_text=True)
    assert first.count("class=\"mono\">UP-0") == 25 and "UP-026" not in first
    assert "UP-026" in admin_client.get("/admin/verification?page=2").get_data(as_text=True)


def test_an_upload_shows_every_entered_field_beside_its_certificate(admin_client, app, db):
    seller = factories.make_seller(legal_name="Greenleaf Home Goods LLC")
    policy = _stored_upload(seller.seller_id)
    html = admin_client.get(f"/admin/verification/{policy.id}").get_data(as_text=True)
    for text in ("ASC-PL-4471829", "Atlantic Shoreline Casualty Company", "31742", "$1,000,000.00",
                 "$2,000,000.00", "$2,500.00", "Occurrence", "Marketplace named", seller.seller_id,
                 "Greenleaf Home Goods LLC", "1 of 1 waiting"):
        assert text in html, text
    link = f'href="/documents/policies/{policy.id}"'
    assert link in html
    # The link is the seller-side document route, and it sends this admin the stored PDF.
    document = admin_client.get(f"/documents/policies/{policy.id}")
    assert document.status_code == 200 and document.data == PDF
    assert document.headers["Content-Disposition"].startswith("attachment")


def _certificate_upload(seller_id: str, content: bytes, **entered) -> Policy:
    """An upload through the seller's service of a readable certificate, with what the seller typed in."""
    values = dict(policy_number="HX-1", effective_date=date(2026, 1, 1), expiration_date=date(2027, 1, 1),
                  per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
                  deductible=Decimal("0.00"), occurrence_based=True, additional_insured=True,
                  insurer_name="Faraway Indemnity", insurer_naic_code="77777", insurer_rating="A")
    values.update(entered)
    return uploads.upload_policy(Actor(f"seller {seller_id}"), seller_id, uploads.UploadedPolicy(**values),
                                 io.BytesIO(content))


def test_the_certificate_is_shown_beside_what_was_read_with_differences_signals_and_the_requirement(admin_client):
    seller = factories.make_seller(legal_name="Acme Goods LLC")
    content = certificate_pdfs.certificate(insurer_name="Faraway Indemnity", naic_code="77777", policy_number="HX-7",
                                           aggregate_limit="$1,000,000", additional_insured="No")
    policy = _certificate_upload(seller.seller_id, content, aggregate_limit=Decimal("1000000.00"))
    html = admin_client.get(f"/admin/verification/{policy.id}").get_data(as_text=True)
    # The document itself, framed from the document route.
    assert f'<iframe class="document-frame" src="/documents/policies/{policy.id}?view=inline"' in html
    # The differences: the policy number and the additional insured, each with its evidence.
    assert "2 fields of the certificate differ from what the seller entered: Policy number, Additional insured." in html
    row = html[html.index('data-field="policy_number"'):html.index('data-field="effective_date"')]
    assert "compare-table__row--differs" in html[html.index('data-field="policy_number"') - 80:
                                                html.index('data-field="policy_number"')]
    assert "<td data-label=\"Entered\">HX-1</td>" in row and "<td data-label=\"Read\">HX-7</td>" in row
    assert "page 1, text: &#39;Policy Number: HX-7&#39;" in row
    effective = html[html.index('data-field="effective_date"'):html.index('data-field="expiration_date"')]
    assert effective.count("January 1, 2026") == 2 and "Differs" not in effective
    # The signals, with their evidence, and the requirement as read.
    assert 'data-code="limits_at_minimum"' in html and "Both limits are exactly the required minimum" in html
    assert "&#39;General Aggregate: $1,000,000&#39;" in html
    assert "Does not meet the requirement" in html and 'data-code="not_additional_insured"' in html
    assert "Marketplace Services LLC and its affiliates and assignees are included as additional insured." in html


def test_an_upload_whose_certificate_agrees_says_so(admin_client):
    seller = factories.make_seller(legal_name="Acme Goods LLC")
    content = certificate_pdfs.certificate(insurer_name="Faraway Indemnity", naic_code="77777")
    policy = _certificate_upload(seller.seller_id, content)
    html = admin_client.get(f"/admin/verification/{policy.id}").get_data(as_text=True)
    assert "Every field read agrees with what the seller entered." in html and "Differs" not in html
    assert "No signal:" in html and "Meets the requirement" in html


def test_an_upload_made_before_reads_were_kept_says_there_is_no_read(admin_client):
    policy = _upload(certificate_path="0" * 32 + ".pdf")
    html = admin_client.get(f"/admin/verification/{policy.id}").get_data(as_text=True)
    assert "No read is on record for this upload" in html
    assert "compare-table" not in html and "signals-title" not in html
    assert "What the seller entered" in html


def test_the_document_is_framed_inline_for_the_sites_own_pages_only(admin_client):
    policy = _stored_upload(factories.make_seller().seller_id)
    framed = admin_client.get(f"/documents/policies/{policy.id}?view=inline")
    assert framed.status_code == 200 and framed.data == PDF
    assert framed.headers["Content-Disposition"] == f'inline; filename="policy-{policy.policy_number}.pdf"'
    assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert framed.headers["Content-Security-Policy"] == "sandbox; default-src 'none'; frame-ancestors 'self'"
    assert framed.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in framed.headers["Cache-Control"]
    page = admin_client.get(f"/admin/verification/{policy.id}")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]  # the page itself is never framed


def test_the_document_path_is_a_route_of_the_site(app):
    adapter = app.url_map.bind("localhost")
    endpoint, args = adapter.match(admin_views.DOCUMENT_PATH.format(policy_id=7), method="GET")
    assert endpoint.startswith("documents.") and args == {"policy_id": 7}


def test_an_upload_without_a_file_says_so(admin_client):
    policy = _upload()
    html = admin_client.get(f"/admin/verification/{policy.id}").get_data(as_text=True)
    assert "No certificate file is on record" in html and "/documents/policies/" not in html


def test_verify_decides_audits_and_goes_on_to_the_next_upload(admin_client, admin_user, db):
    first = _upload(policy_number="FIRST-1", created_at=T0)
    second = _upload(policy_number="SECOND-1", created_at=T0 + timedelta(hours=1))
    url = f"/admin/verification/{first.id}"
    response = post_form(admin_client, f"{url}/verify", {}, token_from=url)
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/verification/{second.id}"
    db.session.expire_all()
    policy = db.session.get(Policy, first.id)
    assert policy.verification == "verified" and policy.verified_by_id == admin_user.id and policy.verified_at
    assert db.session.execute(select(AuditEntry.action)).scalar_one() == "verify"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Policy FIRST-1 of {policy.seller_id} is verified." in page
    last = post_form(admin_client, f"/admin/verification/{second.id}/verify", {},
                     token_from=f"/admin/verification/{second.id}")
    assert last.headers["Location"] == "/admin/verification"


def test_reject_needs_a_reason_then_records_it(admin_client, db):
    policy = _upload()
    url = f"/admin/verification/{policy.id}"
    response = post_form(admin_client, f"{url}/reject", {"reason": "   "}, token_from=url)
    assert response.status_code == 400
    assert "Say why the upload is rejected" in error_for(response.get_data(as_text=True), "reason")
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).verification == "pending"
    response = post_form(admin_client, f"{url}/reject", {"reason": "The certificate names another insured."},
                         token_from=url)
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Policy, policy.id)
    assert stored.verification == "rejected" and stored.rejection_reason == "The certificate names another insured."
    decided = admin_client.get(url).get_data(as_text=True)
    assert "The certificate names another insured." in decided and "Verify policy" not in decided


@pytest.mark.parametrize("second", ["verify", "reject"])
def test_a_second_decision_is_a_clear_message_not_an_error(admin_client, app, db, second):
    policy = _upload(policy_number="TWICE-1")
    url = f"/admin/verification/{policy.id}"
    token = csrf_token(admin_client, url)
    assert admin_client.post(f"{url}/verify", data={"csrf_token": token}).status_code == 302
    # A second admin, or the same one in another tab, decides the same upload again.
    other = app.test_client()
    login_as(other, factories.make_user(role="admin", email="second@example.com"))
    response = other.post(f"{url}/{second}", data={"csrf_token": csrf_token(other, "/admin"), "reason": "No."})
    assert response.status_code == 302 and response.headers["Location"] == url
    page = other.get(url).get_data(as_text=True)
    assert "Policy TWICE-1 was already verified by admin@example.com" in page
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).verification == "verified"
    assert len(db.session.execute(select(AuditEntry)).scalars().all()) == 1


def test_other_policies_and_unknown_ids_are_not_found(admin_client, db):
    reported = factories.make_policy()
    token = csrf_token(admin_client, "/admin")
    for policy_id in (reported.id, 999999):
        assert admin_client.get(f"/admin/verification/{policy_id}").status_code == 404
        verify = admin_client.post(f"/admin/verification/{policy_id}/verify", data={"csrf_token": token})
        assert verify.status_code == 404
        assert admin_client.post(f"/admin/verification/{policy_id}/reject",
                                 data={"csrf_token": token, "reason": "x"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Policy, reported.id).verification == "verified"


def test_the_seller_sees_the_rejection_and_its_reason_on_the_dashboard(app, admin_client, db):
    seller_user = factories.make_seller_user()
    policy = _upload(seller_id=seller_user.seller_id, policy_number="MINE-1")
    url = f"/admin/verification/{policy.id}"
    post_form(admin_client, f"{url}/reject", {"reason": "Marketplace is not named as additional insured."},
              token_from=url)
    seller = app.test_client()
    login_as(seller, seller_user)
    dashboard = seller.get("/seller").get_data(as_text=True)
    assert "MINE-1" in dashboard and "Marketplace is not named as additional insured." in dashboard


@pytest.mark.parametrize("value", ["\x00", "x" * 20_000, "<script>alert(1)</script>", "💥", "%FF", "-1", "9" * 400])
def test_hostile_input_never_fails(admin_client, db, value):
    policy = _upload()
    url = f"/admin/verification/{policy.id}"
    response = admin_client.post(f"{url}/reject", data={"csrf_token": csrf_token(admin_client, url), "reason": value})
    assert response.status_code in (302, 400)
    assert "<script>alert(1)</script>" not in admin_client.get(url).get_data(as_text=True)
    for query in ({"state": value}, {"page": value}):
        assert admin_client.get("/admin/verification", query_string=query).status_code in (200, 400)

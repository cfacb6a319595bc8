"""Certificates of insurance (services/certificates.py): the fields each issued certificate states (frozen when
issued), a new certificate on request, the PDF (its text, QR code and layout), the public verification."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import requests
import segno
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from accelerator.domain.errors import NotFound, ValidationError
from accelerator.models import AuditEntry, Certificate, Policy
from accelerator.services import certificates, sellers
from accelerator.services.audit import Actor
from tests import factories
from tests.factories import TODAY

URL = "https://accelerator.example/verify/TOKEN"
LONG_INSURER = "Harbor Mutual Insurance Company of the Northeastern United States"
SELLER = Actor("seller test")


def _policy(**overrides) -> Policy:
    """A verified policy of a New York seller from Harbor Mutual (overridable)."""
    seller = overrides.pop("seller", None) or factories.make_seller(
        seller_id="SHOP000321", legal_name="Bright Lamps Inc", state="NY")
    if "insurer" in overrides:
        insurer = overrides.pop("insurer")
    else:
        insurer = factories.make_insurer(name="Harbor Mutual", naic_code="23456", am_best_rating="A+")
    today = TODAY
    values = dict(seller_id=seller.seller_id, insurer=insurer, policy_number="HX-2026-000042",
                  effective_date=today - timedelta(days=1), expiration_date=today + timedelta(days=364),
                  per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("3000000.00"),
                  deductible=Decimal("5000.00"))
    values.update(overrides)
    return factories.make_policy(**values)


def _pdf_text(data: bytes) -> str:
    """The one page's text, white space collapsed."""
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())  # lines wrap where the page is full


def _pdf_lines(data: bytes) -> list[str]:
    """The one page's text, line by line as drawn."""
    return [line.strip() for line in PdfReader(io.BytesIO(data)).pages[0].extract_text().splitlines()]


def _rename(seller_id: str, legal_name: str, state: str) -> None:
    """The seller saves a changed business profile."""
    sellers.update_profile(SELLER, seller_id, sellers.ProfileData(
        legal_name=legal_name, state=state, categories=("home",), monthly_gross_sales=Decimal("5000.00")))


def _count(db, model) -> int:
    """How many rows the table holds."""
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_certificate_carries_the_acord_25_fields(db):
    policy = _policy(excluded_categories=["baby", "toys"])
    cert = certificates.certificate("SHOP000321", policy.id)
    assert cert.insured_name == "Bright Lamps Inc" and cert.insured_state == "NY"
    assert (cert.insurer_name, cert.insurer_naic_code, cert.insurer_rating) == ("Harbor Mutual", "23456", "A+")
    assert cert.policy_number == "HX-2026-000042"
    assert (cert.each_occurrence, cert.products_aggregate, cert.deductible) == (
        Decimal("1000000.00"), Decimal("3000000.00"), Decimal("5000.00"))
    assert cert.coverage_basis == "Occurrence"
    assert cert.additional_insured_wording == "Marketplace Services LLC and its affiliates and assignees"
    assert cert.holder_name == "Marketplace Services LLC"
    assert (cert.number, cert.date_issued) == (1, TODAY)
    assert cert.exclusions == "Baby Products, Toys & Games"
    assert len(cert.verification_token) >= 40


def test_the_pdf_parses_and_its_text_holds_the_certificate(db):
    policy = _policy(excluded_categories=["toys", "baby"])
    cert = certificates.certificate("SHOP000321", policy.id)
    data = certificates.certificate_pdf(cert, URL)
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    for needle in ("CERTIFICATE OF LIABILITY INSURANCE", "Bright Lamps Inc", "New York", "SHOP000321",
                   "Harbor Mutual", "23456", "HX-2026-000042", "Each occurrence", "$1,000,000.00",
                   "Products-completed operations aggregate", "$3,000,000.00", "$5,000.00", "Occurrence",
                   "Marketplace Services LLC and its affiliates and assignees", URL,
                   "Certificate number HX-2026-000042/1",
                   "Excluded product categories Baby Products, Toys & Games", TODAY.strftime("%m/%d/%Y"),
                   policy.effective_date.strftime("%m/%d/%Y"), policy.expiration_date.strftime("%m/%d/%Y")):
        assert needle in text, needle


def test_a_policy_without_exclusions_says_none(db):
    policy = _policy()
    text = _pdf_text(certificates.certificate_pdf(certificates.certificate("SHOP000321", policy.id), URL))
    assert "Excluded product categories None" in text


def test_a_claims_made_policy_without_additional_insured_says_so(db):
    policy = _policy(occurrence_based=False, additional_insured=False)
    cert = certificates.certificate("SHOP000321", policy.id)
    text = _pdf_text(certificates.certificate_pdf(cert, URL))
    assert "Claims-made" in text
    assert "and its affiliates and assignees are included" not in text


def test_names_outside_the_pdf_fonts_do_not_break_the_pdf(db):
    seller = factories.make_seller(seller_id="SHOP000999", legal_name="Zoë’s Toys — 玩具 LLC", state="CA")
    policy = _policy(seller=seller)
    text = _pdf_text(certificates.certificate_pdf(certificates.certificate("SHOP000999", policy.id), URL))
    assert "Zoë's Toys - ?? LLC" in text


def test_a_long_insurer_name_wraps_between_words(db):
    insurer = factories.make_insurer(name=LONG_INSURER, naic_code="23456")
    policy = _policy(insurer=insurer)
    lines = _pdf_lines(certificates.certificate_pdf(certificates.certificate("SHOP000321", policy.id), URL))
    start = lines.index("Insurer A") + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("NAIC #"))
    holding = lines[start:end]  # the lines of the insurer's box that hold its name
    assert len(holding) >= 2, holding  # it does not fit on one line of its box
    assert " ".join(holding) == LONG_INSURER
    words = set(LONG_INSURER.split())
    for line in holding:  # every line holds whole words of the name, none cut in two
        assert set(line.split()) <= words, line


def test_the_first_certificate_is_issued_once_and_kept(db):
    policy = _policy()
    first = certificates.certificate("SHOP000321", policy.id)
    second = certificates.certificate("SHOP000321", policy.id)
    assert first.verification_token == second.verification_token and first.number == second.number == 1
    db.session.expire_all()
    assert db.session.execute(select(Certificate.policy_id, Certificate.number)).all() == [(policy.id, 1)]
    other = _policy(seller=factories.make_seller(), insurer=factories.make_insurer())
    assert certificates.certificate(other.seller_id, other.id).verification_token != first.verification_token


def test_only_the_sellers_own_verified_policies_have_certificates(db):
    policy = _policy()
    with pytest.raises(NotFound):
        certificates.certificate(factories.make_seller().seller_id, policy.id)
    pending = _policy(seller=factories.make_seller(seller_id="SHOP000555"), source="seller_upload",
                      verification="pending", insurer=None, insurer_id=None, policy_number="UP-1")
    with pytest.raises(NotFound):
        certificates.certificate("SHOP000555", pending.id)
    with pytest.raises(NotFound):
        certificates.certificate("SHOP000321", policy.id, 2)  # no such certificate number
    assert _count(db, Certificate) == 0


def test_an_issued_certificate_keeps_the_name_address_and_date_it_stated(db, pinned_clock):
    policy = _policy()
    issued = certificates.certificate("SHOP000321", policy.id)
    pinned_clock.pin(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    _rename("SHOP000321", "Bright Lamps & Shades Co", "NJ")
    db.session.expire_all()
    again = certificates.certificate("SHOP000321", policy.id)
    assert (again.number, again.insured_name, again.insured_state, again.date_issued) == (
        1, "Bright Lamps Inc", "NY", TODAY)
    text = _pdf_text(certificates.certificate_pdf(again, URL))
    assert "Bright Lamps Inc" in text and "New York" in text and TODAY.strftime("%m/%d/%Y") in text
    assert "Shades" not in text and "New Jersey" not in text
    assert certificates.verify(issued.verification_token).insured_name == "Bright Lamps Inc"


def test_a_new_certificate_states_the_profile_of_its_day_and_both_stay(db, pinned_clock):
    policy = _policy()
    first = certificates.certificate("SHOP000321", policy.id)
    later = date(2026, 12, 10)
    pinned_clock.pin(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    _rename("SHOP000321", "Bright Lamps & Shades Co", "NJ")
    reissue = certificates.issue_certificate(SELLER, "SHOP000321", policy.id, superseding=1)
    assert reissue.created
    assert (reissue.certificate.number, reissue.certificate.insured_name, reissue.certificate.insured_state,
            reissue.certificate.issued_on) == (2, "Bright Lamps & Shades Co", "NJ", later)
    newest = certificates.certificate("SHOP000321", policy.id)
    assert (newest.number, newest.insured_name, newest.date_issued) == (2, "Bright Lamps & Shades Co", later)
    assert newest.verification_token not in (first.verification_token, "")
    assert certificates.certificate("SHOP000321", policy.id, 1).insured_name == "Bright Lamps Inc"
    listed = certificates.policy_page("SHOP000321", policy.id).certificates
    assert [(c.number, c.insured_name, c.issued_on) for c in listed] == [
        (2, "Bright Lamps & Shades Co", later), (1, "Bright Lamps Inc", TODAY)]
    assert certificates.verify(first.verification_token).insured_name == "Bright Lamps Inc"
    assert certificates.verify(newest.verification_token).insured_name == "Bright Lamps & Shades Co"
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "issue_certificate")).scalar_one()
    assert (entry.object_type, entry.object_id, entry.details) == ("policy", str(policy.id), {"number": 2})
    text = _pdf_text(certificates.certificate_pdf(newest, URL))
    assert "Bright Lamps & Shades Co" in text and "New Jersey" in text and "12/10/2026" in text
    assert certificates.certificate_filename(newest) == "certificate-HX-2026-000042-2.pdf"
    assert certificates.certificate_filename(first) == "certificate-HX-2026-000042.pdf"


def test_asking_twice_for_a_new_certificate_makes_one(db):
    policy = _policy()
    certificates.certificate("SHOP000321", policy.id)
    once = certificates.issue_certificate(SELLER, "SHOP000321", policy.id, superseding=1)
    twice = certificates.issue_certificate(SELLER, "SHOP000321", policy.id, superseding=1)
    assert once.created and not twice.created
    assert twice.certificate.number == once.certificate.number == 2
    assert _count(db, Certificate) == 2
    stale = certificates.issue_certificate(SELLER, "SHOP000321", policy.id, superseding=7)
    assert not stale.created and stale.certificate.number == 2 and _count(db, Certificate) == 2


def test_a_request_without_the_certificate_it_replaces_changes_nothing(db):
    policy = _policy()
    certificates.certificate("SHOP000321", policy.id)
    with pytest.raises(ValidationError):
        certificates.issue_certificate(SELLER, "SHOP000321", policy.id, superseding=None)
    assert _count(db, Certificate) == 1 and _count(db, AuditEntry) == 0


def test_nobody_gets_a_new_certificate_of_another_sellers_or_an_unverified_policy(db):
    policy = _policy()
    certificates.certificate("SHOP000321", policy.id)
    intruder = factories.make_seller()
    with pytest.raises(NotFound):
        certificates.issue_certificate(SELLER, intruder.seller_id, policy.id, superseding=1)
    pending = _policy(seller=intruder, source="seller_upload", verification="pending", insurer=None,
                      insurer_id=None, policy_number="UP-2")
    with pytest.raises(NotFound):
        certificates.issue_certificate(SELLER, intruder.seller_id, pending.id, superseding=1)
    with pytest.raises(NotFound):
        certificates.issue_certificate(SELLER, "SHOP000321", 987654, superseding=1)
    assert _count(db, Certificate) == 1 and _count(db, AuditEntry) == 0


@pytest.mark.parametrize("change, code, on", [
    ({}, "in_force", None),
    ({"cancellation_date": "tomorrow"}, "in_force", None),
    ({"effective_date": "in 23 days", "expiration_date": "in 388 days"}, "upcoming", "effective_date"),
    ({"cancellation_date": "today"}, "cancelled", "cancellation_date"),
    ({"effective_date": "366 days ago", "expiration_date": "today"}, "expired", "expiration_date"),
])
def test_verification_says_whether_the_policy_is_in_force_today_and_why_not(db, change, code, on):
    days = {"today": 0, "tomorrow": 1, "in 23 days": 23, "in 388 days": 388, "366 days ago": -366}
    policy = _policy(**{field: TODAY + timedelta(days=days[when]) for field, when in change.items()})
    token = certificates.certificate("SHOP000321", policy.id).verification_token
    result = certificates.verify(token)
    assert result.standing.code == code and result.in_force is (code == "in_force")
    assert result.standing.on == (getattr(policy, on) if on else None)
    assert (result.insured_name, result.policy_number, result.insurer_name, result.checked_on) == (
        "Bright Lamps Inc", "HX-2026-000042", "Harbor Mutual", TODAY)
    assert (result.effective_date, result.expiration_date) == (policy.effective_date, policy.expiration_date)
    assert (result.each_occurrence, result.products_aggregate) == (Decimal("1000000.00"), Decimal("3000000.00"))


def test_verification_follows_the_clock(db, pinned_clock):
    policy = _policy(expiration_date=date(2027, 1, 1))
    token = certificates.certificate("SHOP000321", policy.id).verification_token
    pinned_clock.pin(datetime(2027, 1, 1, 0, 30, tzinfo=UTC))
    result = certificates.verify(token)
    assert (result.standing.code, result.standing.on, result.checked_on) == ("expired", date(2027, 1, 1),
                                                                             date(2027, 1, 1))


def test_verification_of_a_policy_later_rejected_says_not_in_force(db):
    policy = _policy()
    token = certificates.certificate("SHOP000321", policy.id).verification_token
    policy.verification = "rejected"
    db.session.commit()
    result = certificates.verify(token)
    assert result.in_force is False and result.standing.code == "withdrawn"


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "../../etc/passwd", "A" * 200, None, 42])
def test_unknown_tokens_are_not_found(db, token):
    certificates.certificate("SHOP000321", _policy().id)
    with pytest.raises(NotFound) as caught:
        certificates.verify(token)
    assert caught.value.message == certificates.NOT_FOUND


# --- the QR code of the PDF -------------------------------------------------------------------------


def _qr_image(data: bytes) -> Image.Image:
    """The one image drawn on the PDF's page: the QR code."""
    images = PdfReader(io.BytesIO(data)).pages[0].images
    assert len(images) == 1
    return images[0].image


def test_the_pdf_draws_the_qr_code_of_the_verification_url(db):
    cert = certificates.certificate("SHOP000321", _policy().id)
    url = f"http://localhost/verify/{cert.verification_token}"
    drawn = _qr_image(certificates.certificate_pdf(cert, url)).convert("1")
    expected = Image.open(io.BytesIO(certificates.qr_png(url))).convert("1")
    assert drawn.size == expected.size and drawn.tobytes() == expected.tobytes()
    # And that picture is the QR matrix of the URL, made afresh: module by module, 4 pixels a module.
    matrix = segno.make_qr(url, error="m").matrix
    scale, border = certificates.QR_SCALE, 4
    assert drawn.size == ((len(matrix) + 2 * border) * scale,) * 2
    for row, modules in enumerate(matrix):
        for col, dark in enumerate(modules):
            pixel = drawn.getpixel(((col + border) * scale + 1, (row + border) * scale + 1))
            assert (pixel == 0) == bool(dark), (row, col)


def test_the_pdf_qr_code_decodes_to_the_verification_url(db, tmp_path):
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have zbarimg (Debian package zbar-tools) to decode the QR code")
        pytest.skip("zbarimg (Debian package zbar-tools) is not installed")
    cert = certificates.certificate("SHOP000321", _policy().id)
    url = f"http://localhost/verify/{cert.verification_token}"
    png = tmp_path / "qr.png"
    _qr_image(certificates.certificate_pdf(cert, url)).save(png)
    decoded = subprocess.run([zbarimg, "--quiet", "--raw", str(png)], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == url


# --- racing requests, through the real server ---------------------------------------------------------

_HIDDEN = re.compile(r'name="(csrf_token|superseding)" type="hidden" value="([^"]*)"')


def _session(base: str, email: str) -> requests.Session:
    """A browser-like session logged in through the login form."""
    session = requests.Session()
    token = dict(_HIDDEN.findall(session.get(f"{base}/login", timeout=10).text))["csrf_token"]
    response = session.post(f"{base}/login", data={"email": email, "password": factories.TEST_PASSWORD,
                                                   "csrf_token": token}, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    return session


def _at_once(calls) -> list[requests.Response]:
    """Run the calls at the same moment, one thread each; their responses."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait(timeout=10)
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(r is not None for r in results)
    return results


def test_racing_requests_issue_one_first_certificate_and_one_new_one(live_server, db):
    user = factories.make_seller_user()
    policies = [factories.make_policy(seller_id=user.seller_id).id for _ in range(3)]
    db.session.commit()  # nothing of ours holds the database while the server works
    base = live_server.url
    sessions = [_session(base, user.email), _session(base, user.email)]
    for policy_id in policies:
        page = f"{base}/seller/policies/{policy_id}"
        shown = _at_once([lambda s=s, page=page: s.get(page, timeout=30) for s in sessions])
        assert [r.status_code for r in shown] == [200, 200]
        forms = [dict(_HIDDEN.findall(r.text)) for r in shown]
        assert {f["superseding"] for f in forms} == {"1"}
        asked = _at_once([lambda s=s, f=f, page=page: s.post(f"{page}/certificates", data=f, allow_redirects=False,
                                                             timeout=30)
                          for s, f in zip(sessions, forms, strict=True)])
        assert [r.status_code for r in asked] == [302, 302]
        db.session.rollback()
        numbers = db.session.execute(select(Certificate.number).where(Certificate.policy_id == policy_id)
                                     .order_by(Certificate.number)).scalars().all()
        assert numbers == [1, 2]
    db.session.rollback()

"""Certificates of insurance (services/certificates.py): the fields, the PDF's text, the verification token."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from accelerator.domain.errors import NotFound
from accelerator.models import Policy
from accelerator.services import certificates
from tests import factories
from tests.factories import TODAY

URL = "https://accelerator.example/verify/TOKEN"


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


def test_the_certificate_carries_the_acord_25_fields(db):
    policy = _policy(excluded_categories=["baby", "toys"])
    cert = certificates.certificate("SHOP000321", policy.id, date(2026, 5, 4))
    assert cert.insured_name == "Bright Lamps Inc" and cert.insured_state == "NY"
    assert (cert.insurer_name, cert.insurer_naic_code, cert.insurer_rating) == ("Harbor Mutual", "23456", "A+")
    assert cert.policy_number == "HX-2026-000042"
    assert (cert.each_occurrence, cert.products_aggregate, cert.deductible) == (
        Decimal("1000000.00"), Decimal("3000000.00"), Decimal("5000.00"))
    assert cert.coverage_basis == "Occurrence"
    assert cert.additional_insured_wording == "Marketplace Services LLC and its affiliates and assignees"
    assert cert.holder_name == "Marketplace Services LLC"
    assert cert.date_issued == date(2026, 5, 4)
    assert "Excluded product categories: Baby Products, Toys & Games." in cert.description
    assert len(cert.verification_token) >= 40


def test_the_pdf_parses_and_its_text_holds_the_certificate(db):
    policy = _policy()
    cert = certificates.certificate("SHOP000321", policy.id)
    data = certificates.certificate_pdf(cert, URL)
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    for needle in ("CERTIFICATE OF LIABILITY INSURANCE", "Bright Lamps Inc", "New York", "SHOP000321",
                   "Harbor Mutual", "23456", "HX-2026-000042", "Each occurrence", "$1,000,000.00",
                   "Products-completed operations aggregate", "$3,000,000.00", "$5,000.00", "Occurrence",
                   "Marketplace Services LLC and its affiliates and assignees", URL,
                   policy.effective_date.strftime("%m/%d/%Y"), policy.expiration_date.strftime("%m/%d/%Y")):
        assert needle in text, needle


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


def test_the_token_is_made_once_and_kept(db):
    policy = _policy()
    first = certificates.certificate("SHOP000321", policy.id).verification_token
    second = certificates.certificate("SHOP000321", policy.id).verification_token
    assert first == second
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).certificate_token == first
    other = _policy(seller=factories.make_seller(), insurer=factories.make_insurer())
    assert certificates.certificate(other.seller_id, other.id).verification_token != first


def test_only_the_sellers_own_verified_policies_have_certificates(db):
    policy = _policy()
    with pytest.raises(NotFound):
        certificates.certificate(factories.make_seller().seller_id, policy.id)
    pending = _policy(seller=factories.make_seller(seller_id="SHOP000555"), source="seller_upload",
                      verification="pending", insurer=None, insurer_id=None, policy_number="UP-1")
    with pytest.raises(NotFound):
        certificates.certificate("SHOP000555", pending.id)


@pytest.mark.parametrize("change, in_force", [
    ({}, True),
    ({"effective_date": TODAY + timedelta(days=3), "expiration_date": TODAY + timedelta(days=368)},
     False),
    ({"effective_date": TODAY - timedelta(days=366), "expiration_date": TODAY}, False),
    ({"cancellation_date": TODAY}, False),
    ({"cancellation_date": TODAY + timedelta(days=1)}, True),
])
def test_verification_says_whether_the_policy_is_in_force_today(db, change, in_force):
    policy = _policy(**change)
    token = certificates.ensure_token(policy)
    result = certificates.verify(token)
    assert result.in_force is in_force
    assert (result.policy_number, result.insurer_name, result.checked_on) == (
        "HX-2026-000042", "Harbor Mutual", TODAY)


def test_verification_of_a_policy_later_rejected_says_not_in_force(db):
    policy = _policy()
    token = certificates.ensure_token(policy)
    policy.verification = "rejected"
    db.session.commit()
    assert certificates.verify(token).in_force is False


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "../../etc/passwd", "A" * 200, None])
def test_unknown_tokens_are_not_found(db, token):
    _policy()
    with pytest.raises(NotFound):
        certificates.verify(token)

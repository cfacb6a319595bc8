"""services.claim_cases on a real database: the re-check on each policy change of the seller, the history."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest

from accelerator import clock
from accelerator.domain.errors import Conflict, NotFound
from accelerator.services import claim_cases, policies, purchase, uploads, verification
from accelerator.services.audit import Actor
from tests import factories
from tests.factories import NOW, TODAY

ACTOR = Actor("test")
SELLER = "RECHECK001"


@pytest.fixture()
def folder(app, tmp_path, monkeypatch):
    """A fresh upload folder for the test."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


def opened(case_id: str = "RC-1", amount: str = "2500.00") -> claim_cases.CaseView:
    """A case opened for SELLER on an incident in 2026."""
    request = claim_cases.CaseInput(case_id=case_id, seller_id=SELLER, kind="bodily_injury",
                                    incident_date=date(2026, 6, 1), amount_claimed=Decimal(amount), category=None,
                                    order_id=None, description="A burn from the kettle.", respond_by=None)
    return claim_cases.open_case(ACTOR, None, request)[0]


def history(case_id: str = "RC-1") -> list[str]:
    """The events of the case's history."""
    return [e.event for e in claim_cases.get_case(case_id).case.events]


def upload(policy_number: str = "UP-1"):
    """The seller uploads an outside insurer's policy in force on the incident date (pending)."""
    data = uploads.UploadedPolicy(policy_number=policy_number, effective_date=date(2026, 1, 1),
                                  expiration_date=date(2027, 1, 1), per_occurrence_limit=Decimal("1000000.00"),
                                  aggregate_limit=Decimal("2000000.00"), deductible=Decimal("0.00"),
                                  occurrence_based=True, additional_insured=True, insurer_name="Lakeside Specialty",
                                  insurer_naic_code="54321", insurer_rating="A")
    return uploads.upload_policy(ACTOR, SELLER, data, io.BytesIO(factories.make_pdf_bytes()))


def test_an_upload_moves_a_waiting_case_to_review_and_verification_to_the_insurer(db, folder):
    factories.make_seller(seller_id=SELLER)
    first = opened()
    assert first.case.state == "awaiting_seller"
    policy = upload()
    view = claim_cases.get_case("RC-1")
    assert (view.case.route, view.case.state, view.case.respond_by) == ("review", "in_review", None)
    assert view.check["check_id"] != first.check["check_id"]
    clock.pin(NOW + timedelta(days=1))
    verification.verify(ACTOR, policy.id)
    view = claim_cases.get_case("RC-1")
    assert (view.case.route, view.case.state, view.case.insurer_id) == ("insurer", "awaiting_insurer", None)
    assert view.case.respond_by - (NOW + timedelta(days=8)) < timedelta(seconds=5)  # the default from now
    assert history() == ["opened", "rechecked", "rechecked"]


def test_a_rejected_upload_sends_the_case_back_to_the_seller(db, folder):
    factories.make_seller(seller_id=SELLER)
    opened()
    policy = upload()
    verification.reject(ACTOR, policy.id, "The certificate names another company.")
    view = claim_cases.get_case("RC-1")
    assert (view.case.route, view.case.state) == ("seller", "awaiting_seller")
    assert history() == ["opened", "rechecked", "rechecked"]


def test_a_cancellation_before_the_incident_moves_the_case_to_the_seller_keeping_its_deadline(db):
    insurer = factories.make_insurer()
    factories.make_seller(seller_id=SELLER)
    factories.make_policy(seller_id=SELLER, insurer=insurer, policy_number="IN-1")
    first = opened()
    assert (first.case.state, first.case.insurer_id) == ("awaiting_insurer", insurer.id)
    policies.cancel_policy(ACTOR, insurer.id, "IN-1", date(2026, 3, 1))
    view = claim_cases.get_case("RC-1")
    assert (view.case.route, view.case.state, view.case.insurer_id) == ("seller", "awaiting_seller", None)
    assert view.case.respond_by == first.case.respond_by


def test_cases_past_waiting_are_not_rechecked(db, folder):
    factories.make_seller(seller_id=SELLER)
    opened()
    claim_cases.step_in(ACTOR, "RC-1", None)
    upload()
    view = claim_cases.get_case("RC-1")
    assert (view.case.route, view.case.state) == ("seller", "marketplace_to_pay")
    assert history() == ["opened", "stepped_in"]


def test_another_sellers_policy_changes_nothing(db, folder):
    factories.make_seller(seller_id=SELLER)
    opened()
    factories.make_policy(seller_id=factories.make_seller().seller_id)
    assert claim_cases.recheck_seller("OTHER00001") == 0
    assert history() == ["opened"]


def test_a_bought_policy_moves_a_waiting_case_to_its_insurer(db):
    seller = factories.make_seller(seller_id=SELLER)
    harbor = factories.make_insurer(name="Harbor Mutual", policy_prefix="HX")
    request = factories.make_quote_request(seller_id=seller.seller_id, routed_to=[harbor], desired_start_date=TODAY)
    quote = factories.make_quote(request, harbor)
    case = claim_cases.open_case(ACTOR, None, claim_cases.CaseInput(
        case_id="RC-1", seller_id=SELLER, kind="property_damage", incident_date=TODAY,
        amount_claimed=Decimal("2500.00"), category=None, order_id=None, description="Smoke damage.",
        respond_by=None))[0]
    assert case.case.state == "awaiting_seller"
    purchase.buy_quote(ACTOR, SELLER, request.id, quote.id)
    view = claim_cases.get_case("RC-1")
    assert (view.case.route, view.case.state, view.case.insurer_id) == ("insurer", "awaiting_insurer", harbor.id)
    assert history() == ["opened", "rechecked"]


def test_the_seller_accepts_or_disputes_its_own_case_only(db):
    factories.make_seller(seller_id=SELLER)
    opened("RC-1")
    opened("RC-2")
    with pytest.raises(NotFound):
        claim_cases.seller_accept(ACTOR, "RC-1", "OTHER00001")
    accepted = claim_cases.seller_accept(ACTOR, "RC-1", SELLER)
    assert (accepted.case.state, accepted.case.accepted_by) == ("accepted", "seller")
    disputed = claim_cases.seller_dispute(ACTOR, "RC-2", SELLER, "Not our kettle.")
    assert (disputed.case.state, disputed.case.escalation) == ("escalated", "seller_disputed")
    with pytest.raises(Conflict) as refused:
        claim_cases.seller_accept(ACTOR, "RC-2", SELLER)
    assert refused.value.code == "invalid_transition"
    assert history("RC-2") == ["opened", "disputed"]
    paid = claim_cases.record_payment(ACTOR, "RC-2", None, "seller", Decimal("2500.00"))
    assert (paid.case.state, paid.case.payment_payer) == ("paid", "seller")


def test_an_opened_case_answers_with_its_own_row_id(db):
    view = opened("RC-ID")
    stored = claim_cases.get_case("RC-ID").case
    assert isinstance(view.case.id, int) and view.case.id == stored.id


def test_a_case_opened_by_another_request_during_the_read_is_answered_and_nothing_is_written_twice(db):
    """The case's INSERT is the opening's claim on its case_id: an opening that read no case but finds it
    committed by the time it writes (another request's, here committed while the key is checked on the read)
    writes nothing at all, and answers that case as a repeat."""
    from accelerator.models import AuditEntry, ClaimCase, ClaimCaseEvent, CoverageCheck
    from accelerator.services import api_keys
    from tests.api.conftest import count

    factories.make_seller(seller_id=SELLER)
    key, raw = api_keys.create_key(ACTOR, "marketplace", "claim test", None)
    request = claim_cases.CaseInput(case_id="RC-RACE", seller_id=SELLER, kind="bodily_injury",
                                    incident_date=date(2026, 6, 1), amount_claimed=Decimal("2500.00"), category=None,
                                    order_id=None, description="A burn from the kettle.", respond_by=None)
    audited = count(AuditEntry)
    rival: list[claim_cases.CaseView] = []

    def accept(row) -> int:
        assert row is not None and row.id == key.id
        if not rival:  # the other request's opening, committed on another connection meanwhile
            rival.append(claim_cases.open_case(ACTOR, None, request)[0])
        return key.id

    view, created = claim_cases.open_case(ACTOR, None, request, key_prefix=raw[:12], accept_key=accept)
    assert created is False and view.case.id == rival[0].case.id
    assert view.check["check_id"] == rival[0].check["check_id"]
    assert (count(ClaimCase), count(ClaimCaseEvent), count(CoverageCheck), count(AuditEntry) - audited) == (1, 1, 1, 1)


def test_a_key_not_accepted_on_the_read_opens_nothing(db):
    """open_case with `accept_key` answering None reads nothing more and writes nothing."""
    from accelerator.models import ClaimCase, CoverageCheck
    from tests.api.conftest import count

    factories.make_seller(seller_id=SELLER)
    seen = []
    request = claim_cases.CaseInput(case_id="RC-NOKEY", seller_id=SELLER, kind="bodily_injury",
                                    incident_date=date(2026, 6, 1), amount_claimed=Decimal("2500.00"), category=None,
                                    order_id=None, description="A burn from the kettle.", respond_by=None)
    assert claim_cases.open_case(ACTOR, None, request, key_prefix="acc_unknown0",
                                 accept_key=lambda row: seen.append(row)) is None
    assert seen == [None] and (count(ClaimCase), count(CoverageCheck)) == (0, 0)

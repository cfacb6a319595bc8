"""The claim case pages through the Flask client: the insurer's claims inbox and case page (accept, deny,
record the payment), and marketplace staff's intervention queue and case page (step in, pay, recover, close)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accelerator import clock
from accelerator.extensions import db as _db
from accelerator.models import Claim, ClaimCaseEvent, Policy
from accelerator.services import claim_cases
from accelerator.services.audit import Actor
from tests import factories
from tests.conftest import login_as, post_form
from tests.factories import NOW
from tests.web.conftest import error_for

ACTOR = Actor("test")


def open_case(seller_id: str, case_id: str, amount: str = "2500.00", incident: date = date(2026, 6, 1)):
    """A case opened through the service."""
    request = claim_cases.CaseInput(case_id=case_id, seller_id=seller_id, kind="bodily_injury",
                                    incident_date=incident, amount_claimed=Decimal(amount), category=None,
                                    order_id=None, description="A burn from the kettle.", respond_by=None)
    return claim_cases.open_case(ACTOR, None, request)[0]


@pytest.fixture()
def harbor(db):
    """An approved insurer with a policy on a seller, and a case on that policy awaiting its answer."""
    insurer = factories.make_insurer(name="Harbor Mutual")
    seller = factories.make_seller(seller_id="CASESELLER1")
    factories.make_policy(seller_id=seller.seller_id, insurer=insurer, policy_number="HM-100")
    view = open_case(seller.seller_id, "CASE-1")
    assert view.case.state == "awaiting_insurer"
    return insurer


@pytest.fixture()
def rival_case(db):
    """A case of another insurer, which Harbor's staff must never see."""
    rival = factories.make_insurer(name="Rival Casualty")
    seller = factories.make_seller(seller_id="RIVALSELLER1")
    factories.make_policy(seller_id=seller.seller_id, insurer=rival, policy_number="RV-9")
    open_case(seller.seller_id, "RIVAL-1")
    return rival


@pytest.fixture()
def staff(app, harbor):
    """A client logged in as Harbor's staff."""
    client = app.test_client()
    login_as(client, factories.make_insurer_user(insurer=harbor))
    return client


@pytest.fixture()
def admin(app, db):
    """A client logged in as an admin."""
    client = app.test_client()
    login_as(client, factories.make_user())
    return client


def events(case_id: str) -> list[str]:
    """The case's history as event names."""
    return [e.event for e in claim_cases.get_case(case_id).case.events]


def event_count() -> int:
    """How many history entries all cases hold."""
    return _db.session.execute(select(func.count()).select_from(ClaimCaseEvent)).scalar_one()


# --- the insurer's inbox ----------------------------------------------------------------------------


def test_the_inbox_lists_the_insurers_own_cases_newest_first(staff, harbor, rival_case):
    clock.pin(NOW + timedelta(minutes=5))
    factories.make_policy(seller_id="CASESELLER1", insurer=harbor, policy_number="HM-200",
                          effective_date=date(2025, 1, 1), expiration_date=date(2025, 12, 31))
    open_case("CASESELLER1", "CASE-2", amount="1800.00")
    html = staff.get("/insurer/claims").get_data(as_text=True)
    assert html.index("CASE-2") < html.index("CASE-1")
    assert "RIVAL-1" not in html
    assert "HM-100" in html and "Bodily injury" in html and "$2,500.00" in html
    assert "Awaiting the insurer" in html
    assert 'href="/insurer/claims" aria-current="page"' in html  # the portal tab


def test_another_insurers_case_is_not_found(staff, rival_case):
    assert staff.get("/insurer/claims/RIVAL-1").status_code == 404
    assert staff.get("/insurer/claims/NOPE").status_code == 404
    response = post_form(staff, "/insurer/claims/RIVAL-1/accept", {}, token_from="/insurer/claims/CASE-1")
    assert response.status_code == 404
    assert events("RIVAL-1") == ["opened"]


@pytest.mark.parametrize("role", ["seller", "admin", None])
def test_only_insurer_staff_reach_the_inbox(app, harbor, role):
    client = app.test_client()
    if role == "seller":
        login_as(client, factories.make_seller_user())
    elif role == "admin":
        login_as(client, factories.make_user())
    response = client.get("/insurer/claims/CASE-1")
    assert response.status_code == (302 if role is None else 403)
    assert client.post("/insurer/claims/CASE-1/accept").status_code in (400, 403)
    assert events("CASE-1") == ["opened"]


def test_the_case_page_shows_the_claim_and_the_aggregate(staff):
    html = staff.get("/insurer/claims/CASE-1").get_data(as_text=True)
    assert "HM-100" in html and "A burn from the kettle." in html
    assert 'id="remaining-before">$2,000,000.00' in html
    assert "remaining-after" not in html
    assert "Accept the claim" in html and "Deny the claim" in html


def test_accept_then_pay_draws_the_aggregate_once(staff):
    response = post_form(staff, "/insurer/claims/CASE-1/accept", {})
    assert response.status_code == 302
    post_form(staff, "/insurer/claims/CASE-1/accept", {})  # a double click
    assert events("CASE-1") == ["opened", "accepted"]
    for _ in range(2):  # a double click records one payment
        response = post_form(staff, "/insurer/claims/CASE-1/payment", {"amount": "1,200"}, follow_redirects=True)
        assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert events("CASE-1") == ["opened", "accepted", "paid"]
    assert _db.session.execute(select(func.count()).select_from(Claim)).scalar_one() == 1
    policy = _db.session.execute(select(Policy).where(Policy.policy_number == "HM-100")).scalar_one()
    _db.session.refresh(policy)
    assert policy.claims_paid == Decimal("1200.00")
    assert 'id="remaining-before">$2,000,000.00' in html
    assert 'id="remaining-after">$1,998,800.00' in html


def test_a_bad_amount_is_said_at_the_field_and_nothing_changes(staff):
    response = post_form(staff, "/insurer/claims/CASE-1/payment", {"amount": "twelve"})
    assert response.status_code == 400
    assert "amount" in error_for(response.get_data(as_text=True), "amount").lower()
    response = post_form(staff, "/insurer/claims/CASE-1/payment", {"amount": ""})
    assert "Enter the amount paid." in error_for(response.get_data(as_text=True), "amount")
    assert events("CASE-1") == ["opened"]


@pytest.mark.parametrize("reason, message", [("", "Say why you deny this claim."),
                                             ("x" * 2001, "at most 2,000 characters")])
def test_a_denial_needs_a_reason_of_at_most_2000_characters(staff, reason, message):
    response = post_form(staff, "/insurer/claims/CASE-1/deny", {"reason": reason})
    assert response.status_code == 400
    assert message in error_for(response.get_data(as_text=True), "reason")
    assert events("CASE-1") == ["opened"]


def test_a_denial_escalates_once(staff):
    for _ in range(2):
        response = post_form(staff, "/insurer/claims/CASE-1/deny", {"reason": "Not our product line."})
        assert response.status_code in (302, 409)
    view = claim_cases.get_case("CASE-1")
    assert (view.case.state, view.case.escalation) == ("escalated", "insurer_denied")
    assert events("CASE-1") == ["opened", "denied"]


def test_an_answer_in_the_wrong_state_is_refused_clearly(staff):
    post_form(staff, "/insurer/claims/CASE-1/deny", {"reason": "Not ours."})
    before = event_count()
    token_page = "/insurer/claims"
    response = post_form(staff, "/insurer/claims/CASE-1/accept", {}, token_from=token_page)
    assert response.status_code == 409
    assert "does not allow an acceptance by the insurer" in response.get_data(as_text=True)
    assert event_count() == before


def test_an_answer_after_the_deadline_is_refused_and_the_case_escalated(staff):
    clock.pin(NOW + timedelta(days=30))
    response = post_form(staff, "/insurer/claims/CASE-1/accept", {}, token_from="/insurer/claims")
    assert response.status_code == 409
    assert "escalated (insurer_unresponsive)" in response.get_data(as_text=True)
    assert events("CASE-1") == ["opened", "escalated"]


# --- marketplace staff -------------------------------------------------------------------------------


def test_the_queue_lists_escalated_cases_oldest_deadline_first_with_why(admin, harbor):
    factories.make_seller(seller_id="OTHERSELLER1")
    open_case("OTHERSELLER1", "SELLER-CASE")  # awaiting the seller (no policy): deadline in 7 days
    claim_cases.deny(ACTOR, "CASE-1", harbor.id, "No.")
    open_case("CASESELLER1", "LATER-1", amount="1500.00")
    clock.pin(NOW + timedelta(days=30))  # the seller's and LATER-1's deadlines pass
    html = admin.get("/admin/claims").get_data(as_text=True)
    assert html.index("CASE-1") < html.index("SELLER-CASE")
    assert "Denied by the insurer" in html and "Unresponsive seller" in html and "Unresponsive insurer" in html


@pytest.mark.parametrize("role", ["seller", "insurer", None])
def test_only_admins_reach_the_queue(app, harbor, role):
    client = app.test_client()
    if role == "seller":
        login_as(client, factories.make_seller_user())
    elif role == "insurer":
        login_as(client, factories.make_insurer_user(insurer=harbor))
    assert client.get("/admin/claims").status_code == (302 if role is None else 403)
    assert client.get("/admin/claims/CASE-1").status_code == (302 if role is None else 403)
    assert client.post("/admin/claims/CASE-1/step-in", data={"note": "x"}).status_code in (400, 403)
    assert events("CASE-1") == ["opened"]


def test_an_unknown_case_is_not_found(admin, harbor):
    assert admin.get("/admin/claims/NOPE").status_code == 404


def test_the_case_page_shows_history_and_check(admin, harbor):
    claim_cases.deny(ACTOR, "CASE-1", harbor.id, "Outside the policy period.")
    html = admin.get("/admin/claims/CASE-1").get_data(as_text=True)
    check_id = claim_cases.get_case("CASE-1").case.check_id
    assert check_id in html and "Outside the policy period." in html and "HM-100" in html
    assert "Step in" in html and "Close the case" in html


def test_step_in_pay_and_recover(admin, harbor):
    claim_cases.deny(ACTOR, "CASE-1", harbor.id, "No.")
    for _ in range(2):
        response = post_form(admin, "/admin/claims/CASE-1/step-in", {"note": "Customer waited long enough."})
        assert response.status_code == 302
    assert events("CASE-1") == ["opened", "denied", "stepped_in"]
    for _ in range(2):
        response = post_form(admin, "/admin/claims/CASE-1/payment", {"payer": "marketplace", "amount": "900"})
        assert response.status_code == 302
    view = claim_cases.get_case("CASE-1")
    assert (view.case.state, view.case.recovery_from, view.case.recovery_due) == ("paid", "insurer", Decimal("900.00"))
    response = post_form(admin, "/admin/claims/CASE-1/recovery", {"recovered": "901"})
    assert response.status_code == 409
    assert "Only $900.00 is still due" in response.get_data(as_text=True) or "900.00" in response.get_data(as_text=True)
    response = post_form(admin, "/admin/claims/CASE-1/recovery", {"recovered": "400"})
    assert response.status_code == 302
    assert claim_cases.get_case("CASE-1").case.recovery_recovered == Decimal("400.00")
    assert events("CASE-1") == ["opened", "denied", "stepped_in", "paid", "recovered"]


def test_a_payer_the_state_does_not_allow_is_refused(admin, harbor):
    response = post_form(admin, "/admin/claims/CASE-1/payment", {"payer": "marketplace", "amount": "100"})
    assert response.status_code == 409
    assert "does not allow a payment by the marketplace" in response.get_data(as_text=True)
    claim_cases.step_in(ACTOR, "CASE-1", None)
    response = post_form(admin, "/admin/claims/CASE-1/payment", {"payer": "seller", "amount": "100"})
    assert response.status_code == 409
    assert "does not allow a payment by the seller" in response.get_data(as_text=True)
    response = post_form(admin, "/admin/claims/CASE-1/payment", {"payer": "someone", "amount": "-1"},
                         token_from="/admin/claims/CASE-1")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error_for(html, "payer") and error_for(html, "amount")
    assert events("CASE-1") == ["opened", "stepped_in"]


def test_close_needs_an_outcome_and_closes_once(admin, harbor):
    response = post_form(admin, "/admin/claims/CASE-1/close", {"outcome": "", "close_note": "y" * 2001})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose the outcome." in error_for(html, "outcome")
    assert "at most 2,000" in error_for(html, "close_note")
    for _ in range(2):
        response = post_form(admin, "/admin/claims/CASE-1/close", {"outcome": "withdrawn", "close_note": ""})
        assert response.status_code == 302
    assert events("CASE-1") == ["opened", "closed"]
    response = post_form(admin, "/admin/claims/CASE-1/close", {"outcome": "invalid"}, token_from="/admin/claims")
    assert response.status_code == 409


def test_the_seller_record_lists_its_cases(admin, harbor):
    html = admin.get("/admin/sellers/CASESELLER1").get_data(as_text=True)
    assert "Claim cases" in html and 'href="/admin/claims/CASE-1"' in html


def test_a_post_without_its_csrf_token_changes_nothing(staff, admin):
    assert staff.post("/insurer/claims/CASE-1/accept").status_code == 400
    assert staff.post("/insurer/claims/CASE-1/payment", data={"amount": "100"}).status_code == 400
    assert admin.post("/admin/claims/CASE-1/close", data={"outcome": "invalid"}).status_code == 400
    assert events("CASE-1") == ["opened"]

"""The seller's claims pages: the list, one case, who may see it, and the answers (accept, dispute)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from accelerator import clock
from accelerator.services import claim_cases
from accelerator.services.audit import Actor
from tests import factories
from tests.conftest import csrf_token
from tests.factories import NOW

ACTOR = Actor("claims-service")


def open_case(seller_id: str, case_id: str = "AZ-1", amount: str = "2500.00",
              respond_by=None) -> claim_cases.CaseView:
    """A case opened by the marketplace's claims service for the seller, on an incident in June 2026."""
    request = claim_cases.CaseInput(
        case_id=case_id, seller_id=seller_id, kind="property_damage", incident_date=date(2026, 6, 1),
        amount_claimed=Decimal(amount), category=None, order_id="112-1234567-1234567",
        description="The heater's cord melted and scorched the carpet.", respond_by=respond_by)
    return claim_cases.open_case(ACTOR, None, request)[0]


def state_of(case_id: str) -> tuple[str, str | None, list[str]]:
    """The case's state, escalation and history events, read afresh."""
    view = claim_cases.get_case(case_id)
    return view.case.state, view.case.escalation, [e.event for e in view.case.events]


def post(client, case_id: str, answer: str, **data):
    """POST an answer with the CSRF token of the case page."""
    url = f"/seller/claims/{case_id}"
    return client.post(f"{url}/{answer}", data={"csrf_token": csrf_token(client, url), **data})


def test_the_list_shows_a_case_waiting_for_the_seller_first_with_its_deadline(seller_client, seller_user, db):
    insurer = factories.make_insurer(name="Harbor Mutual")
    open_case(seller_user.seller_id, "AZ-WAIT", respond_by=NOW + timedelta(days=7, hours=6))
    factories.make_policy(seller_id=seller_user.seller_id, insurer=insurer)
    clock.pin(NOW + timedelta(hours=2))
    open_case(seller_user.seller_id, "AZ-INS")  # newer, but the insurer answers it
    html = seller_client.get("/seller/claims").get_data(as_text=True)
    assert html.index("AZ-WAIT") < html.index("AZ-INS")
    assert "7 days 4 hours left, until December 1, 2026 18:00 UTC" in html
    assert "Property damage on June 1, 2026, $2,500.00 claimed." in html and "You are liable" in html
    assert 'href="/seller/claims"' in seller_client.get("/seller").get_data(as_text=True)


def test_the_case_page_says_what_happened_who_pays_and_the_time_left(seller_client, seller_user, db):
    open_case(seller_user.seller_id, "AZ-1", respond_by=NOW + timedelta(days=3, hours=4, minutes=30))
    response = seller_client.get("/seller/claims/AZ-1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You are liable" in html and "Waiting for your answer" in html
    assert "3 days 4 hours left, until November 27, 2026 16:30 UTC" in html
    assert "112-1234567-1234567" in html and "scorched the carpet" in html and "$2,500.00" in html
    assert "Claim received" in html  # the history
    assert 'action="/seller/claims/AZ-1/accept"' in html and 'action="/seller/claims/AZ-1/dispute"' in html
    assert 'href="/seller/policies/upload"' in html


def test_who_pays_in_plain_words_for_an_insurer_on_the_accelerator(seller_client, seller_user, db):
    factories.make_policy(seller_id=seller_user.seller_id, insurer=factories.make_insurer(name="Harbor Mutual"))
    assert open_case(seller_user.seller_id).case.state == "awaiting_insurer"
    html = seller_client.get("/seller/claims/AZ-1").get_data(as_text=True)
    assert "Your insurer, Harbor Mutual, pays this claim." in html
    assert "Accept this claim" not in html  # the insurer answers, not the seller
    assert "claims-waiting" not in seller_client.get("/seller").get_data(as_text=True)


def test_the_dashboard_shows_a_waiting_case_first(seller_client, seller_user, db):
    open_case(seller_user.seller_id, "AZ-1")
    html = seller_client.get("/seller").get_data(as_text=True)
    assert 'id="claims-waiting"' in html
    assert html.index('id="claims-waiting"') < html.index('id="compliance-title"')
    assert "7 days left, until December 1, 2026 12:00 UTC" in html


def test_another_sellers_case_is_404_to_read_and_to_answer(seller_client, db):
    other = factories.make_seller()
    open_case(other.seller_id, "AZ-OTHER")
    assert seller_client.get("/seller/claims/AZ-OTHER").status_code == 404
    assert seller_client.get("/seller/claims/NOPE").status_code == 404
    token = csrf_token(seller_client, "/seller/profile")
    assert seller_client.post("/seller/claims/AZ-OTHER/accept", data={"csrf_token": token}).status_code == 404
    assert seller_client.post("/seller/claims/AZ-OTHER/dispute",
                              data={"csrf_token": token, "reason": "Not mine."}).status_code == 404
    assert state_of("AZ-OTHER")[0] == "awaiting_seller"
    assert "AZ-OTHER" not in seller_client.get("/seller/claims").get_data(as_text=True)


def test_only_sellers_see_the_claims_pages(app, insurer_client, db):
    assert insurer_client.get("/seller/claims").status_code == 403
    assert app.test_client().get("/seller/claims").status_code == 302


def test_an_answer_without_csrf_changes_nothing(seller_client, seller_user, db):
    open_case(seller_user.seller_id)
    assert seller_client.post("/seller/claims/AZ-1/accept").status_code == 400
    assert state_of("AZ-1")[0] == "awaiting_seller"


def test_accepting_twice_accepts_once(seller_client, seller_user, db):
    open_case(seller_user.seller_id)
    first = post(seller_client, "AZ-1", "accept")
    assert first.status_code == 302 and first.headers["Location"].endswith("/seller/claims/AZ-1")
    second = post(seller_client, "AZ-1", "accept")
    assert second.status_code == 302
    state, _, events = state_of("AZ-1")
    assert state == "accepted" and events.count("accepted") == 1
    html = seller_client.get("/seller/claims/AZ-1").get_data(as_text=True)
    assert "You had already accepted this claim." in html and "Pay by" in html


def test_disputing_records_the_reason_once(seller_client, seller_user, db):
    open_case(seller_user.seller_id)
    post(seller_client, "AZ-1", "dispute", reason="The customer never bought a heater from us.")
    post(seller_client, "AZ-1", "dispute", reason="The customer never bought a heater from us.")
    state, escalation, events = state_of("AZ-1")
    assert (state, escalation, events.count("disputed")) == ("escalated", "seller_disputed", 1)
    html = seller_client.get("/seller/claims/AZ-1").get_data(as_text=True)
    assert "You had already disputed this claim." in html
    assert "The customer never bought a heater from us." in html  # in the history


def test_a_dispute_without_a_reason_or_too_long_is_refused_at_the_field(seller_client, seller_user, db):
    open_case(seller_user.seller_id)
    for reason, message in (("   ", "Say why you dispute this claim"), ("x" * 2001, "Write at most 2,000 characters.")):
        response = post(seller_client, "AZ-1", "dispute", reason=reason)
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        field = html.split('id="reason-error"')[1].split("</p>")[0]
        assert message in field
        assert 'aria-describedby="reason-hint reason-error"' in html
        assert state_of("AZ-1") == ("awaiting_seller", None, ["opened"])


def test_answers_after_the_deadline_are_refused_and_change_nothing(seller_client, seller_user, db):
    open_case(seller_user.seller_id, respond_by=NOW + timedelta(days=1))
    token = csrf_token(seller_client, "/seller/claims/AZ-1")
    clock.pin(NOW + timedelta(days=1, seconds=1))
    for answer, data in (("accept", {}), ("dispute", {"reason": "Too late, but still."})):
        response = seller_client.post(f"/seller/claims/AZ-1/{answer}", data={"csrf_token": token, **data})
        assert response.status_code == 302
        assert state_of("AZ-1") == ("escalated", "seller_unresponsive", ["opened", "escalated"])
    html = seller_client.get("/seller/claims/AZ-1").get_data(as_text=True)
    assert "no longer waits for your answer" in html and "nothing was changed" in html
    assert "Accept this claim" not in html
    assert "claims-waiting" not in seller_client.get("/seller").get_data(as_text=True)


def test_an_answer_in_the_wrong_state_is_refused(seller_client, seller_user, db):
    open_case(seller_user.seller_id)
    post(seller_client, "AZ-1", "accept")
    response = post(seller_client, "AZ-1", "dispute", reason="Changed my mind.")
    assert response.status_code == 302
    assert state_of("AZ-1")[:2] == ("accepted", None)
    assert "no longer waits for your answer" in seller_client.get("/seller/claims/AZ-1").get_data(as_text=True)


def test_the_seller_answers_for_an_insurer_not_on_the_accelerator(seller_client, seller_user, db):
    factories.make_policy(seller_id=seller_user.seller_id, insurer=None, insurer_id=None, source="seller_upload",
                          insurer_name="Lakeside Specialty", verification="verified")
    view = open_case(seller_user.seller_id)
    assert (view.case.state, view.case.insurer_id) == ("awaiting_insurer", None)
    html = seller_client.get("/seller/claims/AZ-1").get_data(as_text=True)
    assert "Lakeside Specialty" in html and "Accept this claim" in html
    assert 'id="claims-waiting"' in seller_client.get("/seller").get_data(as_text=True)
    post(seller_client, "AZ-1", "accept")
    assert state_of("AZ-1")[0] == "accepted"


def test_the_case_page_says_what_a_recheck_changed(seller_client, seller_user, db):
    open_case(seller_user.seller_id)
    factories.make_policy(seller_id=seller_user.seller_id, insurer=factories.make_insurer(name="Harbor Mutual"))
    assert 'id="recheck"' not in seller_client.get("/seller/claims/AZ-1").get_data(as_text=True)
    assert claim_cases.recheck_seller(seller_user.seller_id) == 1
    html = seller_client.get("/seller/claims/AZ-1").get_data(as_text=True)
    notice = html.split('id="recheck"')[1].split("</div>")[0]
    assert "changed who pays it" in notice and "Your insurer, Harbor Mutual, pays this claim." in notice
    assert "You are liable" not in html and "Accept this claim" not in html

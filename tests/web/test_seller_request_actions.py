"""A quote request's page: the insurers it went to (by name, declines with their reasons), withdrawing it
while open, and asking an expired quote's insurer again."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from accelerator.models import AuditEntry, Policy, Quote, QuoteRequest, QuoteRouting
from tests import factories
from tests.conftest import csrf_token, login_as
from tests.factories import NOW, TODAY


def _request_of(seller_user, *insurers, **values) -> QuoteRequest:
    return factories.make_quote_request(seller_id=seller_user.seller_id, routed_to=list(insurers), **values)


def _withdraw(client, request_id: int):
    url = f"/seller/requests/{request_id}"
    return client.post(f"{url}/withdraw", data={"csrf_token": csrf_token(client, url)})


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_request_page_names_each_insurer_and_each_decline_with_its_reason(seller_client, seller_user, db):
    harbor = factories.make_insurer(name="Harbor Mutual")
    rival = factories.make_insurer(name="Rival Casualty")
    quiet = factories.make_insurer(name="Quiet Indemnity")
    request = _request_of(seller_user, harbor, rival, quiet)
    factories.make_quote(request, harbor)
    routings = {r.insurer_id: r for r in db.session.execute(select(QuoteRouting)).scalars()}
    routings[harbor.id].status = "quoted"
    routings[rival.id].status = "declined"
    routings[rival.id].decline_reason = "We do not write lithium batteries."
    db.session.commit()
    html = seller_client.get(f"/seller/requests/{request.id}").get_data(as_text=True)
    section = html.split('id="insurers-title"')[1].split("</section>")[0]
    assert "Harbor Mutual" in section and "Rival Casualty" in section and "Quiet Indemnity" in section
    assert "<strong>Reason:</strong> We do not write lithium batteries." in section
    assert "No answer yet" in section  # Quiet Indemnity has not answered
    assert "Withdraw this request" in html and "data-confirm=" in html


def test_withdrawing_closes_the_request_its_routings_and_quotes_once(seller_client, seller_user, db):
    harbor = factories.make_insurer(name="Harbor Mutual")
    rival = factories.make_insurer(name="Rival Casualty")
    request = _request_of(seller_user, harbor, rival)
    quote = factories.make_quote(request, harbor)
    rival_routing = db.session.execute(
        select(QuoteRouting).where(QuoteRouting.insurer_id == rival.id)).scalar_one()
    rival_routing.status, rival_routing.decline_reason = "declined", "Not our line."
    db.session.commit()

    response = _withdraw(seller_client, request.id)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/seller/requests/{request.id}")
    db.session.expire_all()
    request = db.session.get(QuoteRequest, request.id)
    assert request.status == "closed" and request.withdrawn_at.date() == TODAY
    assert request.closed_at == request.withdrawn_at
    statuses = {r.insurer_id: r.status for r in db.session.execute(select(QuoteRouting)).scalars()}
    assert statuses == {harbor.id: "closed", rival.id: "declined"}  # a decline stays a decline
    assert db.session.get(Quote, quote.id).status == "closed"
    html = seller_client.get(f"/seller/requests/{request.id}").get_data(as_text=True)
    assert "You withdrew this request" in html and "Withdraw this request" not in html
    section = html.split('id="insurers-title"')[1].split("</section>")[0]
    assert 'Harbor Mutual</span>\n        <span class="badge badge--quoted">Quoted</span>' in section
    assert "Choose this quote" not in html

    # A second POST (a double click, a second tab) withdraws nothing more and says so.
    again = _withdraw_without_page(seller_client, request.id)
    assert again.status_code == 302
    follow = seller_client.get(again.headers["Location"]).get_data(as_text=True)
    assert "You had already withdrawn this request." in follow
    audits = db.session.execute(select(func.count()).select_from(AuditEntry)
                                .where(AuditEntry.action == "withdraw")).scalar_one()
    assert audits == 1


def test_a_withdrawn_requests_quote_cannot_be_bought(seller_client, seller_user, db):
    harbor = factories.make_insurer()
    request = _request_of(seller_user, harbor)
    quote = factories.make_quote(request, harbor)
    buy = f"/seller/requests/{request.id}/quotes/{quote.id}/buy"
    token = csrf_token(seller_client, buy)  # the confirm page, opened before withdrawing (another tab)
    _withdraw(seller_client, request.id)
    page = seller_client.get(buy)
    assert page.status_code == 409
    assert "You withdrew this quote request: its quotes can no longer be bought." in page.get_data(as_text=True)
    response = seller_client.post(buy, data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/seller/requests/{request.id}")
    assert "You withdrew this quote request" in seller_client.get(response.headers["Location"]).get_data(as_text=True)
    assert _count(db, Policy) == 0


def _withdraw_without_page(client, request_id: int):
    """POST withdraw with a token from the dashboard (the request page no longer shows the form)."""
    return client.post(f"/seller/requests/{request_id}/withdraw", data={"csrf_token": csrf_token(client, "/seller")})


def test_another_seller_cannot_withdraw_or_see_the_request(app, seller_client, seller_user, db):
    request = _request_of(seller_user, factories.make_insurer())
    other = app.test_client()
    login_as(other, factories.make_seller_user())
    response = other.post(f"/seller/requests/{request.id}/withdraw", data={"csrf_token": csrf_token(other, "/seller")})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(QuoteRequest, request.id).status == "open"
    assert db.session.get(QuoteRequest, request.id).withdrawn_at is None


def test_withdrawing_needs_the_csrf_token(seller_client, seller_user, db):
    request = _request_of(seller_user, factories.make_insurer())
    assert seller_client.post(f"/seller/requests/{request.id}/withdraw").status_code == 400
    db.session.expire_all()
    assert db.session.get(QuoteRequest, request.id).status == "open"


def test_a_request_closed_by_a_purchase_cannot_be_withdrawn_and_nothing_changes(seller_client, seller_user, db):
    harbor = factories.make_insurer()
    request = _request_of(seller_user, harbor, status="closed", closed_at=NOW - timedelta(days=2))
    quote = factories.make_quote(request, harbor, status="accepted")
    html = seller_client.get(f"/seller/requests/{request.id}").get_data(as_text=True)
    assert "Withdraw this request" not in html
    response = _withdraw_without_page(seller_client, request.id)
    assert response.status_code == 302
    follow = seller_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This request is closed: it can no longer be withdrawn." in follow
    db.session.expire_all()
    request = db.session.get(QuoteRequest, request.id)
    assert request.withdrawn_at is None and request.closed_at == NOW - timedelta(days=2)
    assert db.session.get(Quote, quote.id).status == "accepted"


def test_the_insurer_sees_the_withdrawn_request_in_its_inbox_and_cannot_quote(app, seller_client, seller_user, db):
    harbor = factories.make_insurer(name="Harbor Mutual")
    request = _request_of(seller_user, harbor, legal_name="Withdrawn Toys LLC")
    _withdraw(seller_client, request.id)
    staff = app.test_client()
    login_as(staff, factories.make_insurer_user(insurer=harbor))
    inbox = staff.get("/insurer?status=withdrawn").get_data(as_text=True)
    assert "Withdrawn Toys LLC" in inbox and 'class="badge badge--withdrawn">Withdrawn<' in inbox
    page = staff.get(f"/insurer/requests/{request.id}").get_data(as_text=True)
    assert "The seller withdrew this request" in page and "Send quote" not in page
    url = f"/insurer/requests/{request.id}"
    response = staff.post(f"{url}/quote", data={
        "csrf_token": csrf_token(staff, "/insurer"), "annual_premium": "1,800", "per_occurrence_limit": "1,000,000",
        "aggregate_limit": "2,000,000", "deductible": "1,000", "valid_until": (TODAY + timedelta(days=30)).isoformat(),
        "occurrence_based": "y", "additional_insured": "y"})
    assert response.status_code == 409
    assert _count(db, Quote) == 0


# --- ask this insurer again ---------------------------------------------------------------------------


def test_an_expired_quote_offers_to_ask_its_insurer_again_and_the_new_request_goes_to_it_alone(
        seller_client, seller_user, db):
    harbor = factories.make_insurer(name="Harbor Mutual")
    rival = factories.make_insurer(name="Rival Casualty")
    old = _request_of(seller_user, harbor, rival, desired_start_date=TODAY - timedelta(days=5),
                      per_occurrence_limit=Decimal("2000000.00"),
                      aggregate_limit=Decimal("3000000.00"))
    expired = factories.make_quote(old, harbor, valid_until=TODAY - timedelta(days=1))
    factories.make_quote(old, rival, valid_until=TODAY)  # still valid through today
    url = f"/seller/requests/{old.id}"
    html = seller_client.get(url).get_data(as_text=True)
    assert html.count("Ask this insurer again") == 1
    assert f"/seller/requests/{old.id}/quotes/{expired.id}/ask-again" in html

    action = f"/seller/requests/{old.id}/quotes/{expired.id}/ask-again"
    response = seller_client.post(action, data={"csrf_token": csrf_token(seller_client, url)})
    assert response.status_code == 302
    new = db.session.execute(select(QuoteRequest).where(QuoteRequest.id != old.id)).scalar_one()
    assert response.headers["Location"].endswith(f"/seller/requests/{new.id}")
    assert [r.insurer_id for r in new.routings] == [harbor.id]
    assert (new.legal_name, new.categories, new.per_occurrence_limit, new.aggregate_limit, new.deductible) == (
        old.legal_name, old.categories, old.per_occurrence_limit, old.aggregate_limit, old.deductible)
    assert new.desired_start_date == TODAY  # the old start had passed
    assert new.status == "open" and db.session.get(QuoteRequest, old.id).status == "open"
    follow = seller_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You asked Harbor Mutual again." in follow

    # A double click makes no second request.
    again = seller_client.post(action, data={"csrf_token": csrf_token(seller_client, url)})
    assert again.headers["Location"].endswith(f"/seller/requests/{new.id}")
    assert _count(db, QuoteRequest) == 2


def test_a_valid_quote_is_not_asked_again_and_another_sellers_quote_is_not_found(app, seller_client, seller_user, db):
    harbor = factories.make_insurer()
    request = _request_of(seller_user, harbor)
    valid = factories.make_quote(request, harbor, valid_until=TODAY)
    url = f"/seller/requests/{request.id}"
    response = seller_client.post(f"{url}/quotes/{valid.id}/ask-again",
                                  data={"csrf_token": csrf_token(seller_client, url)})
    assert response.status_code == 302
    assert "This quote is still valid" in seller_client.get(url).get_data(as_text=True)
    other = app.test_client()
    login_as(other, factories.make_seller_user())
    expired = factories.make_quote(request, factories.make_insurer(), valid_until=TODAY - timedelta(days=1))
    response = other.post(f"{url}/quotes/{expired.id}/ask-again", data={"csrf_token": csrf_token(other, "/seller")})
    assert response.status_code == 404
    assert _count(db, QuoteRequest) == 1


def test_asking_again_an_insurer_that_no_longer_fits_sends_nothing(seller_client, seller_user, db):
    harbor = factories.make_insurer(name="Harbor Mutual")
    request = _request_of(seller_user, harbor)
    expired = factories.make_quote(request, harbor, valid_until=TODAY - timedelta(days=1))
    harbor.categories = ["books"]
    db.session.commit()
    url = f"/seller/requests/{request.id}"
    response = seller_client.post(f"{url}/quotes/{expired.id}/ask-again",
                                  data={"csrf_token": csrf_token(seller_client, url)})
    assert response.headers["Location"].endswith(url)
    assert "no longer takes requests like this one" in seller_client.get(url).get_data(as_text=True)
    assert _count(db, QuoteRequest) == 1

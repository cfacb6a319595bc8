"""Buying a quote through the site: the confirm step, the one policy it makes, and the refusals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from accelerator.models import Policy, Quote, QuoteRequest, QuoteRouting
from tests import factories
from tests.conftest import login_as, post_form
from tests.factories import TODAY


def _setup(app, db):
    """A logged-in seller with a request, two quotes on it and a declined routing."""
    user = factories.make_seller_user()
    harbor = factories.make_insurer(name="Harbor Mutual", policy_prefix="HX")
    other = factories.make_insurer(name="Other Mutual")
    declined = factories.make_insurer(name="Declining Mutual")
    start = TODAY + timedelta(days=10)
    request = factories.make_quote_request(seller_id=user.seller_id, routed_to=[harbor, other],
                                           desired_start_date=start)
    factories.make_routing(request, declined, status="declined")
    chosen = factories.make_quote(request, harbor, annual_premium=Decimal("1850.00"), excluded_categories=["baby"])
    rival = factories.make_quote(request, other, annual_premium=Decimal("1990.00"))
    client = app.test_client()
    login_as(client, user)
    return client, user, request, chosen, rival, harbor


def _buy_url(request, quote):
    """The buy (confirm) URL of a quote."""
    return f"/seller/requests/{request.id}/quotes/{quote.id}/buy"


def _policies(db):
    """Every policy, read afresh."""
    db.session.expire_all()
    return db.session.execute(select(Policy)).scalars().all()


def test_confirm_step_shows_the_policy_the_quote_becomes(app, db):
    client, _user, request, chosen, _rival, _harbor = _setup(app, db)
    response = client.get(_buy_url(request, chosen))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    start = request.desired_start_date
    assert f"HX-{start.year}-{chosen.id:06d}" in html
    assert "Buy for $1,850.00" in html
    assert "Meets the marketplace requirement" in html
    assert 'name="csrf_token"' in html
    assert _policies(db) == []  # a GET buys nothing


def test_buying_records_one_verified_marketplace_policy_and_closes_the_rest(app, db):
    client, user, request, chosen, rival, harbor = _setup(app, db)
    response = post_form(client, _buy_url(request, chosen), {})
    assert response.status_code == 302
    [policy] = _policies(db)
    assert response.headers["Location"].endswith(f"/seller/policies/{policy.id}")
    start = request.desired_start_date
    assert policy.policy_number == f"HX-{start.year}-{chosen.id:06d}"
    assert (policy.source, policy.verification, policy.seller_id) == ("marketplace", "verified", user.seller_id)
    assert policy.effective_date == start
    assert policy.expiration_date == start.replace(year=start.year + 1)
    assert policy.premium == Decimal("1850.00")
    assert policy.excluded_categories == ["baby"]
    assert policy.insurer_naic_code == harbor.naic_code
    statuses = dict(db.session.execute(select(Quote.id, Quote.status)).tuples().all())
    assert statuses == {chosen.id: "accepted", rival.id: "closed"}
    assert db.session.get(QuoteRequest, request.id).status == "closed"
    routings = sorted(db.session.execute(select(QuoteRouting.status)).scalars().all())
    assert routings == ["closed", "closed", "declined"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"You bought policy {policy.policy_number}" in html


def test_a_double_click_yields_one_policy(app, db):
    client, _user, request, chosen, _rival, _harbor = _setup(app, db)
    first = post_form(client, _buy_url(request, chosen), {})
    second = post_form(client, _buy_url(request, chosen), {}, token_from=f"/seller/requests/{request.id}")
    [policy] = _policies(db)
    assert first.headers["Location"] == second.headers["Location"]
    html = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "You had already bought this quote" in html and policy.policy_number in html


def test_buying_another_quote_of_a_closed_request_is_refused(app, db):
    client, _user, request, chosen, rival, _harbor = _setup(app, db)
    post_form(client, _buy_url(request, chosen), {})
    response = post_form(client, _buy_url(request, rival), {}, token_from=f"/seller/requests/{request.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/seller/requests/{request.id}")
    assert len(_policies(db)) == 1
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This quote request is closed" in html
    assert "You bought policy" in html  # the request page points to the policy bought
    assert client.get(_buy_url(request, rival)).status_code == 409


def test_an_expired_quote_cannot_be_bought(app, db):
    client, _user, request, chosen, _rival, _harbor = _setup(app, db)
    chosen.valid_until = TODAY - timedelta(days=1)
    db.session.commit()
    page = client.get(_buy_url(request, chosen))
    assert page.status_code == 409
    assert "This quote expired on" in page.get_data(as_text=True)
    response = post_form(client, _buy_url(request, chosen), {}, token_from=f"/seller/requests/{request.id}")
    assert response.status_code == 302
    assert "This quote expired on" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _policies(db) == []
    assert db.session.get(QuoteRequest, request.id).status == "open"


def test_a_quote_of_a_suspended_insurer_cannot_be_bought(app, db):
    client, _user, request, chosen, _rival, harbor = _setup(app, db)
    harbor.status = "suspended"
    db.session.commit()
    assert "not taking new business" in client.get(_buy_url(request, chosen)).get_data(as_text=True)
    post_form(client, _buy_url(request, chosen), {}, token_from=f"/seller/requests/{request.id}")
    assert _policies(db) == []


def test_another_sellers_quote_or_a_quote_on_another_request_is_not_found(app, db, seller_client):
    _client, _user, request, chosen, _rival, _harbor = _setup(app, db)
    assert seller_client.get(_buy_url(request, chosen)).status_code == 404
    token_page = "/seller/profile"
    assert post_form(seller_client, _buy_url(request, chosen), {}, token_from=token_page).status_code == 404
    mine = factories.make_quote_request(seller_id=_user.seller_id, routed_to=[])
    assert _client.get(f"/seller/requests/{mine.id}/quotes/{chosen.id}/buy").status_code == 404
    assert _policies(db) == []


def test_buying_without_the_csrf_token_is_refused(app, db):
    client, _user, request, chosen, _rival, _harbor = _setup(app, db)
    response = client.post(_buy_url(request, chosen), data={})
    assert response.status_code == 400
    assert db.session.execute(select(func.count(Policy.id))).scalar_one() == 0

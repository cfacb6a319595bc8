"""The categories a seller sells, on the site: one list with the API's, and what policies and quotes exclude of it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from accelerator.models import Seller
from tests import factories
from tests.conftest import login_as, post_form
from tests.factories import TODAY

PROFILE = {"legal_name": "Wooden Toys LLC", "state": "WA", "categories": ["toys", "baby"],
           "monthly_gross_sales": "12,500.00"}


def _api_put_categories(client, key: str, seller_id: str, categories: list[str]):
    """PUT /api/v1/sellers/{seller_id}/categories through the app, as the marketplace."""
    return client.put(f"/api/v1/sellers/{seller_id}/categories", json={"categories": categories},
                      headers={"Authorization": f"Bearer {key}"})


def _compliance(client, key: str, seller_id: str) -> dict:
    """GET /api/v1/sellers/{seller_id}/compliance through the app, as the marketplace."""
    response = client.get(f"/api/v1/sellers/{seller_id}/compliance", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    return response.get_json()


def _section(html: str, marker: str) -> str:
    """The part of a page from `marker` to the end of its list item or table row."""
    start = html.index(marker)
    ends = [i for i in (html.find("</li>\n", start), html.find("</tr>", start)) if i != -1]
    return html[start:min(ends)]


# --- one list: the profile's and the API's -----------------------------------------------------------


def test_the_profile_shows_the_categories_the_marketplace_recorded(app, seller_client, seller_user, db):
    key = factories.make_api_key("marketplace")
    response = _api_put_categories(app.test_client(), key, seller_user.seller_id, ["pet", "home"])
    assert response.status_code == 200
    html = seller_client.get("/seller/profile").get_data(as_text=True)
    assert 'id="categories-pet" checked' in html and 'id="categories-home" checked' in html
    assert 'id="categories-toys" checked' not in html  # the factory's category was replaced
    assert 'id="categories-hint"' in html and "does not meet the marketplace requirement for you" in html


def test_the_profile_saves_the_list_compliance_weighs(app, seller_client, seller_user, db):
    sid = seller_user.seller_id
    key = factories.make_api_key("marketplace")
    api = app.test_client()
    factories.make_monthly_sales(sid, TODAY.replace(day=1) - timedelta(days=40), "25000.00")
    factories.make_policy(seller_id=sid, policy_number="NO-PETS", excluded_categories=["pet"],
                          effective_date=TODAY - timedelta(days=10), expiration_date=TODAY + timedelta(days=355))
    assert _compliance(api, key, sid)["status"] == "compliant"  # sells toys: the exclusion does not matter
    post_form(seller_client, "/seller/profile", dict(PROFILE, categories=["toys", "pet"]))
    db.session.expire_all()
    seller = db.session.execute(select(Seller).where(Seller.seller_id == sid)).scalar_one()
    assert seller.categories == ["pet", "toys"]
    answer = _compliance(api, key, sid)
    assert answer["status"] != "compliant"
    assert [(r["code"], r["policy_number"]) for r in answer["reasons"]] == [("category_excluded", "NO-PETS")]
    # And back through the API: the profile shows what the API recorded last.
    assert _api_put_categories(api, key, sid, ["toys"]).get_json()["categories"] == ["toys"]
    assert _compliance(api, key, sid)["status"] == "compliant"
    html = seller_client.get("/seller/profile").get_data(as_text=True)
    assert 'id="categories-toys" checked' in html and 'id="categories-pet" checked' not in html


# --- the dashboard -------------------------------------------------------------------------------------


def test_the_dashboard_says_which_sold_categories_a_policy_excludes(app, db):
    user = factories.make_seller_user(seller=factories.make_seller(categories=["toys", "baby", "home"]))
    sid = user.seller_id
    factories.make_monthly_sales(sid, TODAY.replace(day=1) - timedelta(days=40), "25000.00")
    no_toys = factories.make_policy(seller_id=sid, policy_number="NO-TOYS", excluded_categories=["toys", "pet"],
                                    effective_date=TODAY - timedelta(days=10),
                                    expiration_date=TODAY + timedelta(days=355))
    no_pets = factories.make_policy(seller_id=sid, policy_number="NO-PETS", excluded_categories=["pet"],
                                    effective_date=TODAY - timedelta(days=10),
                                    expiration_date=TODAY + timedelta(days=300))
    client = app.test_client()
    login_as(client, user)
    html = client.get("/seller").get_data(as_text=True)
    rows = {p.policy_number: _section(html, f'data-label="Policy"><a class="mono" href="/seller/policies/{p.id}"')
            for p in (no_toys, no_pets)}
    assert '<p class="policy-exclusion">Excludes Toys &amp; Games, which you sell</p>' in rows["NO-TOYS"]
    assert "which you sell" not in rows["NO-PETS"]  # it excludes only what the seller does not sell
    # NO-PETS meets the requirement; NO-TOYS would have been chosen (it ends later) but cannot be.
    assert "You meet the insurance requirement" in html
    assert "NO-PETS</a></dd>" in html


def test_the_snapshot_lists_the_exclusion_as_what_is_missing(app, db):
    user = factories.make_seller_user(seller=factories.make_seller(categories=["toys", "baby"]))
    sid = user.seller_id
    factories.make_monthly_sales(sid, TODAY.replace(day=1) - timedelta(days=40), "25000.00")
    factories.make_policy(seller_id=sid, policy_number="NO-KIDS", excluded_categories=["toys", "baby"],
                          effective_date=TODAY - timedelta(days=10), expiration_date=TODAY + timedelta(days=355))
    client = app.test_client()
    login_as(client, user)
    html = client.get("/seller").get_data(as_text=True)
    assert "You meet the insurance requirement" not in html
    assert "What is missing" in html
    assert "Policy NO-KIDS excludes Baby Products and Toys &amp; Games, which you sell." in html


# --- quotes: compare and confirm -------------------------------------------------------------------------


def test_a_quote_excluding_a_requested_category_does_not_meet_the_requirement(app, db):
    user = factories.make_seller_user()
    harbor = factories.make_insurer(name="Harbor Mutual")
    other = factories.make_insurer(name="Other Casualty")
    request = factories.make_quote_request(seller_id=user.seller_id, routed_to=[harbor, other],
                                           categories=["toys", "baby", "home"])
    excluding = factories.make_quote(request, harbor, excluded_categories=["baby", "pet"])
    unrelated = factories.make_quote(request, other, annual_premium=Decimal("2100.00"), excluded_categories=["pet"])
    client = app.test_client()
    login_as(client, user)
    html = client.get(f"/seller/requests/{request.id}").get_data(as_text=True)
    card = _section(html, f'id="quote-{excluding.id}"')
    assert "Does not meet the requirement" in card and "Meets the marketplace requirement" not in card
    assert "It excludes Baby Products, which your request asked to cover." in card
    card = _section(html, f'id="quote-{unrelated.id}"')
    assert "Meets the marketplace requirement" in card  # it excludes only what the request did not ask for
    confirm = client.get(f"/seller/requests/{request.id}/quotes/{excluding.id}/buy").get_data(as_text=True)
    assert "Does not meet the requirement" in confirm
    assert "It excludes Baby Products, which your request asked to cover." in confirm


def test_a_quote_is_judged_by_its_request_not_by_the_profile(app, db):
    user = factories.make_seller_user(seller=factories.make_seller(categories=["pet"]))
    insurer = factories.make_insurer()
    request = factories.make_quote_request(seller_id=user.seller_id, routed_to=[insurer], categories=["toys"])
    quote = factories.make_quote(request, insurer, excluded_categories=["pet"])
    client = app.test_client()
    login_as(client, user)
    card = _section(client.get(f"/seller/requests/{request.id}").get_data(as_text=True), f'id="quote-{quote.id}"')
    assert "Meets the marketplace requirement" in card

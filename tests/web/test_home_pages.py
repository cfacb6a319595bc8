"""Where each role lands: the seller's home (their record, policies, quote requests) and the insurer
staff's home (their insurer and the quote requests routed to it)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests import factories
from tests.conftest import login_as
from tests.factories import TODAY


def test_seller_home_shows_the_seller_and_its_own_policies_and_requests(app, db):
    seller = factories.make_seller(seller_id="SHOP000123", legal_name="Wooden Toys LLC")
    user = factories.make_seller_user(seller=seller)
    insurer = factories.make_insurer(name="Harbor Mutual")
    today = TODAY
    factories.make_policy(seller_id="SHOP000123", insurer=insurer, policy_number="HM-0001",
                          effective_date=today - timedelta(days=30), expiration_date=today + timedelta(days=335))
    factories.make_policy(seller_id="SHOP000123", insurer=insurer, policy_number="HM-OLD",
                          effective_date=today - timedelta(days=800), expiration_date=today - timedelta(days=435))
    request = factories.make_quote_request(seller_id="SHOP000123", categories=["toys", "baby"],
                                           routed_to=[insurer, factories.make_insurer()])
    factories.make_quote(request, insurer)
    other = factories.make_seller(seller_id="OTHER00001")
    factories.make_policy(seller_id=other.seller_id, policy_number="NOT-MINE-1")

    client = app.test_client()
    login_as(client, user)
    response = client.get("/seller")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("SHOP000123", "Wooden Toys LLC", "HM-0001", "HM-OLD", "Harbor Mutual", "In force",
                 "Not in force", "Toys &amp; Games", "Baby Products", "$1,000,000 per occurrence"):
        assert text in html, text
    assert "NOT-MINE-1" not in html
    assert 'data-label="Insurers asked">2<' in html
    assert 'data-label="Quotes">1<' in html
    assert html.index("HM-0001") < html.index("HM-OLD")  # latest first


def test_seller_home_without_policies_or_requests_says_so(seller_client, seller_user):
    html = seller_client.get("/seller").get_data(as_text=True)
    assert seller_user.seller_id in html
    assert "No policy is on record" in html
    assert "You have not asked for quotes yet" in html


def test_insurer_home_lists_only_requests_routed_to_its_insurer(app, db):
    mine = factories.make_insurer(name="Harbor Mutual")
    theirs = factories.make_insurer(name="Other Mutual")
    staff = factories.make_insurer_user(insurer=mine)
    factories.make_quote_request(legal_name="Routed To Us LLC", annual_revenue=Decimal("750000.00"),
                                 routed_to=[mine, theirs])
    factories.make_quote_request(legal_name="Only Them LLC", routed_to=[theirs])

    client = app.test_client()
    login_as(client, staff)
    response = client.get("/insurer")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Harbor Mutual" in html and "Approved" in html
    assert "Routed To Us LLC" in html and "$750,000" in html
    assert "Only Them LLC" not in html


def test_insurer_home_is_paginated(app, db):
    mine = factories.make_insurer(name="Busy Mutual")
    staff = factories.make_insurer_user(insurer=mine)
    seller = factories.make_seller()
    for n in range(27):
        factories.make_quote_request(seller_id=seller.seller_id, legal_name=f"Applicant {n:02d} LLC", routed_to=[mine])
    client = app.test_client()
    login_as(client, staff)
    first = client.get("/insurer").get_data(as_text=True)
    assert first.count("Applicant ") == 25
    assert 'href="/insurer?page=2"' in first
    second = client.get("/insurer?page=2").get_data(as_text=True)
    assert second.count("Applicant ") == 2
    assert client.get("/insurer?page=banana").status_code == 200


def test_staff_of_a_pending_insurer_see_that_it_awaits_approval(app, db):
    staff = factories.make_insurer_user(insurer=factories.make_insurer(name="New Mutual", status="pending"))
    client = app.test_client()
    login_as(client, staff)
    html = client.get("/insurer").get_data(as_text=True)
    assert "awaiting approval" in html and "No quote request" in html

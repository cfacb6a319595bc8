"""The insurer portal through the Flask client: the inbox (filter, sort, paginate), one request, offering and
declining, policies, webhooks and API keys, each only ever of the staff member's own insurer."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accelerator import clock
from accelerator.extensions import db as _db
from accelerator.models import ApiKey, AuditEntry, Quote, QuoteRequest, QuoteRouting, WebhookEndpoint, WebhookEvent
from accelerator.services import api_keys as api_key_service
from tests import factories
from tests.conftest import csrf_token, login_as, post_form
from tests.factories import NOW, TODAY
from tests.web.conftest import error_for, parse_page

PUBLIC_URL = "https://93.184.216.34/hooks/accelerator"  # an IP literal: no DNS needed to check it


@pytest.fixture()
def harbor(db):
    """An approved insurer."""
    return factories.make_insurer(name="Harbor Mutual")


@pytest.fixture()
def rival(db):
    """Another approved insurer, whose data Harbor's staff must never see."""
    return factories.make_insurer(name="Rival Casualty")


@pytest.fixture()
def staff(app, harbor):
    """A client logged in as Harbor's staff."""
    client = app.test_client()
    login_as(client, factories.make_insurer_user(insurer=harbor))
    return client


def _count(db, model) -> int:
    """How many rows the model's table holds."""
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _offer(**overrides) -> dict:
    """A valid offer form, with `overrides`."""
    values = {"annual_premium": "2,150.00", "per_occurrence_limit": "1,000,000", "aggregate_limit": "2000000",
              "deductible": "0", "valid_until": (TODAY + timedelta(days=20)).isoformat(),
              "occurrence_based": "y", "additional_insured": "y", "excluded_categories": ["baby"],
              "notes": "Recall sublimit $250,000."}
    values.update(overrides)
    return values


# --- inbox ------------------------------------------------------------------------------------------


def test_the_inbox_lists_only_requests_routed_to_the_insurer_with_counts(staff, harbor, rival):
    factories.make_quote_request(legal_name="Routed To Us LLC", routed_to=[harbor, rival])
    factories.make_quote_request(legal_name="Only Rival LLC", routed_to=[rival])
    html = staff.get("/insurer").get_data(as_text=True)
    assert "Routed To Us LLC" in html and "Only Rival LLC" not in html
    assert re.search(r"All <span class=\"status-tabs__count\">1</span>", html)


def _routed(harbor, name, status="open", request_status="open", **values):
    """A request routed to the insurer with a routing status (and the request's own status)."""
    request = factories.make_quote_request(legal_name=name, status=request_status, **values)
    factories.make_routing(request, harbor, status=status)
    return request


def _inbox_of_every_standing(harbor, rival):
    """One request routed to Harbor in each standing the inbox tells apart."""
    _routed(harbor, "Open One LLC")
    quoted = _routed(harbor, "Quoted One LLC", status="quoted")
    factories.make_quote(quoted, harbor, valid_until=TODAY)  # valid through today
    expired = _routed(harbor, "Expired One LLC", status="quoted")
    factories.make_quote(expired, harbor, valid_until=TODAY - timedelta(days=1))
    _routed(harbor, "Declined One LLC", status="declined")
    won = _routed(harbor, "Won One LLC", status="closed", request_status="closed")
    factories.make_quote(won, harbor, status="accepted")
    lost = _routed(harbor, "Lost One LLC", status="closed", request_status="closed")  # bought elsewhere
    factories.make_quote(lost, harbor, status="closed")
    factories.make_routing(lost, rival, status="closed")
    factories.make_quote(lost, rival, status="accepted")
    _routed(harbor, "Withdrawn One LLC", status="closed", request_status="closed", withdrawn_at=NOW)


EVERY_STANDING = {"Open One LLC", "Quoted One LLC", "Expired One LLC", "Declined One LLC", "Won One LLC",
                  "Lost One LLC", "Withdrawn One LLC"}


@pytest.mark.parametrize("status, shown", [
    ("open", {"Open One LLC"}),
    ("quoted", {"Quoted One LLC"}),
    ("expired", {"Expired One LLC"}),
    ("declined", {"Declined One LLC"}),
    ("won", {"Won One LLC"}),
    ("lost", {"Lost One LLC"}),
    ("withdrawn", {"Withdrawn One LLC"}),
    ("", EVERY_STANDING),
])
def test_the_inbox_filters_by_status_as_the_insurer_sees_it(staff, harbor, rival, status, shown):
    _inbox_of_every_standing(harbor, rival)
    response = staff.get(f"/insurer?status={status}")
    assert response.status_code == 200
    names = set(re.findall(r">([A-Za-z ]+ LLC)</a>", response.get_data(as_text=True)))
    assert names == shown


def test_the_inbox_labels_won_lost_withdrawn_and_expired_apart_with_their_counts(staff, harbor, rival):
    _inbox_of_every_standing(harbor, rival)
    html = staff.get("/insurer").get_data(as_text=True)
    badge = r'<td data-label="Status"><span class="badge badge--\w+">([^<]+)</span>'
    rows = dict(re.findall(r">([A-Za-z ]+ LLC)</a>.*?" + badge, html, re.S))
    assert rows == {"Open One LLC": "Open", "Quoted One LLC": "Quoted", "Expired One LLC": "Quote expired",
                    "Declined One LLC": "Declined", "Won One LLC": "Won", "Lost One LLC": "Lost",
                    "Withdrawn One LLC": "Withdrawn"}
    tabs = dict(re.findall(r'status-tabs__link"[^>]*>([A-Za-z ]+) <span class="status-tabs__count">(\d+)</span>', html))
    assert tabs == {"All": "7", "Open": "1", "Quoted": "1", "Quote expired": "1", "Declined": "1", "Won": "1",
                    "Lost": "1", "Withdrawn": "1"}
    assert staff.get("/insurer?status=closed").status_code == 400  # the old catch-all is no tab any more


@pytest.mark.parametrize("name, notice", [
    ("Won One LLC", "the seller bought your quote"),
    ("Lost One LLC", "the seller bought another insurer's quote"),
    ("Withdrawn One LLC", "The seller withdrew this request"),
    ("Expired One LLC", "Your quote on this request has expired"),
])
def test_a_request_page_says_how_the_request_ended_for_the_insurer(staff, harbor, rival, name, notice):
    _inbox_of_every_standing(harbor, rival)
    request_id = _db.session.execute(select(QuoteRequest.id).where(QuoteRequest.legal_name == name)).scalar_one()
    html = staff.get(f"/insurer/requests/{request_id}").get_data(as_text=True)
    assert notice in html
    assert ("Send quote" in html) == (name == "Expired One LLC")  # only an expired quote may be replaced


def test_the_inbox_sorts_by_date_revenue_and_start_date(staff, harbor):
    now = clock.now()
    for name, revenue, start, age in (("Alpha LLC", "500000.00", 40, 3), ("Bravo LLC", "900000.00", 10, 1),
                                      ("Charlie LLC", "100000.00", 25, 2)):
        request = factories.make_quote_request(legal_name=name, annual_revenue=Decimal(revenue),
                                               desired_start_date=TODAY + timedelta(days=start))
        factories.make_routing(request, harbor, routed_at=now - timedelta(days=age))

    def order(query: str) -> list[str]:
        """The sellers' names on the inbox page, in order."""
        return re.findall(r">([A-Za-z]+ LLC)</a>", staff.get(f"/insurer?{query}").get_data(as_text=True))

    assert order("") == ["Bravo LLC", "Charlie LLC", "Alpha LLC"]
    assert order("sort=oldest") == ["Alpha LLC", "Charlie LLC", "Bravo LLC"]
    assert order("sort=revenue") == ["Bravo LLC", "Alpha LLC", "Charlie LLC"]
    assert order("sort=start") == ["Bravo LLC", "Charlie LLC", "Alpha LLC"]


def test_the_inbox_paginates_and_keeps_filter_and_sort_in_its_links(staff, harbor):
    for n in range(27):
        _routed(harbor, f"Applicant {n:02d} LLC", status="quoted", annual_revenue=Decimal(10000 + n))
    _routed(harbor, "Still Open LLC")
    first = staff.get("/insurer?status=quoted&sort=revenue").get_data(as_text=True)
    assert first.count(" LLC</a>") == 25 and "Applicant 26 LLC" in first and "Still Open LLC" not in first
    assert 'href="/insurer?page=2&amp;status=quoted&amp;sort=revenue"' in first
    second = staff.get("/insurer?page=2&status=quoted&sort=revenue").get_data(as_text=True)
    assert second.count(" LLC</a>") == 2 and "Applicant 00 LLC" in second
    assert staff.get("/insurer?page=99").status_code == 200


@pytest.mark.parametrize("query", ["status=everything", "sort=premium", "status=%00&sort=%FF", "page=-3"])
def test_a_bad_filter_is_answered_with_the_default_view_not_an_error(staff, harbor, query):
    _routed(harbor, "Open One LLC")
    response = staff.get(f"/insurer?{query}")
    assert response.status_code in (200, 400)
    assert "Open One LLC" in response.get_data(as_text=True)


# --- one request, offering and declining -------------------------------------------------------------


def test_the_request_page_shows_every_field_of_the_application(staff, harbor):
    request = factories.make_quote_request(
        legal_name="Little Oak Toys LLC", seller_id=factories.make_seller(seller_id="OAK123456").seller_id,
        state="WA", categories=["toys", "baby"], annual_revenue=Decimal("380000.00"),
        top_products="Wooden blocks\nTeething rings", states_shipped=["CA", "OR"], claims_last_3_years=2,
        per_occurrence_limit=Decimal("2000000.00"), aggregate_limit=Decimal("4000000.00"),
        deductible=Decimal("5000.00"), desired_start_date=date(2027, 3, 1), routed_to=[harbor])
    html = staff.get(f"/insurer/requests/{request.id}").get_data(as_text=True)
    for text in ("Little Oak Toys LLC", "OAK123456", "Washington", "$380,000.00", "Wooden blocks\nTeething rings",
                 "California", "Oregon", "Toys &amp; Games", "Baby Products", "$2,000,000.00", "$4,000,000.00",
                 "$5,000.00", "March 1, 2027", "<dd>2</dd>"):
        assert text in html, text
    # The offer form starts from what the seller asked for.
    assert 'value="2,000,000.00"' in html and 'value="5,000.00"' in html


def test_another_insurers_request_is_not_found_and_cannot_be_answered(app, staff, harbor, rival, db):
    theirs = factories.make_quote_request(routed_to=[rival])
    token = csrf_token(staff, "/insurer/api-keys")
    assert staff.get(f"/insurer/requests/{theirs.id}").status_code == 404
    assert staff.get("/insurer/requests/999999").status_code == 404
    assert staff.post(f"/insurer/requests/{theirs.id}/quote", data={**_offer(), "csrf_token": token}).status_code == 404
    assert staff.post(f"/insurer/requests/{theirs.id}/decline",
                      data={"reason": "no", "csrf_token": token}).status_code == 404
    assert _count(db, Quote) == 0
    assert db.session.execute(select(QuoteRouting.status)).scalar_one() == "open"


def test_offering_a_quote_records_it_marks_the_request_quoted_and_audits(staff, harbor, db):
    request = factories.make_quote_request(legal_name="Little Oak Toys LLC", routed_to=[harbor])
    url = f"/insurer/requests/{request.id}"
    response = post_form(staff, f"{url}/quote", _offer(), token_from=url)
    assert response.status_code == 302 and response.headers["Location"] == url
    quote = db.session.execute(select(Quote)).scalar_one()
    assert (quote.annual_premium, quote.per_occurrence_limit, quote.deductible) == (
        Decimal("2150.00"), Decimal("1000000.00"), Decimal("0.00"))
    assert quote.excluded_categories == ["baby"] and quote.occurrence_based and quote.additional_insured
    assert quote.notes == "Recall sublimit $250,000." and quote.insurer_id == harbor.id
    assert db.session.execute(select(QuoteRouting.status)).scalar_one() == "quoted"
    audit = db.session.execute(select(AuditEntry.action).where(AuditEntry.object_type == "quote")).scalar_one()
    assert audit == "offer"
    page = staff.get(url).get_data(as_text=True)
    assert "Your quote of $2,150.00 a year was sent to Little Oak Toys LLC." in page
    assert "$2,150.00" in page and "Offer another quote" in page


def test_unchecked_terms_are_sent_as_false(staff, harbor, db):
    request = factories.make_quote_request(routed_to=[harbor])
    url = f"/insurer/requests/{request.id}"
    offer = _offer()
    del offer["occurrence_based"], offer["additional_insured"]
    first = post_form(staff, f"{url}/quote", offer, token_from=url)
    assert first.status_code == 200 and _count(db, Quote) == 0  # below the requirement: asked to confirm
    confirmed = ["This quote is claims-made; the requirement is an occurrence-based policy.",
                 "This quote does not name the marketplace as additional insured."]
    assert post_form(staff, f"{url}/quote", {**offer, "send_anyway": "1", "confirmed_shortfall": confirmed},
                     token_from=url).status_code == 302
    quote = db.session.execute(select(Quote)).scalar_one()
    assert quote.occurrence_based is False and quote.additional_insured is False


@pytest.mark.parametrize("field, value, message", [
    ("annual_premium", "", "Enter the annual premium."),
    ("annual_premium", "-5", "must not be negative"),
    ("annual_premium", "12.345", "at most two decimals"),
    ("annual_premium", "1e3", "plain decimal notation"),
    ("aggregate_limit", "500000", "Must be at least the per-occurrence limit."),
    ("deductible", "1000000", "Must be less than the per-occurrence limit."),
    ("deductible", "", "Enter the deductible"),
    ("valid_until", "2020-01-01", "Must be today or later."),
    ("valid_until", "2026-02-30", "not a real calendar date"),
    ("valid_until", "", "Enter the last day"),
    ("excluded_categories", ["weapons"], "is not a valid choice"),
    ("notes", "x" * 2001, "at most 2,000 characters"),
])
def test_a_wrong_offer_is_shown_at_its_field_and_saves_nothing(staff, harbor, db, field, value, message):
    request = factories.make_quote_request(routed_to=[harbor])
    url = f"/insurer/requests/{request.id}"
    response = post_form(staff, f"{url}/quote", _offer(**{field: value}), token_from=url)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    if field == "excluded_categories":  # a checkbox group: its fieldset carries the error
        assert 'id="excluded_categories-error"' in html and message in html
    else:
        assert message in error_for(html, field)
    assert "There is a problem" in html
    assert _count(db, Quote) == 0
    assert db.session.execute(select(QuoteRouting.status)).scalar_one() == "open"


def test_a_closed_request_takes_no_quote_and_says_why(staff, harbor, db):
    request = factories.make_quote_request(routed_to=[harbor], status="closed")
    url = f"/insurer/requests/{request.id}"
    page = staff.get(url).get_data(as_text=True)
    assert "This request is closed" in page and "Send quote" not in page
    response = post_form(staff, f"{url}/quote", _offer(), token_from="/insurer/api-keys")
    assert response.status_code == 409
    assert "This quote request is closed." in response.get_data(as_text=True)
    assert _count(db, Quote) == 0


def test_declining_with_a_reason_then_no_more_quotes(staff, harbor, db):
    request = factories.make_quote_request(routed_to=[harbor])
    url = f"/insurer/requests/{request.id}"
    refused = post_form(staff, f"{url}/decline", {"reason": ""}, token_from=url)
    assert refused.status_code == 400
    assert 'value="1,000,000.00"' in refused.get_data(as_text=True)  # the offer form still shows the ask
    response = post_form(staff, f"{url}/decline", {"reason": "Teething products are outside our appetite."},
                         token_from=url)
    assert response.status_code == 302
    routing = db.session.execute(select(QuoteRouting)).scalar_one()
    assert routing.status == "declined" and routing.decline_reason == "Teething products are outside our appetite."
    page = staff.get(url).get_data(as_text=True)
    assert "You declined this request" in page and "Send quote" not in page
    refused = post_form(staff, f"{url}/quote", _offer(), token_from="/insurer/api-keys")
    assert refused.status_code == 409 and _count(db, Quote) == 0


def test_a_quoted_request_cannot_be_declined(staff, harbor, db):
    request = factories.make_quote_request(routed_to=[harbor])
    url = f"/insurer/requests/{request.id}"
    post_form(staff, f"{url}/quote", _offer(), token_from=url)
    response = post_form(staff, f"{url}/decline", {"reason": "Changed our mind"}, token_from="/insurer/api-keys")
    assert response.status_code == 409
    assert "You already quoted this request." in response.get_data(as_text=True)
    assert db.session.execute(select(QuoteRouting.status)).scalar_one() == "quoted"


def test_every_input_of_the_request_page_has_a_label(staff, harbor):
    request = factories.make_quote_request(routed_to=[harbor])
    page = parse_page(staff.get(f"/insurer/requests/{request.id}").get_data(as_text=True))
    visible = [c for c in page.controls if c.get("type") != "hidden"]
    assert visible and all(c.get("id") in page.label_for for c in visible)


# --- policies ---------------------------------------------------------------------------------------


def test_policies_show_claims_paid_and_the_aggregate_remaining_only_of_the_insurer(staff, harbor, rival):
    factories.make_policy(insurer=harbor, policy_number="HM-0001", claims_paid=Decimal("1500.00"))
    factories.make_policy(insurer=harbor, policy_number="HM-0002", claims_paid=Decimal("2500000.00"))
    factories.make_policy(insurer=rival, policy_number="RC-0001")
    html = staff.get("/insurer/policies").get_data(as_text=True)
    assert "HM-0001" in html and "HM-0002" in html and "RC-0001" not in html
    assert "$1,500.00" in html and "$1,998,500.00" in html  # 2,000,000 - 1,500
    assert "$2,500,000.00" in html and "$0.00" in html  # paid past the aggregate: nothing remains


def test_policies_are_paginated(staff, harbor):
    seller = factories.make_seller()
    for n in range(27):
        factories.make_policy(insurer=harbor, seller_id=seller.seller_id, policy_number=f"HM-{n:04d}")
    first = staff.get("/insurer/policies").get_data(as_text=True)
    second = staff.get("/insurer/policies?page=2").get_data(as_text=True)
    assert first.count("HM-00") == 25 and second.count("HM-00") == 2
    assert 'href="/insurer/policies?page=2"' in first


# --- webhooks ---------------------------------------------------------------------------------------


def test_registering_an_endpoint_shows_its_secret_once(staff, harbor, db):
    response = post_form(staff, "/insurer/webhooks", {"url": PUBLIC_URL}, token_from="/insurer/webhooks")
    assert response.status_code == 200
    endpoint = db.session.execute(select(WebhookEndpoint)).scalar_one()
    assert endpoint.insurer_id == harbor.id and endpoint.url == PUBLIC_URL
    assert endpoint.secret in response.get_data(as_text=True)
    listing = staff.get("/insurer/webhooks").get_data(as_text=True)
    assert PUBLIC_URL in listing and endpoint.secret not in listing


@pytest.mark.parametrize("url, message", [
    ("http://93.184.216.34/hook", "Must be an https:// URL."),
    ("https://10.0.0.1/hook", "Must resolve only to public addresses"),
    ("", "Enter the https URL"),
])
def test_a_refused_endpoint_url_is_explained_at_the_field(staff, db, url, message):
    response = post_form(staff, "/insurer/webhooks", {"url": url}, token_from="/insurer/webhooks")
    assert response.status_code == 400
    assert message in error_for(response.get_data(as_text=True), "url")
    assert _count(db, WebhookEndpoint) == 0


def test_the_delivery_log_and_removing_an_endpoint(staff, harbor, rival, db):
    from accelerator.services import webhooks

    mine = WebhookEndpoint(insurer_id=harbor.id, url=PUBLIC_URL, secret="whsec_x", active=True)
    theirs = WebhookEndpoint(insurer_id=rival.id, url="https://93.184.216.35/rival", secret="whsec_y", active=True)
    db.session.add_all([mine, theirs])
    db.session.commit()
    webhooks.emit(harbor.id, "policy.cancelled", {"policy": {}})
    webhooks.emit(rival.id, "quote.accepted", {"quote": {}})
    db.session.commit()
    listing = staff.get("/insurer/webhooks").get_data(as_text=True)
    assert "policy.cancelled" in listing and "quote.accepted" not in listing and "/rival" not in listing
    assert "Not tried yet" in listing

    token = csrf_token(staff, "/insurer/webhooks")
    assert staff.post(f"/insurer/webhooks/{theirs.id}/remove", data={"csrf_token": token}).status_code == 404
    assert staff.post(f"/insurer/webhooks/{mine.id}/remove", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, mine.id).active is False
    assert db.session.get(WebhookEndpoint, theirs.id).active is True
    events = dict(db.session.execute(select(WebhookEvent.insurer_id, WebhookEvent.status)).all())
    assert events == {harbor.id: "failed", rival.id: "pending"}


# --- API keys ---------------------------------------------------------------------------------------


def test_creating_a_key_shows_it_once_and_keeps_only_its_prefix_and_hash(staff, harbor, db):
    response = post_form(staff, "/insurer/api-keys", {"name": "Policy admin system"}, token_from="/insurer/api-keys")
    assert response.status_code == 200
    raw = re.search(r'id="api-key" type="text" value="([^"]+)"', response.get_data(as_text=True)).group(1)
    key = db.session.execute(select(ApiKey)).scalar_one()
    assert key.insurer_id == harbor.id and key.role == "insurer" and key.name == "Policy admin system"
    assert key.prefix == raw[:12] and key.key_hash == api_key_service.hash_key(raw)
    listing = staff.get("/insurer/api-keys").get_data(as_text=True)
    assert key.prefix in listing and raw not in listing and "Never" in listing


def test_the_key_list_shows_last_use_and_only_the_insurers_keys(staff, harbor, rival, db):
    factories.make_api_key(insurer=harbor, name="Used key")
    factories.make_api_key(insurer=rival, name="Rival key")
    used = db.session.execute(select(ApiKey).where(ApiKey.name == "Used key")).scalar_one()
    used.last_used_at = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
    db.session.commit()
    listing = staff.get("/insurer/api-keys").get_data(as_text=True)
    assert "Used key" in listing and "2026-05-04 09:30 UTC" in listing and "Rival key" not in listing


def test_revoking_a_key_only_ever_touches_the_insurers_own(staff, harbor, rival, db):
    factories.make_api_key(insurer=harbor, name="Mine")
    factories.make_api_key(insurer=rival, name="Theirs")
    mine, theirs = (db.session.execute(select(ApiKey).where(ApiKey.name == n)).scalar_one() for n in ("Mine", "Theirs"))
    token = csrf_token(staff, "/insurer/api-keys")
    assert staff.post(f"/insurer/api-keys/{theirs.prefix}/revoke", data={"csrf_token": token}).status_code == 404
    assert staff.post(f"/insurer/api-keys/{mine.prefix}/revoke", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiKey, mine.id).revoked_at is not None
    assert db.session.get(ApiKey, theirs.id).revoked_at is None
    assert "Revoked" in staff.get("/insurer/api-keys").get_data(as_text=True)


def test_staff_of_a_pending_insurer_are_told_keys_wait_for_approval(app, db):
    client = app.test_client()
    login_as(client, factories.make_insurer_user(insurer=factories.make_insurer(status="pending")))
    response = post_form(client, "/insurer/api-keys", {"name": "Too early"}, token_from="/insurer/api-keys")
    assert response.status_code == 409
    assert "Keys are only made for approved insurers." in response.get_data(as_text=True)
    assert _count(db, ApiKey) == 0


def test_a_key_name_is_required(staff, db):
    response = post_form(staff, "/insurer/api-keys", {"name": "  "}, token_from="/insurer/api-keys")
    assert response.status_code == 400
    assert "Name the key" in error_for(response.get_data(as_text=True), "name")
    assert _count(db, ApiKey) == 0


# --- hostile input -------------------------------------------------------------------------------------

NASTY = ["", "\x00", "x" * 20_000, "💥 émoji", "<script>alert(1)</script>", "' OR 1=1 --", "9" * 400, "-1", "1e309",
         "NaN", "\r\nSet-Cookie: x=1"]


@pytest.mark.parametrize("value", NASTY)
def test_the_portals_forms_never_fail_and_escape_what_they_show(staff, harbor, db, value):
    request = factories.make_quote_request(routed_to=[harbor])
    token = csrf_token(staff, "/insurer/api-keys")
    fields = ("annual_premium", "per_occurrence_limit", "aggregate_limit", "deductible", "valid_until",
              "occurrence_based", "additional_insured", "excluded_categories", "notes", "reason", "url", "name")
    for path in (f"/insurer/requests/{request.id}/quote", f"/insurer/requests/{request.id}/decline",
                 "/insurer/webhooks", "/insurer/api-keys"):
        response = staff.post(path, data={"csrf_token": token, **dict.fromkeys(fields, value)})
        assert response.status_code < 500, (path, response.status_code)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    for query in (f"status={value}", f"sort={value}", f"page={value}"):
        assert staff.get("/insurer", query_string=query).status_code in (200, 400)
    assert staff.get("/insurer/policies", query_string={"page": value}).status_code == 200
    assert staff.get("/insurer/webhooks", query_string={"page": value}).status_code == 200


@pytest.mark.parametrize("path, current", [
    ("/insurer", "Quote requests"),
    ("/insurer/requests/{request_id}", "Quote requests"),
    ("/insurer/confirmations", "Confirmations"),
    ("/insurer/claims", "Claims"),
    ("/insurer/quotes/upload", "Upload quotes"),
    ("/insurer/policies", "Policies"),
    ("/insurer/webhooks", "Webhooks"),
    ("/insurer/api-keys", "API keys"),
    ("/insurer/reports/", "Reports"),
    ("/insurer/reports/bordereau", "Reports"),
])
def test_every_portal_page_has_the_same_tabs_with_its_own_marked_current(staff, harbor, path, current):
    request = factories.make_quote_request(routed_to=[harbor])
    html = staff.get(path.format(request_id=request.id)).get_data(as_text=True)
    nav = html.split('<nav class="portal-nav" aria-label="Insurer portal">')[1].split("</nav>")[0]
    tabs = re.findall(r'<a class="portal-nav__link" href="[^"]+"( aria-current="page")?>([^<]+)</a>', nav)
    assert [label for _mark, label in tabs] == ["Quote requests", "Confirmations", "Claims", "Upload quotes",
                                                "Policies", "Webhooks", "API keys", "Reports"]
    assert [label for mark, label in tabs if mark] == [current]
    assert html.count('class="portal-nav"') == 1

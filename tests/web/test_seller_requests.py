"""Ask once: the quote-request form, routing feedback (also when nobody matches), and comparing quotes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from accelerator.models import QuoteRequest, QuoteRouting, WebhookEndpoint, WebhookEvent
from tests import factories
from tests.conftest import login_as, post_form
from tests.factories import TODAY
from tests.web.conftest import error_for, parse_page


def _form(**overrides) -> dict:
    """A valid quote-request form, with overrides."""
    values = {
        "legal_name": "Wooden Toys LLC", "state": "CA", "categories": ["toys"], "annual_revenue": "250,000",
        "top_products": "Wooden blocks", "states_shipped": ["CA", "NY"], "claims_last_3_years": "0",
        "per_occurrence_limit": "1,000,000", "aggregate_limit": "2,000,000", "deductible": "1,000",
        "desired_start_date": (TODAY + timedelta(days=14)).isoformat(),
    }
    values.update(overrides)
    return values


def _count(db, model) -> int:
    """How many rows a table has."""
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_form_has_every_field_labelled_and_defaults_that_meet_the_requirement(seller_client):
    response = seller_client.get("/seller/requests/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = parse_page(html)
    names = {c.get("name") for c in page.controls}
    assert {"legal_name", "state", "categories", "annual_revenue", "top_products", "states_shipped",
            "claims_last_3_years", "per_occurrence_limit", "aggregate_limit", "deductible",
            "desired_start_date"} <= names
    for control in page.controls:
        if control.get("type") != "hidden":
            assert control.get("id") in page.label_for, control
    assert 'value="1,000,000.00"' in html and 'value="2,000,000.00"' in html and 'value="1,000.00"' in html
    assert (TODAY + timedelta(days=14)).isoformat() in html


def test_submitting_routes_it_and_says_how_many_insurers_received_it(seller_client, seller_user, db):
    matching = [factories.make_insurer(), factories.make_insurer()]
    factories.make_insurer(categories=["books"])  # does not write toys
    db.session.add(WebhookEndpoint(insurer_id=matching[0].id, url="https://hooks.example/x", secret="s"))
    db.session.commit()
    response = post_form(seller_client, "/seller/requests/new", _form())
    assert response.status_code == 302
    request = db.session.execute(select(QuoteRequest)).scalar_one()
    assert response.headers["Location"].endswith(f"/seller/requests/{request.id}")
    assert request.seller_id == seller_user.seller_id
    assert request.annual_revenue == Decimal("250000.00")
    assert request.states_shipped == ["CA", "NY"]
    routed = db.session.execute(select(QuoteRouting.insurer_id)).scalars().all()
    assert sorted(routed) == sorted(i.id for i in matching)
    assert db.session.execute(select(WebhookEvent.event_type)).scalars().all() == ["quote_request.routed"]
    html = seller_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your request went to 2 insurers" in html
    assert "Sent to 2 insurers" in html
    assert "No quote yet" in html


def test_when_no_insurer_matches_it_is_explained_and_the_request_stays_visible(seller_client, db):
    factories.make_insurer(licensed_states=["NY"], categories=["toys"])
    factories.make_insurer(licensed_states=["CA"], categories=["books"])
    response = post_form(seller_client, "/seller/requests/new", _form(categories=["toys"], state="CA"))
    assert response.status_code == 302
    html = seller_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No approved insurer covers this request" in html
    assert "No insurer received this request" in html
    assert "but none does all three" in html
    assert _count(db, QuoteRequest) == 1
    dashboard = seller_client.get("/seller").get_data(as_text=True)
    assert "No insurer matched" in dashboard


def test_no_match_names_the_category_nobody_writes_the_state_and_the_revenue(seller_client, db):
    factories.make_insurer(licensed_states=["NY"], categories=["toys"], max_revenue=Decimal("100000.00"))
    response = post_form(seller_client, "/seller/requests/new",
                         _form(categories=["toys", "pet"], state="CA", annual_revenue="900,000"))
    html = seller_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No approved insurer writes Pet Supplies." in html
    assert "No approved insurer is licensed in California." in html
    assert "No approved insurer takes sellers with annual revenue of $900,000.00." in html


def test_no_match_without_any_approved_insurer(seller_client, db):
    factories.make_insurer(status="pending")
    response = post_form(seller_client, "/seller/requests/new", _form())
    html = seller_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "There is no approved insurer on the Accelerator yet." in html


def test_bad_input_re_renders_with_field_errors_and_saves_nothing(seller_client, db):
    factories.make_insurer()
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    response = post_form(seller_client, "/seller/requests/new", _form(
        legal_name="", categories=[], annual_revenue="lots", claims_last_3_years="-1",
        aggregate_limit="500,000", desired_start_date=yesterday))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter your legal business name" in error_for(html, "legal_name")
    assert "plain decimal notation" in error_for(html, "annual_revenue")
    assert "0 to 999" in error_for(html, "claims_last_3_years")
    assert "cannot be in the past" in error_for(html, "desired_start_date")
    assert 'id="categories-error"' in html
    assert _count(db, QuoteRequest) == 0 and _count(db, QuoteRouting) == 0


def test_rules_across_fields_come_back_from_the_service_at_the_field(seller_client, db):
    response = post_form(seller_client, "/seller/requests/new", _form(aggregate_limit="500,000",
                                                                      deductible="2,000,000"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "at least the per-occurrence limit" in error_for(html, "aggregate_limit")
    assert "less than the per-occurrence limit" in error_for(html, "deductible")
    assert _count(db, QuoteRequest) == 0


def test_start_date_more_than_a_year_ahead_is_refused(seller_client, db):
    far = (TODAY + timedelta(days=400)).isoformat()
    response = post_form(seller_client, "/seller/requests/new", _form(desired_start_date=far))
    assert response.status_code == 400
    assert "within a year" in error_for(response.get_data(as_text=True), "desired_start_date")


def _request_with_quotes(seller_id):
    """A request with a cheap short quote, a broad one, and an expired fair one."""
    cheap = factories.make_insurer(name="Cheap Mutual", am_best_rating="B+")
    broad = factories.make_insurer(name="Broad Casualty", am_best_rating="A+")
    fair = factories.make_insurer(name="Fair Insurance", am_best_rating="A")
    request = factories.make_quote_request(seller_id=seller_id, routed_to=[cheap, broad, fair])
    q_cheap = factories.make_quote(request, cheap, annual_premium=Decimal("900.00"),
                                   per_occurrence_limit=Decimal("500000.00"), aggregate_limit=Decimal("500000.00"),
                                   deductible=Decimal("25000.00"), excluded_categories=["baby"])
    q_broad = factories.make_quote(request, broad, annual_premium=Decimal("3200.00"),
                                   per_occurrence_limit=Decimal("2000000.00"), aggregate_limit=Decimal("4000000.00"))
    q_fair = factories.make_quote(request, fair, annual_premium=Decimal("1850.00"),
                                  valid_until=TODAY - timedelta(days=1))
    return request, q_cheap, q_broad, q_fair


def test_compare_shows_each_quote_with_terms_rating_and_requirement_badge(app, db):
    user = factories.make_seller_user()
    request, q_cheap, q_broad, q_fair = _request_with_quotes(user.seller_id)
    client = app.test_client()
    login_as(client, user)
    html = client.get(f"/seller/requests/{request.id}").get_data(as_text=True)
    cheap = html[html.index(f'id="quote-{q_cheap.id}"'):]
    cheap = cheap[:cheap.index("</li>\n")]
    for text in ("Cheap Mutual", "AM Best <strong>B+</strong>", "$900.00", "$500,000", "$25,000.00",
                 "Baby Products", "Does not meet the requirement",
                 "The per-occurrence limit $500,000.00 is below the required $1,000,000.00 and the aggregate "
                 "limit $500,000.00 is below the required $1,000,000.00.",
                 "The deductible $25,000.00 is above the allowed $10,000.00.",
                 "Rated B+ by AM Best: its policies do not meet the marketplace",
                 "below A-"):
        assert text in cheap, text
    broad = html[html.index(f'id="quote-{q_broad.id}"'):]
    broad = broad[:broad.index("</li>\n")]
    assert "Meets the marketplace requirement" in broad and "Choose this quote" in broad
    assert "below A-" not in broad and "Rated A+ by AM Best" not in broad
    fair = html[html.index(f'id="quote-{q_fair.id}"'):]
    fair = fair[:fair.index("</li>\n")]
    assert "(expired)" in fair and "cannot be bought" in fair and "Choose this quote" not in fair


def test_quotes_sort_by_premium_by_default_and_by_limit_on_request(app, db):
    user = factories.make_seller_user()
    request, q_cheap, q_broad, q_fair = _request_with_quotes(user.seller_id)
    client = app.test_client()
    login_as(client, user)

    def order(url):
        """The quote ids in the order the page shows them."""
        html = client.get(url).get_data(as_text=True)
        return sorted((html.index(f'id="quote-{q.id}"'), q.id) for q in (q_cheap, q_broad, q_fair))

    by_premium = [qid for _, qid in order(f"/seller/requests/{request.id}")]
    assert by_premium == [q_cheap.id, q_fair.id, q_broad.id]
    by_limit = [qid for _, qid in order(f"/seller/requests/{request.id}?sort=limit")]
    assert by_limit == [q_broad.id, q_fair.id, q_cheap.id]
    assert [qid for _, qid in order(f"/seller/requests/{request.id}?sort=<script>")] == by_premium
    html = client.get(f"/seller/requests/{request.id}?sort=limit").get_data(as_text=True)
    assert 'sort=limit" class="sort-links__link" aria-current="true"' in html


def test_another_sellers_request_is_not_found(seller_client, db):
    other = factories.make_quote_request(routed_to=[factories.make_insurer()])
    assert seller_client.get(f"/seller/requests/{other.id}").status_code == 404
    assert seller_client.get("/seller/requests/999999").status_code == 404

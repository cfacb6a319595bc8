"""The rating rule as sellers meet it: insurers rated below the minimum are marked in the directory and on
their quotes, and get a quote request only when the seller ticks for them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from html import unescape

from sqlalchemy import select

from accelerator.models import QuoteRequest, QuoteRouting
from tests import factories
from tests.conftest import login_as, post_form
from tests.factories import TODAY
from tests.web.conftest import field_control, parse_page

NOTICE = "Rated {} by AM Best: its policies do not meet the marketplace's requirement (A- or better)."


def _text(response) -> str:
    """A page's HTML with its entities decoded, as a person reads it."""
    return unescape(response.get_data(as_text=True))


def _card(html: str, start: str, end: str) -> str:
    """The part of a page from `start` to the next `end`."""
    part = html[html.index(start):]
    return part[:part.index(end)]


def _form(**overrides) -> dict:
    """A valid quote request from a Californian toy seller (the box left unticked)."""
    values = {
        "legal_name": "Wooden Toys LLC", "state": "CA", "categories": ["toys"], "annual_revenue": "250,000",
        "top_products": "Wooden blocks", "states_shipped": ["CA"], "claims_last_3_years": "0",
        "per_occurrence_limit": "1,000,000", "aggregate_limit": "2,000,000", "deductible": "1,000",
        "desired_start_date": (TODAY + timedelta(days=14)).isoformat(),
    }
    values.update(overrides)
    return values


def _routed(db, request_id: int) -> set[int]:
    """The insurers a request went to."""
    return set(db.session.execute(
        select(QuoteRouting.insurer_id).where(QuoteRouting.quote_request_id == request_id)).scalars())


def _panel():
    """Three fitting insurers: rated A, exactly the minimum A-, one notch below (B++)."""
    return (factories.make_insurer(name="Sound Mutual", am_best_rating="A"),
            factories.make_insurer(name="Edge Casualty", am_best_rating="A-"),
            factories.make_insurer(name="Notch Below Mutual", am_best_rating="B++"))


# --- the directory ---------------------------------------------------------------------------------

def test_the_directory_marks_an_insurer_below_the_minimum_in_words_and_not_the_others(client, db):
    _panel()
    html = _text(client.get("/insurers"))
    below_card = _card(html, "Notch Below Mutual", "</li>")
    assert NOTICE.format("B++") in below_card
    assert "below A-" in below_card  # the rating chip says it too, not only by its colour
    assert 'aria-hidden="true">!</span>' in below_card  # the icon is decoration; the words carry it
    for name in ("Sound Mutual", "Edge Casualty"):
        card = _card(html, name, "</li>")
        assert "do not meet" not in card and "below A-" not in card, name


def test_an_insurer_page_below_the_minimum_carries_the_notice(client, db):
    sound, _edge, below = _panel()
    assert NOTICE.format("B++") in _text(client.get(f"/insurers/{below.id}"))
    assert "do not meet the marketplace" not in _text(client.get(f"/insurers/{sound.id}"))
    assert "Rated B++" not in _text(client.get(f"/insurers/{sound.id}"))


def test_the_minimum_is_the_configured_one(app, client, db, monkeypatch):
    factories.make_insurer(name="Notch Below Mutual", am_best_rating="B++")
    assert "Rated B++ by AM Best" in _text(client.get("/insurers"))
    monkeypatch.setitem(app.config, "REQUIREMENT", replace(app.config["REQUIREMENT"], min_rating="B++"))
    assert "Rated B++ by AM Best" not in _text(client.get("/insurers"))


# --- quotes ----------------------------------------------------------------------------------------

def test_a_quote_from_an_insurer_below_the_minimum_is_marked_in_the_comparison_and_the_detail(app, db):
    user = factories.make_seller_user()
    sound, _edge, below = _panel()
    request = factories.make_quote_request(seller_id=user.seller_id, routed_to=[sound, below],
                                           accepts_below_minimum_rating=True)
    low = factories.make_quote(request, below, annual_premium=Decimal("900.00"))
    good = factories.make_quote(request, sound)
    client = app.test_client()
    login_as(client, user)

    html = _text(client.get(f"/seller/requests/{request.id}"))
    low_card = _card(html, f'id="quote-{low.id}"', "</li>\n")
    assert NOTICE.format("B++") in low_card and "below A-" in low_card
    assert "Does not meet the requirement" in low_card
    good_card = _card(html, f'id="quote-{good.id}"', "</li>\n")
    assert "do not meet" not in good_card and "below A-" not in good_card
    assert "Insurers rated below A-" in html and "Asked too" in html

    detail = _text(client.get(f"/seller/requests/{request.id}/quotes/{low.id}/buy"))
    assert NOTICE.format("B++") in detail
    assert "do not meet" not in _text(client.get(f"/seller/requests/{request.id}/quotes/{good.id}/buy"))


# --- the checkbox and routing ----------------------------------------------------------------------

def test_the_box_is_on_the_form_unticked_labelled_and_explained(seller_client, db):
    html = seller_client.get("/seller/requests/new").get_data(as_text=True)
    box = field_control(html, "accepts_below_minimum_rating")
    assert box["type"] == "checkbox" and "checked" not in box
    assert box["id"] in parse_page(html).label_for
    hint_id = box["aria-describedby"]
    hint = _card(unescape(html), f'id="{hint_id}"', "</p>")
    assert "(A- or better)" in hint and "not make you compliant" in hint
    assert "Also ask insurers rated below" in html


def test_unticked_the_request_reaches_the_minimum_and_above_not_one_notch_below(seller_client, db):
    sound, edge, _below = _panel()
    response = post_form(seller_client, "/seller/requests/new", _form())
    assert response.status_code == 302
    request = db.session.execute(select(QuoteRequest)).scalar_one()
    assert request.accepts_below_minimum_rating is False
    assert _routed(db, request.id) == {sound.id, edge.id}
    assert "Your request went to 2 insurers." in _text(seller_client.get(response.headers["Location"]))


def test_ticked_the_request_reaches_the_insurer_below_the_minimum_too(seller_client, db):
    sound, edge, below = _panel()
    response = post_form(seller_client, "/seller/requests/new", _form(accepts_below_minimum_rating="y"))
    assert response.status_code == 302
    request = db.session.execute(select(QuoteRequest)).scalar_one()
    assert request.accepts_below_minimum_rating is True
    assert _routed(db, request.id) == {sound.id, edge.id, below.id}
    page = _text(seller_client.get(response.headers["Location"]))
    assert "Your request went to 3 insurers." in page and "Asked too" in page


def test_a_refused_form_keeps_the_tick(seller_client, db):
    response = post_form(seller_client, "/seller/requests/new",
                         _form(accepts_below_minimum_rating="y", legal_name=""))
    assert response.status_code == 400
    assert "checked" in field_control(response.get_data(as_text=True), "accepts_below_minimum_rating")
    assert db.session.execute(select(QuoteRequest)).first() is None


def test_when_only_insurers_below_the_minimum_fit_the_seller_is_told_and_how_to_reach_them(seller_client, db):
    factories.make_insurer(name="Notch Below Mutual", am_best_rating="B++")
    response = post_form(seller_client, "/seller/requests/new", _form())
    page = _text(seller_client.get(response.headers["Location"]))
    assert "No insurer received this request" in page
    assert "are rated below A- by AM Best" in page and "tick the box" in page

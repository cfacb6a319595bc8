"""Warnings before sending: a quote request, a renewal or an offer below the marketplace's requirement is
answered with what falls short and a "Send anyway" button (nothing saved); confirming sends it. The upload
of a policy lists the requirement rules the entered policy will fail, from the rules the page carries."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, select

from accelerator.domain.terms import Requirement
from accelerator.models import Policy, Quote, QuoteRequest
from tests import factories
from tests.conftest import login_as, post_form
from tests.factories import TODAY
from tests.web.conftest import field_control

PER_OCCURRENCE_SHORT = "Per-occurrence limit $500,000.00 is below the required $1,000,000.00."
AGGREGATE_SHORT = "Aggregate limit $500,000.00 is below the required $1,000,000.00."
DEDUCTIBLE_HIGH = "Deductible $25,000.00 is above the allowed $10,000.00."


def _count(db, model) -> int:
    """How many rows the model's table holds."""
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _request_form(**overrides) -> dict:
    """A quote request below the requirement on both limits and the deductible."""
    values = {
        "legal_name": "Wooden Toys LLC", "state": "CA", "categories": ["toys"], "annual_revenue": "250,000",
        "top_products": "", "claims_last_3_years": "0", "per_occurrence_limit": "500,000",
        "aggregate_limit": "500,000", "deductible": "25,000",
        "desired_start_date": (TODAY + timedelta(days=14)).isoformat(),
    }
    values.update(overrides)
    return values


def _warning_items(html: str) -> list[str]:
    """The sentences of the shortfall notice, in order."""
    start = html.index('id="shortfalls"')
    block = html[start:html.index("</ul>", start)]
    return [unescape(part.split("</a>")[0].split(">")[-1]) for part in block.split("<li>")[1:]]


def test_a_request_below_the_requirement_is_warned_of_and_nothing_is_sent(seller_client, db):
    factories.make_insurer()
    response = post_form(seller_client, "/seller/requests/new", _request_form())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _warning_items(html) == [PER_OCCURRENCE_SHORT, AGGREGATE_SHORT, DEDUCTIBLE_HIGH]
    assert 'name="send_anyway" value="1"' in html and "Send anyway" in html
    assert "There is a problem" not in html  # a warning, not an error
    assert field_control(html, "per_occurrence_limit")["value"] == "500,000"  # what was typed stays
    assert _count(db, QuoteRequest) == 0


def test_confirming_sends_the_request_as_it_is(seller_client, db):
    factories.make_insurer()
    confirmed = [PER_OCCURRENCE_SHORT, AGGREGATE_SHORT, DEDUCTIBLE_HIGH]
    response = post_form(seller_client, "/seller/requests/new",
                         _request_form(send_anyway="1", confirmed_shortfall=confirmed))
    assert response.status_code == 302
    request = db.session.execute(select(QuoteRequest)).scalar_one()
    assert (request.per_occurrence_limit, request.deductible) == (Decimal("500000.00"), Decimal("25000.00"))


def test_a_confirmation_of_other_figures_does_not_send(seller_client, db):
    """Values changed after the warning are warned of again: a confirmation covers what it named."""
    response = post_form(seller_client, "/seller/requests/new", _request_form(
        per_occurrence_limit="400,000", send_anyway="1",
        confirmed_shortfall=[PER_OCCURRENCE_SHORT, AGGREGATE_SHORT, DEDUCTIBLE_HIGH]))
    assert response.status_code == 200
    assert ("Per-occurrence limit $400,000.00 is below the required $1,000,000.00."
            in _warning_items(response.get_data(as_text=True)))
    assert _count(db, QuoteRequest) == 0


def test_the_sentences_alone_without_the_button_do_not_confirm(seller_client, db):
    response = post_form(seller_client, "/seller/requests/new", _request_form(
        confirmed_shortfall=[PER_OCCURRENCE_SHORT, AGGREGATE_SHORT, DEDUCTIBLE_HIGH]))
    assert response.status_code == 200 and _count(db, QuoteRequest) == 0


def test_a_request_meeting_the_requirement_is_sent_at_once(seller_client, db):
    response = post_form(seller_client, "/seller/requests/new", _request_form(
        per_occurrence_limit="1,000,000", aggregate_limit="1,000,000", deductible="10,000"))
    assert response.status_code == 302 and _count(db, QuoteRequest) == 1


def test_the_warning_follows_the_configured_requirement(app, seller_client, db, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIREMENT", Requirement(min_per_occurrence=Decimal("2000000.00"),
                                                               min_aggregate=Decimal("2000000.00")))
    response = post_form(seller_client, "/seller/requests/new", _request_form(
        per_occurrence_limit="1,000,000", aggregate_limit="2,000,000", deductible="0"))
    assert _warning_items(response.get_data(as_text=True)) == [
        "Per-occurrence limit $1,000,000.00 is below the required $2,000,000.00."]
    assert _count(db, QuoteRequest) == 0


def test_a_shortfall_with_a_field_error_shows_the_error_only(seller_client, db):
    """Errors first: nothing is offered to be sent anyway while a field is wrong."""
    response = post_form(seller_client, "/seller/requests/new", _request_form(legal_name=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in html and 'id="shortfalls"' not in html


def test_a_renewal_below_the_requirement_is_warned_of_then_sent(app, db):
    seller = factories.make_seller_user()
    policy = factories.make_policy(seller_id=seller.seller_id, expiration_date=TODAY + timedelta(days=20))
    client = app.test_client()
    login_as(client, seller)
    url = f"/seller/policies/{policy.id}/renewal/new"
    form = _request_form(desired_start_date=policy.expiration_date.isoformat())
    first = post_form(client, url, form)
    assert first.status_code == 200
    assert _warning_items(first.get_data(as_text=True)) == [PER_OCCURRENCE_SHORT, AGGREGATE_SHORT, DEDUCTIBLE_HIGH]
    assert _count(db, QuoteRequest) == 0
    second = post_form(client, url, {**form, "send_anyway": "1",
                                     "confirmed_shortfall": [PER_OCCURRENCE_SHORT, AGGREGATE_SHORT, DEDUCTIBLE_HIGH]})
    assert second.status_code == 302 and _count(db, QuoteRequest) == 1


# --- offers in the insurer portal --------------------------------------------------------------------

EXCLUDES_TOYS = ("This quote excludes Toys & Games, which the request asked to cover: it will not be shown as "
                 "meeting the requirement.")


@pytest.fixture()
def harbor(db):
    """An approved insurer."""
    return factories.make_insurer(name="Harbor Mutual")


@pytest.fixture()
def staff(app, harbor):
    """A client logged in as Harbor's staff."""
    client = app.test_client()
    login_as(client, factories.make_insurer_user(insurer=harbor))
    return client


def _offer(**overrides) -> dict:
    """An offer below the requirement in every way, excluding the requested category."""
    values = {"annual_premium": "900.00", "per_occurrence_limit": "500,000", "aggregate_limit": "500,000",
              "deductible": "25,000", "valid_until": (TODAY + timedelta(days=20)).isoformat(),
              "excluded_categories": ["toys", "books"]}
    values.update(overrides)
    return values


ALL_OFFER_SHORTFALLS = [PER_OCCURRENCE_SHORT, AGGREGATE_SHORT, DEDUCTIBLE_HIGH,
                        "This quote is claims-made; the requirement is an occurrence-based policy.",
                        "This quote does not name the marketplace as additional insured.", EXCLUDES_TOYS]


def test_an_offer_below_the_requirement_is_warned_of_and_nothing_is_sent(staff, harbor, db):
    request = factories.make_quote_request(routed_to=[harbor], categories=["toys", "baby"])
    url = f"/insurer/requests/{request.id}"
    response = post_form(staff, f"{url}/quote", _offer(), token_from=url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _warning_items(html) == ALL_OFFER_SHORTFALLS
    assert 'href="#excluded_categories"' in html and "Send anyway" in html
    assert _count(db, Quote) == 0


def test_confirming_sends_the_offer(staff, harbor, db):
    request = factories.make_quote_request(routed_to=[harbor], categories=["toys", "baby"])
    url = f"/insurer/requests/{request.id}"
    response = post_form(staff, f"{url}/quote", _offer(send_anyway="1", confirmed_shortfall=ALL_OFFER_SHORTFALLS),
                         token_from=url)
    assert response.status_code == 302
    quote = db.session.execute(select(Quote)).scalar_one()
    assert quote.per_occurrence_limit == Decimal("500000.00") and quote.excluded_categories == ["books", "toys"]


def test_excluding_only_categories_the_request_did_not_ask_for_is_no_warning(staff, harbor, db):
    request = factories.make_quote_request(routed_to=[harbor], categories=["toys"])
    url = f"/insurer/requests/{request.id}"
    response = post_form(staff, f"{url}/quote", _offer(
        per_occurrence_limit="1,000,000", aggregate_limit="2,000,000", deductible="0", occurrence_based="y",
        additional_insured="y", excluded_categories=["books"]), token_from=url)
    assert response.status_code == 302 and _count(db, Quote) == 1


# --- the upload of a policy bought elsewhere ----------------------------------------------------------


@pytest.fixture()
def uploads_folder(app, tmp_path, monkeypatch):
    """Uploads of this test go to a folder of its own."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


def _upload_fields(**overrides) -> dict:
    """An outside insurer's claims-made policy, below the requirement, not naming the marketplace."""
    values = {
        "insurer_id": "outside", "insurer_name": "Lakeside Specialty", "insurer_naic_code": "54321",
        "insurer_rating": "B+", "policy_number": "LS-1", "effective_date": (TODAY - timedelta(days=5)).isoformat(),
        "expiration_date": (TODAY + timedelta(days=360)).isoformat(), "per_occurrence_limit": "500,000",
        "aggregate_limit": "2,000,000", "deductible": "0", "coverage_basis": "claims_made",
    }
    values.update(overrides)
    return values


UPLOAD_SHORTFALLS = [PER_OCCURRENCE_SHORT,
                     "This policy is claims-made; the requirement is an occurrence-based policy.",
                     "This policy does not name the marketplace as additional insured.",
                     "The insurer is rated B+ by AM Best; the requirement is A- or better."]


def _live_items(html: str) -> list[str]:
    """The sentences of the upload form's list of failed rules."""
    start = html.index("data-shortfalls-list")
    block = html[start:html.index("</ul>", start)]
    return [unescape(part.split("</li>")[0].split(">", 1)[1]) for part in block.split("<li")[1:]]


def test_the_upload_page_carries_the_rules_and_the_ratings_of_listed_insurers(app, seller_client, db,
                                                                               monkeypatch):
    monkeypatch.setitem(app.config, "REQUIREMENT", Requirement(min_per_occurrence=Decimal("2000000.00")))
    insurer = factories.make_insurer(am_best_rating="B")
    html = seller_client.get("/seller/policies/upload").get_data(as_text=True)
    rules = {r["code"]: r for r in json.loads(unescape(re.search(r'data-shortfall-rules="([^"]+)"', html)[1]))}
    ratings = json.loads(unescape(re.search(r'data-insurer-ratings="([^"]+)"', html)[1]))
    assert rules["per_occurrence_below"]["threshold"] == "2000000.00"
    assert rules["per_occurrence_below"]["template"] == (
        "Per-occurrence limit {value} is below the required $2,000,000.00.")
    assert rules["not_yet_effective"]["threshold"] == TODAY.isoformat()
    assert ratings == {str(insurer.id): "B"}
    assert _live_items(html) == []  # nothing entered yet, nothing failed


def test_an_upload_re_rendered_lists_the_rules_the_policy_fails(seller_client, db, uploads_folder):
    """A wrong field re-renders the form; the rules the other fields fail are listed too."""
    response = post_form(seller_client, "/seller/policies/upload", _upload_fields(),
                         content_type="multipart/form-data")  # no certificate: an error
    assert response.status_code == 400
    assert _live_items(response.get_data(as_text=True)) == UPLOAD_SHORTFALLS
    assert _count(db, Policy) == 0


def test_an_upload_below_the_requirement_is_kept_and_the_rules_are_said_again(seller_client, db, uploads_folder):
    data = _upload_fields(certificate=(io.BytesIO(factories.make_pdf_bytes()), "c.pdf", "application/pdf"))
    response = post_form(seller_client, "/seller/policies/upload", data, content_type="multipart/form-data")
    assert response.status_code == 302 and _count(db, Policy) == 1
    page = seller_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "it will not meet the marketplace" in unescape(page)
    for sentence in UPLOAD_SHORTFALLS:
        assert sentence in unescape(page)


def test_a_listed_insurers_own_rating_is_judged(seller_client, db, uploads_folder):
    insurer = factories.make_insurer(am_best_rating="B")
    response = post_form(seller_client, "/seller/policies/upload", _upload_fields(
        insurer_id=str(insurer.id), insurer_rating="A++"), content_type="multipart/form-data")
    assert "The insurer is rated B by AM Best; the requirement is A- or better." in _live_items(
        response.get_data(as_text=True))

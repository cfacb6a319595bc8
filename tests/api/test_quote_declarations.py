"""Quote requests, quotes and discovery read and answer through their declarations (accelerator/shapes),
and the client types its answers and bodies with the same classes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pydantic
import pytest
import requests
from sqlalchemy import select

from accelerator.client import Answer, ApiError
from accelerator.domain.categories import CATEGORIES
from accelerator.extensions import db as _db
from accelerator.models import Quote as QuoteRow
from accelerator.models import WebhookEndpoint, WebhookEvent
from accelerator.services import quotes
from accelerator.shapes.discovery import Health, ProductCategory
from accelerator.shapes.quotes import Quote, QuoteDecline, QuoteOffer, QuoteRequest, QuoteRequestPage
from tests import factories
from tests.api.conftest import count
from tests.factories import TODAY


def _routed_id(insurer, **overrides) -> int:
    """A request routed to `insurer` (its id only: no read transaction left open for the live server)."""
    _db.session.rollback()
    request_id = factories.make_quote_request(routed_to=[insurer], **overrides).id
    _db.session.rollback()
    return request_id


def _offer(**changes) -> QuoteOffer:
    values = dict(annual_premium="1850.00", per_occurrence_limit="1000000.00", aggregate_limit="2000000.00",
                  valid_until=(TODAY + timedelta(days=30)).isoformat(), excluded_categories=["baby"])
    return QuoteOffer(**{**values, **changes})


def _round_trip(answer: Answer, model: type[pydantic.BaseModel]):
    """The answer read through its declaration, which writes it back exactly as it came."""
    parsed = answer.parsed()
    assert isinstance(parsed, model)
    assert parsed.model_dump(mode="json") == answer
    return parsed


def test_every_quote_answer_reads_back_through_its_declaration_and_writes_back_the_same(api, insurer):
    request_id = _routed_id(insurer)
    declined_id = _routed_id(insurer)
    quote = api.offer_quote(request_id, _offer())  # the body given as its declaration
    assert api.last_status == 201
    parsed = _round_trip(quote, Quote)
    assert (parsed.annual_premium, parsed.deductible, parsed.excluded_categories) == (
        Decimal("1850.00"), Decimal("0.00"), ["baby"])
    assert parsed.quote_request_id == request_id and parsed.created_at.tzinfo is not None
    read = _round_trip(api.get_quote_request(request_id), QuoteRequest)
    assert read.status == "quoted" and read.quotes == [parsed] and read.responded_at == parsed.created_at
    declined = _round_trip(api.decline_quote_request(declined_id, QuoteDecline(reason="  Not our line  ")),
                           QuoteRequest)
    assert declined.decline_reason == "Not our line" and declined.quotes == []
    page = _round_trip(api.list_quote_requests(per_page=1), QuoteRequestPage)
    assert (page.total, page.per_page, len(page.items)) == (2, 1, 1)


def test_a_wrong_offer_names_every_wrong_field_at_once_in_the_contracts_words(api, live_server, insurer_key,
                                                                               insurer):
    request_id = _routed_id(insurer)
    body = ('{"annual_premium": "-1", "per_occurrence_limit": null, "aggregate_limit": 1e3, "deductible": "0.001", '
            '"valid_until": "2026-02-30", "occurrence_based": "yes", "additional_insured": null, '
            '"excluded_categories": ["toys", "toys"], "notes": "nul \\u0000", "discount": null}')
    response = requests.post(f"{live_server.url}/api/v1/quote-requests/{request_id}/quotes", timeout=30, data=body,
                             headers={"Authorization": f"Bearer {insurer_key}", "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_request", "message": "The quote was not sent: some fields are not right.", "fields": {
            "annual_premium": "Must not be negative.", "per_occurrence_limit": "This field is required.",
            "aggregate_limit": "Must be an amount in plain decimal notation, such as \"2500.00\".",
            "deductible": "Must have at most two decimals.", "valid_until": "Is not a real calendar date.",
            "occurrence_based": "Must be true or false.", "excluded_categories": "Each category may appear once.",
            "notes": "Must not contain NUL characters.", "discount": "Unknown field."}}
    wrong_query = requests.get(f"{live_server.url}/api/v1/quote-requests?page=0&per_page=201&status=x&status=y",
                               timeout=30, headers={"Authorization": f"Bearer {insurer_key}"})
    assert wrong_query.status_code == 400 and wrong_query.json()["error"]["fields"] == {
        "page": "Must be at least 1.", "per_page": "Must be from 1 to 200.", "status": "Give this parameter once."}
    assert count(QuoteRow) == 0


def test_a_declared_body_is_checked_by_the_servers_rules_before_it_is_sent(api, insurer):
    request_id = _routed_id(insurer)
    with pytest.raises(pydantic.ValidationError):
        api.offer_quote(request_id, _offer(excluded_categories=["nope"]))
    with pytest.raises(ApiError) as exc:  # a rule across fields is the server's: the contract's 400
        api.offer_quote(request_id, _offer(aggregate_limit="1.00"))
    assert exc.value.status == 400 and set(exc.value.fields) == {"aggregate_limit"}
    assert count(QuoteRow) == 0


def test_the_quote_accepted_event_carries_the_apis_own_answers(api, insurer):
    request_id = _routed_id(insurer)
    answer = api.offer_quote(request_id, _offer(excluded_categories=[]))
    _db.session.rollback()
    _db.session.add(WebhookEndpoint(insurer_id=insurer.id, url="https://hooks.example/x", secret="s", active=True))
    _db.session.commit()
    quotes.emit_quote_accepted(int(answer["id"]))
    _db.session.commit()
    event = _db.session.execute(select(WebhookEvent)).scalar_one()
    assert event.payload["data"]["quote"] == answer
    assert event.payload["data"]["quote_request"] == api.get_quote_request(request_id)


def test_discovery_answers_read_back_through_their_declarations(anonymous):
    categories = anonymous.categories()
    assert [(c.code, c.name) for c in categories.parsed()] == list(CATEGORIES)
    assert all(isinstance(c, ProductCategory) for c in categories.parsed())
    assert {"code": "toys", "name": "Toys & Games"} in categories  # still the JSON as it came
    assert anonymous.health().parsed() == Health(status="ok")
    document = anonymous.openapi().parsed()
    assert document.openapi == "3.1.0" and "/api/v1/quote-requests/{request_id}/decline" in document.paths
    assert document.components["schemas"]["QuoteOffer"]["required"] == [
        "annual_premium", "per_occurrence_limit", "aggregate_limit", "valid_until"]


def test_a_quote_answer_is_written_by_its_declaration(app, db, insurer):
    request = factories.make_quote_request(routed_to=[insurer])
    row = factories.make_quote(request, insurer, excluded_categories=["toys", "baby"], notes=None,
                               created_at=datetime(2026, 11, 24, 7, 0, tzinfo=UTC))
    body = Quote.of(row, app.config["REQUIREMENT"]).model_dump(mode="json")
    assert (body["id"], body["excluded_categories"], body["notes"], body["created_at"]) == (
        str(row.id), ["baby", "toys"], "", "2026-11-24T07:00:00Z")
    assert Quote.model_validate(body).model_dump(mode="json") == body

"""Quote requests: routing (services.quotes.submit_quote_request) and the insurer endpoints."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from accelerator.client import ApiError
from accelerator.domain.errors import ValidationError
from accelerator.extensions import db as _db
from accelerator.models import Quote, QuoteRequest, QuoteRouting, Seller, WebhookEvent
from accelerator.services import insurers, quotes
from accelerator.services.audit import Actor
from tests import factories
from tests.api.conftest import count
from tests.factories import TODAY


def request_data(**overrides) -> quotes.QuoteRequestData:
    """A seller's request for toys in California with 250,000.00 revenue."""
    values = dict(legal_name="Blocks & Co LLC", state="CA", categories=("toys",), annual_revenue=Decimal("250000.00"),
                  per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
                  deductible=Decimal("1000.00"), desired_start_date=TODAY + timedelta(days=14),
                  top_products="Wooden blocks", states_shipped=("CA", "NY"), claims_last_3_years=0)
    values.update(overrides)
    return quotes.QuoteRequestData(**values)


def offer(**overrides) -> dict:
    """A valid quote body."""
    body = {"annual_premium": "1850.00", "per_occurrence_limit": "1000000.00", "aggregate_limit": "2000000.00",
            "deductible": "1000.00", "valid_until": (TODAY + timedelta(days=30)).isoformat()}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def test_submit_routes_to_every_fitting_approved_insurer_and_emits_events(db, insurer, other_insurer):
    from accelerator.models import WebhookEndpoint

    # Only an insurer with an endpoint gets events in the outbox.
    _db.session.add(WebhookEndpoint(insurer_id=insurer.id, url="https://hooks.example/x", secret="s", active=True))
    narrow = factories.make_insurer(name="Narrow", naic_code="22222", categories=["electronics"])
    texas = factories.make_insurer(name="Texan", naic_code="33333", licensed_states=["TX"])
    small = factories.make_insurer(name="Small", naic_code="44444", max_revenue=Decimal("249999.99"))
    band = factories.make_insurer(name="Band", naic_code="55555", min_revenue=Decimal("250000.00"),
                                  max_revenue=Decimal("250000.00"))
    pending = factories.make_insurer(name="Pending", naic_code="66666", status="pending")
    request, routed = quotes.submit_quote_request("sellerq001", request_data())
    assert routed == sorted([insurer.id, other_insurer.id, band.id])
    assert narrow.id not in routed and texas.id not in routed and small.id not in routed and pending.id not in routed
    assert request.seller_id == "SELLERQ001"
    assert _db.session.execute(select(Seller.seller_id)).scalars().all() == ["SELLERQ001"]
    rows = _db.session.execute(select(QuoteRouting.insurer_id).where(QuoteRouting.quote_request_id == request.id))
    assert sorted(rows.scalars()) == routed
    events = _db.session.execute(select(WebhookEvent)).scalars().all()
    assert [(e.insurer_id, e.event_type) for e in events] == [(insurer.id, "quote_request.routed")]
    assert events[0].payload["data"]["quote_request"]["id"] == str(request.id)


def test_submit_refuses_bad_requests(db, insurer):
    with pytest.raises(ValidationError) as exc:
        quotes.submit_quote_request("sellerq001", request_data(state="ZZ", categories=("weapons",),
                                                               aggregate_limit=Decimal("1.00")))
    assert set(exc.value.fields) == {"state", "categories", "aggregate_limit"}
    with pytest.raises(ValidationError):
        quotes.submit_quote_request("x", request_data())
    assert count(QuoteRequest) == 0


def test_suspended_insurer_stops_seeing_requests(db, insurer, other_insurer):
    insurers.set_status(Actor.cli(), other_insurer.id, "suspended")
    _request, routed = quotes.submit_quote_request("sellerq001", request_data())
    assert routed == [insurer.id]


class _Ref:
    """Just an id: test code must not keep a SQLite read transaction open while the live server writes."""

    def __init__(self, id_: int):
        self.id = id_


def _routed(insurer, **overrides) -> _Ref:
    _db.session.rollback()  # end any read snapshot older than the live server's last write
    request = factories.make_quote_request(routed_to=[insurer], **overrides)
    ref = _Ref(request.id)
    _db.session.rollback()
    return ref


def test_list_and_read_requests_routed_to_me_only(api, insurer, other_insurer):
    mine = _routed(insurer)
    theirs = _routed(other_insurer)
    page = api.list_quote_requests()
    assert page["total"] == 1 and page["items"][0]["id"] == str(mine.id)
    item = api.get_quote_request(mine.id)
    assert item["status"] == "open" and item["seller_id"].startswith("SELLER") and item["quotes"] == []
    assert item["annual_revenue"] == "250000.00" and item["categories"] == ["toys"]
    for bad in (theirs.id, 999999, "abc", "1.5"):
        with pytest.raises(ApiError) as exc:
            api.get_quote_request(bad)
        assert exc.value.status == 404


def test_status_filter(api, insurer):
    open_one = _routed(insurer)
    quoted = _routed(insurer)
    declined = _routed(insurer)
    closed = _routed(insurer, status="closed")
    api.offer_quote(quoted.id, offer())
    api.decline_quote_request(declined.id, "Outside our appetite")
    expected = {"open": open_one, "quoted": quoted, "declined": declined, "closed": closed}
    for status, request in expected.items():
        page = api.list_quote_requests(status=status)
        assert [i["id"] for i in page["items"]] == [str(request.id)], status
        assert page["items"][0]["status"] == status
    assert api.list_quote_requests()["total"] == 4
    with pytest.raises(ApiError) as exc:
        api.list_quote_requests(status="accepted")
    assert exc.value.status == 400 and "status" in exc.value.fields


def test_offer_a_quote(api, insurer):
    request = _routed(insurer)
    quote = api.offer_quote(request.id, offer(notes="n" * 2000, excluded_categories=["baby"], deductible=0))
    assert api.last_status == 201
    assert quote["quote_request_id"] == str(request.id) and quote["insurer_id"] == str(insurer.id)
    assert quote["annual_premium"] == "1850.00" and quote["deductible"] == "0.00"
    assert quote["additional_insured"] is True and quote["occurrence_based"] is True
    assert quote["excluded_categories"] == ["baby"] and quote["status"] == "offered"
    assert quote["meets_requirement"] is True
    read = api.get_quote_request(request.id)
    assert read["status"] == "quoted" and read["quotes"] == [quote]


def test_an_offer_below_the_requirement_is_taken_without_a_confirmation(api, insurer):
    """The site asks its users to confirm such an offer; the contract's API does not."""
    request = _routed(insurer)
    quote = api.offer_quote(request.id, offer(per_occurrence_limit="500000.00", aggregate_limit="500000.00",
                                              deductible="25000.00", occurrence_based=False,
                                              additional_insured=False, excluded_categories=["toys"]))
    assert api.last_status == 201
    assert quote["meets_requirement"] is False and quote["per_occurrence_limit"] == "500000.00"
    assert count(Quote) == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"notes": "n" * 2001}, "notes"),
    ({"deductible": "1000000.00"}, "deductible"),
    ({"aggregate_limit": "999999.99"}, "aggregate_limit"),
    ({"valid_until": (TODAY - timedelta(days=1)).isoformat()}, "valid_until"),
    ({"valid_until": "2026-02-30"}, "valid_until"),
    ({"annual_premium": "0"}, "annual_premium"),
    ({"annual_premium": ...}, "annual_premium"),
    ({"additional_insured": "yes"}, "additional_insured"),
    ({"excluded_categories": ["nope"]}, "excluded_categories"),
    ({"discount": "5%"}, "discount"),
])
def test_offer_refuses_bad_quotes(api, insurer, change, field):
    request = _routed(insurer)
    with pytest.raises(ApiError) as exc:
        api.offer_quote(request.id, offer(**change))
    assert exc.value.status == 400 and field in exc.value.fields
    assert count(Quote) == 0


def test_aggregate_equal_to_per_occurrence_and_valid_until_today_are_allowed(api, insurer):
    request = _routed(insurer)
    api.offer_quote(request.id, offer(aggregate_limit="1000000.00", valid_until=TODAY.isoformat()))
    assert count(Quote) == 1


def test_offer_on_a_request_not_routed_to_me_is_404_and_closed_is_409(api, insurer, other_insurer):
    theirs = _routed(other_insurer)
    with pytest.raises(ApiError) as exc:
        api.offer_quote(theirs.id, {"garbage": True})
    assert exc.value.status == 404
    closed = _routed(insurer, status="closed")
    with pytest.raises(ApiError) as exc:
        api.offer_quote(closed.id, offer())
    assert exc.value.status == 409 and exc.value.code == "quote_request_closed"
    with pytest.raises(ApiError) as exc:
        api.decline_quote_request(closed.id, "no")
    assert exc.value.status == 409
    assert count(Quote) == 0


def test_a_withdrawn_request_refuses_offers_and_shows_closed_with_when_it_was_withdrawn(api, insurer):
    request = _routed(insurer)
    api.offer_quote(request.id, offer())
    assert api.get_quote_request(request.id)["withdrawn_at"] is None
    _db.session.rollback()
    seller_id = _db.session.get(QuoteRequest, request.id).seller_id
    withdrawal = quotes.withdraw_quote_request(Actor("seller"), seller_id, request.id)
    assert withdrawal.withdrawn
    withdrawn_at = withdrawal.request.withdrawn_at
    _db.session.rollback()
    with pytest.raises(ApiError) as exc:
        api.offer_quote(request.id, offer(annual_premium="1700.00"))
    assert exc.value.status == 409 and exc.value.code == "quote_request_closed"
    with pytest.raises(ApiError) as exc:
        api.decline_quote_request(request.id, "too late")
    assert exc.value.status == 409 and exc.value.code == "quote_request_closed"
    read = api.get_quote_request(request.id)
    assert read["status"] == "closed"  # the contract's four statuses: a withdrawn request is closed
    assert read["withdrawn_at"] == withdrawn_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [q["status"] for q in read["quotes"]] == ["closed"]
    assert [i["id"] for i in api.list_quote_requests(status="closed")["items"]] == [str(request.id)]
    assert api.list_quote_requests(status="quoted")["total"] == 0
    assert count(Quote) == 1


def test_decline(api, insurer):
    request = _routed(insurer)
    declined = api.decline_quote_request(request.id, "Outside our appetite")
    assert api.last_status == 200
    assert declined["status"] == "declined" and declined["decline_reason"] == "Outside our appetite"
    assert api.decline_quote_request(request.id, "Outside our appetite") == declined
    with pytest.raises(ApiError) as exc:
        api.offer_quote(request.id, offer())
    assert exc.value.status == 409 and exc.value.code == "quote_request_declined"


def test_decline_after_quoting_is_409_and_decline_needs_a_reason(api, insurer):
    request = _routed(insurer)
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "r" * 2001}, {"reason": 5}):
        with pytest.raises(ApiError) as exc:
            api.request("POST", f"/api/v1/quote-requests/{request.id}/decline", json=body)
        assert exc.value.status == 400
    api.offer_quote(request.id, offer())
    with pytest.raises(ApiError) as exc:
        api.decline_quote_request(request.id, "changed our mind")
    assert exc.value.status == 409 and exc.value.code == "already_quoted"


def test_emit_quote_accepted_adds_an_event_for_the_quotes_insurer(db, insurer):
    from accelerator.models import WebhookEndpoint

    _db.session.add(WebhookEndpoint(insurer_id=insurer.id, url="https://hooks.example/x", secret="s", active=True))
    request = factories.make_quote_request(routed_to=[insurer])
    quote = factories.make_quote(request, insurer)
    quotes.emit_quote_accepted(quote.id)
    _db.session.commit()
    event = _db.session.execute(select(WebhookEvent)).scalar_one()
    assert event.event_type == "quote.accepted"
    assert event.payload["data"]["quote"]["id"] == str(quote.id)
    assert event.payload["data"]["quote_request"]["id"] == str(request.id)


@pytest.mark.parametrize("reason", ["\ud800 lone surrogate", "nul \x00 inside"])
def test_unstorable_text_is_refused_not_a_500(api, insurer, reason):
    request = _routed(insurer)
    with pytest.raises(ApiError) as exc:
        api.decline_quote_request(request.id, reason)
    assert exc.value.status == 400 and "reason" in exc.value.fields
    with pytest.raises(ApiError) as exc:
        api.offer_quote(request.id, offer(notes=reason))
    assert exc.value.status == 400 and "notes" in exc.value.fields

"""Insurer endpoints for quote requests routed to them: list, read, offer a quote, decline."""

from __future__ import annotations

from flask import g, jsonify

from accelerator.api.blueprint import bp
from accelerator.api.core import Fields, QueryArgs, idempotent, paginated, parse_id, read_json, require_role
from accelerator.api.openapi import (
    CATEGORIES_IN,
    CATEGORIES_OUT,
    DATE,
    ID,
    MONEY_IN,
    MONEY_IN_OR_ZERO,
    MONEY_OUT,
    SELLER_ID_OUT,
    TIMESTAMP,
    operation,
    page_of,
    path_param,
    query_param,
    ref,
)
from accelerator.domain.errors import NotFound
from accelerator.domain.money import ZERO
from accelerator.services import quotes
from accelerator.services.audit import Actor
from accelerator.shapes.answers import quote_json, quote_request_json
from accelerator.shapes.values import text_schema


def _actor() -> Actor:
    return Actor.api_key(g.api_key.prefix)


def _request_id(value: str) -> int:
    """A quote request id from the path; one that cannot exist is a 404."""
    request_id = parse_id(value)
    if request_id is None:
        raise NotFound("No such quote request routed to you.")
    return request_id


def _routed_json(routed: quotes.RoutedRequest) -> dict:
    return quote_request_json(routed.request, routed.routing, routed.quotes)


@bp.get("/quote-requests")
@require_role("insurer")
def list_quote_requests():
    """The sellers' quote requests routed to this insurer, newest first, optionally by status."""
    args = QueryArgs()
    page, per_page = args.page()
    status = args.choice("status", quotes.ROUTING_STATUSES)
    args.check()
    return jsonify(paginated(quotes.list_routed(g.api_key.insurer_id, status, page, per_page), _routed_json))


@bp.get("/quote-requests/<request_id>")
@require_role("insurer")
def get_quote_request(request_id: str):
    """One quote request routed to this insurer, with its quotes on it."""
    QueryArgs().check()
    return jsonify(_routed_json(quotes.get_routed(g.api_key.insurer_id, _request_id(request_id))))


@bp.post("/quote-requests/<request_id>/quotes")
@require_role("insurer")
@idempotent
def offer_quote(request_id: str):
    """Offer a quote on a request routed to this insurer: 201; 404 not routed here; 409 closed."""
    rid = _request_id(request_id)
    quotes.get_routed(g.api_key.insurer_id, rid)  # 404 before any body error
    f = Fields(read_json())
    offer = dict(
        annual_premium=f.money("annual_premium"),
        per_occurrence_limit=f.money("per_occurrence_limit"),
        aggregate_limit=f.money("aggregate_limit"),
        deductible=f.money("deductible", allow_zero=True, default=ZERO),
        valid_until=f.date("valid_until"),
        occurrence_based=f.boolean("occurrence_based", default=True),
        additional_insured=f.boolean("additional_insured", default=True),
        excluded_categories=f.categories("excluded_categories", default=()),
        notes=f.string("notes", max_length=quotes.MAX_NOTES, min_length=0, default="", strip=False),
    )
    f.check("The quote was not sent: some fields are not right.")
    offer["excluded_categories"] = tuple(offer["excluded_categories"])
    quote = quotes.offer_quote(_actor(), g.api_key.insurer_id, rid, quotes.QuoteOffer(**offer))
    return jsonify(quote_json(quote)), 201


@bp.post("/quote-requests/<request_id>/decline")
@require_role("insurer")
@idempotent
def decline_quote_request(request_id: str):
    """Decline a request routed to this insurer, with a reason: 200 with the request."""
    rid = _request_id(request_id)
    quotes.get_routed(g.api_key.insurer_id, rid)
    f = Fields(read_json())
    reason = f.string("reason", max_length=quotes.MAX_REASON)
    f.check("The request was not declined: some fields are not right.")
    return jsonify(_routed_json(quotes.decline(_actor(), g.api_key.insurer_id, rid, reason)))


_ID_PATH = path_param("request_id", ID, "The quote request's id.")
_BOOL = {"type": "boolean"}

OPENAPI = {
    "schemas": {
        "Quote": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "quote_request_id", "insurer_id", "status", "annual_premium", "per_occurrence_limit",
                         "aggregate_limit", "deductible", "valid_until", "occurrence_based", "additional_insured",
                         "excluded_categories", "notes", "meets_requirement", "created_at"],
            "properties": {
                "id": ID,
                "quote_request_id": ID,
                "insurer_id": ID,
                "status": {"enum": ["offered", "accepted", "closed"]},
                "annual_premium": MONEY_OUT,
                "per_occurrence_limit": MONEY_OUT,
                "aggregate_limit": MONEY_OUT,
                "deductible": MONEY_OUT,
                "valid_until": DATE,
                "occurrence_based": _BOOL,
                "additional_insured": _BOOL,
                "excluded_categories": CATEGORIES_OUT,
                "notes": {"type": "string", "maxLength": quotes.MAX_NOTES},
                "meets_requirement": {"type": "boolean",
                                      "description": "Whether the quoted terms meet the marketplace's requirement."},
                "created_at": TIMESTAMP,
            },
        },
        "QuoteOffer": {
            "type": "object",
            "additionalProperties": False,
            "required": ["annual_premium", "per_occurrence_limit", "aggregate_limit", "deductible", "valid_until"],
            "description": "aggregate_limit >= per_occurrence_limit; deductible < per_occurrence_limit; "
                           "valid_until today or later.",
            "properties": {
                "annual_premium": MONEY_IN,
                "per_occurrence_limit": MONEY_IN,
                "aggregate_limit": MONEY_IN,
                "deductible": MONEY_IN_OR_ZERO,
                "valid_until": DATE,
                "occurrence_based": {"type": "boolean", "default": True},
                "additional_insured": {"type": "boolean", "default": True},
                "excluded_categories": {**CATEGORIES_IN, "default": []},
                "notes": {"type": ["string", "null"], "maxLength": quotes.MAX_NOTES},
            },
        },
        "QuoteRequest": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "status", "seller_id", "legal_name", "state", "categories", "annual_revenue",
                         "top_products", "states_shipped", "claims_last_3_years", "per_occurrence_limit",
                         "aggregate_limit", "deductible", "desired_start_date", "routed_at", "responded_at",
                         "decline_reason", "withdrawn_at", "quotes"],
            "properties": {
                "id": ID,
                "status": {"enum": list(quotes.ROUTING_STATUSES),
                           "description": "As this insurer sees it: open, quoted, declined, or closed (a request "
                                          "the seller bought a quote on or withdrew)."},
                "seller_id": SELLER_ID_OUT,
                "legal_name": {"type": "string"},
                "state": {"type": "string", "pattern": "^[A-Z]{2}$"},
                "categories": CATEGORIES_OUT,
                "annual_revenue": MONEY_OUT,
                "top_products": {"type": "string"},
                "states_shipped": {"type": "array", "items": {"type": "string"}},
                "claims_last_3_years": {"type": "integer", "minimum": 0},
                "per_occurrence_limit": MONEY_OUT,
                "aggregate_limit": MONEY_OUT,
                "deductible": MONEY_OUT,
                "desired_start_date": DATE,
                "routed_at": TIMESTAMP,
                "responded_at": {"oneOf": [TIMESTAMP, {"type": "null"}]},
                "decline_reason": {"type": ["string", "null"]},
                "withdrawn_at": {"oneOf": [TIMESTAMP, {"type": "null"}],
                                 "description": "When the seller withdrew the request (it is then closed); null "
                                                "unless withdrawn."},
                "quotes": {"type": "array", "items": ref("Quote"), "description": "This insurer's quotes on it."},
            },
        },
    },
    "paths": {
        "/api/v1/quote-requests": {
            "get": operation(
                "Quote requests routed to the insurer", operation_id="listQuoteRequests", tags=["quote requests"],
                roles=("insurer",), paged=True,
                params=[query_param("status", {"enum": list(quotes.ROUTING_STATUSES)}, "Only this status.")],
                responses={"200": ("A page of quote requests, newest first.", page_of(ref("QuoteRequest")))},
            ),
        },
        "/api/v1/quote-requests/{request_id}": {
            "get": operation(
                "Read a quote request routed to the insurer", operation_id="getQuoteRequest",
                tags=["quote requests"], roles=("insurer",), params=[_ID_PATH], errors=("404",),
                responses={"200": ("The quote request.", ref("QuoteRequest"))},
            ),
        },
        "/api/v1/quote-requests/{request_id}/quotes": {
            "post": operation(
                "Offer a quote", operation_id="offerQuote", tags=["quote requests"], roles=("insurer",),
                params=[_ID_PATH], body=ref("QuoteOffer"), errors=("404", "409"),
                responses={"201": ("The quote.", ref("Quote"))},
                description="404 when the request is not routed to this insurer; 409 `quote_request_closed` "
                            "when closed, `quote_request_declined` after this insurer declined it.",
            ),
        },
        "/api/v1/quote-requests/{request_id}/decline": {
            "post": operation(
                "Decline a quote request", operation_id="declineQuoteRequest", tags=["quote requests"],
                roles=("insurer",), params=[_ID_PATH], errors=("404", "409"),
                body={"type": "object", "additionalProperties": False, "required": ["reason"],
                      "properties": {"reason": text_schema(quotes.MAX_REASON)}},
                responses={"200": ("The declined quote request.", ref("QuoteRequest"))},
                description="Declining again answers the same; 409 `quote_request_closed` when closed, "
                            "`already_quoted` once this insurer quoted it.",
            ),
        },
    },
}

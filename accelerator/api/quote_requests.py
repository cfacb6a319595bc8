"""Insurer endpoints for quote requests routed to them: list, read, offer a quote, decline.

Paths, queries, bodies and answers are declared in accelerator/shapes/quotes.py; the OPENAPI fragment
below is generated from the same classes.
"""

from __future__ import annotations

import pydantic
from flask import current_app, g, jsonify

from accelerator.api.blueprint import bp
from accelerator.api.core import idempotent, query_values, read_json, require_role
from accelerator.api.openapi import operation, path_params_of, query_params_of, ref, schemas_of
from accelerator.domain.errors import NotFound
from accelerator.services import quotes
from accelerator.services.audit import Actor
from accelerator.shapes.errors import validate_all
from accelerator.shapes.quotes import (
    NoQuery,
    Quote,
    QuoteDecline,
    QuoteOffer,
    QuoteRequest,
    QuoteRequestPage,
    QuoteRequestPath,
    QuoteRequestQuery,
)


def _actor() -> Actor:
    return Actor.api_key(g.api_key.prefix)


def _request_id(value: str) -> int:
    """A quote request id from the path; one that cannot exist is a 404 (the contract's rule for paths)."""
    try:
        return QuoteRequestPath.model_validate({"request_id": value}).request_id
    except pydantic.ValidationError:
        raise NotFound("No such quote request routed to you.") from None


def _answer(routed: quotes.RoutedRequest) -> QuoteRequest:
    return QuoteRequest.of(routed.request, routed.routing, routed.quotes, current_app.config["REQUIREMENT"])


@bp.get("/quote-requests")
@require_role("insurer")
def list_quote_requests():
    """The sellers' quote requests routed to this insurer, newest first, optionally by status."""
    values, repeated = query_values()
    (query,) = validate_all("Some fields are not right.", (QuoteRequestQuery, values), extra_errors=repeated)
    page = quotes.list_routed(g.api_key.insurer_id, query.status, query.page, query.per_page)
    answer = QuoteRequestPage.model_construct(items=[_answer(r) for r in page.items], page=page.page,
                                              per_page=page.per_page, total=page.total)
    return jsonify(answer.model_dump(mode="json"))


@bp.get("/quote-requests/<request_id>")
@require_role("insurer")
def get_quote_request(request_id: str):
    """One quote request routed to this insurer, with its quotes on it."""
    values, repeated = query_values()
    validate_all("Some fields are not right.", (NoQuery, values), extra_errors=repeated)
    routed = quotes.get_routed(g.api_key.insurer_id, _request_id(request_id))
    return jsonify(_answer(routed).model_dump(mode="json"))


@bp.post("/quote-requests/<request_id>/quotes")
@require_role("insurer")
@idempotent
def offer_quote(request_id: str):
    """Offer a quote on a request routed to this insurer: 201; 404 not routed here; 409 closed."""
    rid = _request_id(request_id)
    quotes.get_routed(g.api_key.insurer_id, rid)  # 404 before any body error
    (body,) = validate_all("The quote was not sent: some fields are not right.", (QuoteOffer, read_json()))
    offer = quotes.QuoteOffer(**{**dict(body), "excluded_categories": tuple(body.excluded_categories)})
    quote = quotes.offer_quote(_actor(), g.api_key.insurer_id, rid, offer)
    return jsonify(Quote.of(quote, current_app.config["REQUIREMENT"]).model_dump(mode="json")), 201


@bp.post("/quote-requests/<request_id>/decline")
@require_role("insurer")
@idempotent
def decline_quote_request(request_id: str):
    """Decline a request routed to this insurer, with a reason: 200 with the request."""
    rid = _request_id(request_id)
    quotes.get_routed(g.api_key.insurer_id, rid)
    (body,) = validate_all("The request was not declined: some fields are not right.", (QuoteDecline, read_json()))
    return jsonify(_answer(quotes.decline(_actor(), g.api_key.insurer_id, rid, body.reason)).model_dump(mode="json"))


_ID_PATH = path_params_of(QuoteRequestPath, request_id="The quote request's id; one that cannot exist is a 404.")

OPENAPI = {
    "schemas": schemas_of(Quote, QuoteOffer, QuoteDecline, QuoteRequest, QuoteRequestPage),
    "paths": {
        "/api/v1/quote-requests": {
            "get": operation(
                "Quote requests routed to the insurer", operation_id="listQuoteRequests", tags=["quote requests"],
                roles=("insurer",), params=query_params_of(QuoteRequestQuery),
                responses={"200": ("A page of quote requests, newest first.", ref("QuoteRequestPage"))},
            ),
        },
        "/api/v1/quote-requests/{request_id}": {
            "get": operation(
                "Read a quote request routed to the insurer", operation_id="getQuoteRequest",
                tags=["quote requests"], roles=("insurer",), params=_ID_PATH, errors=("400", "404"),
                responses={"200": ("The quote request.", ref("QuoteRequest"))},
            ),
        },
        "/api/v1/quote-requests/{request_id}/quotes": {
            "post": operation(
                "Offer a quote", operation_id="offerQuote", tags=["quote requests"], roles=("insurer",),
                params=_ID_PATH, body=ref("QuoteOffer"), errors=("404", "409"),
                responses={"201": ("The quote.", ref("Quote"))},
                description="404 when the request is not routed to this insurer; 409 `quote_request_closed` "
                            "when closed, `quote_request_declined` after this insurer declined it.",
            ),
        },
        "/api/v1/quote-requests/{request_id}/decline": {
            "post": operation(
                "Decline a quote request", operation_id="declineQuoteRequest", tags=["quote requests"],
                roles=("insurer",), params=_ID_PATH, errors=("404", "409"), body=ref("QuoteDecline"),
                responses={"200": ("The declined quote request.", ref("QuoteRequest"))},
                description="Declining again answers the same; 409 `quote_request_closed` when closed, "
                            "`already_quoted` once this insurer quoted it.",
            ),
        },
    },
}

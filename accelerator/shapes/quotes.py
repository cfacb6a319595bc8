"""Quote requests and quotes, declared once: the insurer's query, path and bodies, and the two answers.

The answers are built from the service's rows by their own constructors (`Quote.of`, `QuoteRequest.of`)
and written by their serializers (money, days, timestamps, ids as the contract writes them), so an
output field is added here and nowhere else; webhook events (services/quotes.py) carry the same dumps.
This module imports no Flask and no models (the client reads answers through it).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from accelerator.domain.compliance import meets_requirement
from accelerator.domain.money import ZERO
from accelerator.domain.terms import PolicyTerms, Requirement
from accelerator.shapes.values import (
    Category,
    CategorySet,
    Day,
    DayOut,
    IdOut,
    Money,
    MoneyOrZero,
    MoneyOut,
    PageNumber,
    PerPage,
    RecordId,
    SellerIdOut,
    TimestampOut,
    one_of,
    text,
)

if TYPE_CHECKING:
    from accelerator import models

RoutingStatus = Literal["open", "quoted", "declined", "closed"]
ROUTING_STATUSES: tuple[str, ...] = get_args(RoutingStatus)
MAX_NOTES = 2000
MAX_REASON = 2000
StatusFilter = one_of(*ROUTING_STATUSES)
Notes = text(MAX_NOTES, min_length=0, strip=False)
Reason = text(MAX_REASON)


class _Body(BaseModel):
    """A body whose optional fields sent as JSON null are left out (and a required one then "required")."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        """Drop the declared fields sent as null; an unknown one stays, to be refused."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None or k not in cls.model_fields}
        return data


class QuoteRequestPath(BaseModel):
    """A quote request named in a path; one that cannot exist is a 404, as one not routed here."""

    model_config = ConfigDict(extra="forbid")

    request_id: RecordId


class QuoteRequestQuery(BaseModel):
    """GET /api/v1/quote-requests's query."""

    model_config = ConfigDict(extra="forbid")

    page: PageNumber = 1
    per_page: PerPage = 50
    status: StatusFilter | None = Field(default=None, description="Only this status.")


class NoQuery(BaseModel):
    """A query with no parameters: any one given is refused."""

    model_config = ConfigDict(extra="forbid")


class QuoteOffer(_Body):
    """POST /api/v1/quote-requests/{request_id}/quotes's body (the deductible is 0 when left out)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "description": "aggregate_limit >= per_occurrence_limit; deductible < per_occurrence_limit; "
                       "valid_until today or later."})

    annual_premium: Money
    per_occurrence_limit: Money
    aggregate_limit: Money
    deductible: MoneyOrZero = ZERO
    valid_until: Day
    occurrence_based: StrictBool = True
    additional_insured: StrictBool = True
    excluded_categories: CategorySet = []
    notes: Notes = ""


class QuoteDecline(_Body):
    """POST /api/v1/quote-requests/{request_id}/decline's body."""

    reason: Reason


# --- the answers ---------------------------------------------------------------------------------


def quote_terms(quote: models.Quote) -> PolicyTerms:
    """The policy a quote would become, for judging it against the requirement."""
    return PolicyTerms(
        policy_number=f"quote-{quote.id}",
        insurer_id=quote.insurer_id,
        insurer_rating=quote.insurer.am_best_rating if quote.insurer else None,
        source="marketplace",
        verification="verified",
        effective_date=quote.quote_request.desired_start_date,
        expiration_date=date.max,
        cancellation_date=None,
        per_occurrence_limit=quote.per_occurrence_limit,
        aggregate_limit=quote.aggregate_limit,
        aggregate_remaining=quote.aggregate_limit,
        deductible=quote.deductible,
        occurrence_based=quote.occurrence_based,
        additional_insured=quote.additional_insured,
        excluded_categories=frozenset(quote.excluded_categories),
        key=quote.id,
    )


class Quote(BaseModel):
    """An insurer's quote on a quote request."""

    model_config = ConfigDict(extra="forbid")

    id: IdOut
    quote_request_id: IdOut
    insurer_id: IdOut
    status: Literal["offered", "accepted", "closed"]
    annual_premium: MoneyOut
    per_occurrence_limit: MoneyOut
    aggregate_limit: MoneyOut
    deductible: MoneyOut
    valid_until: DayOut
    occurrence_based: bool
    additional_insured: bool
    excluded_categories: list[Category] = Field(description="Sorted.")
    notes: str = Field(max_length=MAX_NOTES)
    meets_requirement: bool = Field(description="Whether the quoted terms meet the marketplace's requirement.")
    created_at: TimestampOut

    @classmethod
    def of(cls, quote: models.Quote, requirement: Requirement) -> Quote:
        """The answer for a quote row (not validated again: the row is the service's own)."""
        return cls.model_construct(
            id=quote.id, quote_request_id=quote.quote_request_id, insurer_id=quote.insurer_id, status=quote.status,
            annual_premium=quote.annual_premium, per_occurrence_limit=quote.per_occurrence_limit,
            aggregate_limit=quote.aggregate_limit, deductible=quote.deductible, valid_until=quote.valid_until,
            occurrence_based=quote.occurrence_based, additional_insured=quote.additional_insured,
            excluded_categories=sorted(quote.excluded_categories), notes=quote.notes or "",
            meets_requirement=meets_requirement(quote_terms(quote), requirement), created_at=quote.created_at)


class QuoteRequest(BaseModel):
    """A seller's quote request as one insurer sees it, with that insurer's quotes on it."""

    model_config = ConfigDict(extra="forbid")

    id: IdOut
    status: RoutingStatus = Field(
        description="As this insurer sees it: open, quoted, declined, or closed (a request the seller bought "
                    "a quote on or withdrew).")
    seller_id: SellerIdOut
    legal_name: str
    state: str = Field(pattern=r"^[A-Z]{2}$")
    categories: list[Category] = Field(description="Sorted.")
    annual_revenue: MoneyOut
    top_products: str
    states_shipped: list[str] = Field(description="Sorted.")
    claims_last_3_years: int = Field(ge=0)
    per_occurrence_limit: MoneyOut
    aggregate_limit: MoneyOut
    deductible: MoneyOut
    desired_start_date: DayOut
    routed_at: TimestampOut
    responded_at: TimestampOut | None
    decline_reason: str | None
    withdrawn_at: TimestampOut | None = Field(
        description="When the seller withdrew the request (it is then closed); null unless withdrawn.")
    quotes: list[Quote] = Field(description="This insurer's quotes on it.")

    @classmethod
    def of(cls, request: models.QuoteRequest, routing: models.QuoteRouting, quotes: list[models.Quote],
           requirement: Requirement) -> QuoteRequest:
        """The answer for a request, its routing to one insurer and that insurer's quotes on it."""
        return cls.model_construct(
            id=request.id, status="closed" if request.status == "closed" else routing.status,
            seller_id=request.seller_id, legal_name=request.legal_name, state=request.state,
            categories=sorted(request.categories), annual_revenue=request.annual_revenue,
            top_products=request.top_products or "", states_shipped=sorted(request.states_shipped),
            claims_last_3_years=request.claims_last_3_years, per_occurrence_limit=request.per_occurrence_limit,
            aggregate_limit=request.aggregate_limit, deductible=request.deductible,
            desired_start_date=request.desired_start_date, routed_at=routing.routed_at,
            responded_at=routing.responded_at, decline_reason=routing.decline_reason,
            withdrawn_at=request.withdrawn_at,
            quotes=[Quote.of(q, requirement) for q in sorted(quotes, key=lambda q: q.id)])


class QuoteRequestPage(BaseModel):
    """A page of quote requests, newest first."""

    model_config = ConfigDict(extra="forbid")

    items: list[QuoteRequest]
    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=200)
    total: int = Field(ge=0)

"""What a seller's account shows on its home page: its policies and its quote requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from accelerator import clock
from accelerator.domain.errors import NotFound
from accelerator.extensions import db
from accelerator.models import Policy, Quote, QuoteRequest, QuoteRouting, Seller


@dataclass(frozen=True)
class QuoteRequestLine:
    """One of a seller's quote requests, with how many insurers it went to and how many quoted."""

    quote_request: QuoteRequest
    insurers_asked: int
    quotes_offered: int


@dataclass(frozen=True)
class PolicyLine:
    """One of a seller's policies and whether it is in force today."""

    policy: Policy
    in_force_today: bool


@dataclass(frozen=True)
class SellerOverview:
    """What a seller's home page shows: the seller, its policies and its quote requests."""

    seller: Seller
    policies: list[PolicyLine]
    quote_requests: list[QuoteRequestLine]


def seller_overview(seller_id: str, today: date | None = None) -> SellerOverview:
    """A seller's record with its policies (latest first) and quote requests (newest first)."""
    seller = db.session.execute(select(Seller).where(Seller.seller_id == seller_id)).scalar_one_or_none()
    if seller is None:
        raise NotFound("No such seller.")
    today = today or clock.now().date()
    policies = db.session.execute(
        select(Policy).where(Policy.seller_id == seller_id)
        .order_by(Policy.effective_date.desc(), Policy.policy_number)
    ).scalars().all()
    requests = db.session.execute(
        select(QuoteRequest).where(QuoteRequest.seller_id == seller_id)
        .order_by(QuoteRequest.created_at.desc(), QuoteRequest.id.desc())
    ).scalars().all()
    ids = [r.id for r in requests]
    asked: dict[int, int] = {}
    offered: dict[int, int] = {}
    if ids:
        asked = dict(db.session.execute(
            select(QuoteRouting.quote_request_id, func.count(QuoteRouting.id))
            .where(QuoteRouting.quote_request_id.in_(ids)).group_by(QuoteRouting.quote_request_id)
        ).tuples().all())
        offered = dict(db.session.execute(
            select(Quote.quote_request_id, func.count(Quote.id))
            .where(Quote.quote_request_id.in_(ids)).group_by(Quote.quote_request_id)
        ).tuples().all())
    return SellerOverview(
        seller=seller,
        policies=[PolicyLine(p, p.in_force_on(today)) for p in policies],
        quote_requests=[QuoteRequestLine(r, asked.get(r.id, 0), offered.get(r.id, 0)) for r in requests],
    )

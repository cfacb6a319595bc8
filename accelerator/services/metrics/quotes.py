"""Admin quote figures: the request funnel and each insurer's median time to quote."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, or_, select

from accelerator.extensions import db
from accelerator.models import Insurer, Policy, Quote, QuoteRequest, QuoteRouting
from accelerator.services.metrics.ranges import parse_range, seconds_between

# --- Admin: quotes ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Funnel:
    """Quote requests created in a range, how many got a quote, how many were bought."""

    requested: int
    quoted: int  # with at least one quote from any insurer
    bought: int  # with a policy whose quote_id is one of the request's quotes


def quote_funnel(start: object, end: object) -> Funnel:
    """The funnel requests -> quoted -> bought for requests created in the range (one statement)."""
    low, high = parse_range(start, end).bounds()
    has_quote = exists().where(Quote.quote_request_id == QuoteRequest.id)
    has_policy = exists().where(Quote.quote_request_id == QuoteRequest.id, Policy.quote_id == Quote.id)
    row = db.session.execute(
        select(func.count(QuoteRequest.id),
               func.sum(case((has_quote, 1), else_=0)),
               func.sum(case((has_policy, 1), else_=0)))
        .where(QuoteRequest.created_at >= low, QuoteRequest.created_at < high)
    ).one()
    return Funnel(requested=row[0] or 0, quoted=int(row[1] or 0), bought=int(row[2] or 0))


@dataclass(frozen=True)
class InsurerQuoteTime:
    """One insurer's answers to requests routed to it in a range."""

    insurer_id: int
    insurer_name: str
    routed: int
    quoted: int  # routings answered with at least one quote
    median_hours: float | None  # routed_at -> first quote; None when it quoted none of them


def median_time_to_quote(start: object, end: object) -> list[InsurerQuoteTime]:
    """Per insurer with requests routed in the range: the median time from routing to its first quote.

    The median is taken in SQL with window functions (row_number and count over each insurer), which
    SQLite and PostgreSQL both run; rows by insurer name.
    """
    low, high = parse_range(start, end).bounds()
    in_range = and_(QuoteRouting.routed_at >= low, QuoteRouting.routed_at < high)
    waits = (
        select(QuoteRouting.insurer_id.label("insurer_id"),
               seconds_between(func.min(Quote.created_at), QuoteRouting.routed_at).label("wait"))
        .join(Quote, and_(Quote.quote_request_id == QuoteRouting.quote_request_id,
                          Quote.insurer_id == QuoteRouting.insurer_id))
        .where(in_range)
        .group_by(QuoteRouting.id, QuoteRouting.insurer_id, QuoteRouting.routed_at)
    ).subquery()
    ranked = select(
        waits.c.insurer_id, waits.c.wait,
        func.row_number().over(partition_by=waits.c.insurer_id, order_by=waits.c.wait).label("rn"),
        func.count().over(partition_by=waits.c.insurer_id).label("n"),
    ).subquery()
    # Floor division: the middle row, or the two middle rows of an even count.
    middle = or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    medians = {row[0]: (float(row[1]), int(row[2])) for row in db.session.execute(
        select(ranked.c.insurer_id, func.avg(ranked.c.wait), func.max(ranked.c.n))
        .where(middle).group_by(ranked.c.insurer_id))}
    routed = db.session.execute(
        select(Insurer.id, Insurer.name, func.count(QuoteRouting.id))
        .join(QuoteRouting, QuoteRouting.insurer_id == Insurer.id)
        .where(in_range).group_by(Insurer.id, Insurer.name).order_by(Insurer.name)).all()
    result = []
    for insurer_id, name, count in routed:
        seconds, quoted = medians.get(insurer_id, (None, 0))
        result.append(InsurerQuoteTime(insurer_id, name, count, quoted,
                                       None if seconds is None else max(0.0, seconds) / 3600))
    return result

"""Insurer figures: requests received, win rate, policies in force, claims against aggregate limits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Float, and_, case, cast, exists, func, or_, select

from accelerator.domain.errors import ValidationError
from accelerator.domain.money import ZERO
from accelerator.extensions import db
from accelerator.models import Policy, Quote, QuoteRouting
from accelerator.services.metrics.ranges import check_insurer, cover_end, parse_day, parse_range, share_of, utc_day

ROUTING_STATUSES: tuple[str, ...] = ("open", "quoted", "declined", "closed")


# --- Insurer --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WeeklyCount:
    """A count for one ISO week (only the week's days inside the range)."""

    week_start: date
    count: int


@dataclass(frozen=True)
class RequestsReceived:
    """Quote requests routed to one insurer in a range: in all, by routing status, and by week."""

    total: int
    by_status: dict[str, int]  # every ROUTING_STATUSES key, as the routing stands now
    by_week: list[WeeklyCount]


def requests_received(insurer_id: object, start: object, end: object) -> RequestsReceived:
    """Routings to an insurer in the range (GROUP BY day and status), totalled by status and by week."""
    check_insurer(insurer_id)
    period = parse_range(start, end)
    low, high = period.bounds()
    day = utc_day(QuoteRouting.routed_at).label("day")
    by_status: Counter = Counter()
    by_monday: Counter = Counter()
    for routed_on, status, count in db.session.execute(
            select(day, QuoteRouting.status, func.count())
            .where(QuoteRouting.insurer_id == insurer_id, QuoteRouting.routed_at >= low, QuoteRouting.routed_at < high)
            .group_by(day, QuoteRouting.status)):
        by_status[status] += count
        by_monday[routed_on - timedelta(days=routed_on.weekday())] += count
    return RequestsReceived(
        total=sum(by_status.values()),
        by_status={status: by_status[status] for status in ROUTING_STATUSES},
        by_week=[WeeklyCount(monday, by_monday[monday]) for monday, _on in period.weeks()],
    )


@dataclass(frozen=True)
class WinRate:
    """An insurer's quotes made in a range and how many were won."""

    offered: int  # every quote it made
    won: int  # accepted, or bought (a policy's quote_id points at it)

    @property
    def rate(self) -> float:
        """won / offered (0.0 when it made no quote)."""
        return share_of(self.won, self.offered)


def quote_win_rate(insurer_id: object, start: object, end: object) -> WinRate:
    """Accepted quotes / quotes offered, for the insurer's quotes made in the range (one statement)."""
    check_insurer(insurer_id)
    low, high = parse_range(start, end).bounds()
    won = or_(Quote.status == "accepted", exists().where(Policy.quote_id == Quote.id))
    offered, count = db.session.execute(
        select(func.count(Quote.id), func.sum(case((won, 1), else_=0)))
        .where(Quote.insurer_id == insurer_id, Quote.created_at >= low, Quote.created_at < high)).one()
    return WinRate(offered=offered or 0, won=int(count or 0))


def _in_force(day: date):
    """SQL: the policy is in force on `day` (the contract's policy period)."""
    return and_(Policy.effective_date <= day, cover_end() > day)


def policies_in_force_on(insurer_id: object, on: object) -> int:
    """How many of the insurer's policies are in force on a day (effective <= day < expiration/cancellation)."""
    check_insurer(insurer_id)
    day = parse_day(on)
    return db.session.execute(select(func.count(Policy.id))
                              .where(Policy.insurer_id == insurer_id, _in_force(day))).scalar_one()


@dataclass(frozen=True)
class DailyCount:
    """A count on one day."""

    day: date
    count: int


def policies_in_force_by_day(insurer_id: object, start: object, end: object) -> list[DailyCount]:
    """The insurer's policies in force on each day of the range.

    Three aggregate statements whatever the range: the count on the first day, then the policies
    starting and stopping on each later day (GROUP BY date), added up in Python.
    """
    check_insurer(insurer_id)
    period = parse_range(start, end)
    mine = Policy.insurer_id == insurer_id
    count = db.session.execute(select(func.count(Policy.id)).where(mine, _in_force(period.start))).scalar_one()
    change: Counter = Counter()
    for column, sign in ((Policy.effective_date, 1), (cover_end(), -1)):
        day = column.label("day")
        for on, n in db.session.execute(select(day, func.count()).where(mine, column > period.start,
                                                                        column <= period.end).group_by(day)):
            change[on] += sign * n
    series = []
    for day in period.dates():
        count += change[day]
        series.append(DailyCount(day, count))
    return series


@dataclass(frozen=True)
class PolicyClaims:
    """Claims paid on one policy against its aggregate limit."""

    policy_id: int
    policy_number: str
    seller_id: str
    aggregate_limit: Decimal
    claims_paid: Decimal
    aggregate_remaining: Decimal

    @property
    def used_share(self) -> float:
        """claims paid / aggregate limit, at most 1.0."""
        return min(1.0, float(self.claims_paid / self.aggregate_limit)) if self.aggregate_limit else 0.0


@dataclass(frozen=True)
class ClaimsAgainstAggregate:
    """Totals over an insurer's policies in force on a day, and those with the most of their aggregate used."""

    on: date
    policies: int
    aggregate_limit: Decimal
    claims_paid: Decimal
    aggregate_remaining: Decimal
    top: list[PolicyClaims]

    @property
    def used_share(self) -> float:
        """Claims paid (up to each limit) / the sum of aggregate limits."""
        used = self.aggregate_limit - self.aggregate_remaining
        return float(used / self.aggregate_limit) if self.aggregate_limit else 0.0


def claims_against_aggregate(insurer_id: object, on: object, top: int = 10) -> ClaimsAgainstAggregate:
    """Claims paid against aggregate limits for the insurer's policies in force on `on`.

    `claims_paid` is each policy's running total as it stands now (claims are not dated against the
    day). `top` (0..100) policies with claims, the largest share of their aggregate used first.
    """
    check_insurer(insurer_id)
    day = parse_day(on)
    if isinstance(top, bool) or not isinstance(top, int) or not 0 <= top <= 100:
        raise ValidationError("Check the number of policies.", fields={"top": "must be a whole number from 0 to 100"})
    scope = (Policy.insurer_id == insurer_id, _in_force(day))
    capped = case((Policy.claims_paid > Policy.aggregate_limit, Policy.aggregate_limit), else_=Policy.claims_paid)
    count, limits, paid, used = db.session.execute(
        select(func.count(Policy.id), func.sum(Policy.aggregate_limit), func.sum(Policy.claims_paid),
               func.sum(capped)).where(*scope)).one()
    share = cast(Policy.claims_paid, Float) / cast(Policy.aggregate_limit, Float)
    rows = db.session.execute(
        select(Policy.id, Policy.policy_number, Policy.seller_id, Policy.aggregate_limit, Policy.claims_paid)
        .where(*scope, Policy.claims_paid > ZERO)
        .order_by(share.desc(), Policy.claims_paid.desc(), Policy.id).limit(top)).all() if top else []
    limits, paid, used = limits or ZERO, paid or ZERO, used or ZERO
    return ClaimsAgainstAggregate(
        on=day, policies=count or 0, aggregate_limit=limits, claims_paid=paid, aggregate_remaining=limits - used,
        top=[PolicyClaims(r.id, r.policy_number, r.seller_id, r.aggregate_limit, r.claims_paid,
                          max(ZERO, r.aggregate_limit - r.claims_paid)) for r in rows],
    )

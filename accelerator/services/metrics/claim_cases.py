"""Admin claim-case figures: cases opened by route and state, time to an answer, escalations, the money.

Every figure counts the cases opened in the range (by `opened_at`, whole UTC days), except the money,
which counts the marketplace's payments made in the range (by `paid_at`). States are as they stand at
`as_of` (the page's now, injected): a case whose deadline has passed counts as escalated, as a read
of it would answer, whether or not the escalation was written yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, select

from accelerator.domain import claim_case_figures as figures
from accelerator.domain import claim_cases as rules
from accelerator.extensions import db
from accelerator.models import ClaimCase, ClaimCaseEvent
from accelerator.services.metrics.ranges import DateRange, parse_range, utc_day

ZERO = Decimal("0.00")
_UNRESPONSIVE = {rules.AWAITING_INSURER: "insurer_unresponsive", rules.AWAITING_SELLER: "seller_unresponsive",
                 rules.ACCEPTED: "payment_overdue"}


def _state_at(as_of: datetime):
    """The case's state at `as_of` as SQL: escalated once a running deadline has passed."""
    overdue = and_(ClaimCase.state.in_(rules.DEADLINE_STATES), ClaimCase.respond_by < as_of)
    return case((overdue, rules.ESCALATED), else_=ClaimCase.state)


def _opened_in(period: DateRange):
    """The SQL condition: the case was opened inside the range."""
    low, high = period.bounds()
    return and_(ClaimCase.opened_at >= low, ClaimCase.opened_at < high)


# --- Opened, by route and by state --------------------------------------------------------------------------

@dataclass(frozen=True)
class WeeklyCases:
    """Cases opened in one ISO week (only its days inside the range), by the route they stand on now."""

    week_start: date
    by_route: dict[str, int]

    @property
    def total(self) -> int:
        """Every case of the week."""
        return sum(self.by_route.values())


@dataclass(frozen=True)
class CasesOpened:
    """Cases opened in a range: week by week by route, and by their state at `as_of`."""

    weeks: list[WeeklyCases]
    by_state: dict[str, int]  # every state, in the rules' order

    @property
    def total(self) -> int:
        """Every case opened in the range."""
        return sum(self.by_state.values())


def cases_opened(start: object, end: object, as_of: datetime) -> CasesOpened:
    """Cases opened in the range per ISO week by route (the route they stand on now), and by state at `as_of`."""
    period = parse_range(start, end)
    day = utc_day(ClaimCase.opened_at).label("day")  # grouped by its label: PostgreSQL sees one expression
    weeks = {monday: {route: 0 for route in rules.ROUTES} for monday, _last in period.weeks()}
    for opened_on, route, count in db.session.execute(
            select(day, ClaimCase.route, func.count()).where(_opened_in(period)).group_by(day, ClaimCase.route)):
        weeks[opened_on - timedelta(days=opened_on.weekday())][route] += count
    state = _state_at(as_of).label("state")
    by_state = {name: 0 for name in rules.STATES}
    for name, count in db.session.execute(
            select(state, func.count()).where(_opened_in(period)).group_by(state)):
        by_state[name] += count
    return CasesOpened([WeeklyCases(monday, routes) for monday, routes in weeks.items()], by_state)


# --- Time to an answer ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PartyAnswers:
    """One party's answers on the cases opened in a range (see domain/claim_case_figures.py for the clock)."""

    party: str
    answers: int
    median_hours: float | None  # None: no answer yet
    waiting: int  # cases waiting for this party's answer at `as_of`


def answer_times(start: object, end: object, as_of: datetime) -> list[PartyAnswers]:
    """The insurer's, the seller's and the marketplace's median time to an answer, and who is still waited for."""
    period = parse_range(start, end)
    rows = db.session.execute(
        select(ClaimCaseEvent.claim_case_id, ClaimCaseEvent.at, ClaimCaseEvent.event, ClaimCaseEvent.by)
        .join(ClaimCase, ClaimCase.id == ClaimCaseEvent.claim_case_id).where(_opened_in(period))
        .order_by(ClaimCaseEvent.claim_case_id, ClaimCaseEvent.at, ClaimCaseEvent.id))
    waits = figures.answer_waits(figures.CaseEntry(*row) for row in rows)
    state = _state_at(as_of)
    off_accelerator = ClaimCase.insurer_id.is_(None)
    waiting_for = case((and_(state == rules.AWAITING_INSURER, ~off_accelerator), "insurer"),
                       (state == rules.AWAITING_SELLER, "seller"),
                       (and_(state == rules.AWAITING_INSURER, off_accelerator), "seller"),
                       (state == rules.ESCALATED, "marketplace"), else_="").label("party")
    waiting = dict(db.session.execute(
        select(waiting_for, func.count()).where(_opened_in(period)).group_by(waiting_for)).all())
    result = []
    for party in figures.ANSWER_PARTIES:
        middle = figures.median(waits[party])
        result.append(PartyAnswers(party, len(waits[party]), None if middle is None else middle / 3600,
                                   waiting.get(party, 0)))
    return result


# --- Escalations ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Escalations:
    """Cases opened in a range and those escalated to the marketplace (at any time up to `as_of`), by reason."""

    opened: int
    by_reason: dict[str, int]  # every reason, in the rules' order; a case counts under its first escalation

    @property
    def escalated(self) -> int:
        """Cases escalated at least once."""
        return sum(self.by_reason.values())

    @property
    def share(self) -> float | None:
        """Escalated cases over cases opened; None when none was opened."""
        return self.escalated / self.opened if self.opened else None


def escalations(start: object, end: object, as_of: datetime) -> Escalations:
    """How many of the cases opened in the range were escalated, and why (the first escalation of each)."""
    period = parse_range(start, end)
    first: dict[int, str] = {}
    for case_id, event, note in db.session.execute(
            select(ClaimCaseEvent.claim_case_id, ClaimCaseEvent.event, ClaimCaseEvent.note)
            .join(ClaimCase, ClaimCase.id == ClaimCaseEvent.claim_case_id)
            .where(_opened_in(period), ClaimCaseEvent.event.in_(("escalated", "denied", "disputed")))
            .order_by(ClaimCaseEvent.claim_case_id, ClaimCaseEvent.at, ClaimCaseEvent.id)):
        reason = figures.escalation_reason(event, note)
        if reason in rules.ESCALATIONS:
            first.setdefault(case_id, reason)
    # Deadlines passed but not yet written: the escalation a read would write now.
    for case_id, state in db.session.execute(
            select(ClaimCase.id, ClaimCase.state).where(_opened_in(period), ClaimCase.state.in_(_UNRESPONSIVE),
                                                        ClaimCase.respond_by < as_of)):
        first.setdefault(case_id, _UNRESPONSIVE[state])
    opened = db.session.execute(select(func.count(ClaimCase.id)).where(_opened_in(period))).scalar_one()
    by_reason = {reason: 0 for reason in rules.ESCALATIONS}
    for reason in first.values():
        by_reason[reason] += 1
    return Escalations(opened, by_reason)


def needing_intervention(as_of: datetime) -> int:
    """Cases escalated to the marketplace at `as_of`, whenever they were opened (the intervention queue's)."""
    return db.session.execute(
        select(func.count(ClaimCase.id)).where(_state_at(as_of) == rules.ESCALATED)).scalar_one()


# --- The marketplace's money -------------------------------------------------------------------------------

@dataclass(frozen=True)
class MoneyLine:
    """The marketplace's payments of one kind: at its own cost, or owed back by sellers or by insurers."""

    owed_by: str | None  # None: the marketplace's own cost (route marketplace, nothing to recover)
    cases: int
    paid: Decimal
    recovered: Decimal

    @property
    def still_due(self) -> Decimal:
        """What is owed and not yet back."""
        return self.paid - self.recovered if self.owed_by else ZERO


@dataclass(frozen=True)
class MarketplaceMoney:
    """What the marketplace paid in a range, and what has come back on those payments so far."""

    lines: list[MoneyLine]  # own cost, sellers, insurers: always the three

    @property
    def paid(self) -> Decimal:
        """Every payment of the marketplace in the range."""
        return sum((line.paid for line in self.lines), ZERO)

    @property
    def recovered(self) -> Decimal:
        """What came back so far."""
        return sum((line.recovered for line in self.lines), ZERO)

    @property
    def still_due(self) -> Decimal:
        """What sellers and insurers still owe on those payments."""
        return sum((line.still_due for line in self.lines), ZERO)


def marketplace_money(start: object, end: object) -> MarketplaceMoney:
    """The marketplace's payments made in the range (by paid_at): at its own cost, or owed by sellers or insurers.

    A payment after a step-in is owed back by the party that was to pay (`recovery_from`); one on the route
    `marketplace` is the marketplace's own cost.
    """
    low, high = parse_range(start, end).bounds()
    found = {owed_by: (count, paid, recovered) for owed_by, count, paid, recovered in db.session.execute(
        select(ClaimCase.recovery_from, func.count(ClaimCase.id), func.sum(ClaimCase.payment_amount),
               func.sum(ClaimCase.recovery_recovered))
        .where(ClaimCase.payment_payer == "marketplace", ClaimCase.paid_at >= low, ClaimCase.paid_at < high)
        .group_by(ClaimCase.recovery_from))}
    lines = []
    for owed_by in (None, "seller", "insurer"):
        count, paid, recovered = found.get(owed_by, (0, None, None))
        lines.append(MoneyLine(owed_by, count, paid or ZERO, recovered or ZERO))
    return MarketplaceMoney(lines)

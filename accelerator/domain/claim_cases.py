"""The claim case's life as pure rules: states, the answers each state allows, deadlines, recovery, re-check.

A case is a frozen `Case`; every answer is a function `(case, ..., now) -> (case, events)` that first
applies an elapsed deadline (`effective`), then either gives the new case and the history entries it
adds, or raises `Conflict` (`invalid_transition`, `already_paid`, `recovery_exceeds_due`). The same
answer sent again in the state it led to gives the case unchanged and no entry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from accelerator.domain.errors import Conflict

MARKETPLACE_TO_PAY = "marketplace_to_pay"
AWAITING_INSURER = "awaiting_insurer"
AWAITING_SELLER = "awaiting_seller"
IN_REVIEW = "in_review"
ACCEPTED = "accepted"
ESCALATED = "escalated"
PAID = "paid"
CLOSED = "closed"

STATES = (MARKETPLACE_TO_PAY, AWAITING_INSURER, AWAITING_SELLER, IN_REVIEW, ACCEPTED, ESCALATED, PAID, CLOSED)
FINAL_STATES = frozenset({PAID, CLOSED})
# The states a policy change of the seller re-checks.
RECHECKED_STATES = frozenset({AWAITING_INSURER, AWAITING_SELLER, IN_REVIEW})
# The states that run a clock on someone's answer.
DEADLINE_STATES = frozenset({AWAITING_INSURER, AWAITING_SELLER, ACCEPTED})

ESCALATIONS = ("insurer_unresponsive", "seller_unresponsive", "payment_overdue", "insurer_denied",
               "seller_disputed")
ROUTES = ("marketplace", "insurer", "seller", "review")
KINDS = ("bodily_injury", "property_damage")
PAYERS = ("insurer", "marketplace", "seller")
OUTCOMES = ("invalid", "withdrawn")
PARTIES = ("marketplace", "insurer", "seller", "system")
EVENTS = ("opened", "rechecked", "accepted", "denied", "disputed", "escalated", "stepped_in", "paid",
          "recovered", "closed")

_STATE_OF_ROUTE = {"marketplace": MARKETPLACE_TO_PAY, "insurer": AWAITING_INSURER, "seller": AWAITING_SELLER,
                   "review": IN_REVIEW}
_UNRESPONSIVE = {AWAITING_INSURER: "insurer_unresponsive", AWAITING_SELLER: "seller_unresponsive",
                 ACCEPTED: "payment_overdue"}
# Who may pay as `seller` (money the seller paid the customer), besides `accepted` by the seller.
_SELLER_PAYS_ESCALATED = frozenset({"seller_disputed", "seller_unresponsive"})


@dataclass(frozen=True)
class Entry:
    """One line of the case's history."""

    at: datetime
    event: str
    by: str
    note: str | None = None


@dataclass(frozen=True)
class Payment:
    """The one payment of a case."""

    payer: str
    amount: Decimal
    paid_at: datetime


@dataclass(frozen=True)
class Recovery:
    """What the marketplace is owed after paying on a step-in, and what came back so far."""

    owed_by: str
    due: Decimal
    recovered: Decimal

    @property
    def outstanding(self) -> Decimal:
        """What is still due."""
        return self.due - self.recovered


@dataclass(frozen=True)
class Case:
    """The state of a case that the rules look at (not its claim details)."""

    route: str
    state: str
    insurer_id: int | None = None
    escalation: str | None = None
    respond_by: datetime | None = None
    accepted_by: str | None = None
    stepped_in: bool = False
    owed_by: str | None = None
    outcome: str | None = None
    payment: Payment | None = None
    recovery: Recovery | None = None


Answer = tuple[Case, tuple[Entry, ...]]


def state_of_route(route: str) -> str:
    """The state a route gives at opening."""
    try:
        return _STATE_OF_ROUTE[route]
    except KeyError:
        raise ValueError(f"unknown route {route!r}") from None


def owed_by(route: str) -> str | None:
    """Who owes the marketplace what it pays after stepping in: insurer, seller, or nobody."""
    if route == "marketplace":
        return None
    return "insurer" if route == "insurer" else "seller"


def default_respond_by(now: datetime, response_days: int) -> datetime:
    """The deadline when none was given: now plus CLAIM_RESPONSE_DAYS."""
    return now + timedelta(days=response_days)


def invalid(case: Case, answer: str) -> Conflict:
    """409 invalid_transition, naming the state."""
    state = case.state + (f" ({case.escalation})" if case.escalation else "")
    return Conflict(f"A case in state {state} does not allow {answer}.", code="invalid_transition")


def open_case(route: str, insurer_id: int | None, now: datetime, respond_by: datetime | None,
              response_days: int) -> Answer:
    """A new case on the route of its first check: its state, its deadline and the `opened` entry."""
    state = state_of_route(route)
    deadline = None
    if state in DEADLINE_STATES:
        deadline = respond_by if respond_by is not None else default_respond_by(now, response_days)
    case = Case(route=route, state=state, insurer_id=insurer_id, respond_by=deadline)
    return case, (Entry(now, "opened", "marketplace"),)


def effective(case: Case, now: datetime) -> Answer:
    """The case as it stands at `now`: escalated when its deadline has passed, whether or not a job ran."""
    if case.state in DEADLINE_STATES and case.respond_by is not None and now > case.respond_by:
        at = case.respond_by
        escalated = replace(case, state=ESCALATED, escalation=_UNRESPONSIVE[case.state], respond_by=None)
        return escalated, (Entry(at, "escalated", "system", escalated.escalation),)
    return case, ()


def _then(before: tuple[Entry, ...], answer: Answer) -> Answer:
    """An answer's result with the deadline's entries before its own."""
    return answer[0], before + answer[1]


def accept(case: Case, party: str, now: datetime, response_days: int) -> Answer:
    """The party that was asked accepts the claim: `accepted`, the payment due CLAIM_RESPONSE_DAYS from now.

    The insurer answers in awaiting_insurer, the seller in awaiting_seller, and the seller also in
    awaiting_insurer where the insurer is not on the Accelerator.
    """
    case, before = effective(case, now)
    if case.state == ACCEPTED and case.accepted_by == party:
        return case, before
    waiting_for = {AWAITING_INSURER: "insurer", AWAITING_SELLER: "seller"}.get(case.state)
    answers_for_insurer = party == "seller" and case.state == AWAITING_INSURER and case.insurer_id is None
    if waiting_for != party and not answers_for_insurer:
        raise invalid(case, f"an acceptance by the {party}")
    accepted = replace(case, state=ACCEPTED, accepted_by=party,
                       respond_by=default_respond_by(now, response_days))
    return _then(before, (accepted, (Entry(now, "accepted", party),)))


def deny(case: Case, party: str, reason: str, now: datetime) -> Answer:
    """The insurer denies the claim (or the seller disputes it): escalated to the marketplace."""
    case, before = effective(case, now)
    escalation = "insurer_denied" if party == "insurer" else "seller_disputed"
    if case.state == ESCALATED and case.escalation == escalation:
        return case, before
    answers_for_insurer = party == "seller" and case.state == AWAITING_INSURER and case.insurer_id is None
    if party == "seller" and answers_for_insurer:
        escalation = "insurer_denied"
    elif case.state != {"insurer": AWAITING_INSURER, "seller": AWAITING_SELLER}.get(party):
        raise invalid(case, "a denial" if party == "insurer" else "a dispute")
    escalated = replace(case, state=ESCALATED, escalation=escalation, respond_by=None)
    event = "denied" if escalation == "insurer_denied" else "disputed"
    return _then(before, (escalated, (Entry(now, event, party, reason),)))


def step_in(case: Case, note: str | None, now: datetime) -> Answer:
    """The marketplace steps in (any state but paid and closed): it pays, and the party that was to pay owes it."""
    case, before = effective(case, now)
    if case.state == MARKETPLACE_TO_PAY:
        return case, before
    if case.state in FINAL_STATES:
        raise invalid(case, "a step-in")
    stepped = replace(case, state=MARKETPLACE_TO_PAY, escalation=None, respond_by=None, stepped_in=True,
                      owed_by=owed_by(case.route))
    return _then(before, (stepped, (Entry(now, "stepped_in", "marketplace", note),)))


def may_pay(case: Case, payer: str) -> bool:
    """Whether `payer` may record the payment in the case's state."""
    if payer == "insurer":
        return case.route == "insurer" and (case.state == AWAITING_INSURER
                                            or (case.state == ACCEPTED and case.accepted_by == "insurer"))
    if payer == "marketplace":
        return case.state == MARKETPLACE_TO_PAY
    if payer == "seller":
        return (case.state == AWAITING_SELLER
                or (case.state == ACCEPTED and case.accepted_by == "seller")
                or (case.state == ESCALATED and case.escalation in _SELLER_PAYS_ESCALATED))
    return False


def pay(case: Case, payer: str, amount: Decimal, now: datetime) -> Answer:
    """Record the one payment: `paid`; a marketplace payment after a step-in opens the recovery."""
    if amount <= 0:
        raise ValueError("a payment is more than 0")
    case, before = effective(case, now)
    if case.payment is not None:
        if case.payment.payer == payer and case.payment.amount == amount:
            return case, before
        raise Conflict(f"This case was already paid by the {case.payment.payer}.", code="already_paid")
    if not may_pay(case, payer):
        raise invalid(case, f"a payment by the {payer}")
    recovery = None
    if payer == "marketplace" and case.stepped_in and case.owed_by is not None:
        recovery = Recovery(owed_by=case.owed_by, due=amount, recovered=Decimal("0.00"))
    paid = replace(case, state=PAID, escalation=None, respond_by=None, payment=Payment(payer, amount, now),
                   recovery=recovery)
    return _then(before, (paid, (Entry(now, "paid", payer),)))


def recover(case: Case, amount: Decimal, now: datetime) -> Answer:
    """The marketplace records money recovered from the party that owed it; never more than is still due."""
    if amount <= 0:
        raise ValueError("a recovery is more than 0")
    if case.recovery is None:
        raise invalid(case, "a recovery (nothing is owed to the marketplace)")
    if amount > case.recovery.outstanding:
        raise Conflict(f"Only {case.recovery.outstanding:.2f} is still due.", code="recovery_exceeds_due")
    recovery = replace(case.recovery, recovered=case.recovery.recovered + amount)
    return replace(case, recovery=recovery), (Entry(now, "recovered", "marketplace", f"{amount:.2f}"),)


def close(case: Case, outcome: str, note: str | None, now: datetime) -> Answer:
    """The marketplace closes the case without payment (any state but paid and closed)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    case, before = effective(case, now)
    if case.state == CLOSED and case.outcome == outcome:
        return case, before
    if case.state in FINAL_STATES:
        raise invalid(case, "closing")
    closed = replace(case, state=CLOSED, escalation=None, respond_by=None, outcome=outcome)
    return _then(before, (closed, (Entry(now, "closed", "marketplace", note if note else outcome),)))


def recheck(case: Case, route: str, insurer_id: int | None, now: datetime, response_days: int) -> Answer:
    """A new check on a policy change of the seller: route, state and insurer follow it.

    Only in awaiting_insurer, awaiting_seller and in_review; the deadline is kept where the new state
    has one (the default from now where the old state had none), else cleared.
    """
    case, before = effective(case, now)
    if case.state not in RECHECKED_STATES:
        raise invalid(case, "a re-check")
    state = state_of_route(route)
    deadline = None
    if state in DEADLINE_STATES:
        deadline = case.respond_by if case.respond_by is not None else default_respond_by(now, response_days)
    rechecked = replace(case, route=route, state=state, insurer_id=insurer_id, respond_by=deadline)
    note = None if route == case.route else f"route {case.route} -> {route}"
    return _then(before, (rechecked, (Entry(now, "rechecked", "system", note),)))

"""The claim-case figures (services/metrics/claim_cases.py) on a real database: known cases, none, one, ties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from accelerator.domain import claim_case_figures as figures
from accelerator.services import metrics
from tests import factories
from tests.factories import NOW

D = Decimal
START, END = "2026-11-02", "2026-11-15"  # two whole ISO weeks; NOW (2026-11-24 12:00) is after them


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC moment in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def h(hours: float) -> timedelta:
    """Hours as a timedelta."""
    return timedelta(hours=hours)


def test_no_case_gives_zeros_and_no_median(db):
    opened = metrics.cases_opened(START, END, NOW)
    assert [(w.week_start, w.total) for w in opened.weeks] == [(date(2026, 11, 2), 0), (date(2026, 11, 9), 0)]
    assert opened.total == 0 and set(opened.by_state.values()) == {0} and len(opened.by_state) == 8
    assert metrics.answer_times(START, END, NOW) == [
        metrics.PartyAnswers("insurer", 0, None, 0), metrics.PartyAnswers("seller", 0, None, 0),
        metrics.PartyAnswers("marketplace", 0, None, 0)]
    escalated = metrics.escalations(START, END, NOW)
    assert (escalated.opened, escalated.escalated, escalated.share) == (0, 0, None)
    money = metrics.marketplace_money(START, END)
    assert [(line.owed_by, line.cases, line.paid) for line in money.lines] == [
        (None, 0, D("0.00")), ("seller", 0, D("0.00")), ("insurer", 0, D("0.00"))]
    assert (money.paid, money.recovered, money.still_due) == (D("0.00"), D("0.00"), D("0.00"))
    assert metrics.needing_intervention(NOW) == 0


def test_one_case_past_its_payment_deadline_counts_as_escalated(db):
    # Accepted by the insurer 28 hours after opening; the payment was due on the 20th, so by now it is overdue.
    factories.make_claim_case(at(3, 10), route="insurer", state="accepted", accepted_by="insurer",
                              respond_by=at(20), events=[(at(3, 10) + h(28), "accepted", "insurer")])
    opened = metrics.cases_opened(START, END, NOW)
    assert opened.weeks[0].by_route == {"marketplace": 0, "insurer": 1, "seller": 0, "review": 0}
    assert opened.by_state["escalated"] == 1 and opened.total == 1
    # Before the deadline it is still accepted.
    assert metrics.cases_opened(START, END, at(19)).by_state["accepted"] == 1
    insurer, seller, marketplace = metrics.answer_times(START, END, NOW)
    assert (insurer.answers, insurer.median_hours, insurer.waiting) == (1, 28.0, 0)
    assert (seller.answers, marketplace.answers, marketplace.waiting) == (0, 0, 1)
    escalated = metrics.escalations(START, END, NOW)
    assert escalated.by_reason["payment_overdue"] == 1 and escalated.share == 1.0
    assert metrics.needing_intervention(NOW) == 1


@pytest.fixture()
def cases(db):
    """Cases opened in the two weeks (and just outside them), answered at known times."""
    insurer = factories.make_insurer()
    make = factories.make_claim_case
    # Insurer answers after 2, 4, 4 and 10 hours (a tie in the middle: median 4).
    for day, hours, event in ((2, 2, "accepted"), (3, 4, "denied"), (4, 4, "accepted"), (10, 10, "accepted")):
        state = "escalated" if event == "denied" else "paid"
        make(at(day, 9), insurer_id=insurer.id, state=state,
             escalation="insurer_denied" if event == "denied" else None,
             events=[(at(day, 9) + h(hours), event, "insurer", "no" if event == "denied" else None)])
    # A re-check restarts the insurer's clock: 1 hour after it, not 25 after the opening.
    make(at(11, 8), insurer_id=insurer.id, state="accepted", respond_by=at(30),
         events=[(at(12, 8), "rechecked", "system"), (at(12, 9), "accepted", "insurer")])
    # Sellers answer after 1 and 3 hours (an even count: median 2); one disputes, and the marketplace steps in 6
    # hours later; one never answers and escalates on its deadline (written), the marketplace closes it 12 h later.
    make(at(5, 12), route="seller", state="accepted", accepted_by="seller", respond_by=at(30),
         events=[(at(5, 13), "accepted", "seller")])
    make(at(9, 12), route="seller", state="marketplace_to_pay", stepped_in=True, owed_by="seller",
         events=[(at(9, 15), "disputed", "seller", "not ours"), (at(9, 21), "stepped_in", "marketplace")])
    make(at(13, 12), route="seller", state="closed", outcome="invalid",
         events=[(at(20, 12), "escalated", "system", "seller_unresponsive"), (at(21, 0), "closed", "marketplace")])
    # Waiting now: one for the seller (awaiting_insurer off the Accelerator), one in review; one unanswered whose
    # deadline passed unwritten (insurer_unresponsive).
    make(at(14, 6), route="insurer", state="awaiting_insurer", insurer_id=None, respond_by=at(30))
    make(at(15, 23, 59), route="review", state="in_review")
    make(at(8, 6), insurer_id=insurer.id, state="awaiting_insurer", respond_by=at(15, 6))
    # Outside the range: the minute before it and the first minute after.
    make(at(1, 23, 59), route="marketplace", state="marketplace_to_pay")
    make(at(16, 0), route="seller", state="escalated", escalation="seller_disputed",
         events=[(at(16, 1), "disputed", "seller", "no")])
    return insurer


def test_cases_opened_by_week_route_and_state(cases):
    opened = metrics.cases_opened(START, END, NOW)
    assert [(w.week_start, w.by_route) for w in opened.weeks] == [
        (date(2026, 11, 2), {"marketplace": 0, "insurer": 4, "seller": 1, "review": 0}),  # the 8th is a Sunday
        (date(2026, 11, 9), {"marketplace": 0, "insurer": 3, "seller": 2, "review": 1})]
    assert opened.by_state == {"marketplace_to_pay": 1, "awaiting_insurer": 1, "awaiting_seller": 0, "in_review": 1,
                               "accepted": 2, "escalated": 2, "paid": 3, "closed": 1}
    assert opened.total == 11


def test_median_time_to_an_answer_by_party_with_ties_and_an_even_count(cases):
    insurer, seller, marketplace = metrics.answer_times(START, END, NOW)
    assert (insurer.answers, insurer.median_hours, insurer.waiting) == (5, 4.0, 0)
    assert (seller.answers, seller.median_hours, seller.waiting) == (2, 2.0, 1)  # the acceptance, the dispute
    assert (marketplace.answers, marketplace.median_hours, marketplace.waiting) == (2, 9.0, 2)  # 6 and 12 hours


def test_share_escalated_by_reason_and_those_needing_the_marketplace(cases):
    escalated = metrics.escalations(START, END, NOW)
    assert escalated.by_reason == {"insurer_unresponsive": 1, "seller_unresponsive": 1, "payment_overdue": 0,
                                   "insurer_denied": 1, "seller_disputed": 1}
    assert (escalated.opened, escalated.escalated) == (11, 4)
    assert escalated.share == pytest.approx(4 / 11)
    # Escalated now, whenever opened: the denied case, the one past its deadline, the one disputed on the 16th.
    assert metrics.needing_intervention(NOW) == 3


def test_what_the_marketplace_paid_recovered_and_is_still_owed(db):
    make = factories.make_claim_case
    make(at(1), route="marketplace", state="paid", payment_payer="marketplace", payment_amount=D("600.00"),
         paid_at=at(3))
    make(at(1), route="seller", state="paid", stepped_in=True, owed_by="seller", payment_payer="marketplace",
         payment_amount=D("1400.00"), paid_at=at(4), recovery_from="seller", recovery_due=D("1400.00"),
         recovery_recovered=D("600.00"))
    make(at(2), route="seller", state="paid", stepped_in=True, owed_by="seller", payment_payer="marketplace",
         payment_amount=D("100.50"), paid_at=at(15, 23, 59), recovery_from="seller", recovery_due=D("100.50"),
         recovery_recovered=D("0.00"))
    make(at(2), route="insurer", state="paid", stepped_in=True, owed_by="insurer", payment_payer="marketplace",
         payment_amount=D("3600.00"), paid_at=at(9), recovery_from="insurer", recovery_due=D("3600.00"),
         recovery_recovered=D("3600.00"))
    # Not counted: paid by the insurer, and a marketplace payment after the range.
    make(at(2), state="paid", payment_payer="insurer", payment_amount=D("900.00"), paid_at=at(5))
    make(at(2), route="marketplace", state="paid", payment_payer="marketplace", payment_amount=D("50.00"),
         paid_at=at(16))
    money = metrics.marketplace_money(START, END)
    assert [(line.owed_by, line.cases, line.paid, line.recovered, line.still_due) for line in money.lines] == [
        (None, 1, D("600.00"), D("0.00"), D("0.00")),
        ("seller", 2, D("1500.50"), D("600.00"), D("900.50")),
        ("insurer", 1, D("3600.00"), D("3600.00"), D("0.00"))]
    assert (money.paid, money.recovered, money.still_due) == (D("5700.50"), D("4200.00"), D("900.50"))


def test_the_median_and_the_waits_are_pure_arithmetic():
    assert [figures.median(v) for v in ([], [5], [3, 1], [4, 4, 2, 10])] == [None, 5.0, 2.0, 4.0]
    entries = [figures.CaseEntry(1, at(1, 0), "opened", "marketplace"),
               figures.CaseEntry(1, at(1, 2), "denied", "insurer", "no"),
               figures.CaseEntry(1, at(1, 5), "stepped_in", "marketplace"),
               figures.CaseEntry(2, at(1, 0), "opened", "marketplace"),
               figures.CaseEntry(2, at(1, 1), "closed", "marketplace")]  # closed without an escalation: no wait
    assert figures.answer_waits(entries) == {"insurer": [7200.0], "seller": [], "marketplace": [10800.0]}
    assert [figures.escalation_reason(*e) for e in (("escalated", "payment_overdue"), ("denied", "x"),
                                                    ("disputed", None), ("paid", None))] == [
        "payment_overdue", "insurer_denied", "seller_disputed", None]

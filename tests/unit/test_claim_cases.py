"""The claim case's rules: every answer in every state, the deadline to the second, repeats, re-checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelerator.domain import claim_cases as cc
from accelerator.domain.errors import Conflict
from tests.factories import NOW

DAYS = 7
SECOND = timedelta(seconds=1)


def opened(route: str, insurer_id: int | None = 7, respond_by=None) -> cc.Case:
    """A case just opened on `route`."""
    return cc.open_case(route, insurer_id, NOW, respond_by, DAYS)[0]


def events(answer: cc.Answer) -> list[str]:
    """The history events an answer added."""
    return [entry.event for entry in answer[1]]


# --- opening --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("route", "state", "has_deadline"), [
    ("marketplace", "marketplace_to_pay", False), ("insurer", "awaiting_insurer", True),
    ("seller", "awaiting_seller", True), ("review", "in_review", False)])
def test_the_route_gives_the_opening_state_and_its_deadline(route, state, has_deadline):
    case, entries = cc.open_case(route, 7, NOW, None, DAYS)
    assert case.state == state
    assert case.respond_by == (NOW + timedelta(days=DAYS) if has_deadline else None)
    assert [(e.event, e.by, e.at) for e in entries] == [("opened", "marketplace", NOW)]


def test_a_given_deadline_is_kept_where_the_state_has_one_and_dropped_elsewhere():
    due = NOW + timedelta(days=2)
    assert opened("insurer", respond_by=due).respond_by == due
    assert opened("marketplace", respond_by=due).respond_by is None


def test_an_unknown_route_is_refused():
    with pytest.raises(ValueError):
        cc.open_case("nobody", None, NOW, None, DAYS)


def test_who_owes_a_recovery():
    assert cc.owed_by("insurer") == "insurer"
    assert cc.owed_by("seller") == "seller"
    assert cc.owed_by("review") == "seller"
    assert cc.owed_by("marketplace") is None


# --- the deadline, to the second ------------------------------------------------------------------


@pytest.mark.parametrize(("route", "escalation"), [("insurer", "insurer_unresponsive"),
                                                   ("seller", "seller_unresponsive")])
def test_a_deadline_escalates_one_second_after_it_and_not_before(route, escalation):
    case = opened(route)
    due = case.respond_by
    assert cc.effective(case, due - SECOND) == (case, ())
    assert cc.effective(case, due) == (case, ())
    late, entries = cc.effective(case, due + SECOND)
    assert (late.state, late.escalation, late.respond_by) == ("escalated", escalation, None)
    assert [(e.event, e.by, e.at) for e in entries] == [("escalated", "system", due)]


def test_an_accepted_case_unpaid_after_its_deadline_is_payment_overdue():
    case, _ = cc.accept(opened("insurer"), "insurer", NOW, DAYS)
    late, _ = cc.effective(case, case.respond_by + SECOND)
    assert (late.state, late.escalation) == ("escalated", "payment_overdue")
    assert cc.effective(case, case.respond_by - SECOND)[0].state == "accepted"


@pytest.mark.parametrize("state", ["marketplace_to_pay", "in_review", "escalated", "paid", "closed"])
def test_states_without_a_clock_never_escalate(state):
    case = cc.Case(route="seller", state=state, respond_by=NOW)
    assert cc.effective(case, NOW + timedelta(days=400)) == (case, ())


def test_an_answer_one_second_before_the_deadline_counts_and_one_second_after_is_refused():
    case = opened("insurer")
    accepted, entries = cc.accept(case, "insurer", case.respond_by - SECOND, DAYS)
    assert accepted.state == "accepted"
    assert events((accepted, entries)) == ["accepted"]
    with pytest.raises(Conflict) as refused:
        cc.accept(case, "insurer", case.respond_by + SECOND, DAYS)
    assert refused.value.code == "invalid_transition"
    assert "escalated" in refused.value.message


def test_accepting_sets_the_payment_deadline_from_the_acceptance():
    at = NOW + timedelta(days=3)
    accepted, _ = cc.accept(opened("seller"), "seller", at, DAYS)
    assert (accepted.accepted_by, accepted.respond_by) == ("seller", at + timedelta(days=DAYS))


def test_a_payment_after_the_payment_deadline_is_refused():
    accepted, _ = cc.accept(opened("insurer"), "insurer", NOW, DAYS)
    with pytest.raises(Conflict) as refused:
        cc.pay(accepted, "insurer", Decimal("10.00"), accepted.respond_by + SECOND)
    assert refused.value.code == "invalid_transition"
    paid, _ = cc.pay(accepted, "insurer", Decimal("10.00"), accepted.respond_by - SECOND)
    assert paid.state == "paid"


# --- every answer in every state ------------------------------------------------------------------

def every_state() -> list[cc.Case]:
    """One case in each state (and each escalation), its deadline far away."""
    far = NOW + timedelta(days=30)
    cases = [
        cc.Case("marketplace", "marketplace_to_pay", insurer_id=7),
        cc.Case("insurer", "awaiting_insurer", insurer_id=7, respond_by=far),
        cc.Case("seller", "awaiting_seller", respond_by=far),
        cc.Case("review", "in_review"),
        cc.Case("insurer", "accepted", insurer_id=7, accepted_by="insurer", respond_by=far),
        cc.Case("seller", "accepted", accepted_by="seller", respond_by=far),
        cc.Case("seller", "paid", payment=cc.Payment("seller", Decimal("5.00"), NOW)),
        cc.Case("seller", "closed", outcome="invalid"),
    ]
    cases += [cc.Case("seller", "escalated", escalation=e) for e in cc.ESCALATIONS]
    return cases


def outcome(call):
    """The state reached (with escalation), or the error code."""
    try:
        case, _ = call()
    except Conflict as exc:
        return exc.code
    return case.state if case.escalation is None else f"{case.state}/{case.escalation}"


def label(case: cc.Case) -> str:
    """A short name for a case in a table."""
    extra = case.escalation or case.accepted_by or ""
    return f"{case.state}/{extra}" if extra else case.state


# Expected result of each answer in each state (by label).
EXPECTED = {
    "accept by insurer": {"awaiting_insurer": "accepted", "accepted/insurer": "accepted"},
    "accept by seller": {"awaiting_seller": "accepted", "accepted/seller": "accepted"},
    "deny": {"awaiting_insurer": "escalated/insurer_denied", "escalated/insurer_denied": "escalated/insurer_denied"},
    "dispute": {"awaiting_seller": "escalated/seller_disputed",
                "escalated/seller_disputed": "escalated/seller_disputed"},
    "step in": {state: "marketplace_to_pay" for state in
                ["marketplace_to_pay", "awaiting_insurer", "awaiting_seller", "in_review", "accepted/insurer",
                 "accepted/seller"] + [f"escalated/{e}" for e in cc.ESCALATIONS]},
    "pay insurer": {"awaiting_insurer": "paid", "accepted/insurer": "paid"},
    "pay marketplace": {"marketplace_to_pay": "paid"},
    "pay seller": {"awaiting_seller": "paid", "accepted/seller": "paid", "escalated/seller_disputed": "paid",
                   "escalated/seller_unresponsive": "paid", "paid": "paid"},
    "close": {state: "closed" for state in
              ["marketplace_to_pay", "awaiting_insurer", "awaiting_seller", "in_review", "accepted/insurer",
               "accepted/seller", "closed"] + [f"escalated/{e}" for e in cc.ESCALATIONS]},
}

ANSWERS = {
    "accept by insurer": lambda c: cc.accept(c, "insurer", NOW, DAYS),
    "accept by seller": lambda c: cc.accept(c, "seller", NOW, DAYS),
    "deny": lambda c: cc.deny(c, "insurer", "not our product", NOW),
    "dispute": lambda c: cc.deny(c, "seller", "not our product", NOW),
    "step in": lambda c: cc.step_in(c, "nobody answered", NOW),
    "pay insurer": lambda c: cc.pay(c, "insurer", Decimal("5.00"), NOW),
    "pay marketplace": lambda c: cc.pay(c, "marketplace", Decimal("5.00"), NOW),
    "pay seller": lambda c: cc.pay(c, "seller", Decimal("5.00"), NOW),
    "close": lambda c: cc.close(c, "invalid", None, NOW),
}


@pytest.mark.parametrize("answer", sorted(ANSWERS))
def test_every_answer_in_every_state(answer):
    for case in every_state():
        expected = EXPECTED[answer].get(label(case))
        got = outcome(lambda: ANSWERS[answer](case))  # noqa: B023
        if expected is None:
            assert got in ("invalid_transition", "already_paid"), (answer, label(case), got)
            if label(case) == "paid" and answer.startswith("pay"):
                assert got == "already_paid"
        else:
            assert got == expected, (answer, label(case))


def test_an_invalid_transition_names_the_state():
    with pytest.raises(Conflict) as refused:
        cc.accept(cc.Case("review", "in_review"), "insurer", NOW, DAYS)
    assert refused.value.status == 409
    assert "in_review" in refused.value.message


def test_the_seller_answers_for_an_insurer_not_on_the_accelerator():
    away = cc.Case("insurer", "awaiting_insurer", insurer_id=None, respond_by=NOW + timedelta(days=3))
    assert cc.accept(away, "seller", NOW, DAYS)[0].state == "accepted"
    assert cc.deny(away, "seller", "no", NOW)[0].escalation == "insurer_denied"
    on = replace(away, insurer_id=7)
    with pytest.raises(Conflict):
        cc.accept(on, "seller", NOW, DAYS)


# --- the same answer twice ------------------------------------------------------------------------


@pytest.mark.parametrize("answer", sorted(ANSWERS))
def test_the_same_answer_again_answers_the_same_and_adds_nothing(answer):
    for case in every_state():
        if label(case) not in EXPECTED[answer] or case.state in cc.FINAL_STATES:
            continue
        first, _ = ANSWERS[answer](case)
        again, entries = ANSWERS[answer](first)
        assert again == first, (answer, label(case))
        assert entries == ()


def test_a_different_payment_after_the_first_is_already_paid():
    paid, _ = cc.pay(opened("marketplace"), "marketplace", Decimal("20.00"), NOW)
    with pytest.raises(Conflict) as refused:
        cc.pay(paid, "marketplace", Decimal("21.00"), NOW)
    assert refused.value.code == "already_paid"


def test_closing_again_with_another_outcome_is_refused():
    closed, _ = cc.close(opened("seller"), "invalid", None, NOW)
    with pytest.raises(Conflict):
        cc.close(closed, "withdrawn", None, NOW)


# --- step-in, payment and recovery ----------------------------------------------------------------


@pytest.mark.parametrize(("route", "owed"), [("insurer", "insurer"), ("seller", "seller"), ("review", "seller")])
def test_a_marketplace_payment_after_a_step_in_opens_the_recovery(route, owed):
    stepped, entries = cc.step_in(opened(route), "late", NOW)
    assert [e.event for e in entries] == ["stepped_in"]
    paid, _ = cc.pay(stepped, "marketplace", Decimal("300.00"), NOW)
    assert paid.recovery == cc.Recovery(owed, Decimal("300.00"), Decimal("0.00"))
    part, entries = cc.recover(paid, Decimal("100.00"), NOW)
    assert part.recovery.recovered == Decimal("100.00")
    assert entries[0].event == "recovered"
    with pytest.raises(Conflict) as refused:
        cc.recover(part, Decimal("200.01"), NOW)
    assert refused.value.code == "recovery_exceeds_due"
    whole, _ = cc.recover(part, Decimal("200.00"), NOW)
    assert whole.recovery.outstanding == Decimal("0.00")


def test_the_marketplace_route_owes_no_recovery():
    paid, _ = cc.pay(opened("marketplace"), "marketplace", Decimal("300.00"), NOW)
    assert paid.recovery is None
    with pytest.raises(Conflict) as refused:
        cc.recover(paid, Decimal("1.00"), NOW)
    assert refused.value.code == "invalid_transition"


def test_a_step_in_after_the_deadline_records_the_escalation_first():
    case = opened("seller")
    stepped, entries = cc.step_in(case, None, case.respond_by + SECOND)
    assert [e.event for e in entries] == ["escalated", "stepped_in"]
    assert stepped.owed_by == "seller"


def test_a_recovery_must_be_positive():
    with pytest.raises(ValueError):
        cc.recover(cc.Case("seller", "paid"), Decimal("0"), NOW)


# --- the re-check ---------------------------------------------------------------------------------


def test_a_recheck_that_keeps_the_route_keeps_the_deadline():
    case = opened("seller", insurer_id=None, respond_by=NOW + timedelta(days=2))
    later = NOW + timedelta(days=1)
    rechecked, entries = cc.recheck(case, "seller", None, later, DAYS)
    assert rechecked == case
    assert [(e.event, e.by, e.note) for e in entries] == [("rechecked", "system", None)]


def test_a_recheck_to_the_insurer_keeps_the_deadline_and_names_the_insurer():
    case = opened("seller", insurer_id=None, respond_by=NOW + timedelta(days=2))
    rechecked, entries = cc.recheck(case, "insurer", 9, NOW + timedelta(days=1), DAYS)
    assert (rechecked.route, rechecked.state, rechecked.insurer_id) == ("insurer", "awaiting_insurer", 9)
    assert rechecked.respond_by == NOW + timedelta(days=2)
    assert entries[0].note == "route seller -> insurer"


def test_a_recheck_to_the_marketplace_drops_the_deadline():
    rechecked, _ = cc.recheck(opened("seller"), "marketplace", 9, NOW, DAYS)
    assert (rechecked.state, rechecked.respond_by) == ("marketplace_to_pay", None)


def test_a_recheck_out_of_review_starts_the_default_deadline_from_now():
    later = NOW + timedelta(days=1)
    rechecked, _ = cc.recheck(opened("review"), "seller", None, later, DAYS)
    assert (rechecked.state, rechecked.respond_by) == ("awaiting_seller", later + timedelta(days=DAYS))


@pytest.mark.parametrize("state", ["marketplace_to_pay", "accepted", "escalated", "paid", "closed"])
def test_only_cases_waiting_for_an_answer_or_a_review_are_rechecked(state):
    with pytest.raises(Conflict):
        cc.recheck(cc.Case("seller", state, respond_by=NOW + timedelta(days=1)), "insurer", 7, NOW, DAYS)


def test_a_recheck_after_the_deadline_is_refused():
    case = opened("seller")
    with pytest.raises(Conflict):
        cc.recheck(case, "insurer", 7, case.respond_by + SECOND, DAYS)


# --- properties -----------------------------------------------------------------------------------

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000.00"), places=2)
steps = st.one_of(
    st.tuples(st.just("accept"), st.sampled_from(["insurer", "seller"])),
    st.tuples(st.just("deny"), st.sampled_from(["insurer", "seller"])),
    st.tuples(st.just("step_in"), st.none()),
    st.tuples(st.just("pay"), st.sampled_from(cc.PAYERS), amounts),
    st.tuples(st.just("recover"), amounts),
    st.tuples(st.just("close"), st.sampled_from(cc.OUTCOMES)),
    st.tuples(st.just("recheck"), st.sampled_from(cc.ROUTES), st.sampled_from([None, 7])),
    st.tuples(st.just("wait"), st.integers(min_value=0, max_value=10 * 24 * 3600)),
)


def run(case: cc.Case, step: tuple, now) -> cc.Answer:
    """Apply one step of a generated sequence."""
    match step:
        case ("accept", party):
            return cc.accept(case, party, now, DAYS)
        case ("deny", party):
            return cc.deny(case, party, "no", now)
        case ("step_in", _):
            return cc.step_in(case, None, now)
        case ("pay", payer, amount):
            return cc.pay(case, payer, amount, now)
        case ("recover", amount):
            return cc.recover(case, amount, now)
        case ("close", outcome_):
            return cc.close(case, outcome_, None, now)
        case ("recheck", route, insurer_id):
            return cc.recheck(case, route, insurer_id, now, DAYS)
        case ("wait", _):
            return cc.effective(case, now)
    raise AssertionError(step)


@given(st.sampled_from(cc.ROUTES), st.sampled_from([None, 7]), st.lists(steps, max_size=25))
def test_no_sequence_of_answers_pays_twice_recovers_too_much_or_leaves_a_final_state(route, insurer_id, sequence):
    case, history = cc.open_case(route, insurer_id, NOW, None, DAYS)
    history = list(history)
    now = NOW
    final = None
    for step in sequence:
        if step[0] == "wait":
            now += timedelta(seconds=step[1])
        try:
            case, entries = run(case, step, now)
        except Conflict:
            continue
        history += entries
        if final is not None:
            assert case.state == final
        if case.state in cc.FINAL_STATES:
            final = case.state
        assert case.state in cc.STATES
        assert (case.escalation is not None) == (case.state == "escalated")
        assert (case.respond_by is not None) <= (case.state in cc.DEADLINE_STATES)
        if case.recovery is not None:
            assert Decimal("0") <= case.recovery.recovered <= case.recovery.due
            assert case.recovery.owed_by in ("insurer", "seller")
    assert sum(1 for e in history if e.event == "paid") <= 1
    assert (case.payment is not None) == (case.state == "paid")
    assert all(e.event in cc.EVENTS and e.by in cc.PARTIES for e in history)

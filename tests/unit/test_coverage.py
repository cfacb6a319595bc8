"""The coverage decision: every reason code, every tie-break, the 12:01 boundaries and the route."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelerator.domain.coverage import CoverageDecision, InOrder, decide_coverage, in_order, policy_order_key
from accelerator.domain.terms import PolicyTerms
from tests.factories import make_terms

INCIDENT = date(2026, 6, 1)


def policy(**overrides) -> PolicyTerms:
    """A verified insurer-reported policy meeting the default requirement, in force all of 2026."""
    return make_terms(**overrides)


def decide(policies, *, incident: date = INCIDENT, amount: str = "2500.00", category: str | None = None,
           seller_known: bool = True, limit: str = "1000.00") -> CoverageDecision:
    """decide_coverage with the everyday defaults of a claim."""
    return decide_coverage(policies, seller_known, incident, Decimal(amount), category, Decimal(limit))


def codes(decision: CoverageDecision) -> list[tuple[str, str | None]]:
    """The (code, policy_number) pairs of a decision's reasons."""
    return [(r.code, r.policy_number) for r in decision.reasons]


# --- the plain cases ------------------------------------------------------------------------------


def test_a_policy_in_force_covers_the_whole_amount_and_the_insurer_pays():
    p = policy()
    decision = decide([p], amount="2500.00")
    assert decision == CoverageDecision("covered", Decimal("2500.00"), "insurer", p, ())
    assert str(decision.covered_amount) == "2500.00"


def test_covered_amount_always_has_two_places():
    assert str(decide([policy()], amount="2500").covered_amount) == "2500.00"


def test_no_policy_for_a_known_seller():
    decision = decide([], seller_known=True)
    assert decision.status == "not_covered"
    assert decision.route == "seller"
    assert decision.policy is None
    assert str(decision.covered_amount) == "0.00"
    assert codes(decision) == [("no_policy", None)]
    assert decision.reasons[0].message


def test_unknown_seller():
    decision = decide([], seller_known=False)
    assert decision.status == "not_covered"
    assert decision.route == "seller"
    assert codes(decision) == [("unknown_seller", None)]
    assert "not known" in decision.reasons[0].message


def test_seller_known_matters_only_without_candidates():
    p = policy(expiration_date=date(2026, 3, 1))
    assert decide([p], seller_known=False) == decide([p], seller_known=True)
    assert codes(decide([p], seller_known=False)) == [("expired", "HX-1")]


def test_accepts_any_iterable_of_policies():
    p = policy()
    assert decide(iter([p])).policy == p
    assert decide(q for q in [p]).policy == p


# --- each reason code, one at a time --------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "category", "code", "status"),
    [
        ({"effective_date": date(2026, 6, 2)}, None, "not_yet_effective", "not_covered"),
        ({"expiration_date": date(2026, 6, 1)}, None, "expired", "not_covered"),
        ({"cancellation_date": date(2026, 5, 1)}, None, "cancelled", "not_covered"),
        ({"verification": "rejected", "source": "seller_upload"}, None, "verification_rejected", "not_covered"),
        ({"excluded_categories": frozenset({"toys"})}, "toys", "category_excluded", "not_covered"),
        ({"aggregate_remaining": Decimal("0.00")}, None, "aggregate_exhausted", "not_covered"),
        ({"verification": "pending", "source": "seller_upload"}, None, "pending_verification", "undetermined"),
    ],
)
def test_each_failed_test_gives_its_reason(overrides, category, code, status):
    decision = decide([policy(**overrides)], category=category)
    assert decision.status == status
    assert decision.route == ("review" if status == "undetermined" else "seller")
    assert decision.policy is None
    assert decision.covered_amount == Decimal("0.00")
    assert codes(decision) == [(code, "HX-1")]
    assert "HX-1" in decision.reasons[0].message


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        # Each row fails its own test and every later one: the first failure must be reported.
        ({"effective_date": date(2026, 7, 1), "expiration_date": date(2027, 1, 1),
          "verification": "rejected", "aggregate_remaining": Decimal("0")}, "not_yet_effective"),
        ({"expiration_date": date(2026, 5, 1), "cancellation_date": date(2026, 4, 1),
          "verification": "rejected", "aggregate_remaining": Decimal("0")}, "expired"),
        ({"cancellation_date": date(2026, 4, 1), "verification": "rejected",
          "excluded_categories": frozenset({"toys"})}, "cancelled"),
        ({"verification": "rejected", "excluded_categories": frozenset({"toys"}),
          "aggregate_remaining": Decimal("0")}, "verification_rejected"),
        ({"excluded_categories": frozenset({"toys"}), "aggregate_remaining": Decimal("0"),
          "verification": "pending"}, "category_excluded"),
        ({"aggregate_remaining": Decimal("0"), "verification": "pending"}, "aggregate_exhausted"),
    ],
)
def test_the_first_failed_test_in_contract_order_is_the_reason(overrides, code):
    decision = decide([policy(**overrides)], category="toys")
    assert codes(decision) == [(code, "HX-1")]
    assert decision.status == "not_covered"


def test_exhausted_pending_policy_is_not_covered_not_undetermined():
    decision = decide([policy(verification="pending", aggregate_remaining=Decimal("0.00"))])
    assert decision.status == "not_covered"
    assert decision.route == "seller"


def test_category_not_given_ignores_exclusions():
    p = policy(excluded_categories=frozenset({"toys", "baby"}))
    assert decide([p], category=None).status == "covered"


def test_category_not_excluded_is_covered():
    p = policy(excluded_categories=frozenset({"baby"}))
    assert decide([p], category="toys").status == "covered"


def test_messages_name_the_policy_and_the_date():
    decision = decide([policy(expiration_date=date(2026, 1, 1))])
    assert decision.reasons[0].message.startswith("Policy HX-1 expired")
    assert "2026-01-01" in decision.reasons[0].message
    decision = decide([policy(cancellation_date=date(2026, 5, 15))])
    assert "2026-05-15" in decision.reasons[0].message
    decision = decide([policy(effective_date=date(2026, 7, 1))])
    assert "2026-07-01" in decision.reasons[0].message
    decision = decide([policy(excluded_categories=frozenset({"toys"}))], category="toys")
    assert "Toys & Games" in decision.reasons[0].message


# --- the 12:01 a.m. boundaries --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("incident", "status", "reason"),
    [
        (date(2025, 12, 31), "not_covered", "not_yet_effective"),  # the day before the effective date
        (date(2026, 1, 1), "covered", None),  # the effective date itself
        (date(2026, 12, 31), "covered", None),  # the last day before expiration
        (date(2027, 1, 1), "not_covered", "expired"),  # the expiration date itself
    ],
)
def test_policy_period_boundaries(incident, status, reason):
    decision = decide([policy()], incident=incident)
    assert decision.status == status
    assert [c for c, _ in codes(decision)] == ([reason] if reason else [])


@pytest.mark.parametrize(
    ("incident", "status"),
    [
        (date(2026, 5, 31), "covered"),  # the day before cancellation
        (date(2026, 6, 1), "not_covered"),  # the cancellation date itself
        (date(2026, 6, 2), "not_covered"),
    ],
)
def test_cancellation_boundary(incident, status):
    decision = decide([policy(cancellation_date=date(2026, 6, 1))], incident=incident)
    assert decision.status == status
    if status == "not_covered":
        assert codes(decision) == [("cancelled", "HX-1")]


def test_cancelled_on_its_effective_date_never_covers():
    p = policy(cancellation_date=date(2026, 1, 1))
    assert codes(decide([p], incident=date(2026, 1, 1))) == [("cancelled", "HX-1")]


# --- the route and the guarantee limit ------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "limit", "route"),
    [
        ("1000.00", "1000.00", "marketplace"),
        ("1000.01", "1000.00", "insurer"),
        ("0.01", "1000.00", "marketplace"),
        ("5000.00", "5000.00", "marketplace"),
        ("5000.01", "5000.00", "insurer"),
        ("1000.01", "5000.00", "marketplace"),
    ],
)
def test_guarantee_limit_decides_who_pays_a_covered_claim(amount, limit, route):
    decision = decide([policy()], amount=amount, limit=limit)
    assert decision.status == "covered"
    assert decision.route == route


def test_guarantee_limit_is_compared_with_the_amount_claimed_not_the_amount_covered():
    p = policy(aggregate_remaining=Decimal("800.00"))
    decision = decide([p], amount="1500.00", limit="1000.00")
    assert decision.covered_amount == Decimal("800.00")
    assert decision.route == "insurer"


@pytest.mark.parametrize("amount", ["1.00", "1000.00", "999999999.99"])
def test_routes_of_uncovered_claims_ignore_the_amount(amount):
    assert decide([policy(verification="pending")], amount=amount).route == "review"
    assert decide([policy(verification="rejected")], amount=amount).route == "seller"


# --- the covered amount and limit_below_amount ----------------------------------------------------


def test_covered_amount_capped_by_the_per_occurrence_limit():
    p = policy(per_occurrence_limit=Decimal("1000000.00"), aggregate_remaining=Decimal("2000000.00"))
    decision = decide([p], amount="1500000.00")
    assert decision.status == "covered"
    assert decision.covered_amount == Decimal("1000000.00")
    assert codes(decision) == [("limit_below_amount", "HX-1")]
    message = decision.reasons[0].message
    assert "$1,000,000.00" in message and "$1,500,000.00" in message and "per-occurrence" in message


def test_covered_amount_capped_by_the_aggregate_remaining():
    p = policy(aggregate_remaining=Decimal("700.00"))
    decision = decide([p], amount="2500.00")
    assert decision.covered_amount == Decimal("700.00")
    assert codes(decision) == [("limit_below_amount", "HX-1")]
    assert "$700.00" in decision.reasons[0].message and "aggregate remaining" in decision.reasons[0].message


def test_amount_equal_to_the_cap_has_no_reason():
    p = policy(aggregate_remaining=Decimal("2500.00"))
    decision = decide([p], amount="2500.00")
    assert decision.covered_amount == Decimal("2500.00")
    assert decision.reasons == ()


def test_amount_one_cent_over_the_cap_has_the_reason():
    p = policy(aggregate_remaining=Decimal("2500.00"))
    decision = decide([p], amount="2500.01")
    assert decision.covered_amount == Decimal("2500.00")
    assert codes(decision) == [("limit_below_amount", "HX-1")]


def test_limit_below_amount_is_about_the_chosen_policy_only():
    small = policy(policy_number="A-1", aggregate_remaining=Decimal("100.00"))
    big = policy(policy_number="B-1", aggregate_remaining=Decimal("600.00"))
    decision = decide([small, big], amount="1000.00")
    assert decision.policy == big
    assert decision.covered_amount == Decimal("600.00")
    assert codes(decision) == [("limit_below_amount", "B-1")]


# --- several policies -----------------------------------------------------------------------------


def test_one_covering_policy_wins_over_failing_ones_and_hides_their_reasons():
    good = policy(policy_number="Z-9")
    expired = policy(policy_number="A-1", expiration_date=date(2026, 1, 2))
    pending = policy(policy_number="M-5", verification="pending")
    decision = decide([expired, good, pending])
    assert decision.status == "covered"
    assert decision.policy == good
    assert decision.reasons == ()


def test_undetermined_when_a_pending_policy_would_cover():
    pending = policy(policy_number="B-2", verification="pending", source="seller_upload", insurer_id=None)
    expired = policy(policy_number="A-1", expiration_date=date(2026, 3, 1))
    decision = decide([pending, expired])
    assert decision.status == "undetermined"
    assert decision.route == "review"
    assert decision.policy is None
    assert decision.covered_amount == Decimal("0.00")
    assert codes(decision) == [("expired", "A-1"), ("pending_verification", "B-2")]


def test_not_covered_when_no_policy_fails_only_the_verification_test():
    decision = decide([
        policy(policy_number="C-3", verification="rejected"),
        policy(policy_number="A-1", expiration_date=date(2026, 3, 1)),
        policy(policy_number="B-2", verification="pending", cancellation_date=date(2026, 2, 1)),
    ])
    assert decision.status == "not_covered"
    assert decision.route == "seller"
    assert codes(decision) == [("expired", "A-1"), ("cancelled", "B-2"), ("verification_rejected", "C-3")]


def test_reasons_are_ordered_by_policy_number_then_insurer_with_none_last():
    failing = {"expiration_date": date(2026, 3, 1)}
    given_order = [
        policy(policy_number="B", insurer_id=None, **failing),
        policy(policy_number="B", insurer_id=7, **failing),
        policy(policy_number="A", insurer_id=9, verification="rejected"),
        policy(policy_number="B", insurer_id=3, verification="rejected"),
    ]
    decision = decide(given_order)
    assert codes(decision) == [("verification_rejected", "A"), ("verification_rejected", "B"),
                               ("expired", "B"), ("expired", "B")]
    assert decide(list(reversed(given_order))) == decision


# --- the choice among passing policies ------------------------------------------------------------


def both_orders(a: PolicyTerms, b: PolicyTerms, **kwargs) -> PolicyTerms | None:
    """The chosen policy, asserting it is the same whichever order the two are given in."""
    first, second = decide([a, b], **kwargs), decide([b, a], **kwargs)
    assert first == second
    return first.policy


def test_choice_greatest_covered_amount_first():
    small = policy(policy_number="A", per_occurrence_limit=Decimal("500000.00"),
                   effective_date=date(2026, 5, 1))
    large = policy(policy_number="B", per_occurrence_limit=Decimal("2000000.00"))
    assert both_orders(small, large, amount="1500000.00") == large


def test_choice_equal_covered_amounts_latest_effective_date_next():
    older = policy(policy_number="A", effective_date=date(2026, 1, 1))
    newer = policy(policy_number="B", effective_date=date(2026, 2, 1))
    assert both_orders(older, newer) == newer


def test_choice_then_smallest_policy_number():
    a = policy(policy_number="HX-10", insurer_id=2)
    b = policy(policy_number="HX-9", insurer_id=1)
    # Policy numbers compare as text: "HX-10" < "HX-9".
    assert both_orders(a, b) == a


def test_choice_then_smallest_insurer_id():
    a = policy(insurer_id=12)
    b = policy(insurer_id=3)
    assert both_orders(a, b) == b


def test_choice_an_outside_insurer_sorts_after_every_insurer_id():
    outside = policy(insurer_id=None, source="seller_upload")
    ours = policy(insurer_id=999999)
    assert both_orders(outside, ours) == ours


def test_choice_is_stable_for_two_uploads_sharing_number_and_no_insurer():
    a = policy(insurer_id=None, source="seller_upload", key=1, expiration_date=date(2026, 12, 1))
    b = policy(insurer_id=None, source="seller_upload", key=2, expiration_date=date(2026, 11, 1))
    assert both_orders(a, b) in (a, b)


def test_choice_covered_amount_beats_a_later_effective_date():
    capped = policy(policy_number="A", effective_date=date(2026, 5, 1), aggregate_remaining=Decimal("100.00"))
    full = policy(policy_number="B", effective_date=date(2026, 1, 1))
    assert both_orders(capped, full) == full


def test_choice_equal_covered_amount_when_both_cover_the_whole_claim():
    # Both cover all 2500.00, so the larger limit does not matter: the later policy wins.
    big_old = policy(policy_number="A", per_occurrence_limit=Decimal("5000000.00"),
                     aggregate_limit=Decimal("5000000.00"), aggregate_remaining=Decimal("5000000.00"))
    small_new = policy(policy_number="B", effective_date=date(2026, 3, 1))
    assert both_orders(big_old, small_new) == small_new


# --- properties -----------------------------------------------------------------------------------

BASE = date(2026, 1, 1)
MONEY = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000.00"), places=2)


@st.composite
def policies(draw) -> PolicyTerms:
    """Policies over a short span of days and small figures, so that boundaries and ties happen."""
    start = draw(st.integers(0, 10))
    length = draw(st.integers(1, 10))
    effective, expiration = BASE + timedelta(days=start), BASE + timedelta(days=start + length)
    cancel_offset = draw(st.none() | st.integers(0, length - 1))
    per_occurrence = draw(st.sampled_from([Decimal("500.00"), Decimal("1000.00"), Decimal("2500.00")]))
    aggregate = per_occurrence * 2
    remaining = draw(st.sampled_from([Decimal("0.00"), Decimal("300.00"), per_occurrence, aggregate]))
    insurer_id = draw(st.sampled_from([None, 1, 2]))
    return PolicyTerms(
        policy_number=draw(st.sampled_from(["A", "B", "C"])),
        insurer_id=insurer_id,
        insurer_rating="A",
        source="seller_upload" if insurer_id is None else draw(st.sampled_from(["marketplace", "insurer"])),
        verification=draw(st.sampled_from(["verified", "pending", "rejected"])),
        effective_date=effective,
        expiration_date=expiration,
        cancellation_date=None if cancel_offset is None else effective + timedelta(days=cancel_offset),
        per_occurrence_limit=per_occurrence,
        aggregate_limit=aggregate,
        aggregate_remaining=remaining,
        deductible=Decimal("0.00"),
        occurrence_based=draw(st.booleans()),
        additional_insured=draw(st.booleans()),
        excluded_categories=frozenset(draw(st.sets(st.sampled_from(["toys", "baby"])))),
        key=draw(st.integers(1, 3)),
    )


CLAIMS = {
    "policies": st.lists(policies(), max_size=5),
    "seller_known": st.booleans(),
    "incident": st.integers(-1, 22).map(lambda d: BASE + timedelta(days=d)),
    "amount": MONEY,
    "category": st.sampled_from([None, "toys", "baby", "pet"]),
    "limit": st.sampled_from([Decimal("1000.00"), Decimal("300.00"), Decimal("2500.00")]),
}


def decide_raw(policies, seller_known, incident, amount, category, limit) -> CoverageDecision:
    """decide_coverage with the property tests' argument names."""
    return decide_coverage(policies, seller_known, incident, amount, category, limit)


def passes_every_test(p: PolicyTerms, incident: date, category: str | None) -> bool:
    """An independent statement of 'passes all seven tests'."""
    return (p.in_force_on(incident) and p.verification == "verified"
            and not (category is not None and category in p.excluded_categories)
            and p.aggregate_remaining > 0)


@given(**CLAIMS)
def test_property_covered_amount_never_exceeds_any_cap(policies, seller_known, incident, amount, category, limit):
    decision = decide_raw(policies, seller_known, incident, amount, category, limit)
    assert decision.covered_amount <= amount
    assert decision.covered_amount == decision.covered_amount.quantize(Decimal("0.01"))
    if decision.policy is not None:
        assert decision.covered_amount <= decision.policy.per_occurrence_limit
        assert decision.covered_amount <= decision.policy.aggregate_remaining
        assert decision.covered_amount > 0


@given(**CLAIMS)
def test_property_route_agrees_with_status_and_amount(policies, seller_known, incident, amount, category, limit):
    decision = decide_raw(policies, seller_known, incident, amount, category, limit)
    expected = {
        "covered": "marketplace" if amount <= limit else "insurer",
        "undetermined": "review",
        "not_covered": "seller",
    }[decision.status]
    assert decision.route == expected


@given(data=st.data(), **CLAIMS)
def test_property_decision_ignores_the_order_of_policies(data, policies, seller_known, incident, amount,
                                                        category, limit):
    shuffled = data.draw(st.permutations(policies))
    assert decide_raw(shuffled, seller_known, incident, amount, category, limit) == decide_raw(
        policies, seller_known, incident, amount, category, limit)


@given(data=st.data(), **CLAIMS)
def test_property_policies_sorted_once_decide_as_the_policies_themselves(data, policies, seller_known, incident, amount,
                                                                        category, limit):
    """in_order's result (an InOrder, sorted once for many checks) is handed back unsorted again, and decides
    every claim as the policies in any order do."""
    ordered = in_order(data.draw(st.permutations(policies)))
    assert isinstance(ordered, InOrder) and in_order(ordered) is ordered
    assert ordered == sorted(policies, key=policy_order_key)
    assert decide_raw(ordered, seller_known, incident, amount, category, limit) == decide_raw(
        policies, seller_known, incident, amount, category, limit)


@given(**CLAIMS)
def test_property_covered_iff_some_policy_in_force_and_passing(policies, seller_known, incident, amount,
                                                              category, limit):
    decision = decide_raw(policies, seller_known, incident, amount, category, limit)
    passing = [p for p in policies if passes_every_test(p, incident, category)]
    assert (decision.status == "covered") == bool(passing)
    if passing:
        assert decision.policy in passing
        best = max(min(amount, p.per_occurrence_limit, p.aggregate_remaining) for p in passing)
        assert decision.covered_amount == best
        expected = [("limit_below_amount", decision.policy.policy_number)] if best < amount else []
        assert codes(decision) == expected


@given(**CLAIMS)
def test_property_uncovered_decisions_pay_nothing_and_explain_every_candidate(policies, seller_known, incident,
                                                                             amount, category, limit):
    decision = decide_raw(policies, seller_known, incident, amount, category, limit)
    if decision.status == "covered":
        return
    assert decision.covered_amount == Decimal("0.00")
    assert decision.policy is None
    if not policies:
        assert codes(decision) == [("unknown_seller" if not seller_known else "no_policy", None)]
        return
    assert len(decision.reasons) == len(policies)
    numbers = [r.policy_number for r in decision.reasons]
    assert numbers == sorted(numbers)
    pending_only = any(r.code == "pending_verification" for r in decision.reasons)
    assert decision.status == ("undetermined" if pending_only else "not_covered")

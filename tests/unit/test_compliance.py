"""The marketplace requirement: each term, the sales threshold, the deadline and the status order."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelerator.domain.compliance import (
    TERM_CODES,
    ComplianceResult,
    compliance_status,
    excluded_sold_categories,
    meets_requirement,
    policy_reasons,
    rating_shortfall,
    requirement_failures,
)
from accelerator.domain.terms import PolicyTerms, Requirement
from tests.factories import make_terms

REQ = Requirement()
JAN = date(2026, 1, 1)
# January 2026 ends on the 31st; 30 days of grace end on 2 March 2026.
JAN_DEADLINE = date(2026, 3, 2)


def policy(**overrides) -> PolicyTerms:
    """A verified insurer-reported policy meeting the default requirement, in force all of 2026."""
    return make_terms(**overrides)


def sales(**months: str) -> dict[date, Decimal]:
    """Monthly gross proceeds keyed by the month's first day: sales(m2026_01="12000.00")."""
    return {date(int(k[1:5]), int(k[6:8]), 1): Decimal(v) for k, v in months.items()}


def status(policies, on: date, monthly=None, requirement: Requirement = REQ, categories=()) -> ComplianceResult:
    """compliance_status with January 2026 over the threshold unless told otherwise."""
    if monthly is None:
        monthly = sales(m2026_01="12000.00")
    return compliance_status(policies, monthly, on, requirement, categories)


def codes(result: ComplianceResult) -> list[tuple[str, str | None]]:
    """The (code, policy_number) pairs of a result's reasons."""
    return [(r.code, r.policy_number) for r in result.reasons]


# --- the terms ------------------------------------------------------------------------------------


def test_a_policy_meeting_every_term_has_no_failures():
    assert requirement_failures(policy(), REQ) == []
    assert meets_requirement(policy(), REQ) is True


def test_figures_exactly_at_the_requirement_meet_it():
    p = policy(per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("1000000.00"),
               deductible=Decimal("10000.00"), insurer_rating="A-")
    assert requirement_failures(p, REQ) == []


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"per_occurrence_limit": Decimal("999999.99")}, "limit_too_low"),
        ({"per_occurrence_limit": Decimal("500000.00"), "aggregate_limit": Decimal("999999.99")}, "limit_too_low"),
        ({"aggregate_limit": Decimal("999999.99"), "per_occurrence_limit": Decimal("999999.99")}, "limit_too_low"),
        ({"deductible": Decimal("10000.01")}, "deductible_too_high"),
        ({"additional_insured": False}, "not_additional_insured"),
        ({"occurrence_based": False}, "claims_made"),
        ({"insurer_rating": "B++"}, "insurer_rating_too_low"),
        ({"insurer_rating": None}, "insurer_rating_too_low"),
        ({"insurer_rating": "NR"}, "insurer_rating_too_low"),
    ],
)
def test_each_term_failure(overrides, code):
    p = policy(**overrides)
    assert requirement_failures(p, REQ) == [code]
    assert meets_requirement(p, REQ) is False


def test_aggregate_limit_alone_below_minimum_is_limit_too_low():
    p = policy(per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("999999.99"))
    assert requirement_failures(p, REQ) == ["limit_too_low"]


def test_the_aggregate_remaining_does_not_weigh_in_the_terms():
    assert meets_requirement(policy(aggregate_remaining=Decimal("0.00")), REQ) is True


@pytest.mark.parametrize(("rating", "meets"), [("A++", True), ("A+", True), ("A", True), ("A-", True),
                                               ("B++", False), ("B", False), ("F", False)])
def test_rating_a_minus_or_better(rating, meets):
    assert meets_requirement(policy(insurer_rating=rating), REQ) is meets


def test_every_term_failure_in_contract_order():
    p = policy(per_occurrence_limit=Decimal("100.00"), deductible=Decimal("50000.00"),
               additional_insured=False, occurrence_based=False, insurer_rating="C",
               excluded_categories=frozenset({"toys"}))
    assert requirement_failures(p, REQ, {"toys"}) == list(TERM_CODES) == [
        "limit_too_low", "deductible_too_high", "not_additional_insured", "claims_made", "insurer_rating_too_low",
        "category_excluded"]
    # Without the seller's categories, the terms alone (the policy object's meets_requirement).
    assert requirement_failures(p, REQ) == list(TERM_CODES[:-1])


def test_configured_requirement_figures_are_used():
    relaxed = Requirement(min_per_occurrence=Decimal("500000.00"), min_aggregate=Decimal("500000.00"),
                          max_deductible=Decimal("0.00"), min_rating="B", additional_insured=False,
                          occurrence_based=False)
    p = policy(per_occurrence_limit=Decimal("500000.00"), aggregate_limit=Decimal("500000.00"),
               deductible=Decimal("0.00"), insurer_rating="B", additional_insured=False, occurrence_based=False)
    assert requirement_failures(p, relaxed) == []
    assert requirement_failures(policy(deductible=Decimal("0.01"), insurer_rating="B-"), relaxed) == [
        "deductible_too_high", "insurer_rating_too_low"]


def test_meets_requirement_ignores_dates_and_verification():
    p = policy(verification="rejected", expiration_date=date(2020, 1, 1), effective_date=date(2019, 1, 1),
               cancellation_date=date(2019, 6, 1))
    assert meets_requirement(p, REQ) is True


# --- the categories the seller sells ----------------------------------------------------------------


def test_a_seller_with_no_categories_is_not_judged_on_exclusions():
    p = policy(excluded_categories=frozenset({"baby", "toys"}))
    assert requirement_failures(p, REQ, ()) == []
    assert meets_requirement(p, REQ, frozenset()) is True
    assert status([p], date(2026, 2, 1), categories=()).status == "compliant"


def test_a_policy_excluding_a_category_the_seller_does_not_sell_still_meets_it():
    p = policy(excluded_categories=frozenset({"baby"}))
    assert requirement_failures(p, REQ, {"toys", "home"}) == []
    result = status([p], date(2026, 2, 1), categories=("toys", "home"))
    assert result == ComplianceResult("compliant", JAN, JAN_DEADLINE, p, ())


def test_excluding_one_of_several_categories_fails_and_is_named():
    p = policy(excluded_categories=frozenset({"baby", "pet"}))
    assert requirement_failures(p, REQ, ["toys", "pet", "home"]) == ["category_excluded"]
    assert excluded_sold_categories(p, ["toys", "pet", "home"]) == ["pet"]
    result = status([p], date(2026, 2, 1), categories=["toys", "pet", "home"])
    assert result.status == "due" and result.policy is None
    assert codes(result) == [("category_excluded", "HX-1")]
    assert result.reasons[0].message == "Policy HX-1 excludes Pet Supplies, which the seller sells."


def test_excluding_every_category_is_one_entry_naming_them_all():
    p = policy(excluded_categories=frozenset({"toys", "baby", "pet"}))
    result = status([p], date(2026, 9, 1), categories=["toys", "baby"])
    assert result.status == "overdue"
    assert codes(result) == [("category_excluded", "HX-1")]
    assert result.reasons[0].message == "Policy HX-1 excludes Baby Products and Toys & Games, which the seller sells."


def test_three_excluded_categories_are_listed_with_commas():
    p = policy(excluded_categories=frozenset({"toys", "baby", "pet"}))
    [reason] = policy_reasons(p, date(2026, 2, 1), REQ, {"toys", "baby", "pet"})
    assert reason.message == ("Policy HX-1 excludes Baby Products, Pet Supplies and Toys & Games, "
                              "which the seller sells.")


def test_a_pending_policy_excluding_a_sold_category_does_not_make_the_seller_pending():
    pending = policy(verification="pending", excluded_categories=frozenset({"toys"}))
    result = status([pending], date(2026, 2, 1), categories={"toys"})
    assert result.status == "due"
    assert codes(result) == [("pending_verification", "HX-1"), ("category_excluded", "HX-1")]
    assert status([pending], date(2026, 2, 1), categories={"home"}).status == "pending_verification"


def test_category_excluded_comes_after_the_other_rules_of_its_policy_and_policies_keep_their_order():
    a = policy(policy_number="A-1", excluded_categories=frozenset({"toys"}), insurer_rating="B",
               expiration_date=date(2026, 1, 20))
    b = policy(policy_number="B-2", excluded_categories=frozenset({"toys"}))
    result = status([b, a], date(2026, 2, 1), categories={"toys"})
    assert codes(result) == [("expired", "A-1"), ("insurer_rating_too_low", "A-1"), ("category_excluded", "A-1"),
                             ("category_excluded", "B-2")]


def test_another_policy_without_the_exclusion_still_makes_the_seller_compliant():
    excluding = policy(policy_number="A-1", excluded_categories=frozenset({"toys"}), expiration_date=date(2027, 6, 1))
    plain = policy(policy_number="B-2")
    result = status([excluding, plain], date(2026, 2, 1), categories={"toys"})
    assert (result.status, result.policy) == ("compliant", plain)


# --- the sales threshold and the months that count ------------------------------------------------


def test_no_sales_is_not_required():
    assert status([], date(2026, 6, 1), monthly={}) == ComplianceResult("not_required", None, None, None, ())


def test_proceeds_exactly_at_the_threshold_are_not_over_it():
    result = status([], date(2026, 6, 1), monthly=sales(m2026_01="10000.00"))
    assert result.status == "not_required"
    assert result.required_since is None and result.deadline is None
    assert result.reasons == ()


def test_proceeds_one_cent_over_the_threshold_require_insurance():
    result = status([], date(2026, 2, 1), monthly=sales(m2026_01="10000.01"))
    assert result.status == "due"
    assert result.required_since == JAN
    assert result.deadline == JAN_DEADLINE
    assert codes(result) == [("no_policy", None)]


def test_a_month_counts_only_once_it_has_ended():
    monthly = sales(m2026_01="50000.00")
    assert status([], date(2026, 1, 31), monthly=monthly).status == "not_required"
    assert status([], date(2026, 1, 15), monthly=monthly).status == "not_required"
    assert status([], date(2026, 2, 1), monthly=monthly).status == "due"


def test_required_since_is_the_first_month_over_the_threshold():
    monthly = sales(m2026_04="20000.00", m2026_02="5000.00", m2026_03="10000.01", m2026_01="9999.99")
    result = status([], date(2026, 6, 1), monthly=monthly)
    assert result.required_since == date(2026, 3, 1)
    assert result.deadline == date(2026, 4, 30)  # 31 March + 30 days


def test_a_later_quiet_month_does_not_lift_the_requirement():
    monthly = sales(m2026_01="12000.00", m2026_02="0.00", m2026_03="0.00")
    result = status([], date(2026, 6, 1), monthly=monthly)
    assert result.required_since == JAN
    assert result.status == "overdue"


def test_an_unended_month_over_the_threshold_is_ignored_while_an_ended_one_counts():
    monthly = sales(m2026_01="12000.00", m2026_05="99000.00")
    result = status([], date(2026, 5, 20), monthly=monthly)
    assert result.required_since == JAN


def test_custom_threshold_and_grace_days():
    requirement = Requirement(sales_threshold=Decimal("500.00"), grace_days=10)
    monthly = sales(m2026_02="500.01")
    result = status([], date(2026, 3, 10), monthly=monthly, requirement=requirement)
    assert (result.status, result.required_since, result.deadline) == ("due", date(2026, 2, 1), date(2026, 3, 10))
    assert status([], date(2026, 3, 11), monthly=monthly, requirement=requirement).status == "overdue"


def test_leap_february_deadline():
    result = status([], date(2024, 3, 1), monthly=sales(m2024_02="12000.00"))
    assert result.deadline == date(2024, 3, 30)  # 29 February + 30 days


# --- due and overdue ------------------------------------------------------------------------------


def test_the_deadline_day_itself_is_due():
    assert status([], JAN_DEADLINE).status == "due"


def test_the_day_after_the_deadline_is_overdue():
    result = status([], JAN_DEADLINE + timedelta(days=1))
    assert result.status == "overdue"
    assert result.deadline == JAN_DEADLINE
    assert codes(result) == [("no_policy", None)]


# --- compliant, pending, and which wins -----------------------------------------------------------


def test_compliant_with_a_verified_policy_meeting_the_terms_in_force():
    p = policy()
    result = status([p], date(2026, 2, 1))
    assert result == ComplianceResult("compliant", JAN, JAN_DEADLINE, p, ())


def test_compliant_also_after_the_deadline():
    p = policy()
    assert status([p], date(2026, 9, 1)).status == "compliant"


def test_not_required_still_reports_a_qualifying_policy():
    p = policy()
    result = status([p], date(2026, 6, 1), monthly={})
    assert result == ComplianceResult("not_required", None, None, p, ())


def test_not_required_with_no_qualifying_policy_reports_none():
    result = status([policy(verification="pending")], date(2026, 6, 1), monthly={})
    assert result == ComplianceResult("not_required", None, None, None, ())


def test_pending_verification_when_only_a_pending_policy_would_meet_it():
    pending = policy(verification="pending", source="seller_upload", insurer_id=None)
    result = status([pending], date(2026, 2, 1))
    assert result.status == "pending_verification"
    assert result.policy is None
    assert codes(result) == [("pending_verification", "HX-1")]


def test_compliant_beats_pending():
    pending = policy(policy_number="A-1", verification="pending")
    verified = policy(policy_number="B-2")
    result = status([pending, verified], date(2026, 2, 1))
    assert result.status == "compliant"
    assert result.policy == verified
    assert result.reasons == ()


def test_pending_beats_overdue():
    pending = policy(verification="pending")
    assert status([pending], date(2026, 9, 1)).status == "pending_verification"


def test_a_pending_policy_that_would_not_meet_the_terms_leaves_the_seller_due():
    pending = policy(verification="pending", occurrence_based=False)
    result = status([pending], date(2026, 2, 1))
    assert result.status == "due"
    assert codes(result) == [("pending_verification", "HX-1"), ("claims_made", "HX-1")]


def test_a_pending_policy_not_in_force_leaves_the_seller_due():
    pending = policy(verification="pending", effective_date=date(2026, 3, 1))
    result = status([pending], date(2026, 2, 1))
    assert result.status == "due"
    assert codes(result) == [("not_yet_effective", "HX-1"), ("pending_verification", "HX-1")]


def test_a_rejected_policy_does_not_make_the_seller_compliant():
    result = status([policy(verification="rejected", source="seller_upload")], date(2026, 2, 1))
    assert result.status == "due"
    assert codes(result) == [("verification_rejected", "HX-1")]


def test_a_policy_failing_a_term_does_not_make_the_seller_compliant():
    result = status([policy(insurer_rating="B++")], date(2026, 4, 1))
    assert result.status == "overdue"
    assert codes(result) == [("insurer_rating_too_low", "HX-1")]
    assert "B++" in result.reasons[0].message and "A-" in result.reasons[0].message


# --- the policy period on `on` --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "expected", "reason"),
    [
        (date(2026, 2, 28), "due", "not_yet_effective"),
        (date(2026, 3, 1), "compliant", None),  # the effective date itself
        (date(2026, 12, 31), "compliant", None),
        (date(2027, 1, 1), "overdue", "expired"),  # the expiration date itself
    ],
)
def test_compliance_follows_the_policy_period(on, expected, reason):
    p = policy(effective_date=date(2026, 3, 1))
    result = status([p], on)
    assert result.status == expected
    assert [c for c, _ in codes(result)] == ([reason] if reason else [])


def test_cancellation_boundary():
    p = policy(cancellation_date=date(2026, 2, 15))
    assert status([p], date(2026, 2, 14)).status == "compliant"
    result = status([p], date(2026, 2, 15))
    assert result.status == "due"
    assert codes(result) == [("cancelled", "HX-1")]


def test_an_expired_policy_that_was_also_cancelled_fails_both_rules():
    p = policy(cancellation_date=date(2026, 6, 1))
    assert codes(status([p], date(2027, 2, 1))) == [("expired", "HX-1"), ("cancelled", "HX-1")]


# --- reasons --------------------------------------------------------------------------------------


def test_reasons_every_rule_of_every_policy_ordered_by_policy_number():
    b = policy(policy_number="B-2", verification="rejected", per_occurrence_limit=Decimal("500000.00"),
               additional_insured=False)
    a = policy(policy_number="A-1", expiration_date=date(2026, 1, 20), verification="pending",
               deductible=Decimal("25000.00"), insurer_rating=None)
    result = status([b, a], date(2026, 2, 1))
    assert codes(result) == [
        ("expired", "A-1"), ("pending_verification", "A-1"), ("deductible_too_high", "A-1"),
        ("insurer_rating_too_low", "A-1"),
        ("verification_rejected", "B-2"), ("limit_too_low", "B-2"), ("not_additional_insured", "B-2"),
    ]
    assert status([a, b], date(2026, 2, 1)) == result


@pytest.mark.parametrize(
    ("overrides", "figures"),
    [
        ({"per_occurrence_limit": Decimal("500000.00")}, ["Per-occurrence", "$500,000.00", "$1,000,000.00"]),
        ({"per_occurrence_limit": Decimal("500000.00"), "aggregate_limit": Decimal("750000.00")},
         ["$500,000.00", "$750,000.00", "aggregate"]),
        ({"deductible": Decimal("25000.00")}, ["$25,000.00", "$10,000.00"]),
        ({"additional_insured": False}, ["additional insured"]),
        ({"occurrence_based": False}, ["claims-made"]),
        ({"insurer_rating": None}, ["not rated"]),
        ({"expiration_date": date(2026, 1, 20)}, ["2026-01-20"]),
    ],
)
def test_messages_name_the_figures(overrides, figures):
    result = status([policy(**overrides)], date(2026, 2, 1))
    text = " ".join(r.message for r in result.reasons).lower()
    for figure in figures:
        assert figure.lower() in text
    assert all(r.message.startswith("Policy HX-1") for r in result.reasons)


# --- which policy is reported ---------------------------------------------------------------------


def test_choice_the_policy_expiring_last():
    early = policy(policy_number="A-1", expiration_date=date(2026, 12, 1))
    late = policy(policy_number="B-2", expiration_date=date(2027, 3, 1))
    assert status([early, late], date(2026, 2, 1)).policy == late
    assert status([late, early], date(2026, 2, 1)).policy == late


def test_choice_equal_expiry_smallest_policy_number():
    a = policy(policy_number="A-1", insurer_id=2)
    b = policy(policy_number="B-2", insurer_id=1)
    assert status([b, a], date(2026, 2, 1)).policy == a
    assert status([a, b], date(2026, 2, 1)).policy == a


def test_choice_equal_number_smallest_insurer_then_outside_insurer():
    ours = policy(insurer_id=5)
    outside = policy(insurer_id=None, source="seller_upload")
    assert status([outside, ours], date(2026, 2, 1)).policy == ours


def test_choice_a_cancelled_policy_ends_at_its_cancellation():
    # Cover of `cancelled` stops on 2026-06-01 although it would have expired last.
    cancelled = policy(policy_number="A-1", expiration_date=date(2027, 6, 1), cancellation_date=date(2026, 6, 1))
    other = policy(policy_number="B-2", expiration_date=date(2027, 1, 1))
    assert status([cancelled, other], date(2026, 2, 1)).policy == other


def test_choice_ignores_policies_that_do_not_qualify():
    late_pending = policy(policy_number="A-1", expiration_date=date(2028, 1, 1), verification="pending")
    late_bad = policy(policy_number="A-2", expiration_date=date(2028, 1, 1), deductible=Decimal("20000.00"))
    good = policy(policy_number="Z-9")
    assert status([late_pending, late_bad, good], date(2026, 2, 1)).policy == good


# --- properties -----------------------------------------------------------------------------------

BASE = date(2026, 1, 1)


@st.composite
def policies(draw) -> PolicyTerms:
    """Policies over a short span with terms that meet or just miss the requirement."""
    start, length = draw(st.integers(0, 60)), draw(st.integers(1, 60))
    effective = BASE + timedelta(days=start)
    cancel = draw(st.none() | st.integers(0, length - 1))
    insurer_id = draw(st.sampled_from([None, 1, 2]))
    return policy(
        policy_number=draw(st.sampled_from(["A", "B", "C"])),
        insurer_id=insurer_id,
        verification=draw(st.sampled_from(["verified", "pending", "rejected"])),
        effective_date=effective,
        expiration_date=effective + timedelta(days=length),
        cancellation_date=None if cancel is None else effective + timedelta(days=cancel),
        per_occurrence_limit=draw(st.sampled_from([Decimal("999999.99"), Decimal("1000000.00")])),
        deductible=draw(st.sampled_from([Decimal("10000.00"), Decimal("10000.01")])),
        insurer_rating=draw(st.sampled_from(["A-", "B++", None])),
        occurrence_based=draw(st.booleans()),
        additional_insured=draw(st.booleans()),
        excluded_categories=draw(st.sampled_from([frozenset(), frozenset({"toys"})])),
        key=draw(st.integers(1, 3)),
    )


SALES = st.dictionaries(
    st.integers(0, 3).map(lambda m: date(2026, m + 1, 1)),
    st.sampled_from([Decimal("0.00"), Decimal("10000.00"), Decimal("10000.01")]),
    max_size=4,
)
SOLD = st.sampled_from([(), ("toys",), ("home", "toys"), ("home",)])
DAYS = st.integers(0, 130).map(lambda d: BASE + timedelta(days=d))


def next_month(first_day: date) -> date:
    """The first day of the following month."""
    return (first_day + timedelta(days=31)).replace(day=1)


@given(data=st.data(), policies=st.lists(policies(), max_size=4), monthly=SALES, on=DAYS, sold=SOLD)
def test_property_result_ignores_the_order_of_policies(data, policies, monthly, on, sold):
    shuffled = data.draw(st.permutations(policies))
    assert (compliance_status(shuffled, monthly, on, REQ, sold)
            == compliance_status(policies, monthly, on, REQ, sold))


@given(policies=st.lists(policies(), max_size=4), monthly=SALES, on=DAYS, sold=SOLD)
def test_property_status_agrees_with_an_independent_statement(policies, monthly, on, sold):
    result = compliance_status(policies, monthly, on, REQ, sold)
    # A policy excluding what the seller sells never counts, whatever its other terms.
    qualifying = [p for p in policies if p.verification == "verified" and p.in_force_on(on)
                  and meets_requirement(p, REQ) and not p.excluded_categories & set(sold)]
    would = [p for p in policies if p.verification == "pending" and p.in_force_on(on)
             and meets_requirement(p, REQ) and not p.excluded_categories & set(sold)]
    # A month has ended before `on` when the first day of the next month is on or before `on`.
    over = [m for m, v in monthly.items() if v > Decimal("10000.00") and next_month(m) <= on]
    if over:
        assert result.required_since == min(over)
        assert result.deadline == next_month(min(over)) + timedelta(days=29)
    if not over:
        expected = "not_required"
    elif qualifying:
        expected = "compliant"
    elif would:
        expected = "pending_verification"
    else:
        expected = "due" if on <= result.deadline else "overdue"
    assert result.status == expected
    assert (result.policy is not None) == bool(qualifying)
    assert (result.reasons == ()) == (expected in ("not_required", "compliant"))
    if result.policy is not None:
        assert result.policy in qualifying


@pytest.mark.parametrize(("rating", "minimum", "notice"), [
    ("A-", "A-", None),
    ("A++", "A-", None),
    ("B++", "A-", "Rated B++ by AM Best: its policies do not meet the marketplace's requirement (A- or better)."),
    ("B+", "B++", "Rated B+ by AM Best: its policies do not meet the marketplace's requirement (B++ or better)."),
    (None, "A-", "Not rated by AM Best: its policies do not meet the marketplace's requirement (A- or better)."),
])
def test_the_rating_notice_is_given_exactly_below_the_minimum(rating, minimum, notice):
    assert rating_shortfall(rating, minimum) == notice

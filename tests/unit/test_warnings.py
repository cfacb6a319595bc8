"""Warnings before sending: the requirement rules as data, judged on a form's values, in one wording."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accelerator.domain.compliance import limit_shortfalls, requirement_failures
from accelerator.domain.terms import Requirement
from accelerator.domain.warnings import (
    Rule,
    excluded_requested,
    offer_rules,
    policy_rules,
    request_rules,
    shortfalls,
    unconfirmed,
)
from tests.factories import make_terms

REQ = Requirement()
DAY = date(2026, 11, 24)


def _messages(rules, **values) -> list[str]:
    """The sentences of the rules the values fail."""
    return [s.message for s in shortfalls(rules, values)]


def test_a_request_that_meets_the_requirement_has_no_shortfall():
    assert _messages(request_rules(REQ), per_occurrence_limit=Decimal("1000000.00"),
                     aggregate_limit=Decimal("1000000.00"), deductible=Decimal("10000.00")) == []


def test_each_limit_and_the_deductible_are_named_with_both_figures():
    assert _messages(request_rules(REQ), per_occurrence_limit=Decimal("500000.00"),
                     aggregate_limit=Decimal("750000.00"), deductible=Decimal("25000.00")) == [
        "Per-occurrence limit $500,000.00 is below the required $1,000,000.00.",
        "Aggregate limit $750,000.00 is below the required $1,000,000.00.",
        "Deductible $25,000.00 is above the allowed $10,000.00.",
    ]


def test_the_limit_wording_is_that_of_the_compliance_reasons():
    ours = _messages(request_rules(REQ), per_occurrence_limit=Decimal("500000.00"),
                     aggregate_limit=Decimal("600000.00"))
    theirs = limit_shortfalls(Decimal("500000.00"), Decimal("600000.00"), REQ)
    assert [m.rstrip(".").lower() for m in ours] == theirs


def test_figures_follow_the_configured_requirement():
    req = Requirement(min_per_occurrence=Decimal("2000000.00"), max_deductible=Decimal("0.00"))
    assert _messages(request_rules(req), per_occurrence_limit=Decimal("1000000.00"),
                     deductible=Decimal("1.00")) == [
        "Per-occurrence limit $1,000,000.00 is below the required $2,000,000.00.",
        "Deductible $1.00 is above the allowed $0.00.",
    ]


def test_values_not_given_are_not_judged():
    assert _messages(request_rules(REQ), per_occurrence_limit=None, aggregate_limit=None, deductible=None) == []
    assert _messages(request_rules(REQ)) == []


def test_an_offer_is_warned_of_claims_made_and_no_additional_insured():
    assert _messages(offer_rules(REQ), per_occurrence_limit=Decimal("1000000.00"),
                     aggregate_limit=Decimal("2000000.00"), deductible=Decimal("0.00"),
                     occurrence_based=False, additional_insured=False) == [
        "This quote is claims-made; the requirement is an occurrence-based policy.",
        "This quote does not name the marketplace as additional insured.",
    ]


def test_a_requirement_without_those_terms_does_not_warn_of_them():
    req = Requirement(occurrence_based=False, additional_insured=False)
    assert _messages(offer_rules(req), occurrence_based=False, additional_insured=False) == []


def test_an_offer_excluding_a_requested_category_is_named():
    found = excluded_requested(["toys", "books"], ["toys", "baby"])
    assert found.field == "excluded_categories" and found.code == "category_excluded"
    assert found.message == ("This quote excludes Toys & Games, which the request asked to cover: it will not "
                             "be shown as meeting the requirement.")
    assert excluded_requested(["books"], ["toys"]) is None
    assert excluded_requested([], ["toys"]) is None


def test_several_excluded_categories_are_listed_in_words():
    found = excluded_requested(["toys", "baby", "pet"], ["toys", "baby", "pet"])
    assert "excludes Baby Products, Pet Supplies and Toys & Games, which" in found.message


def _policy_values(**overrides):
    """An uploaded policy's entered values that meet the requirement on DAY."""
    values = dict(per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
                  deductible=Decimal("0.00"), coverage_basis="occurrence", additional_insured=True,
                  insurer_rating="A", effective_date=DAY - timedelta(days=5), expiration_date=DAY + timedelta(days=360))
    values.update(overrides)
    return values


def test_an_uploaded_policy_that_meets_the_requirement_fails_no_rule():
    assert _messages(policy_rules(REQ, DAY), **_policy_values()) == []


@pytest.mark.parametrize("overrides, code, message", [
    ({"coverage_basis": "claims_made"}, "claims_made",
     "This policy is claims-made; the requirement is an occurrence-based policy."),
    ({"additional_insured": False}, "not_additional_insured",
     "This policy does not name the marketplace as additional insured."),
    ({"insurer_rating": "B++"}, "insurer_rating_too_low",
     "The insurer is rated B++ by AM Best; the requirement is A- or better."),
    ({"effective_date": DAY + timedelta(days=1)}, "not_yet_effective",
     "This policy takes effect on 2026-11-25, after today (2026-11-24): it is not in force yet."),
    ({"expiration_date": DAY}, "expired",
     "This policy expired at 12:01 a.m. on 2026-11-24, before today (2026-11-24)."),
    ({"deductible": Decimal("10000.01")}, "deductible_above",
     "Deductible $10,000.01 is above the allowed $10,000.00."),
])
def test_each_rule_of_an_uploaded_policy(overrides, code, message):
    found = shortfalls(policy_rules(REQ, DAY), _policy_values(**overrides))
    assert [(s.code, s.message) for s in found] == [(code, message)]


def test_the_edges_pass_an_effective_date_of_today_and_a_rating_at_the_minimum():
    assert _messages(policy_rules(REQ, DAY), **_policy_values(
        effective_date=DAY, expiration_date=DAY + timedelta(days=1), insurer_rating="A-")) == []


def test_a_rating_not_entered_is_not_judged():
    assert _messages(policy_rules(REQ, DAY), **_policy_values(insurer_rating=None)) == []
    assert _messages(policy_rules(REQ, DAY), **_policy_values(insurer_rating="")) == []


def test_the_rules_agree_with_the_compliance_rule_on_the_terms():
    """What the upload warns of is what compliance will hold against the policy's terms."""
    terms = make_terms(per_occurrence_limit=Decimal("500000.00"), deductible=Decimal("20000.00"),
                       occurrence_based=False, additional_insured=False, insurer_rating="B")
    found = shortfalls(policy_rules(REQ, DAY), _policy_values(
        per_occurrence_limit=terms.per_occurrence_limit, aggregate_limit=terms.aggregate_limit,
        deductible=terms.deductible, coverage_basis="claims_made", additional_insured=False, insurer_rating="B"))
    codes = {s.code for s in found}
    assert {"per_occurrence_below", "deductible_above", "claims_made", "not_additional_insured",
            "insurer_rating_too_low"} <= codes
    assert set(requirement_failures(terms, REQ)) == {"limit_too_low", "deductible_too_high",
                                                     "not_additional_insured", "claims_made",
                                                     "insurer_rating_too_low"}


def test_rules_render_as_plain_json_for_the_page():
    rule = next(r for r in policy_rules(REQ, DAY) if r.code == "insurer_rating_too_low")
    data = rule.as_json()
    assert data["threshold"] == ["A++", "A+", "A", "A-"] and data["test"] == "one_of"
    assert "{value}" in data["template"]
    assert Rule(**{**data, "threshold": tuple(data["threshold"])}) == rule


def test_a_shortfall_is_unconfirmed_unless_its_sentence_was_confirmed():
    found = shortfalls(request_rules(REQ), {"per_occurrence_limit": Decimal("500000.00")})
    assert unconfirmed(found, [])
    assert not unconfirmed(found, [found[0].message])
    assert unconfirmed(found, ["Per-occurrence limit $400,000.00 is below the required $1,000,000.00."])
    assert not unconfirmed([], [])

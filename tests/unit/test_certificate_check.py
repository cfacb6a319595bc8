"""The requirement and the insurer signals applied to a certificate's read fields, at their edges."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accelerator.domain.certificate_check import (
    KnownInsurer,
    additional_insured_wording,
    certificate_requirement,
    compare_fields,
    evidence_words,
    insurer_signals,
    named_insurer,
    same_insurer_name,
)
from accelerator.domain.certificate_fields import Evidence
from accelerator.domain.terms import Requirement

TODAY = date(2026, 11, 24)
REQUIREMENT = Requirement()
MILLION = Decimal("1000000.00")
CENT = Decimal("0.01")
HARBOR = KnownInsurer(1, "Harbor Mutual", "12345", "A")
LOWLY = KnownInsurer(2, "Lowly Casualty", "54321", "B+")


def read(**overrides) -> dict:
    """A certificate's fields as read (domain types), every one meeting the requirement."""
    fields = {"insured_name": "Acme Goods LLC", "insurer_name": "Harbor Mutual Insurance Company",
              "naic_code": "12345", "policy_number": "HX-1", "effective_date": date(2026, 1, 1),
              "expiration_date": date(2027, 1, 1), "per_occurrence_limit": MILLION,
              "aggregate_limit": Decimal("2000000.00"), "deductible": Decimal("0.00"), "occurrence_based": True,
              "additional_insured": True, "certificate_holder": "Marketplace Services LLC"}
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not None}


def judge(fields: dict, rating: str | None = "A", today: date = TODAY):
    """The requirement's result for the fields."""
    return certificate_requirement(fields, rating, REQUIREMENT, today, "Main Street Market")


def codes(result) -> list[str]:
    """The reasons' codes."""
    return [reason.code for reason in result.reasons]


def signals(fields: dict, insurers=(HARBOR, LOWLY), evidence=None) -> dict[str, str]:
    """The insurer signals, code to message."""
    return dict(insurer_signals(fields, evidence or {}, insurers, REQUIREMENT))


def test_a_certificate_meeting_every_rule_meets_the_requirement():
    result = judge(read())
    assert result.meets is True and result.reasons == ()
    assert result.as_contract() == {"meets": True, "reasons": []}


@pytest.mark.parametrize(("per_occurrence", "failed"), [
    (MILLION - CENT, ["limit_too_low"]), (MILLION, []), (MILLION + CENT, [])])
def test_the_per_occurrence_limit_one_cent_under_at_and_over_the_minimum(per_occurrence, failed):
    result = judge(read(per_occurrence_limit=per_occurrence))
    assert codes(result) == failed and result.meets is (not failed)


@pytest.mark.parametrize(("aggregate", "failed"), [
    (MILLION - CENT, ["limit_too_low"]), (MILLION, []), (MILLION + CENT, [])])
def test_the_aggregate_limit_one_cent_under_at_and_over_the_minimum(aggregate, failed):
    assert codes(judge(read(aggregate_limit=aggregate))) == failed


def test_a_low_limit_names_the_figures_and_how_to_fix_it():
    [reason] = judge(read(per_occurrence_limit=Decimal("500000.00"))).reasons
    assert reason.policy_number == "HX-1"
    assert reason.message == (
        "Policy HX-1: per-occurrence limit $500,000.00 is below the required $1,000,000.00. Ask your insurance "
        "agent for limits of at least $1,000,000.00 per occurrence and $1,000,000.00 aggregate.")


@pytest.mark.parametrize(("deductible", "failed"), [
    (Decimal("10000.01"), ["deductible_too_high"]), (Decimal("10000.00"), []), (Decimal("9999.99"), [])])
def test_the_deductible_one_cent_over_at_and_under_the_maximum(deductible, failed):
    assert codes(judge(read(deductible=deductible))) == failed


def test_no_additional_insured_says_the_exact_wording_to_ask_for_naming_the_marketplace():
    [reason] = judge(read(additional_insured=False)).reasons
    assert reason.code == "not_additional_insured"
    assert reason.message == (
        "Policy HX-1 does not name the marketplace as additional insured. Ask your insurance agent to endorse the "
        "policy in these words: \u201cMain Street Market and its affiliates and assignees are included as "
        "additional insured.\u201d")
    assert additional_insured_wording("Main Street Market") == "Main Street Market and its affiliates and assignees"


def test_claims_made_and_a_low_rating_each_fail_with_how_to_fix_them():
    result = judge(read(occurrence_based=False), rating="B+")
    assert codes(result) == ["claims_made", "insurer_rating_too_low"]
    assert "occurrence-based policy" in result.reasons[0].message
    assert result.reasons[1].message.endswith("Choose a policy from an insurer rated A- or better by AM Best.")


def test_the_rating_is_not_judged_for_an_insurer_that_is_not_on_the_accelerator():
    assert judge(read(), rating=None).meets is True


@pytest.mark.parametrize(("effective", "expiration", "failed"), [
    (TODAY, TODAY + timedelta(days=1), []),
    (TODAY + timedelta(days=1), TODAY + timedelta(days=366), ["not_yet_effective"]),
    (TODAY - timedelta(days=365), TODAY, ["expired"]),
    (TODAY - timedelta(days=365), TODAY - timedelta(days=1), ["expired"]),
])
def test_dates_against_today(effective, expiration, failed):
    result = judge(read(effective_date=effective, expiration_date=expiration))
    assert codes(result) == failed


def test_an_expired_certificate_says_to_upload_the_renewal_and_a_future_one_when_to_come_back():
    expired = judge(read(expiration_date=TODAY)).reasons[0].message
    assert expired.startswith("Policy HX-1 expired at 12:01 a.m. on 2026-11-24, before 2026-11-24.")
    assert "renews it" in expired
    future = judge(read(effective_date=date(2026, 12, 1), expiration_date=date(2027, 12, 1))).reasons[0].message
    assert "Upload it again on or after 2026-12-01" in future


def test_unread_fields_are_not_judged_and_the_requirement_is_not_met_without_them():
    result = judge(read(deductible=None, additional_insured=None, per_occurrence_limit=Decimal("5.00")))
    assert codes(result) == ["limit_too_low"] and result.meets is False
    assert judge(read(deductible=None)).reasons == () and judge(read(deductible=None)).meets is False
    assert judge({}).as_contract() == {"meets": False, "reasons": []}


def test_an_unread_policy_number_is_null_in_the_reason():
    [reason] = judge(read(policy_number=None, deductible=Decimal("20000.00"))).reasons
    assert reason.policy_number is None and reason.message.startswith("Policy (number not read) has a deductible")


def test_both_limits_exactly_at_the_minimum_is_a_signal_and_one_cent_over_either_is_not():
    evidence = {"per_occurrence_limit": Evidence(1, "text", "EACH OCCURRENCE $1,000,000"),
                "aggregate_limit": Evidence(1, "text", "GENERAL AGGREGATE $1,000,000")}
    found = signals(read(aggregate_limit=MILLION), evidence=evidence)
    assert found == {"limits_at_minimum": (
        "Both limits are exactly the required minimum: $1,000,000.00 per occurrence (page 1, text: "
        "'EACH OCCURRENCE $1,000,000') and $1,000,000.00 aggregate (page 1, text: 'GENERAL AGGREGATE $1,000,000').")}
    assert signals(read(aggregate_limit=MILLION + CENT)) == {}
    assert signals(read(aggregate_limit=MILLION, per_occurrence_limit=MILLION + CENT)) == {}
    assert signals(read(aggregate_limit=MILLION, per_occurrence_limit=None)) == {}


def test_an_unknown_naic_code_with_an_unknown_name_is_no_signal():
    assert signals(read(naic_code="99999", insurer_name="Faraway Indemnity")) == {}


def test_the_naic_code_of_another_insurer_on_the_accelerator_is_a_mismatch():
    evidence = {"naic_code": Evidence(1, "text", "NAIC #: 54321"),
                "insurer_name": Evidence(1, "text", "Insurer: Harbor")}
    found = signals(read(naic_code="54321", insurer_name="Harbor Mutual"), evidence=evidence)
    assert set(found) == {"naic_mismatch", "rating_below_minimum"}
    assert found["naic_mismatch"] == ("The NAIC code 54321 (page 1, text: 'NAIC #: 54321') is that of Lowly Casualty "
                                      "on the Accelerator, but the certificate names Harbor Mutual (page 1, text: "
                                      "'Insurer: Harbor').")


def test_the_named_insurer_on_the_accelerator_with_another_code_is_a_mismatch():
    found = signals(read(naic_code="99999"))
    assert list(found) == ["naic_mismatch"]
    assert found["naic_mismatch"].startswith("Harbor Mutual is on the Accelerator with the NAIC code 12345, but the "
                                             "certificate gives 99999")


def test_the_right_code_and_name_or_the_code_alone_is_no_mismatch():
    assert signals(read()) == {}
    assert signals(read(insurer_name=None)) == {}
    assert signals(read(naic_code=None)) == {}


def test_an_insurer_on_the_accelerator_rated_below_the_minimum_is_a_signal():
    found = signals(read(insurer_name="Lowly Casualty Co.", naic_code="54321"))
    assert list(found) == ["rating_below_minimum"]
    assert "Lowly Casualty (NAIC 54321)" in found["rating_below_minimum"]
    assert found["rating_below_minimum"].endswith(
        "is rated B+ by AM Best on the Accelerator; the requirement is A- or better.")


def test_the_named_insurer_is_the_one_with_the_code_else_the_name():
    assert named_insurer(read(), [HARBOR, LOWLY]) is HARBOR
    assert named_insurer(read(naic_code="54321"), [HARBOR, LOWLY]) is LOWLY
    assert named_insurer(read(naic_code="99999"), [HARBOR, LOWLY]) is HARBOR
    assert named_insurer(read(naic_code="99999", insurer_name="Faraway"), [HARBOR, LOWLY]) is None


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Harbor Mutual", "Harbor Mutual Insurance Company", True), ("HARBOR MUTUAL INS. CO.", "Harbor Mutual", True),
    ("Pine & Maple", "Pine and Maple Insurance", True), ("Harbor Mutual", "Harbor Casualty", False),
    ("Harbor Mutual", "Granite State", False)])
def test_insurer_names_compare_by_their_telling_words(a, b, same):
    assert same_insurer_name(a, b) is same


def test_evidence_in_words():
    assert evidence_words(Evidence(1, "text", "POLICY NUMBER HX-1")) == "page 1, text: 'POLICY NUMBER HX-1'"
    assert evidence_words(Evidence(2, "form_field", "No: HX-1")) == "page 2, form field: 'No: HX-1'"
    assert evidence_words(None) == "not read"


def test_entered_and_read_fields_are_compared_with_their_evidence():
    entered = {"insured_name": "ACME GOODS  LLC", "insurer_name": "Harbor Mutual", "naic_code": "12345",
               "policy_number": "HX-1", "per_occurrence_limit": "1000000.00", "occurrence_based": True,
               "additional_insured": True, "deductible": "0.00"}
    read = {"insured_name": "Acme Goods LLC", "insurer_name": "Harbor Mutual Insurance Company", "naic_code": "12345",
            "policy_number": "HX-7", "per_occurrence_limit": "500000.00", "occurrence_based": True,
            "additional_insured": None, "effective_date": "2026-01-01"}
    evidence = {"policy_number": {"page": 1, "source": "text", "text": "POLICY NUMBER HX-7"}}
    rows = {row.name: row for row in compare_fields(entered, read, evidence)}
    assert list(rows) == ["insured_name", "insurer_name", "naic_code", "policy_number", "effective_date",
                          "expiration_date", "per_occurrence_limit", "aggregate_limit", "deductible",
                          "occurrence_based", "additional_insured"]
    assert {name for name, row in rows.items() if row.differs} == {"policy_number", "per_occurrence_limit"}
    assert rows["policy_number"].evidence == "page 1, text: 'POLICY NUMBER HX-7'"
    assert (rows["policy_number"].entered, rows["policy_number"].read) == ("HX-1", "HX-7")
    assert rows["insured_name"].status == "same" and rows["insurer_name"].status == "same"
    assert rows["additional_insured"].status == "not_read" and rows["deductible"].status == "not_read"
    assert rows["effective_date"].status == "not_entered" and rows["aggregate_limit"].evidence == "not read"

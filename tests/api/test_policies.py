"""Insurer policy endpoints through the client against the live server: every rule at its edges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from accelerator.client import ApiError
from accelerator.extensions import db as _db
from accelerator.models import Claim, Policy, Seller
from tests import factories
from tests.api.conftest import count, policy_body


def test_report_policy_answers_the_contracts_policy_object(api, insurer):
    policy = api.report_policy(policy_body())
    assert api.last_status == 201
    assert policy == {
        "policy_number": "HX-2026-000123",
        "insurer": {"id": str(insurer.id), "name": "Harbor Mutual", "naic_code": "12345", "am_best_rating": "A"},
        "seller_id": "A1B2C3D4E5",
        "source": "insurer",
        "verification": "verified",
        "effective_date": "2026-01-01",
        "expiration_date": "2027-01-01",
        "cancellation_date": None,
        "per_occurrence_limit": "1000000.00",
        "aggregate_limit": "2000000.00",
        "aggregate_remaining": "2000000.00",
        "deductible": "2500.00",
        "occurrence_based": True,
        "additional_insured": True,
        "excluded_categories": ["baby"],
        "meets_requirement": True,
        "pending_cancellation": None,
        "renewal": None,
    }


def test_defaults_and_numbers(api):
    body = policy_body(deductible=..., occurrence_based=..., additional_insured=..., excluded_categories=...,
                       per_occurrence_limit=500000, aggregate_limit=500000.5)
    policy = api.report_policy(body)
    assert policy["deductible"] == "0.00"
    assert policy["occurrence_based"] is True
    assert policy["additional_insured"] is False
    assert policy["excluded_categories"] == []
    assert policy["per_occurrence_limit"] == "500000.00"
    assert policy["aggregate_limit"] == "500000.50"
    assert policy["meets_requirement"] is False  # limits below the requirement, no additional insured


def test_unknown_seller_is_created_upper_cased(api):
    assert count(Seller) == 0
    api.report_policy(policy_body(seller_id="newseller99"))
    _db.session.rollback()
    assert _db.session.get(Policy, 1).seller_id == "NEWSELLER99"
    assert list(_db.session.execute(select(Seller.seller_id)).scalars()) == ["NEWSELLER99"]


@pytest.mark.parametrize(("expiration", "ok"), [("2029-01-01", True), ("2029-01-02", False)])
def test_term_of_1096_days_exactly_is_allowed_1097_refused(api, expiration, ok):
    # 2026-01-01 + 1,096 days = 2029-01-01 (2028 is a leap year).
    assert (date.fromisoformat(expiration) - date(2026, 1, 1)).days == (1096 if ok else 1097)
    if ok:
        assert api.report_policy(policy_body(expiration_date=expiration))["expiration_date"] == expiration
    else:
        with pytest.raises(ApiError) as exc:
            api.report_policy(policy_body(expiration_date=expiration))
        assert exc.value.status == 400 and "expiration_date" in exc.value.fields
        assert count(Policy) == 0


@pytest.mark.parametrize("expiration", ["2026-01-01", "2025-12-31"])
def test_expiration_must_be_after_effective(api, expiration):
    with pytest.raises(ApiError) as exc:
        api.report_policy(policy_body(expiration_date=expiration))
    assert exc.value.status == 400
    assert exc.value.fields == {"expiration_date": "Must be after the effective date."}


def test_expiration_one_day_after_effective_is_allowed(api):
    assert api.report_policy(policy_body(expiration_date="2026-01-02"))["expiration_date"] == "2026-01-02"


def test_aggregate_equal_to_per_occurrence_is_allowed_below_refused(api):
    assert api.report_policy(policy_body(aggregate_limit="1000000.00"))["aggregate_limit"] == "1000000.00"
    with pytest.raises(ApiError) as exc:
        api.report_policy(policy_body(policy_number="HX-2", aggregate_limit="999999.99"))
    assert exc.value.status == 400 and set(exc.value.fields) == {"aggregate_limit"}


def test_deductible_equal_to_per_occurrence_is_refused_one_cent_below_allowed(api):
    with pytest.raises(ApiError) as exc:
        api.report_policy(policy_body(deductible="1000000.00"))
    assert exc.value.status == 400 and set(exc.value.fields) == {"deductible"}
    assert api.report_policy(policy_body(deductible="999999.99"))["deductible"] == "999999.99"


def test_zero_deductible_allowed_zero_limit_refused(api):
    assert api.report_policy(policy_body(deductible=0))["deductible"] == "0.00"
    with pytest.raises(ApiError) as exc:
        api.report_policy(policy_body(policy_number="HX-3", per_occurrence_limit="0"))
    assert exc.value.fields["per_occurrence_limit"] == "Must be greater than 0."


def test_same_number_same_body_is_200_same_object_other_body_409(api):
    first = api.report_policy(policy_body())
    again = api.report_policy(policy_body(seller_id="A1B2C3D4E5", excluded_categories=["baby"]))
    assert api.last_status == 200
    assert again == first
    with pytest.raises(ApiError) as exc:
        api.report_policy(policy_body(deductible="2500.01"))
    assert exc.value.status == 409 and exc.value.code == "policy_exists"
    assert count(Policy) == 1


def test_same_number_may_be_used_by_two_insurers(api, other_api):
    mine = api.report_policy(policy_body())
    theirs = other_api.report_policy(policy_body())
    assert other_api.last_status == 201
    assert mine["insurer"]["id"] != theirs["insurer"]["id"]


def test_list_is_paginated_and_filtered_by_seller(api, other_api):
    for n in range(5):
        api.report_policy(policy_body(policy_number=f"HX-{n}", seller_id="SELLERAAA" if n % 2 else "SELLERBBB"))
    other_api.report_policy(policy_body(policy_number="OTHER-1"))
    page = api.list_policies(page=2, per_page=2)
    assert page["page"] == 2 and page["per_page"] == 2 and page["total"] == 5
    assert [p["policy_number"] for p in page["items"]] == ["HX-2", "HX-3"]
    assert api.list_policies()["per_page"] == 50
    by_seller = api.list_policies(seller_id="selleraaa")
    assert [p["policy_number"] for p in by_seller["items"]] == ["HX-1", "HX-3"]
    assert api.list_policies(page=9)["items"] == []


@pytest.mark.parametrize("params", [{"page": 0}, {"per_page": 0}, {"per_page": 201}, {"page": "1.5"},
                                    {"page": "x"}, {"per_page": "-1"}, {"seller_id": "x"}, {"sort": "name"}])
def test_list_refuses_bad_parameters(api, params):
    with pytest.raises(ApiError) as exc:
        api.request("GET", "/api/v1/policies", params=params)
    assert exc.value.status == 400 and exc.value.code == "invalid_request"
    assert set(exc.value.fields) == set(params)


def test_per_page_200_is_allowed(api):
    assert api.list_policies(per_page=200)["per_page"] == 200


def test_read_own_policy_and_another_insurers_is_404(api, other_api):
    api.report_policy(policy_body())
    assert api.get_policy("HX-2026-000123")["policy_number"] == "HX-2026-000123"
    for call in (lambda: other_api.get_policy("HX-2026-000123"),
                 lambda: other_api.cancel_policy("HX-2026-000123", "2026-06-01"),
                 lambda: other_api.policy_claims("HX-2026-000123"),
                 lambda: api.get_policy("NOPE-1"),
                 lambda: api.get_policy("-bad")):
        with pytest.raises(ApiError) as exc:
            call()
        assert exc.value.status == 404 and exc.value.code == "not_found"
    assert api.get_policy("HX-2026-000123")["cancellation_date"] is None


def test_another_insurers_policy_is_404_whatever_the_body(api, other_api):
    api.report_policy(policy_body())
    with pytest.raises(ApiError) as exc:
        other_api.request("POST", "/api/v1/policies/HX-2026-000123/cancel", json={"nonsense": True})
    assert exc.value.status == 404


def test_cancel_on_effective_date_ok_and_repeat_answers_the_same(api):
    api.report_policy(policy_body())
    first = api.cancel_policy("HX-2026-000123", "2026-01-01")
    assert first["cancellation_date"] == "2026-01-01"
    assert api.cancel_policy("HX-2026-000123", "2026-01-01") == first
    with pytest.raises(ApiError) as exc:
        api.cancel_policy("HX-2026-000123", "2026-02-01")
    assert exc.value.status == 409 and exc.value.code == "already_cancelled"
    assert api.get_policy("HX-2026-000123")["cancellation_date"] == "2026-01-01"


@pytest.mark.parametrize(("day", "ok"), [("2025-12-31", False), ("2026-12-31", True), ("2027-01-01", False)])
def test_cancel_date_must_lie_in_the_period(api, day, ok):
    api.report_policy(policy_body())
    if ok:
        assert api.cancel_policy("HX-2026-000123", day)["cancellation_date"] == day
    else:
        with pytest.raises(ApiError) as exc:
            api.cancel_policy("HX-2026-000123", day)
        assert exc.value.status == 400 and set(exc.value.fields) == {"cancellation_date"}
        assert api.get_policy("HX-2026-000123")["cancellation_date"] is None


@pytest.mark.parametrize("body", [{}, {"cancellation_date": "2026-02-30"}, {"cancellation_date": 20260201},
                                  {"cancellation_date": "2026-02-01", "reason": "x"}])
def test_cancel_refuses_bad_bodies(api, body):
    api.report_policy(policy_body())
    with pytest.raises(ApiError) as exc:
        api.request("POST", "/api/v1/policies/HX-2026-000123/cancel", json=body)
    assert exc.value.status == 400
    assert api.get_policy("HX-2026-000123")["cancellation_date"] is None


def test_cancelled_policy_reported_again_with_the_same_terms_answers_200(api):
    api.report_policy(policy_body())
    api.cancel_policy("HX-2026-000123", "2026-03-01")
    again = api.report_policy(policy_body())
    assert api.last_status == 200 and again["cancellation_date"] == "2026-03-01"


def test_policy_claims_lists_the_claims_paid(api, insurer):
    api.report_policy(policy_body())
    _db.session.rollback()
    policy = _db.session.get(Policy, 1)
    for n, amount in enumerate(["1500.00", "250.50"], start=1):
        policy.claims_paid += Decimal(amount)
        _db.session.add(Claim(claim_id=f"CLM-{n}", policy_id=policy.id, seller_id=policy.seller_id,
                              incident_date=date(2026, 3, n), amount_paid=Decimal(amount),
                              aggregate_remaining=policy.aggregate_limit - policy.claims_paid, request_hash="x" * 64))
    _db.session.commit()
    page = api.policy_claims("HX-2026-000123")
    assert page["total"] == 2
    assert page["items"][1] == {"claim_id": "CLM-2", "policy_number": "HX-2026-000123", "seller_id": "A1B2C3D4E5",
                                "incident_date": "2026-03-02", "amount_paid": "250.50",
                                "aggregate_remaining": "1998249.50"}
    assert api.get_policy("HX-2026-000123")["aggregate_remaining"] == "1998249.50"
    assert api.policy_claims("HX-2026-000123", page=2, per_page=1)["items"][0]["claim_id"] == "CLM-2"


def test_seller_upload_of_the_same_number_is_confirmed_by_the_insurers_report(api, insurer):
    seller = factories.make_seller(seller_id="A1B2C3D4E5")
    factories.make_policy(insurer=insurer, seller_id=seller.seller_id, policy_number="HX-2026-000123",
                          source="seller_upload", verification="pending")
    policy = api.report_policy(policy_body())
    assert api.last_status == 201
    assert policy["source"] == "insurer" and policy["verification"] == "verified"
    assert count(Policy) == 1


def test_the_answer_to_a_new_report_is_the_stored_policy_and_the_report_is_audited(api, insurer):
    from accelerator.models import AuditEntry

    answer = api.report_policy(policy_body(excluded_categories=["toys", "baby"], premium="1234.56",
                                           occurrence_based=False, deductible=0))
    assert api.last_status == 201
    assert answer == api.get_policy("HX-2026-000123")
    assert answer["excluded_categories"] == ["baby", "toys"]
    _db.session.rollback()
    stored = _db.session.execute(select(Policy)).scalar_one()
    assert (stored.premium, stored.claims_paid, stored.created_at is not None) == (Decimal("1234.56"), 0, True)
    entry = _db.session.execute(select(AuditEntry).where(AuditEntry.object_type == "policy")).scalar_one()
    assert (entry.action, entry.object_id, entry.details["insurer"]) == ("report", str(stored.id), insurer.id)
    assert entry.actor.startswith("api-key ")

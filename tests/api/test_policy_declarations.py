"""Policies and claims paid read and answer through their declarations (accelerator/shapes/policies.py),
and a field added to the policy object's declaration reaches every road that writes the object."""

from __future__ import annotations

from decimal import Decimal

import requests

from accelerator.models import Claim as ClaimRow
from accelerator.models import Policy as PolicyRow
from accelerator.services.coverage.statements import POLICY_COLUMNS, declared_columns
from accelerator.shapes.policies import Claim, Policy, policy_json
from accelerator.shapes.values import MoneyOut
from tests import factories
from tests.api.conftest import count, policy_body


def _reads_back(model, answer: dict) -> None:
    """The answer is exactly what its declaration dumps when it reads the answer back."""
    assert model.model_validate(answer).model_dump(mode="json") == answer


def test_every_policy_and_claim_answer_reads_back_through_its_declaration(live_server, api, marketplace_key):
    reported = api.report_policy(policy_body(excluded_categories=["toys", "baby"]))
    assert reported["excluded_categories"] == ["baby", "toys"]
    market = {"Authorization": f"Bearer {marketplace_key}"}
    claim = requests.post(f"{live_server.url}/api/v1/claims", headers=market, timeout=30, json={
        "claim_id": "clm-decl-1", "seller_id": "a1b2c3d4e5", "policy_number": "HX-2026-000123",
        "incident_date": "2026-06-01", "amount_paid": 2500})
    assert claim.status_code == 201
    covered = requests.get(f"{live_server.url}/api/v1/coverage", headers=market, timeout=30, params={
        "seller_id": "A1B2C3D4E5", "incident_date": "2026-06-01", "amount": "10.00"})
    answers = [reported, *api.list_policies()["items"], api.get_policy("HX-2026-000123"),
               api.cancel_policy("HX-2026-000123", "2026-07-01"), covered.json()["policy"]]
    for answer in answers:
        _reads_back(Policy, answer)
    assert answers[-1] == {**reported, "aggregate_remaining": "1997500.00"}  # the hot path writes the same object
    for answer in [claim.json(), *api.policy_claims("HX-2026-000123")["items"]]:
        _reads_back(Claim, answer)
    assert claim.json()["amount_paid"] == "2500.00"


def test_a_policy_report_names_every_wrong_field_and_broken_rule_at_once(api):
    body = policy_body(policy_number="-bad", expiration_date="2025-01-01", deductible="2000000.00",
                       occurrence_based="yes", excluded_categories=["baby", "baby"], premium=None, colour="red")
    response = api.session.post(f"{api.base_url}/api/v1/policies", json=body, timeout=30)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_request", "message": "The policy was not recorded: some fields are not right.",
        "fields": {"policy_number": "Must be 1 to 64 characters of A-Z a-z 0-9 - _ . starting with a letter or digit.",
                   "expiration_date": "Must be after the effective date.",
                   "deductible": "Must be less than the per-occurrence limit.",
                   "occurrence_based": "Must be true or false.",
                   "excluded_categories": "Each category may appear once.",
                   "colour": "Unknown field."}}
    assert count(PolicyRow) == 0


def test_a_claim_names_every_wrong_field_at_once(live_server, marketplace_key, db):
    response = requests.post(f"{live_server.url}/api/v1/claims", timeout=30, json={
        "claim_id": None, "seller_id": "x", "policy_number": "ok-1", "insurer_id": True,
        "incident_date": "2026-02-30", "amount_paid": "1.001"}, headers={"Authorization": f"Bearer {marketplace_key}"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"claim_id", "seller_id", "insurer_id", "incident_date",
                                                       "amount_paid"}
    assert response.json()["error"]["fields"]["claim_id"] == "This field is required."
    assert count(ClaimRow) == 0


def test_a_field_added_to_the_policy_declaration_is_selected_by_the_hot_path_and_answered(app, db):
    """Issue 14 point 7: the declaration is the one list; the hot path's columns follow it."""
    declared = {name for name in Policy.model_fields if name in PolicyRow.__table__.c}
    assert declared <= {column.name for column in POLICY_COLUMNS}

    class WithPremium(Policy):
        """The policy object with one more output field, as adding a line to the declaration would make it."""

        premium: MoneyOut | None

    added = {column.name for column in declared_columns(WithPremium)} - {c.name for c in declared_columns(Policy)}
    assert added == {"premium"}
    assert {c.name for c in declared_columns(Policy)} == {"renewal", "cancellation_reason"}  # a field, a ROW_READS
    policy = factories.make_policy(premium=Decimal("1200"))
    assert WithPremium.model_validate(policy).model_dump(mode="json") == {**policy_json(policy), "premium": "1200.00"}

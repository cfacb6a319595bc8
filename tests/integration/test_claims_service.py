"""The paid-claims use case on a real database: idempotency, the aggregate, the errors of the contract."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.models import AuditEntry, Claim, Policy
from accelerator.services import claims
from accelerator.services.audit import Actor
from accelerator.services.claims import ClaimInput
from tests import factories

ACTOR = Actor.api_key("acc_testkey0")


def _claim(claim_id="clm-1", seller_id="CLAIMS0001", policy_number="CL-1", incident=date(2026, 6, 1),
           amount="2500.00", insurer_id=None) -> ClaimInput:
    return ClaimInput(claim_id=claim_id, seller_id=seller_id, policy_number=policy_number, insurer_id=insurer_id,
                      incident_date=incident, amount_paid=Decimal(amount))


def _policy(**overrides) -> Policy:
    """A policy of 5,000 per occurrence and 10,000 aggregate for a seller (made when new)."""
    from accelerator.extensions import db
    from accelerator.models import Seller

    seller = overrides.pop("seller_id", "CLAIMS0001")
    if db.session.execute(select(Seller.id).where(Seller.seller_id == seller)).first() is None:
        factories.make_seller(seller_id=seller)
    values = dict(seller_id=seller, policy_number="CL-1", per_occurrence_limit=Decimal("5000.00"),
                  aggregate_limit=Decimal("10000.00"), deductible=Decimal("0.00"))
    values.update(overrides)
    return factories.make_policy(**values)


def _claims_paid(policy_id: int) -> Decimal:
    from accelerator.extensions import db

    return db.session.execute(select(Policy.claims_paid).where(Policy.id == policy_id)).scalar_one()


def test_a_claim_draws_the_aggregate_down_and_answers_the_first_answer_again(db):
    policy = _policy()
    claim, created = claims.record_claim(ACTOR, _claim())
    assert created is True
    assert (claim.claim_id, claim.policy.policy_number, claim.seller_id, claim.amount_paid,
            claim.aggregate_remaining) == ("clm-1", "CL-1", "CLAIMS0001", Decimal("2500.00"), Decimal("7500.00"))
    again, created = claims.record_claim(ACTOR, _claim())
    assert created is False and again.id == claim.id and again.aggregate_remaining == Decimal("7500.00")
    assert _claims_paid(policy.id) == Decimal("2500.00")
    from accelerator.extensions import db

    assert db.session.execute(select(func.count()).select_from(Claim)).scalar_one() == 1
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "record_claim")).scalar_one()
    assert entry.actor == "api-key acc_testkey0" and entry.details["claim_id"] == "clm-1"


def test_the_same_body_written_differently_is_the_same_claim(db):
    _policy()
    claims.record_claim(ACTOR, _claim(amount="25"))
    _again, created = claims.record_claim(ACTOR, _claim(amount="25.00"))
    assert created is False


def test_the_same_claim_id_with_another_body_is_claim_exists(db):
    policy = _policy()
    claims.record_claim(ACTOR, _claim())
    for changed in (_claim(amount="2500.01"), _claim(incident=date(2026, 6, 2))):
        with pytest.raises(Conflict) as caught:
            claims.record_claim(ACTOR, changed)
        assert caught.value.code == "claim_exists"
    assert _claims_paid(policy.id) == Decimal("2500.00")


def test_a_payment_above_what_is_left_is_recorded_and_the_remaining_stops_at_zero(db):
    policy = _policy()
    first, _ = claims.record_claim(ACTOR, _claim("a", amount="9000.00"))
    second, _ = claims.record_claim(ACTOR, _claim("b", amount="4000.00"))
    third, _ = claims.record_claim(ACTOR, _claim("c", amount="1.00"))
    assert [c.aggregate_remaining for c in (first, second, third)] == [
        Decimal("1000.00"), Decimal("0.00"), Decimal("0.00")]
    assert _claims_paid(policy.id) == Decimal("13001.00")


def test_an_unknown_policy_or_another_sellers_policy_is_not_found(db):
    _policy()
    _policy(seller_id="OTHER00001", policy_number="OT-1")
    for claim in (_claim(policy_number="NOPE-1"), _claim(policy_number="OT-1"),
                  _claim(seller_id="NOBODY0001")):
        with pytest.raises(NotFound):
            claims.record_claim(ACTOR, claim)


@pytest.mark.parametrize(("incident", "cancellation"), [
    (date(2025, 12, 31), None),  # the day before it took effect
    (date(2027, 1, 1), None),  # the expiration day: cover ended at 12:01 a.m.
    (date(2026, 5, 1), date(2026, 5, 1)),  # the cancellation day
])
def test_a_policy_not_in_force_on_the_incident_date_is_a_conflict(db, incident, cancellation):
    policy = _policy(cancellation_date=cancellation)
    with pytest.raises(Conflict) as caught:
        claims.record_claim(ACTOR, _claim(incident=incident))
    assert caught.value.code == "policy_not_in_force"
    assert _claims_paid(policy.id) == Decimal("0.00")


def test_the_effective_day_is_in_force(db):
    _policy()
    _claim_row, created = claims.record_claim(ACTOR, _claim(incident=date(2026, 1, 1)))
    assert created


def test_two_policies_with_one_number_need_the_insurer_id(db):
    first_insurer, second_insurer = factories.make_insurer(), factories.make_insurer()
    first = _policy(insurer=first_insurer, policy_number="SAME-1")
    second = _policy(insurer=second_insurer, policy_number="SAME-1")
    with pytest.raises(ValidationError) as caught:
        claims.record_claim(ACTOR, _claim(policy_number="SAME-1"))
    assert caught.value.code == "insurer_id_required" and "insurer_id" in caught.value.fields
    claim, _ = claims.record_claim(ACTOR, _claim(policy_number="SAME-1", insurer_id=second_insurer.id))
    assert claim.policy_id == second.id and _claims_paid(first.id) == Decimal("0.00")
    with pytest.raises(NotFound):
        claims.record_claim(ACTOR, _claim("other", policy_number="SAME-1", insurer_id=999999))

"""Sales reports and compliance on a real database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accelerator.domain.errors import ValidationError
from accelerator.models import AuditEntry, MonthlySales, Seller
from accelerator.services import sales
from accelerator.services.audit import Actor
from tests import factories

ACTOR = Actor.api_key("acc_testkey0")


def _count(model) -> int:
    from accelerator.extensions import db

    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_report_creates_the_seller_and_a_second_one_replaces_the_month(db):
    assert sales.report_sales(ACTOR, "newseller1", "2026-05", Decimal("12500.00")) == {
        "seller_id": "NEWSELLER1", "month": "2026-05", "gross_proceeds": "12500.00"}
    assert sales.report_sales(ACTOR, "NEWSELLER1", "2026-05", Decimal("0.00"))["gross_proceeds"] == "0.00"
    sales.report_sales(ACTOR, "NEWSELLER1", "2026-06", Decimal("1.00"))
    from accelerator.extensions import db

    rows = db.session.execute(select(MonthlySales.month, MonthlySales.gross_proceeds)
                              .order_by(MonthlySales.month)).all()
    assert rows == [(date(2026, 5, 1), Decimal("0.00")), (date(2026, 6, 1), Decimal("1.00"))]
    assert _count(Seller) == 1 and _count(AuditEntry) == 3


def test_an_existing_seller_record_is_kept(db):
    factories.make_seller(seller_id="KEEPME0001", legal_name="Keep Me LLC")
    sales.report_sales(ACTOR, "KEEPME0001", "2026-05", Decimal("1.00"))
    from accelerator.extensions import db

    assert db.session.execute(select(Seller.legal_name)).scalars().all() == ["Keep Me LLC"]


@pytest.mark.parametrize(("seller", "month", "proceeds", "field"), [
    ("short", "2026-05", "1.00", "seller_id"),
    ("SELLER0001", "2026-13", "1.00", "month"),
    ("SELLER0001", "1899-12", "1.00", "month"),
    ("SELLER0001", "2026-5", "1.00", "month"),
    ("SELLER0001", "2026-05", "-1.00", "gross_proceeds"),
    ("SELLER0001", "2026-05", "1e3", "gross_proceeds"),
    ("SELLER0001", "2026-05", None, "gross_proceeds"),
])
def test_bad_reports_are_refused_and_change_nothing(db, seller, month, proceeds, field):
    with pytest.raises(ValidationError) as caught:
        sales.report_sales(ACTOR, seller, month, proceeds)
    assert field in caught.value.fields
    assert _count(MonthlySales) == 0 and _count(Seller) == 0


def _sales(seller: str, *months: tuple[str, str]) -> None:
    for month, amount in months:
        sales.report_sales(ACTOR, seller, month, Decimal(amount))


def test_compliance_follows_the_requirement_through_its_states(db):
    seller = "COMPLY0001"
    assert sales.seller_compliance(seller, date(2026, 6, 15)).result.status == "not_required"
    _sales(seller, ("2026-04", "9000.00"), ("2026-05", "12000.00"), ("2026-06", "50000.00"))
    due = sales.seller_compliance(seller, date(2026, 6, 15))
    assert (due.result.status, due.result.required_since, due.result.deadline) == (
        "due", date(2026, 5, 1), date(2026, 6, 30))
    assert [r.code for r in due.result.reasons] == ["no_policy"]
    assert sales.seller_compliance(seller, "2026-07-01").result.status == "overdue"
    pending = factories.make_policy(seller_id=seller, policy_number="UP-1", source="seller_upload",
                                    verification="pending", insurer_id=None)
    assert sales.seller_compliance(seller, "2026-07-01").result.status == "pending_verification"
    good = factories.make_policy(seller_id=seller, policy_number="GOOD-1")
    standing = sales.seller_compliance(seller, "2026-07-01")
    assert (standing.result.status, standing.policy.id) == ("compliant", good.id)
    assert pending.id != good.id


def test_compliance_of_an_unknown_seller_is_not_required_and_on_defaults_to_today(db):
    from accelerator import clock

    standing = sales.seller_compliance("NEVERSEEN1")
    assert (standing.seller_id, standing.on, standing.result.status, standing.policy) == (
        "NEVERSEEN1", clock.now().date(), "not_required", None)


@pytest.mark.parametrize(("seller", "on", "field"), [
    ("x" * 100, None, "seller_id"), ("SELLER0001", "2026-02-30", "on"), ("SELLER0001", "3000-01-01", "on")])
def test_bad_compliance_questions_are_refused(db, seller, on, field):
    with pytest.raises(ValidationError) as caught:
        sales.seller_compliance(seller, on)
    assert field in caught.value.fields


def test_recording_categories_replaces_the_profile_list_keeps_the_rest_and_is_audited(db):
    factories.make_seller(seller_id="KEEPME0002", legal_name="Keep Me LLC", categories=["home"], state="WA")
    assert sales.record_categories(ACTOR, "keepme0002", ["toys", "baby", "toys"]) == {
        "seller_id": "KEEPME0002", "categories": ["baby", "toys"]}
    from accelerator.extensions import db

    db.session.expire_all()
    seller = db.session.execute(select(Seller).where(Seller.seller_id == "KEEPME0002")).scalar_one()
    assert (seller.categories, seller.legal_name, seller.state) == (["baby", "toys"], "Keep Me LLC", "WA")
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "record_categories")).scalar_one()
    assert (entry.object_id, entry.details) == ("KEEPME0002", {"before": ["home"], "categories": ["baby", "toys"]})


@pytest.mark.parametrize(("seller", "categories", "field"), [
    ("short", ["toys"], "seller_id"),
    ("SELLER0001", ["toys", "weapons"], "categories"),
    ("SELLER0001", "toys", "categories"),
    ("SELLER0001", None, "categories"),
    ("SELLER0001", ["toys"] * 51, "categories"),
])
def test_bad_categories_change_nothing(db, seller, categories, field):
    with pytest.raises(ValidationError) as caught:
        sales.record_categories(ACTOR, seller, categories)
    assert field in caught.value.fields
    assert _count(Seller) == 0 and _count(AuditEntry) == 0

"""services.claim_cases.list_cases on a real database: every page of every filter holds the cases a single read
answers, in the list's order (newest first, the higher id first at the same moment), with the right total."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from accelerator import clock
from accelerator.extensions import db
from accelerator.models import ClaimCase
from accelerator.services import claim_cases
from accelerator.services.audit import Actor
from accelerator.shapes.claim_cases import claim_case_json
from tests import factories
from tests.factories import NOW

ACTOR = Actor("test")
INSURED, UNINSURED = "LISTED0001", "LISTED0002"


def opened(case_id: str, seller_id: str, amount: str) -> None:
    """A case opened by the service (its coverage check recorded)."""
    request = claim_cases.CaseInput(case_id=case_id, seller_id=seller_id, kind="property_damage",
                                    incident_date=date(2026, 6, 1), amount_claimed=Decimal(amount), category=None,
                                    order_id=f"ORD-{case_id}", description="A scorched rug.", respond_by=None)
    claim_cases.open_case(ACTOR, None, request)


def cases_on_every_road(insurer) -> None:
    """Cases in many states, with payments, recoveries, notes and histories of several entries."""
    factories.make_seller(seller_id=INSURED)
    factories.make_seller(seller_id=UNINSURED)
    factories.make_policy(seller_id=INSURED, insurer=insurer, per_occurrence_limit=Decimal("5000.00"),
                          aggregate_limit=Decimal("10000.00"), deductible=Decimal("0.00"))
    opened("L-insurer-waits", INSURED, "2500.00")
    opened("L-insurer-pays", INSURED, "3000.00")
    claim_cases.accept(ACTOR, "L-insurer-pays", insurer.id)
    claim_cases.record_payment(ACTOR, "L-insurer-pays", insurer.id, "insurer", Decimal("3000.00"))
    opened("L-insurer-denies", INSURED, "2600.00")
    claim_cases.deny(ACTOR, "L-insurer-denies", insurer.id, "Not an occurrence.")
    opened("L-marketplace", INSURED, "400.00")
    claim_cases.record_payment(ACTOR, "L-marketplace", None, "marketplace", Decimal("400.00"))
    opened("L-seller-waits", UNINSURED, "700.00")
    opened("L-stepped-in", UNINSURED, "800.00")
    claim_cases.step_in(ACTOR, "L-stepped-in", "The seller is silent.")
    claim_cases.record_payment(ACTOR, "L-stepped-in", None, "marketplace", Decimal("800.00"))
    claim_cases.recover(ACTOR, "L-stepped-in", Decimal("300.00"))
    opened("L-closed", UNINSURED, "900.00")
    claim_cases.close(ACTOR, "L-closed", "withdrawn", "The customer withdrew.")
    for n in range(3):  # three opened at one moment, the newest: the higher id first
        opened(f"L-same-{n}", UNINSURED, "100.00")
    db.session.execute(update(ClaimCase).where(ClaimCase.case_id.like("L-same-%"))
                       .values(opened_at=NOW + timedelta(hours=1)))
    db.session.commit()


def expected(insurer_id: int | None, state: str | None, seller_id: str | None) -> list[dict]:
    """The matching cases as a single read answers each, newest first (the higher id first at one moment)."""
    query = select(ClaimCase.case_id).order_by(ClaimCase.opened_at.desc(), ClaimCase.id.desc())
    for column, value in ((ClaimCase.insurer_id, insurer_id), (ClaimCase.state, state),
                          (ClaimCase.seller_id, seller_id)):
        if value is not None:
            query = query.where(column == value)
    return [claim_case_json(claim_cases.get_case(case_id)) for case_id in db.session.execute(query).scalars()]


def stored_state(case_id: str) -> str:
    """The case's state as stored (a single read would escalate it first)."""
    return db.session.execute(select(ClaimCase.state).where(ClaimCase.case_id == case_id)).scalar_one()


def assert_every_page(insurer_id: int | None, state: str | None, seller_id: str | None) -> int:
    """Every page of every size (and the page past the end) against single reads; how many cases matched."""
    first = claim_cases.list_cases(insurer_id, state, seller_id, 1, 50)  # passed deadlines are escalated first
    cases = expected(insurer_id, state, seller_id)  # (a single read escalates too)
    assert [claim_case_json(view) for view in first.items] == cases
    for per_page in (1, 2, 3, 5, 50):
        listed = []
        for page in range(1, len(cases) // per_page + 3):
            found = claim_cases.list_cases(insurer_id, state, seller_id, page, per_page)
            assert (found.page, found.per_page, found.total) == (page, per_page, len(cases))
            assert len(found.items) == max(0, min(per_page, len(cases) - (page - 1) * per_page))
            listed += [claim_case_json(view) for view in found.items]
        assert listed == cases, (insurer_id, state, seller_id, per_page)
    return len(cases)


def test_every_page_of_every_filter_lists_the_cases_as_read_one_by_one(db):
    insurer = factories.make_insurer()
    cases_on_every_road(insurer)
    other = factories.make_insurer()
    for moment in (NOW, NOW + timedelta(days=8)):  # eight days on, the cases left waiting are escalated
        clock.pin(moment)
        assert assert_every_page(other.id, None, None) == 0
        assert assert_every_page(insurer.id, None, None) == 4  # its own cases escalated, not the others
        assert stored_state("L-insurer-waits") == ("escalated" if moment > NOW else "awaiting_insurer")
        assert stored_state("L-seller-waits") == "awaiting_seller"
        assert assert_every_page(None, None, None) == 10
        assert assert_every_page(None, None, UNINSURED) == 6
        assert assert_every_page(None, None, "NOBODY0001") == 0
        assert assert_every_page(insurer.id, None, INSURED) == 4
        assert assert_every_page(None, "paid", None) == 3
        assert assert_every_page(insurer.id, "paid", INSURED) == 2
        assert assert_every_page(None, "closed", UNINSURED) == 1
    listed = claim_cases.list_cases(None, "escalated", None, 1, 50).items
    assert sorted(view.case.case_id for view in listed) == [
        "L-insurer-denies", "L-insurer-waits", "L-same-0", "L-same-1", "L-same-2", "L-seller-waits"]
    assert [view.case.case_id for view in claim_cases.list_cases(None, None, UNINSURED, 1, 3).items] == [
        "L-same-2", "L-same-1", "L-same-0"]

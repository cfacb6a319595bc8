"""The demo's claim cases: one or more in every state and every escalation, made through the real services.

Each step runs with the clock moved back to when it happened (clock.moved_to), so the history, the
deadlines and the figures are real: a case opened twelve days ago and never answered is escalated on
its deadline. The coverage check of each opening is dated back to it, as the demo's check history is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from accelerator import clock
from accelerator.extensions import db
from accelerator.models import ApiKey, CoverageCheck
from accelerator.services import audit, claim_cases
from accelerator.services.demo.helpers import D

# (case number, seller, amount claimed, kind, description)
_OPENINGS = {
    1: ("A1TOYOAK7Q", "850.00", "property_damage", "A wooden puzzle's paint flaked and stained a rug."),
    2: ("A2BRTWIRE9", "2500.00", "property_damage", "A charger overheated and scorched a desk."),
    3: ("A5PAWSOME8", "1800.00", "bodily_injury", "A dog harness buckle snapped and the owner fell."),
    4: ("A3GRNLEAF4", "1200.00", "property_damage", "A ceramic lamp cracked and burned a table top."),
    5: ("A4TRLHEAD2", "2500.00", "bodily_injury", "A tent pole split and cut a camper's hand."),
    6: ("A1TOYOAK7Q", "4000.00", "bodily_injury", "A toy's small part came loose and a child choked."),
    7: ("A7NORTHWK5", "1600.00", "bodily_injury", "A kettle's lid came off and scalded a hand."),
    8: ("A2BRTWIRE9", "3000.00", "property_damage", "A power bank swelled and damaged a sofa."),
    9: ("A4TRLHEAD2", "5200.00", "bodily_injury", "A climbing rope frayed during a fall."),
    10: ("A6LUMENBL3", "1350.00", "bodily_injury", "A face cream caused a skin reaction."),
    11: ("A1TOYOAK7Q", "2200.00", "property_damage", "A bath toy leaked dye into a tub."),
    12: ("A2BRTWIRE9", "600.00", "property_damage", "An extension cord melted a floor mat."),
    13: ("A8IRNCLAD6", "1400.00", "bodily_injury", "A jack stand gave way under a car."),
    14: ("A4TRLHEAD2", "3600.00", "property_damage", "A camp stove flared and burned a tent."),
    15: ("A5PAWSOME8", "900.00", "property_damage", "A pet gate's latch broke and a door was scratched."),
    16: ("A6LUMENBL3", "700.00", "bodily_injury", "A hair dryer's cord sparked."),
}


def _case_id(number: int, today) -> str:
    """The claims service's id of a demo case."""
    return f"DEMO-{today.year}-{number:04d}"


def load_claim_cases() -> None:
    """Open the demo's claim cases at their times in the past and answer them as the parties did."""
    now = clock.now()
    key = db.session.execute(select(ApiKey.prefix).where(ApiKey.role == "marketplace")).scalar_one()
    db.session.commit()
    marketplace, party = audit.Actor.api_key(key), audit.Actor.cli()
    ids = {n: _case_id(n, now.date()) for n in _OPENINGS}
    insurers: dict[int, int | None] = {}

    def at(days_ago: float, step: Callable[[], object]) -> None:
        """Run one step with the clock at that moment."""
        with clock.moved_to(now - timedelta(days=days_ago)):
            step()

    def opened(number: int, days_ago: float) -> None:
        """The claims service opens case `number`, on an incident three days before."""
        seller, amount, kind, description = _OPENINGS[number]
        moment = now - timedelta(days=days_ago)
        request = claim_cases.CaseInput(
            case_id=ids[number], seller_id=seller, kind=kind, incident_date=(moment - timedelta(days=3)).date(),
            amount_claimed=D(amount), category=None, order_id=f"114-{7000000 + 37 * number:07d}-{number:07d}",
            description=description, respond_by=None)
        with clock.moved_to(moment):
            view, _created = claim_cases.open_case(marketplace, None, request)
        insurers[number] = view.case.insurer_id
        _date_check(view.case.check_id, moment)

    # Standing now: marketplace to pay, awaiting the insurer, awaiting the seller, in review, accepted.
    opened(1, 2)
    opened(2, 1)
    opened(3, 2)
    opened(4, 1)
    opened(5, 4)
    at(3.4, lambda: claim_cases.accept(party, ids[5], insurers[5]))
    # Escalated: nobody answered (insurer, seller), payment overdue, the insurer denied, the seller disputed.
    opened(6, 12)
    opened(7, 10)
    opened(8, 20)
    at(19.2, lambda: claim_cases.accept(party, ids[8], insurers[8]))
    opened(9, 6)
    at(5.7, lambda: claim_cases.deny(party, ids[9], insurers[9], "The rope was used past its rated life."))
    opened(10, 5)
    at(3.1, lambda: claim_cases.seller_dispute(party, ids[10], "A6LUMENBL3",
                                             "The customer used the cream against its instructions."))
    # Paid: by the insurer; by the marketplace on its own route; after a step-in, partly recovered from the
    # seller and fully from the insurer; by the seller. And one closed as withdrawn.
    opened(11, 30)
    at(29.5, lambda: claim_cases.accept(party, ids[11], insurers[11]))
    at(25, lambda: claim_cases.record_payment(party, ids[11], insurers[11], "insurer", D("2200.00")))
    opened(12, 40)
    at(38, lambda: claim_cases.record_payment(marketplace, ids[12], None, "marketplace", D("600.00")))
    opened(13, 45)
    at(37.2, lambda: claim_cases.step_in(marketplace, ids[13], "The seller did not answer; paying the customer."))
    at(35, lambda: claim_cases.record_payment(marketplace, ids[13], None, "marketplace", D("1400.00")))
    at(20, lambda: claim_cases.recover(marketplace, ids[13], D("600.00")))
    opened(14, 50)
    at(49.3, lambda: claim_cases.deny(party, ids[14], insurers[14], "Late notice."))
    at(48.1, lambda: claim_cases.step_in(marketplace, ids[14], "Notice was in time; paying and recovering."))
    at(45, lambda: claim_cases.record_payment(marketplace, ids[14], None, "marketplace", D("3600.00")))
    at(15, lambda: claim_cases.recover(marketplace, ids[14], D("3600.00")))
    opened(15, 35)
    at(34.2, lambda: claim_cases.seller_accept(party, ids[15], "A5PAWSOME8"))
    at(30, lambda: claim_cases.record_payment(marketplace, ids[15], None, "seller", D("900.00")))
    opened(16, 28)
    at(26, lambda: claim_cases.close(marketplace, ids[16], "withdrawn", "The customer withdrew the claim."))
    # The deadlines that passed are written, as the hourly job would have.
    claim_cases.escalate_overdue()


def _date_check(check_id: str, moment: datetime) -> None:
    """Date the case's coverage check back to its opening (the record and its stored answer alike)."""
    check = db.session.execute(select(CoverageCheck).where(CoverageCheck.check_id == check_id)).scalar_one()
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    old = check.checked_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    check.response = check.response.replace(f'"checked_at":"{old}"', f'"checked_at":"{stamp}"', 1)
    check.checked_at = moment.replace(microsecond=0)
    db.session.commit()

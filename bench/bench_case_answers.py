"""The claim case object written three ways, in process: by hand (the old shapes/answers.py function), by
pydantic (validate the row's values, dump the model) and by the writer derived from the declaration (the app's).

    .venv/bin/python bench/bench_case_answers.py [--rounds 7] [--n 2000]

A case is a stand-in row (its attributes as the ORM gives them: a check, a payment, a recovery and five
history lines); each round times both writers once in turn (interleaved, so load from other programs falls on
both alike), `--n` answers each; the figure is the median over the rounds, in microseconds an answer.
Opening a case writes it twice or three times (the answer, the webhook events); a list of 50 writes 50.
A benchmark, not a test: it never fails on a figure.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

from accelerator.domain.money import format_money
from accelerator.shapes.claim_cases import CasePayment, CaseRecovery, ClaimCase, claim_case_json


def _timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def by_hand(view) -> dict:
    """The old writer (shapes/answers.py `claim_case_json` before the declaration), field for field."""
    case = view.case
    payment = None
    if case.payment_payer is not None:
        payment = {"payer": case.payment_payer, "amount": format_money(case.payment_amount),
                   "paid_at": _timestamp(case.paid_at)}
    recovery = None
    if case.recovery_from is not None:
        recovery = {"from": case.recovery_from, "due": format_money(case.recovery_due),
                    "recovered": format_money(case.recovery_recovered)}
    return {
        "case_id": case.case_id, "seller_id": case.seller_id, "kind": case.kind,
        "incident_date": case.incident_date.isoformat(), "amount_claimed": format_money(case.amount_claimed),
        "category": case.category, "order_id": case.order_id, "description": case.description,
        "opened_at": _timestamp(case.opened_at), "check": view.check, "route": case.route,
        "insurer_id": str(case.insurer_id) if case.insurer_id is not None else None, "state": case.state,
        "escalation": case.escalation, "respond_by": _timestamp(case.respond_by), "payment": payment,
        "recovery": recovery,
        "history": [{"at": _timestamp(e.at), "event": e.event, "by": e.by, "note": e.note} for e in case.events],
    }


_COLUMNS = tuple(name for name in ClaimCase.model_fields if name not in ("check", "payment", "recovery", "history"))


def through_pydantic(view) -> dict:
    """The declaration's model validated from the row's values (history rows read as attributes) and dumped."""
    row = view.case
    values = {name: getattr(row, name) for name in _COLUMNS}
    values["check"] = view.check
    values["payment"] = None if row.payment_payer is None else CasePayment(
        payer=row.payment_payer, amount=row.payment_amount, paid_at=row.paid_at)
    values["recovery"] = None if row.recovery_from is None else CaseRecovery(
        from_=row.recovery_from, due=row.recovery_due, recovered=row.recovery_recovered)
    values["history"] = row.events
    return ClaimCase.model_validate(values).model_dump(mode="json", by_alias=True)


def a_view() -> SimpleNamespace:
    """A paid case with a recovery and five history lines, as a CaseView holds it (row attributes)."""
    at = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    events = [SimpleNamespace(at=at, event=event, by=by, note=note) for event, by, note in (
        ("opened", "marketplace", None), ("denied", "insurer", "Misuse."), ("stepped_in", "marketplace", "We pay."),
        ("paid", "marketplace", None), ("recovered", "marketplace", None))]
    row = SimpleNamespace(
        case_id="AZ-2026-0042", seller_id="A1B2C3D4E5", kind="property_damage", incident_date=date(2026, 6, 1),
        amount_claimed=Decimal("2500.00"), category="toys", order_id="112-1234567-1234567",
        description="The heater's cord melted and scorched the carpet.", opened_at=at, route="insurer",
        insurer_id=7, state="paid", escalation=None, respond_by=None, payment_payer="marketplace",
        payment_amount=Decimal("2500.00"), paid_at=at, recovery_from="insurer", recovery_due=Decimal("2500.00"),
        recovery_recovered=Decimal("100.00"), events=events)
    check = {"check_id": "chk_0123456789abcdef", "checked_at": "2026-11-23T18:00:00Z", "seller_id": "A1B2C3D4E5",
             "incident_date": "2026-06-01", "amount": "2500.00", "category": "toys", "status": "covered",
             "covered_amount": "2500.00", "route": "insurer", "policy": {"policy_number": "CC-1", "insurer": {
                 "id": "7", "name": "Acme", "naic_code": "12345", "am_best_rating": "A"}}, "reasons": []}
    return SimpleNamespace(case=row, check=check)


def main() -> None:
    """Time both writers, interleaved, and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    view = a_view()
    assert by_hand(view) == claim_case_json(view) == through_pydantic(view), "the writers disagree"
    times: dict[str, list[float]] = {"by hand": [], "pydantic": [], "writer": []}
    for round_ in range(args.rounds):
        order = [("by hand", by_hand), ("pydantic", through_pydantic), ("writer", claim_case_json)]
        for name, writer in order if round_ % 2 == 0 else reversed(order):
            start = time.process_time()
            for _ in range(args.n):
                writer(view)
            times[name].append((time.process_time() - start) / args.n * 1e6)
    for name, values in times.items():
        print(f"{name:12} median {statistics.median(values):7.1f} us an answer (rounds: "
              + ", ".join(f"{v:.1f}" for v in values) + ")")
    for name in ("pydantic", "writer"):
        print(f"{name} / by hand: {statistics.median(times[name]) / statistics.median(times['by hand']):.2f}")


if __name__ == "__main__":
    main()

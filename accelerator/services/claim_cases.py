"""Claim cases: open a case on a recorded coverage check, read it (deadlines count on read), answer it.

Every change loads the case, asks the pure rules (domain/claim_cases.py) for the new state and the
history entries, writes both with the webhook events in one transaction, and commits. A case read
after its deadline is escalated and that escalation is written before anything else happens.
Idempotent by `case_id`: the unique index decides concurrent opens.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from accelerator import clock
from accelerator.domain import claim_cases as rules
from accelerator.domain.errors import Conflict, Forbidden, NotFound
from accelerator.domain.money import format_money
from accelerator.extensions import db
from accelerator.models import Claim, ClaimCase, ClaimCaseEvent, CoverageCheck, Policy
from accelerator.services import audit, claims, coverage, webhooks
from accelerator.services import claim_case_list as case_list
from accelerator.services import claim_case_opening as opening
from accelerator.services.hotpath import KeyRow, key_statement
from accelerator.services.paging import Page
from accelerator.shapes.claim_cases import claim_case_json  # events carry the API's case object


@dataclass(frozen=True)
class CaseInput:
    """An opening request, every field checked and normalized."""

    case_id: str
    seller_id: str
    kind: str
    incident_date: date
    amount_claimed: Decimal
    category: str | None
    order_id: str | None
    description: str
    respond_by: datetime | None

    def digest(self) -> str:
        """SHA-256 of the normalized body: equal bodies (`"25"` and `"25.00"` alike) hash alike."""
        canonical = json.dumps([self.case_id, self.seller_id, self.kind, self.incident_date.isoformat(),
                                format_money(self.amount_claimed), self.category, self.order_id, self.description,
                                self.respond_by.isoformat() if self.respond_by else None])
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class CaseView:
    """A case as the API shows it: the row (history loaded) and the coverage check answer it stands on."""

    case: ClaimCase | SimpleNamespace  # a new case (claim_case_opening.new_case), a listed one (claim_case_list)
    check: dict


def response_days() -> int:
    """CLAIM_RESPONSE_DAYS: the days a party has to answer, and to pay once it accepted."""
    return current_app.config["CLAIM_RESPONSE_DAYS"]


# --- reading ---------------------------------------------------------------------------------------


def _row(case_id: str, insurer_id: int | None = None, *, lock: bool = False) -> ClaimCase:
    """The case (its history loaded); 404 when unknown or, for an insurer, not its own."""
    query = select(ClaimCase).options(selectinload(ClaimCase.events)).where(ClaimCase.case_id == case_id)
    if insurer_id is not None:
        query = query.where(ClaimCase.insurer_id == insurer_id)
    if lock:
        # Read afresh under the lock: the row may already be in the session as it was before the wait.
        query = query.with_for_update().execution_options(populate_existing=True)
    row = db.session.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound("No such claim case" + (" of yours." if insurer_id is not None else "."))
    return row


def _domain(row: ClaimCase) -> rules.Case:
    """The rules' view of a row."""
    payment = None
    if row.payment_payer is not None:
        payment = rules.Payment(row.payment_payer, row.payment_amount, row.paid_at)
    recovery = None
    if row.recovery_from is not None:
        recovery = rules.Recovery(row.recovery_from, row.recovery_due, row.recovery_recovered)
    return rules.Case(route=row.route, state=row.state, insurer_id=row.insurer_id, escalation=row.escalation,
                      respond_by=row.respond_by, accepted_by=row.accepted_by, stepped_in=row.stepped_in,
                      owed_by=row.owed_by, outcome=row.outcome, payment=payment, recovery=recovery)


def _view(row: ClaimCase) -> CaseView:
    """The row with the check answer it stands on."""
    return CaseView(row, coverage.get_check(row.check_id))


def _write(row: ClaimCase, case: rules.Case, entries: tuple[rules.Entry, ...]) -> None:
    """Put the rules' answer on the row and its history, with the webhook events (the caller commits)."""
    if not entries:
        return
    before = (row.state, row.route, row.recovery_recovered)
    row.route, row.state, row.insurer_id = case.route, case.state, case.insurer_id
    row.escalation, row.respond_by, row.accepted_by = case.escalation, case.respond_by, case.accepted_by
    row.stepped_in, row.owed_by, row.outcome = case.stepped_in, case.owed_by, case.outcome
    payment, recovery = case.payment, case.recovery
    row.payment_payer = payment.payer if payment else None
    row.payment_amount = payment.amount if payment else None
    row.paid_at = payment.paid_at if payment else None
    row.recovery_from = recovery.owed_by if recovery else None
    row.recovery_due = recovery.due if recovery else None
    row.recovery_recovered = recovery.recovered if recovery else None
    row.updated_at = clock.now()
    for entry in entries:
        row.events.append(ClaimCaseEvent(at=entry.at, event=entry.event, by=entry.by, note=entry.note))
    db.session.flush()
    changed = before != (row.state, row.route, row.recovery_recovered)
    escalated = any(entry.event == "escalated" or entry.event in ("denied", "disputed") for entry in entries)
    if escalated or changed:
        view = _view(row)
        if escalated:
            _emit(view, "claim_case.escalated")
        if changed:
            _emit(view, "claim_case.updated")


def _emit(view: CaseView, event_type: str) -> None:
    """The event to the marketplace's endpoints, and to the insurer's for its own case."""
    row = view.case
    data = _event_data(view)
    webhooks.emit(None, event_type, data)
    if row.insurer_id is not None:
        webhooks.emit(row.insurer_id, event_type, data)


def _current(case_id: str, insurer_id: int | None = None) -> ClaimCase:
    """The case as it stands now: an elapsed deadline is escalated and written first."""
    row = _row(case_id, insurer_id)
    case, entries = rules.effective(_domain(row), clock.now())
    if entries:
        row = _row(case_id, insurer_id, lock=True)
        case, entries = rules.effective(_domain(row), clock.now())
        _write(row, case, entries)
        db.session.commit()
    return row


def get_case(case_id: str, insurer_id: int | None = None) -> CaseView:
    """One case as it stands now; an insurer sees only its own (others 404)."""
    return _view(_current(case_id, insurer_id))


def list_cases(insurer_id: int | None, state: str | None, seller_id: str | None, page: int,
               per_page: int) -> Page:
    """Cases newest first (items are CaseView), by state and seller; an insurer sees only its own.

    Deadlines that passed are escalated first, so the state filter sees what a read would show. The page is
    read by prepared statements (services/claim_case_list.py): its cases are plain objects, not ORM rows.
    """
    _escalate_due(insurer_id)
    found = case_list.read_page(insurer_id, state, seller_id, page, per_page)
    items = [CaseView(row, json.loads(check)) for row, check in found.items]
    return Page(items=items, page=found.page, per_page=found.per_page, total=found.total)


def escalate_overdue() -> int:
    """Escalate every case whose deadline has passed (as a read would); how many were escalated."""
    return _escalate_due(None)


def _escalate_due(insurer_id: int | None) -> int:
    """Escalate every case whose deadline has passed (the ones this reader may see)."""
    case_ids = case_list.overdue(insurer_id, clock.now())
    for case_id in case_ids:
        _current(case_id)
    return len(case_ids)


# --- opening ---------------------------------------------------------------------------------------


def _replay(request: CaseInput, stored_hash: str) -> ClaimCase:
    """The case already opened under this case_id (its request hash `stored_hash`); 409 case_exists when
    the body differs."""
    if stored_hash != request.digest():
        raise Conflict(f"Claim case {request.case_id} was already opened with a different body.",
                       code="case_exists")
    return _current(request.case_id)


def _insurer_of(check: dict) -> int | None:
    """The check's chosen policy's insurer, when that insurer is on the Accelerator."""
    policy = check.get("policy")
    insurer = policy.get("insurer") if policy else None
    return int(insurer["id"]) if insurer and insurer.get("id") is not None else None


def _policy_of(check_id: str) -> int | None:
    """The chosen policy's id as the check recorded it."""
    return db.session.execute(select(CoverageCheck.policy_id).where(CoverageCheck.check_id == check_id)).scalar()


def open_case(actor: audit.Actor, api_key_id: int | None, request: CaseInput, *, key_prefix: str | None = None,
              accept_key: Callable[[KeyRow | None], int | None] | None = None) -> tuple[CaseView, bool] | None:
    """Open a case on a new recorded coverage check: (case, True), or (the case as it is now, False) again.

    On a hot path connection (services/claim_case_opening.py): the case_id looked up, the check decided
    by the check's own code, the case, its history, audit entry, webhook events and emails made on a read;
    then all of it written by prepared statements in one short write transaction (the case_id looked up
    again first); the answer is built from what was written.

    With `key_prefix`, the API key with that prefix is read (afresh) first, on the same read transaction
    (as the single check reads its key: coverage.run_checks), and `accept_key(row)` gives the key id to
    record the check under, or None: then nothing more is read or written and the answer is None (the
    caller answers the key by the key check every endpoint uses). `api_key_id` is then not used.
    """
    # The request's four fields were read by the declaration the coverage check reads them with (OpenCase and
    # CoverageItem share SellerId, Day, Money and Category): reading them again would only repeat it.
    question = coverage.CheckInput(request.seller_id, request.incident_date, request.amount_claimed, request.category)
    days = response_days()

    def prepare(writer) -> tuple[CaseView, tuple]:
        check, record = opening.record_check(writer, api_key_id, question)
        now = clock.now()
        insurer_id = _insurer_of(check)
        case, entries = rules.open_case(check["route"], insurer_id, now, request.respond_by, days)
        row = opening.new_case(
            list(entries), case_id=request.case_id, request_hash=request.digest(), seller_id=request.seller_id,
            kind=request.kind, incident_date=request.incident_date, amount_claimed=request.amount_claimed,
            category=request.category, order_id=request.order_id, description=request.description, opened_at=now,
            check_id=check["check_id"], policy_id=record[9], route=case.route, state=case.state,
            insurer_id=insurer_id, respond_by=case.respond_by, stepped_in=False, updated_at=now)
        view = CaseView(row, check)  # the check just answered: no need to read it back
        opening.write_opening(writer, actor, row, lambda: _event_data(view))
        return view, record

    def admit(writer) -> bool:
        """Whether the key of `key_prefix` is accepted (its id then recorded with the check)."""
        nonlocal api_key_id
        rows = key_statement(writer.dialect).rows(writer.cursor, [key_prefix])
        api_key_id = accept_key(KeyRow(rows[0]) if rows else None)
        return api_key_id is not None

    if db.session.registry.has() and db.session().in_transaction():  # (no session made just to ask)
        db.session.commit()  # on SQLite the session's transaction may hold the write lock the opening needs
    try:
        stored, made = opening.open_once(request.case_id, prepare, admit if key_prefix is not None else None)
    except IntegrityError:
        # The same case_id was committed by a concurrent request (PostgreSQL; on SQLite the write
        # transaction looks it up again under the write lock): this one wrote nothing. Answer the case as it is now.
        stored, made = opening.stored_hash(request.case_id), None
        if stored is None:
            raise
    if stored is None and made is None:
        return None  # the key was not accepted: nothing was read beyond it
    if made is None:
        return _view(_replay(request, stored)), False
    view, record = made
    coverage.count_recorded([record])
    return view, True


def _event_data(view: CaseView) -> dict:
    """A webhook event's `data` about the case: the API's case object."""
    return {"claim_case": claim_case_json(view)}


# --- answers ---------------------------------------------------------------------------------------


def _answer(actor: audit.Actor, case_id: str, insurer_id: int | None, action: str, decide,
            attach: Callable[[ClaimCase], None] | None = None) -> CaseView:
    """Apply one answer: the elapsed deadline first (kept even when the answer is refused), then the rules.

    `attach(row)` adds what comes with the answer (files of evidence) in its transaction, under the case's
    lock, only when the answer changes the case.
    """
    row = _current(case_id, insurer_id)
    row = _row(case_id, insurer_id, lock=True)
    case, entries = decide(_domain(row), clock.now())
    if entries:
        _write(row, case, entries)
        if attach is not None:
            attach(row)
        audit.record(actor, action, "claim_case", case_id, state=case.state)
        db.session.commit()
    return _view(row)


def accept(actor: audit.Actor, case_id: str, insurer_id: int) -> CaseView:
    """The insurer accepts its own case in awaiting_insurer: it owes the payment by the new deadline."""
    days = response_days()
    return _answer(actor, case_id, insurer_id, "accept",
                   lambda case, now: rules.accept(case, "insurer", now, days))


def deny(actor: audit.Actor, case_id: str, insurer_id: int, reason: str) -> CaseView:
    """The insurer denies its own case: escalated to the marketplace (insurer_denied)."""
    return _answer(actor, case_id, insurer_id, "deny", lambda case, now: rules.deny(case, "insurer", reason, now))


def _sellers(case_id: str, seller_id: str) -> str:
    """The case id when the case is the seller's own; 404 otherwise."""
    owner = db.session.execute(select(ClaimCase.seller_id).where(ClaimCase.case_id == case_id)).scalar()
    if owner is None or owner != seller_id:
        raise NotFound("No such claim case of yours.")
    return case_id


def seller_case(case_id: str, seller_id: str) -> CaseView:
    """The seller's own case as it stands now; another seller's case is 404."""
    return get_case(_sellers(case_id, seller_id))


def seller_cases(seller_id: str) -> list[CaseView]:
    """Every case of the seller as it stands now, those waiting for the seller's answer first, then newest first."""
    query = select(ClaimCase.case_id).where(ClaimCase.seller_id == seller_id,
                                            ClaimCase.state.in_(rules.DEADLINE_STATES),
                                            ClaimCase.respond_by < clock.now())
    for case_id in db.session.execute(query).scalars().all():
        _current(case_id)
    rows = db.session.execute(
        select(ClaimCase).options(selectinload(ClaimCase.events)).where(ClaimCase.seller_id == seller_id)
        .order_by(ClaimCase.opened_at.desc(), ClaimCase.id.desc())).scalars().all()
    checks = dict(db.session.execute(
        select(CoverageCheck.check_id, CoverageCheck.response)
        .where(CoverageCheck.check_id.in_([row.check_id for row in rows]))).all()) if rows else {}
    views = [CaseView(row, json.loads(checks[row.check_id])) for row in rows]
    return sorted(views, key=lambda view: not waits_for_seller(view.case))


def waits_for_seller(row: ClaimCase) -> bool:
    """Whether the case needs the seller's answer: awaiting_seller, or awaiting_insurer off the Accelerator."""
    return row.state == rules.AWAITING_SELLER or (row.state == rules.AWAITING_INSURER and row.insurer_id is None)


def seller_accept(actor: audit.Actor, case_id: str, seller_id: str) -> CaseView:
    """The seller accepts its own case in awaiting_seller (or for an insurer not on the Accelerator)."""
    days = response_days()
    return _answer(actor, _sellers(case_id, seller_id), None, "accept",
                   lambda case, now: rules.accept(case, "seller", now, days))


def seller_dispute(actor: audit.Actor, case_id: str, seller_id: str, reason: str,
                   attach: Callable[[ClaimCase], None] | None = None) -> CaseView:
    """The seller disputes its own case with a reason: escalated to the marketplace (seller_disputed).
    With files of evidence, call claim_evidence.seller_dispute (it gives `attach`)."""
    return _answer(actor, _sellers(case_id, seller_id), None, "dispute",
                   lambda case, now: rules.deny(case, "seller", reason, now), attach)


def step_in(actor: audit.Actor, case_id: str, note: str | None) -> CaseView:
    """The marketplace steps in: it pays, and the party that was to pay owes it."""
    return _answer(actor, case_id, None, "step_in", lambda case, now: rules.step_in(case, note, now))


def close(actor: audit.Actor, case_id: str, outcome: str, note: str | None) -> CaseView:
    """The marketplace closes the case without payment."""
    return _answer(actor, case_id, None, "close", lambda case, now: rules.close(case, outcome, note, now))


def recover(actor: audit.Actor, case_id: str, amount: Decimal) -> CaseView:
    """The marketplace records money recovered from the party that owed it."""
    return _answer(actor, case_id, None, "recover", lambda case, now: rules.recover(case, amount, now))


def record_payment(actor: audit.Actor, case_id: str, insurer_id: int | None, payer: str,
                   amount: Decimal) -> CaseView:
    """Record the case's one payment. An insurer key pays as `insurer`, and its payment is a paid claim on
    the check's chosen policy (claim_id = case_id) in the same transaction; a marketplace key pays as
    `marketplace` or `seller`."""
    if (insurer_id is not None) != (payer == "insurer"):
        raise Forbidden("An insurer key records the insurer's payment; the marketplace records the "
                        "marketplace's and the seller's.")
    row = _current(case_id, insurer_id)
    row = _row(case_id, insurer_id, lock=True)
    case, entries = rules.pay(_domain(row), payer, amount, clock.now())
    if not entries:
        return _view(row)
    if payer == "insurer":
        _pay_claim(actor, row, amount)
    _write(row, case, entries)
    audit.record(actor, "record_payment", "claim_case", case_id, payer=payer, amount=format_money(amount))
    db.session.commit()
    return _view(row)


def _pay_claim(actor: audit.Actor, row: ClaimCase, amount: Decimal) -> None:
    """The insurer's payment as a claim paid on the chosen policy: draws its aggregate down once."""
    policy = db.session.get(Policy, row.policy_id) if row.policy_id is not None else None
    if policy is None:
        raise Conflict("The policy this case stands on is no longer on record.", code="invalid_transition")
    if db.session.execute(select(Claim.id).where(Claim.claim_id == row.case_id)).first() is not None:
        raise Conflict(f"A claim paid under the id {row.case_id} is already on record.", code="already_paid")
    claim = claims.ClaimInput(claim_id=row.case_id, seller_id=row.seller_id, policy_number=policy.policy_number,
                              insurer_id=policy.insurer_id, incident_date=row.incident_date, amount_paid=amount)
    claims.draw_down(actor, claim, policy.id)


# --- the re-check ----------------------------------------------------------------------------------


def recheck_seller(seller_id: str) -> int:
    """Re-check the seller's cases waiting for an answer or a review after a change to its policies.

    Runs after the change is committed (the coverage check reads committed policies on its own
    connection); each re-checked case gets a new recorded check and `rechecked` in its history.
    Returns how many cases were re-checked.
    """
    case_ids = db.session.execute(
        select(ClaimCase.case_id).where(ClaimCase.seller_id == seller_id,
                                        ClaimCase.state.in_(rules.RECHECKED_STATES))
        .order_by(ClaimCase.id)).scalars().all()
    done = 0
    for case_id in case_ids:
        row = _current(case_id)
        if row.state not in rules.RECHECKED_STATES:
            continue
        check = coverage.check_coverage(None, row.seller_id, row.incident_date.isoformat(), row.amount_claimed,
                                        row.category)
        row = _row(case_id, lock=True)
        if row.state not in rules.RECHECKED_STATES:
            db.session.rollback()
            continue
        case, entries = rules.recheck(_domain(row), check["route"], _insurer_of(check), clock.now(),
                                      response_days())
        row.check_id = check["check_id"]
        row.policy_id = _policy_of(check["check_id"])
        _write(row, case, entries)
        db.session.commit()
        done += 1
    return done

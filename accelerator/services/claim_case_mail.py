"""Claim case emails: the opening notice, the reminder 2 days before `respond_by`, the escalation notice.

Each goes to the seller (its active account email, else its contact email) and to every active user
of the case's insurer, through the email outbox, once each by its dedupe key:

- `claim_case_opened:<case_id>:<recipient>`: written by `write_opened` in the opening's transaction.
- `claim_case_reminder:<case_id>:<state>:<respond_by, unix seconds>:<recipient>`: to the party the
  case waits for, from REMINDER_BEFORE before its deadline until the deadline; a new deadline (after
  an acceptance) is a new reminder. Re-checked at send time (`recheck`): cancelled unless the case
  still waits for that party's answer by that deadline.
- `claim_case_escalated:<case_id>:<escalation>:<recipient>`: for a case in state escalated (a case
  escalates once, so the sweep skips a case whose notice is already queued).

`<recipient>` is `seller` or `user<id>`. The sweep that queues and sends them is
services/claim_case_deadlines.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select

from accelerator.domain import claim_cases as rules
from accelerator.extensions import db
from accelerator.models import ClaimCase, EmailMessage, Insurer, Seller, User
from accelerator.services.email_queue import OutgoingEmail, queue_templated_email, render_templated, write_email
from accelerator.services.session_writes import SessionWriter

REMINDER_BEFORE = timedelta(days=2)
KIND_OPENED = "claim_case_opened"
KIND_REMINDER = "claim_case_reminder"
KIND_ESCALATED = "claim_case_escalated"
SELLER_PATH = "/seller/claims"
INSURER_PATH = "/insurer/claims"

_WHO_ANSWERS = {rules.AWAITING_INSURER: "insurer", rules.AWAITING_SELLER: "seller"}
_WHY = {"insurer_unresponsive": "the insurer did not answer in time",
        "seller_unresponsive": "the seller did not answer in time",
        "payment_overdue": "the accepted claim was not paid in time",
        "insurer_denied": "the insurer denied the claim",
        "seller_disputed": "the seller disputed the claim"}


@dataclass(frozen=True)
class Recipient:
    """One person a case's email goes to: seller or insurer staff, the key's part, address and name."""

    party: str
    tag: str
    address: str
    name: str


def _seller(seller_id: str) -> list[Recipient]:
    """The seller's address (active account email, else contact email); none when it has neither."""
    account = db.session.execute(
        select(User.email).where(User.role == "seller", User.active.is_(True), User.seller_id == seller_id)).scalar()
    seller = db.session.execute(select(Seller).where(Seller.seller_id == seller_id)).scalar()
    address = account or (seller.contact_email.strip() if seller and seller.contact_email else "")
    if not address:
        return []
    return [Recipient("seller", "seller", address, (seller.legal_name if seller else "") or seller_id)]


def _staff(insurer_id: int | None) -> list[Recipient]:
    """The insurer's active users."""
    if insurer_id is None:
        return []
    users = db.session.execute(
        select(User).where(User.role == "insurer", User.active.is_(True), User.insurer_id == insurer_id)
        .order_by(User.id)).scalars().all()
    return [Recipient("insurer", f"user{user.id}", user.email, user.name or user.email) for user in users]


def waits_for(row: ClaimCase) -> str | None:
    """The party whose answer (or payment) the case waits for under its deadline: insurer, seller or None."""
    if row.state == rules.ACCEPTED:
        return row.accepted_by
    party = _WHO_ANSWERS.get(row.state)
    if party == "insurer" and row.insurer_id is None:
        return "seller"  # an insurer not on the Accelerator: the seller answers for it
    return party


def _to(row: ClaimCase, party: str | None) -> list[Recipient]:
    """Everyone of the case (party None), or the one party's people."""
    people = _seller(row.seller_id) + _staff(row.insurer_id)
    return [r for r in people if party is None or r.party == party]


def _queue_all(row: ClaimCase, kind: str, key: str, party: str | None, subject: str, context: dict) -> int:
    """Queue the email to everyone of the case (party None) or to one party's people; how many were added."""
    insurer_name = (db.session.execute(select(Insurer.name).where(Insurer.id == row.insurer_id)).scalar()
                    if row.insurer_id is not None else None)
    context = dict(context, case=row, waits_for=waits_for(row), insurer_name=insurer_name)
    added = 0
    for recipient in _to(row, party):
        path = SELLER_PATH if recipient.party == "seller" else INSURER_PATH
        added += queue_templated_email(f"{key}:{recipient.tag}", kind, recipient.address, subject,
                                            dict(context, recipient=recipient), path=path,
                                            related=("claim_case", row.case_id))
    return added


def _seller_address() -> tuple:
    """A seller's active account email (None without one), contact email and legal name, in one row (the select,
    its bind, its columns). users.seller_id is unique and names a seller, so the join adds no row and loses none
    (a seller that is not on record gives no row, and then has no account either)."""
    users, sellers = User.__table__, Seller.__table__
    joined = sellers.outerjoin(users, (users.c.seller_id == sellers.c.seller_id)
                               & (users.c.role == bindparam("role", type_=users.c.role.type))
                               & users.c.active.is_(True))
    statement = (select(users.c.email, sellers.c.contact_email, sellers.c.legal_name).select_from(joined)
                 .where(sellers.c.seller_id == bindparam("seller_id", type_=sellers.c.seller_id.type)))
    return statement, ["role", "seller_id"], [users.c.email, sellers.c.contact_email, sellers.c.legal_name]


def _staff_rows() -> tuple:
    """An insurer's name and its active users, by id, at least one row (the select, its bind, its columns)."""
    users, insurers = User.__table__, Insurer.__table__
    joined = insurers.outerjoin(users, (users.c.insurer_id == insurers.c.id) & users.c.active.is_(True)
                                & (users.c.role == bindparam("role", type_=users.c.role.type)))
    statement = (select(insurers.c.name, users.c.id, users.c.email, users.c.name).select_from(joined)
                 .where(insurers.c.id == bindparam("insurer_id", type_=insurers.c.id.type)).order_by(users.c.id))
    return statement, ["role", "insurer_id"], [insurers.c.name, users.c.id, users.c.email, users.c.name]


def write_opened(writer: SessionWriter, row: ClaimCase) -> int:
    """Queue the opening notice to the seller and the insurer's staff, read and written by prepared statements
    in the session's transaction (the busy opening bypasses the unit of work; the caller commits); how many
    emails were rendered and written."""
    people = []
    seller = writer.rows("claim_mail_seller_address", _seller_address, ["seller", row.seller_id])
    account, contact, legal_name = seller[0] if seller else (None, None, None)
    address = account if account is not None else (contact.strip() if contact else "")
    if address:
        people.append(Recipient("seller", "seller", address, legal_name or row.seller_id))
    insurer_name = None
    if row.insurer_id is not None:
        staff = writer.rows("claim_mail_staff", _staff_rows, ["insurer", row.insurer_id])
        for name, user_id, email, user_name in staff:
            insurer_name = name
            if user_id is not None:
                people.append(Recipient("insurer", f"user{user_id}", email, user_name or email))
    subject = f"Claim {row.case_id}: " + (f"an answer is due by {row.respond_by:%Y-%m-%d %H:%M} UTC"
                                          if row.respond_by else "a claim was received")
    context = {"case": row, "waits_for": waits_for(row), "insurer_name": insurer_name}
    for recipient in people:
        path = SELLER_PATH if recipient.party == "seller" else INSURER_PATH
        text_body, html_body = render_templated(KIND_OPENED, subject, dict(context, recipient=recipient), path)
        write_email(writer, OutgoingEmail(
            dedupe_key=f"{KIND_OPENED}:{row.case_id}:{recipient.tag}", kind=KIND_OPENED,
            to_address=recipient.address, subject=subject, text_body=text_body, html_body=html_body,
            related_type="claim_case", related_id=row.case_id))
    return len(people)


def reminder_key(row: ClaimCase) -> str | None:
    """The key (without recipient) of the reminder the case calls for now, or None."""
    if waits_for(row) is None or row.respond_by is None:
        return None
    return f"{KIND_REMINDER}:{row.case_id}:{row.state}:{int(row.respond_by.timestamp())}"


def queue_reminders(now: datetime) -> int:
    """Queue the reminder of every case whose deadline is at most REMINDER_BEFORE away; how many added."""
    rows = db.session.execute(
        select(ClaimCase).where(ClaimCase.state.in_(rules.DEADLINE_STATES), ClaimCase.respond_by > now,
                                ClaimCase.respond_by <= now + REMINDER_BEFORE)
        .order_by(ClaimCase.id)).scalars().all()
    added = 0
    for row in rows:
        key = reminder_key(row)
        if key is None:
            continue
        subject = f"Reminder: claim {row.case_id} needs your answer by {row.respond_by:%Y-%m-%d %H:%M} UTC"
        added += _queue_all(row, KIND_REMINDER, key, waits_for(row), subject, {})
    db.session.commit()
    return added


def queue_escalations() -> int:
    """Queue the escalation notice of every escalated case not noticed yet; how many added."""
    # A case escalates once (the state is only left for good), so a case with a notice queued is done:
    # the runs after the first look only at new escalations.
    noticed = select(EmailMessage.id).where(EmailMessage.related_type == "claim_case",
                                            EmailMessage.related_id == ClaimCase.case_id,
                                            EmailMessage.kind == KIND_ESCALATED)
    rows = db.session.execute(
        select(ClaimCase).where(ClaimCase.state == rules.ESCALATED, ~noticed.exists())
        .order_by(ClaimCase.id)).scalars().all()
    added = 0
    for row in rows:
        key = f"{KIND_ESCALATED}:{row.case_id}:{row.escalation}"
        subject = f"Claim {row.case_id} was handed to the marketplace: {_WHY.get(row.escalation, 'escalated')}"
        added += _queue_all(row, KIND_ESCALATED, key, None, subject, {"why": _WHY.get(row.escalation, "")})
    db.session.commit()
    return added


def recheck(message: EmailMessage, now: datetime) -> str | None:
    """Why a queued claim case reminder must not be sent at `now`, or None to send it (other kinds: None)."""
    if message.kind != KIND_REMINDER:
        return None
    row = db.session.execute(select(ClaimCase).where(ClaimCase.case_id == message.related_id)).scalar()
    key = reminder_key(row) if row is not None else None
    if key is None or row.respond_by <= now or not message.dedupe_key.startswith(key + ":"):
        return f"no longer due at {now:%Y-%m-%dT%H:%M:%SZ}: the case no longer waits for this answer"
    return None

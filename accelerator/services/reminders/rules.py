"""The rules: which reminders of each kind are due on a day, for every object or for one.

`queue_due_reminders(today)` scans the database and queues every reminder due on `today`; a reminder's
identity is its dedupe key, unique in the outbox, so running it again (or twice at once) adds nothing.
Every rule below takes the day as an argument: nothing here reads the clock.

Kinds, their rule, their dedupe key and the page they link to (SITE_URL + path):

- `quote_received`: an offered quote on the seller's open request, valid on `today` and made on or
  before it. Key `quote_received:<quote id>`. Link `/seller/requests/<request id>`.
- `policy_expiring` (30 and 7 days): a verified policy of the seller, in force on `today`, never
  cancelled (not even from a later date: cover then ends by cancellation, not expiry), whose expiration
  date is 8 to 30 days away (the 30-day notice) or 1 to 7 days away (the 7-day notice), and not
  superseded: no other verified policy of the same seller covers its expiration date (effective on or
  before it and still in force on it), which is the case for a renewal that starts on time and for an
  in-force policy that expires later. A notice missed on its day is caught up on the next run within
  its window; a policy first seen inside the 7-day window gets only the 7-day notice. Key
  `policy_expiring:<30|7>:<policy id>:<expiration date>` (so a changed expiration date is a new
  reminder). Link `/seller/policies/<policy id>`.
- `policy_not_renewed`: the insurer gave notice of non-renewal (`renewal` = `not_offered`) on a verified
  policy of the seller that has not expired by `today`, is not cancelled and is not superseded (as above).
  Queued at once when the notice is given (services/policy_notices), then the 30 and 7-day notices follow
  as for any policy. Key `policy_not_renewed:<policy id>:<expiration date>`. Link `/seller/policies/<policy id>`.
- `requirement_due` / `requirement_overdue`: the seller's compliance status on `today` (the domain's
  `compliance_status` with the app's REQUIREMENT) is `due` / `overdue`; one of each per
  `required_since` month. Key `requirement_<due|overdue>:<seller id>:<YYYY-MM>`. Link `/seller`.
- `verification_decision`: an admin (or, answering a confirmation, its insurer) verified or rejected a
  policy the seller uploaded, within the last VERIFICATION_LOOKBACK_DAYS days up to `today`. Key
  `verification_decision:<policy id>:<verified|rejected>:<decision time, unix seconds>`.
  Link `/seller/policies/<policy id>`.

`compliance_reminder` (KIND_ADMIN) is an admin's reminder from the seller record, queued by
services/seller_records (key `compliance_reminder:<seller id>:<form token>`); at send time it goes
only while the seller is still `due` or `overdue` (as `requirement_due`/`requirement_overdue`).

Reminders go to the seller's (active) account email, else to the seller record's contact email; a
seller with neither gets none until one exists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from accelerator.domain.compliance import DUE, OVERDUE, compliance_status
from accelerator.domain.values import format_month
from accelerator.extensions import db
from accelerator.models import Confirmation, Insurer, MonthlySales, Policy, Quote, QuoteRequest, Seller
from accelerator.services.reminders.kinds import (
    EXPIRY_NOTICES,
    KIND_DUE,
    KIND_EXPIRING,
    KIND_NOT_RENEWED,
    KIND_OVERDUE,
    KIND_QUOTE,
    KIND_VERIFICATION,
    VERIFICATION_LOOKBACK_DAYS,
    Reminder,
    chunks,
    day_start,
    site_link,
)
from accelerator.services.reminders.recipients import recipients_of

# --- the rules ----------------------------------------------------------------------------------


def quote_reminders(today: date, quote_id: int | None = None) -> list[Reminder]:
    """quote_received: offered quotes on open requests, still valid on `today`, made by its end."""
    query = (
        select(Quote, QuoteRequest.seller_id, Insurer.name, Insurer.am_best_rating)
        .join(QuoteRequest, Quote.quote_request_id == QuoteRequest.id)
        .join(Insurer, Quote.insurer_id == Insurer.id)
        .where(Quote.status == "offered", QuoteRequest.status == "open", Quote.valid_until >= today,
               Quote.created_at < day_start(today + timedelta(days=1)))
        .order_by(Quote.id)
    )
    if quote_id is not None:
        query = query.where(Quote.id == quote_id)
    rows = db.session.execute(query).all()
    to = recipients_of(seller_id for _q, seller_id, _n, _r in rows)
    found = []
    for quote, seller_id, insurer_name, rating in rows:
        if seller_id not in to:
            continue
        found.append(Reminder(
            key=f"{KIND_QUOTE}:{quote.id}", kind=KIND_QUOTE, to_address=to[seller_id].address,
            related_type="quote", related_id=str(quote.id),
            subject=f"New quote from {insurer_name} on your insurance request",
            link=site_link(f"/seller/requests/{quote.quote_request_id}"),
            context={"seller_name": to[seller_id].name, "insurer_name": insurer_name, "rating": rating,
                     "quote": quote, "request_id": quote.quote_request_id},
        ))
    return found


def _cover_end(policy: Policy) -> date:
    """The day cover stops: the cancellation date where cancelled, else the expiration date."""
    if policy.cancellation_date is not None:
        return min(policy.cancellation_date, policy.expiration_date)
    return policy.expiration_date


def _superseded(policy: Policy, others: Iterable[Policy]) -> bool:
    """Whether another verified policy of the seller covers the day `policy` expires."""
    return any(other.id != policy.id and other.verification == "verified"
               and other.effective_date <= policy.expiration_date < _cover_end(other)
               for other in others)


def expiry_notice(policy: Policy, today: date) -> int | None:
    """Which notice (30 or 7) the policy is due on `today` under the expiry rule, or None."""
    if policy.verification != "verified" or policy.cancellation_date is not None:
        return None
    if not policy.in_force_on(today):
        return None
    days_left = (policy.expiration_date - today).days
    notice = None
    for days in EXPIRY_NOTICES:  # widest first: the narrowest window that holds days_left wins
        if days_left <= days:
            notice = days
    return notice


def expiry_reminders(today: date, policy_id: int | None = None) -> list[Reminder]:
    """policy_expiring: verified, in force, never cancelled, expiring within 30 days, not superseded."""
    widest = max(EXPIRY_NOTICES)
    query = (select(Policy)
             .where(Policy.verification == "verified", Policy.cancellation_date.is_(None),
                    Policy.effective_date <= today, Policy.expiration_date > today,
                    Policy.expiration_date <= today + timedelta(days=widest))
             .order_by(Policy.id))
    if policy_id is not None:
        query = query.where(Policy.id == policy_id)
    candidates = db.session.execute(query).scalars().all()
    sellers = sorted({p.seller_id for p in candidates})
    others = _others_of(sellers, today)
    to = recipients_of(sellers)
    found = []
    for policy in candidates:
        notice = expiry_notice(policy, today)
        if notice is None or policy.seller_id not in to or _superseded(policy, others[policy.seller_id]):
            continue
        days_left = (policy.expiration_date - today).days
        found.append(Reminder(
            key=f"{KIND_EXPIRING}:{notice}:{policy.id}:{policy.expiration_date.isoformat()}",
            kind=KIND_EXPIRING, to_address=to[policy.seller_id].address,
            related_type="policy", related_id=str(policy.id),
            subject=(f"Your policy {policy.policy_number} expires in {days_left} "
                     f"day{'s' if days_left != 1 else ''}"),
            link=site_link(f"/seller/policies/{policy.id}"),
            context={"seller_name": to[policy.seller_id].name, "policy": policy, "days_left": days_left,
                     "notice": notice},
        ))
    return found


def _others_of(sellers: list[str], today: date) -> dict[str, list[Policy]]:
    """Each seller's verified policies that have not expired by `today`."""
    others: dict[str, list[Policy]] = defaultdict(list)
    for part in chunks(sellers):
        for other in db.session.execute(
            select(Policy).where(Policy.seller_id.in_(part), Policy.verification == "verified",
                                 Policy.expiration_date > today)
        ).scalars():
            others[other.seller_id].append(other)
    return others


def not_renewed_reminders(today: date, policy_id: int | None = None) -> list[Reminder]:
    """policy_not_renewed: the insurer will not renew a verified, unexpired, uncancelled, unsuperseded policy."""
    query = (select(Policy)
             .where(Policy.renewal == "not_offered", Policy.verification == "verified",
                    Policy.cancellation_date.is_(None), Policy.expiration_date > today)
             .order_by(Policy.id))
    if policy_id is not None:
        query = query.where(Policy.id == policy_id)
    candidates = db.session.execute(query).scalars().all()
    sellers = sorted({p.seller_id for p in candidates})
    others = _others_of(sellers, today)
    to = recipients_of(sellers)
    found = []
    for policy in candidates:
        if policy.seller_id not in to or _superseded(policy, others[policy.seller_id]):
            continue
        found.append(Reminder(
            key=f"{KIND_NOT_RENEWED}:{policy.id}:{policy.expiration_date.isoformat()}",
            kind=KIND_NOT_RENEWED, to_address=to[policy.seller_id].address,
            related_type="policy", related_id=str(policy.id),
            subject=(f"{policy.insurer_name} will not renew policy {policy.policy_number}: find cover from "
                     f"{policy.expiration_date:%B} {policy.expiration_date.day}, {policy.expiration_date.year}"),
            link=site_link(f"/seller/policies/{policy.id}"),
            context={"seller_name": to[policy.seller_id].name, "policy": policy,
                     "days_left": (policy.expiration_date - today).days},
        ))
    return found


def verification_reminders(today: date, policy_id: int | None = None) -> list[Reminder]:
    """verification_decision: a seller upload verified or rejected in the lookback window up to `today`."""
    query = (select(Policy)
             .where(Policy.source == "seller_upload", Policy.verification.in_(("verified", "rejected")),
                    Policy.verified_at >= day_start(today - timedelta(days=VERIFICATION_LOOKBACK_DAYS)),
                    Policy.verified_at < day_start(today + timedelta(days=1)))
             .order_by(Policy.id))
    if policy_id is not None:
        query = query.where(Policy.id == policy_id)
    policies = db.session.execute(query).scalars().all()
    to = recipients_of(p.seller_id for p in policies)
    by_insurer = _answered_by_insurer([p.id for p in policies])
    found = []
    for policy in policies:
        if policy.seller_id not in to:
            continue
        verified = policy.verification == "verified"
        decided = int(policy.verified_at.timestamp())
        found.append(Reminder(
            key=f"{KIND_VERIFICATION}:{policy.id}:{policy.verification}:{decided}",
            kind=KIND_VERIFICATION, to_address=to[policy.seller_id].address,
            related_type="policy", related_id=str(policy.id),
            subject=(f"Your policy {policy.policy_number} is verified" if verified
                     else f"Your policy {policy.policy_number} was not accepted"),
            link=site_link(f"/seller/policies/{policy.id}"),
            context={"seller_name": to[policy.seller_id].name, "policy": policy, "verified": verified,
                     "by_insurer": policy.id in by_insurer},
        ))
    return found


def _answered_by_insurer(policy_ids: list[int]) -> set[int]:
    """Which of the policies were decided by their insurer's answer to a confirmation (services/confirmations)."""
    found: set[int] = set()
    for part in chunks(policy_ids):
        found.update(db.session.execute(select(Confirmation.policy_id).where(
            Confirmation.policy_id.in_(part), Confirmation.status.in_(("confirmed", "denied")))).scalars())
    return found


def requirement_reminders(today: date, seller_id: str | None = None) -> list[Reminder]:
    """requirement_due / requirement_overdue: the seller's compliance status on `today`."""
    requirement = current_app.config["REQUIREMENT"]
    query = (select(MonthlySales.seller_id).distinct()
             .where(MonthlySales.gross_proceeds > requirement.sales_threshold,
                    MonthlySales.month < today.replace(day=1))
             .order_by(MonthlySales.seller_id))
    if seller_id is not None:
        query = query.where(MonthlySales.seller_id == seller_id)
    required = list(db.session.execute(query).scalars())
    to = recipients_of(required)
    required = [s for s in required if s in to]
    policies: dict[str, list[Policy]] = defaultdict(list)
    sales: dict[str, dict[date, object]] = defaultdict(dict)
    sold: dict[str, frozenset[str]] = {}
    for part in chunks(required):
        for owner, categories in db.session.execute(
                select(Seller.seller_id, Seller.categories).where(Seller.seller_id.in_(part))):
            sold[owner] = frozenset(categories or ())
        for policy in db.session.execute(select(Policy).where(Policy.seller_id.in_(part))).scalars():
            policies[policy.seller_id].append(policy)
        for owner, month, proceeds in db.session.execute(
            select(MonthlySales.seller_id, MonthlySales.month, MonthlySales.gross_proceeds)
            .where(MonthlySales.seller_id.in_(part))
        ):
            sales[owner][month] = proceeds
    found = []
    for owner in required:
        result = compliance_status([p.terms() for p in policies[owner]], sales[owner], today, requirement,
                                   sold.get(owner, frozenset()))
        if result.status not in (DUE, OVERDUE) or result.required_since is None:
            continue
        kind = KIND_DUE if result.status == DUE else KIND_OVERDUE
        since = format_month(result.required_since)
        days = (result.deadline - today).days
        found.append(Reminder(
            key=f"{kind}:{owner}:{since}", kind=kind, to_address=to[owner].address,
            related_type="seller", related_id=owner,
            subject=(f"Insurance required by {result.deadline:%B} {result.deadline.day}, {result.deadline.year}"
                     if kind == KIND_DUE else "Your marketplace insurance is overdue"),
            link=site_link("/seller"),
            context={"seller_name": to[owner].name, "seller_id": owner, "result": result,
                     "requirement": requirement, "days_left": days, "days_late": -days,
                     "marketplace": current_app.config["MARKETPLACE_NAME"]},
        ))
    return found


def due_reminders(today: date) -> list[Reminder]:
    """Every reminder due on `today` (queued or not), by kind."""
    return (quote_reminders(today) + expiry_reminders(today) + requirement_reminders(today)
            + verification_reminders(today) + not_renewed_reminders(today))

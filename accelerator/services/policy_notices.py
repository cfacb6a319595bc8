"""Notices from insurers on their own policies: a cancellation to come, a reinstatement, a non-renewal.

- `notice_of_cancellation` (a date after today, in the policy period, and a reason) records the cancellation
  date and reason: the policy stays in force until that date (the coverage rules read `cancellation_date`).
  The seller and the marketplace's staff are emailed, `policy.cancellation_pending` goes to the marketplace's
  endpoints and the insurer's, and the seller's waiting claim cases are re-checked.
- `reinstatement` lifts a cancellation, pending or done (`policy.reinstated`, an email to the seller, the
  claim cases re-checked).
- `non_renewal` sets `renewal` to `not_offered` and queues the seller's non-renewal reminder at once.

Each is idempotent by state: a notice that finds the policy already as it would leave it answers the policy
and changes nothing (no second email or event). The policy row is locked first, so two identical notices
at once count once (on SQLite the served app's BEGIN IMMEDIATE lets one writer in at a time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from accelerator import clock
from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.extensions import db
from accelerator.models import Policy, User
from accelerator.services import audit, claim_cases, webhooks
from accelerator.services.email_queue import queue_templated_email
from accelerator.services.reminders import queue_policy_reminders
from accelerator.services.reminders.recipients import recipients_of
from accelerator.services.renewal_rule import long_date
from accelerator.shapes.policies import MAX_NOTICE_REASON as MAX_REASON  # the limits the API declares
from accelerator.shapes.policies import NOTICE_KINDS as KINDS
from accelerator.shapes.policies import policy_json  # the events carry the API's policy object

CANCELLATION, REINSTATEMENT, NON_RENEWAL = KINDS
NOT_OFFERED = "not_offered"

MAIL_CANCELLATION = "policy_cancellation_pending"
MAIL_REINSTATED = "policy_reinstated"


@dataclass(frozen=True)
class Notice:
    """One notice as parsed: its kind, and for a notice of cancellation its date and reason."""

    kind: str
    cancellation_date: date | None = None
    reason: str | None = None


def kind_errors(kind: object, cancellation_date: object, reason: object) -> dict[str, str]:
    """The rules between a notice's kind and its other fields (values as sent; None where absent)."""
    if kind == CANCELLATION:
        return {name: "Required with a notice of cancellation." for name, value
                in (("cancellation_date", cancellation_date), ("reason", reason)) if value is None}
    if kind in (REINSTATEMENT, NON_RENEWAL):
        return {name: f"Not taken with {kind}." for name, value
                in (("cancellation_date", cancellation_date), ("reason", reason)) if value is not None}
    return {}


def cancellation_errors(policy: Policy, cancellation_date: date, today: date) -> dict[str, str]:
    """Why a notice of cancellation from `cancellation_date` cannot be given on `today`, by field."""
    if cancellation_date < policy.effective_date:
        return {"cancellation_date": f"Must be on or after the effective date {policy.effective_date.isoformat()}."}
    if cancellation_date >= policy.expiration_date:
        return {"cancellation_date": f"Must be before the expiration date {policy.expiration_date.isoformat()}."}
    if cancellation_date <= today:
        return {"cancellation_date": f"Must be after today ({today.isoformat()}): a notice gives a cancellation "
                                     "to come."}
    return {}


def _locked(insurer_id: int, policy_number: str) -> Policy:
    """The insurer's policy, locked for the transaction and read afresh, or NotFound."""
    policy = db.session.execute(
        select(Policy).where(Policy.insurer_id == insurer_id, Policy.policy_number == policy_number)
        .with_for_update().execution_options(populate_existing=True)).scalar_one_or_none()
    if policy is None:
        raise NotFound(f"No policy {policy_number[:64]} of yours.")
    return policy


def send_notice(actor: audit.Actor, insurer_id: int, policy_number: str, notice: Notice) -> Policy:
    """Record an insurer's notice on its own policy (NotFound for another's) and tell whom it concerns."""
    if notice.kind not in KINDS:
        raise ValidationError("The notice was not recorded.",
                              fields={"kind": "Must be one of " + ", ".join(KINDS) + "."})
    errors = kind_errors(notice.kind, notice.cancellation_date, notice.reason)
    if notice.kind == CANCELLATION and notice.reason is not None and not 1 <= len(notice.reason.strip()) <= MAX_REASON:
        errors["reason"] = f"Give 1 to {MAX_REASON:,} characters."
    if errors:
        raise ValidationError("The notice was not recorded: some fields are not right.", fields=errors)
    policy = _locked(insurer_id, policy_number)
    if notice.kind == CANCELLATION:
        changed = _cancel(actor, policy, notice.cancellation_date, notice.reason.strip())
    elif notice.kind == REINSTATEMENT:
        changed = _reinstate(actor, policy)
    else:
        changed = _not_renewed(actor, policy)
    db.session.commit()
    if changed and notice.kind != NON_RENEWAL:
        claim_cases.recheck_seller(policy.seller_id)  # the seller's waiting claim cases follow its cover
    return policy


def _cancel(actor: audit.Actor, policy: Policy, cancellation_date: date, reason: str) -> bool:
    """Record a cancellation to come; whether anything changed (the same notice again changes nothing)."""
    if policy.cancellation_date is not None:
        if policy.cancellation_date == cancellation_date and policy.cancellation_reason == reason:
            return False
        raise Conflict(f"Policy {policy.policy_number} is already cancelled from "
                       f"{policy.cancellation_date.isoformat()}: send a reinstatement first to give another "
                       "notice.", code="already_cancelled")
    errors = cancellation_errors(policy, cancellation_date, clock.today())
    if errors:
        raise ValidationError("The cancellation date is not one a notice can give.", fields=errors)
    now = clock.now()
    policy.cancellation_date = cancellation_date
    policy.cancellation_reason = reason
    policy.cancellation_noticed_at = now
    audit.record(actor, "notice_of_cancellation", "policy", policy.id, policy_number=policy.policy_number,
                 cancellation_date=cancellation_date.isoformat())
    db.session.flush()
    _emit(policy, "policy.cancellation_pending")
    # The time of the notice in the key: a new notice after a reinstatement is told again.
    key = f"{MAIL_CANCELLATION}:{policy.id}:{cancellation_date.isoformat()}:{_micros(now)}"
    context = {"policy": policy, "reason": reason, "ends": long_date(cancellation_date)}
    subject = (f"{policy.insurer_name} is cancelling policy {policy.policy_number} from "
               f"{long_date(cancellation_date)}")
    seller = recipients_of([policy.seller_id]).get(policy.seller_id)
    if seller is not None:
        queue_templated_email(f"{key}:seller", MAIL_CANCELLATION, seller.address, subject,
                              dict(context, recipient="seller", name=seller.name), path="/seller",
                              related=("policy", str(policy.id)))
    for user_id, address, name in _marketplace_staff():
        queue_templated_email(f"{key}:user{user_id}", MAIL_CANCELLATION, address, subject,
                              dict(context, recipient="marketplace", name=name),
                              path=f"/admin/sellers/{policy.seller_id}", related=("policy", str(policy.id)))
    return True


def _reinstate(actor: audit.Actor, policy: Policy) -> bool:
    """Lift a cancellation, pending or done; whether anything changed (a policy not cancelled is left as is)."""
    if policy.cancellation_date is None:
        return False
    lifted = policy.cancellation_date
    policy.cancellation_date = None
    policy.cancellation_reason = None
    policy.cancellation_noticed_at = None
    audit.record(actor, "reinstatement", "policy", policy.id, policy_number=policy.policy_number,
                 lifted_cancellation_date=lifted.isoformat())
    db.session.flush()
    _emit(policy, "policy.reinstated")
    seller = recipients_of([policy.seller_id]).get(policy.seller_id)
    if seller is not None:
        queue_templated_email(
            f"{MAIL_REINSTATED}:{policy.id}:{lifted.isoformat()}:{_micros(clock.now())}", MAIL_REINSTATED,
            seller.address, f"{policy.insurer_name} reinstated policy {policy.policy_number}",
            {"policy": policy, "seller_name": seller.name, "lifted": long_date(lifted)},
            path=f"/seller/policies/{policy.id}", related=("policy", str(policy.id)))
    return True


def _not_renewed(actor: audit.Actor, policy: Policy) -> bool:
    """Record that the policy will not be renewed and queue the seller's reminder at once."""
    if policy.renewal == NOT_OFFERED:
        return False
    today = clock.today()
    if policy.expiration_date <= today:
        raise Conflict(f"Policy {policy.policy_number} expired on {policy.expiration_date.isoformat()}: there is "
                       "no renewal to refuse.", code="policy_expired")
    policy.renewal = NOT_OFFERED
    audit.record(actor, "non_renewal", "policy", policy.id, policy_number=policy.policy_number)
    db.session.flush()
    queue_policy_reminders(today, policy.id)
    return True


def _emit(policy: Policy, event_type: str) -> None:
    """The policy event, with the policy as it is now, to the marketplace's endpoints and to its insurer's."""
    data = {"policy": policy_json(policy)}
    webhooks.emit(None, event_type, data)
    webhooks.emit(policy.insurer_id, event_type, data)


def _micros(moment: datetime) -> int:
    """A moment as whole microseconds since the epoch (two notices a second apart are two keys)."""
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def _marketplace_staff() -> list[tuple[int, str, str]]:
    """The marketplace's staff (active admins): id, address, name."""
    return [(user.id, user.email, user.name or user.email) for user in db.session.execute(
        select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id)).scalars()]

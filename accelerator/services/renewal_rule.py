"""The renewal rule: whether a seller's policy can be renewed here on a day, and if not, why, in words; and the
insurer's notice the seller must act on (a cancellation to come, a non-renewal)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from accelerator import clock
from accelerator.domain.errors import NotFound
from accelerator.domain.standing import EXPIRING_WITHIN_DAYS
from accelerator.extensions import db
from accelerator.models import Policy, QuoteRequest

# A renewal can be asked from this many days before the policy expires (the dashboard's "expiring").
RENEWAL_WINDOW_DAYS = EXPIRING_WITHIN_DAYS


def long_date(day: date) -> str:
    """`June 1, 2026`, as the pages write dates."""
    return f"{day:%B} {day.day}, {day.year}"


def _days(n: int) -> str:
    """`1 day`, `12 days`."""
    return f"{n} day" if n == 1 else f"{n} days"


# --- the rule -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenewalState:
    """Whether a policy can be renewed here today, the renewal request already open, or why not."""

    policy_id: int
    eligible: bool  # verified, in force, not cancelled, expiring within the window, not already continued
    open_request_id: int | None  # the renewal request of this policy still open, if any
    problem: str | None  # why it cannot be renewed here (None when eligible)
    successor: Policy | None  # a verified policy that already continues the cover when this one expires
    window_opens: date  # the first day a renewal can be asked
    days_left: int  # days until the policy expires (negative once expired)

    @property
    def can_start(self) -> bool:
        """Whether the Renew button starts a new renewal request (eligible, none open)."""
        return self.eligible and self.open_request_id is None

    @property
    def in_window(self) -> bool:
        """Whether the renewal window is open and the policy has not expired."""
        return 0 < self.days_left <= RENEWAL_WINDOW_DAYS


def successor_of(policy: Policy, others: Iterable[Policy]) -> Policy | None:
    """Another verified policy of the same seller in force on the day `policy` expires (the one starting first)."""
    ends = policy.expiration_date
    found = [p for p in others if p.id != policy.id and p.seller_id == policy.seller_id
             and p.verification == "verified" and p.in_force_on(ends)]
    return min(found, key=lambda p: (p.effective_date, p.id), default=None)


def renewal_state(policy: Policy, others: Iterable[Policy], open_request_id: int | None, today: date) -> RenewalState:
    """Whether `policy` can be renewed here on `today`; `others` are the seller's other policies."""
    days_left = (policy.expiration_date - today).days
    opens = policy.expiration_date - timedelta(days=RENEWAL_WINDOW_DAYS)
    successor = None
    if policy.verification != "verified":
        problem = "Only a policy the marketplace has verified can be renewed here."
    elif policy.cancellation_date is not None and policy.cancellation_date > today:
        problem = (f"{policy.insurer_name} is cancelling this policy from {long_date(policy.cancellation_date)}: ask "
                   "insurers for quotes for a new policy instead.")
    elif policy.cancellation_date is not None:
        problem = "This policy was cancelled: ask insurers for quotes for a new policy instead."
    elif policy.expiration_date <= today:
        problem = (f"This policy expired on {long_date(policy.expiration_date)}: ask insurers for quotes for a "
                   "new policy instead.")
    elif policy.effective_date > today:
        problem = "This policy has not started yet."
    elif days_left > RENEWAL_WINDOW_DAYS:
        problem = (f"You can ask for renewal quotes from {long_date(opens)}, {RENEWAL_WINDOW_DAYS} days before "
                   "the policy expires.")
    else:
        successor = successor_of(policy, others)
        problem = (f"Policy {successor.policy_number} already continues your cover when this one expires."
                   if successor else None)
    return RenewalState(policy_id=policy.id, eligible=problem is None, open_request_id=open_request_id,
                        problem=problem, successor=successor, window_opens=opens, days_left=days_left)


@dataclass(frozen=True)
class InsurerNotice:
    """An insurer's notice the seller must act on: its policy's cover ends on `ends` (a cancellation to come,
    or the expiration of a policy the insurer will not renew) and no other verified policy carries it on."""

    policy: Policy
    kind: str  # "cancellation" or "non_renewal"
    ends: date  # cover stops at 12:01 a.m. on this day
    days_left: int
    reason: str | None  # the insurer's reason for a cancellation


def insurer_notice(policy: Policy, others: Iterable[Policy], today: date) -> InsurerNotice | None:
    """The notice on `policy` the seller must act on `today` (`others` are the seller's other policies)."""
    if policy.verification == "rejected" or policy.expiration_date <= today:
        return None
    if policy.cancellation_date is not None:
        if policy.cancellation_date <= today:
            return None
        kind, ends = "cancellation", policy.cancellation_date
    elif policy.renewal == "not_offered":
        kind, ends = "non_renewal", policy.expiration_date
    else:
        return None
    carried = any(p.id != policy.id and p.seller_id == policy.seller_id and p.verification == "verified"
                  and p.in_force_on(ends) for p in others)
    if carried:
        return None
    return InsurerNotice(policy=policy, kind=kind, ends=ends, days_left=(ends - today).days,
                         reason=policy.cancellation_reason if kind == "cancellation" else None)


def open_renewal_requests(seller_id: str, policy_ids: Iterable[int]) -> dict[int, int]:
    """policy id -> the id of its open renewal request (the oldest, should there be several)."""
    ids = sorted(set(policy_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(QuoteRequest.renewal_of_policy_id, QuoteRequest.id)
        .where(QuoteRequest.seller_id == seller_id, QuoteRequest.status == "open",
               QuoteRequest.renewal_of_policy_id.in_(ids))
        .order_by(QuoteRequest.id.desc())
    ).all()
    return {policy_id: request_id for policy_id, request_id in rows}  # the oldest comes last and wins


def states_for(seller_id: str, policies: list[Policy], today: date) -> dict[int, RenewalState]:
    """The renewal state of each of a seller's policies (`policies` are all of them) on `today`."""
    open_ids = open_renewal_requests(seller_id, (p.id for p in policies))
    return {p.id: renewal_state(p, policies, open_ids.get(p.id), today) for p in policies}


def seller_policy(seller_id: str, policy_id: int, lock: bool = False) -> Policy:
    """One of the seller's policies (locked for the transaction when asked), or NotFound."""
    query = select(Policy).where(Policy.id == policy_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    policy = db.session.execute(query).scalar_one_or_none()
    if policy is None or policy.seller_id != seller_id:
        raise NotFound("No such policy of yours.")
    return policy


def other_policies(policy: Policy) -> list[Policy]:
    """The seller's other verified policies (the candidates to continue `policy`)."""
    return list(db.session.execute(
        select(Policy).where(Policy.seller_id == policy.seller_id, Policy.id != policy.id,
                             Policy.verification == "verified")).scalars())


def state_of(seller_id: str, policy_id: int, today: date | None = None) -> RenewalState:
    """The renewal state of one of the seller's policies (NotFound for another seller's)."""
    today = today or clock.now().date()
    policy = seller_policy(seller_id, policy_id)
    open_id = open_renewal_requests(seller_id, [policy.id]).get(policy.id)
    return renewal_state(policy, other_policies(policy), open_id, today)

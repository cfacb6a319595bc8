"""What the portal's and the admin's claim case pages show: cases with their policy and its aggregate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from accelerator.domain import claim_cases as rules
from accelerator.extensions import db
from accelerator.models import Claim, ClaimCase, ClaimCaseEvent, Policy
from accelerator.services import claim_cases
from accelerator.services.claim_cases import CaseView

INBOX_SIZE = 50  # the newest cases an inbox shows


@dataclass(frozen=True)
class CasePage:
    """One case with the policy it stands on, and that policy's aggregate before and after the payment."""

    view: CaseView
    policy: Policy | None
    remaining_before: Decimal | None  # the aggregate remaining before this case's payment
    remaining_after: Decimal | None  # right after it, once the insurer paid

    @property
    def policy_number(self) -> str | None:
        """The policy's number, or None when the case stands on no policy."""
        return self.policy.policy_number if self.policy is not None else None


def policy_number(view: CaseView) -> str | None:
    """The policy number of the check a case stands on (None when the check chose none)."""
    policy = view.check.get("policy")
    return policy.get("policy_number") if policy else None


def insurer_inbox(insurer_id: int) -> list[CaseView]:
    """The insurer's cases, newest first (at most INBOX_SIZE)."""
    return claim_cases.list_cases(insurer_id, None, None, 1, INBOX_SIZE).items


def case_page(case_id: str, insurer_id: int | None = None) -> CasePage:
    """One case as it stands now (an insurer's own only: others 404), with its policy's aggregate."""
    view = claim_cases.get_case(case_id, insurer_id)
    row = view.case
    policy = db.session.get(Policy, row.policy_id) if row.policy_id is not None else None
    if policy is None:
        return CasePage(view, None, None, None)
    after = None
    if row.payment_payer == "insurer":
        after = db.session.execute(
            select(Claim.aggregate_remaining).where(Claim.claim_id == row.case_id)).scalar_one_or_none()
    before = after + row.payment_amount if after is not None else policy.aggregate_remaining
    return CasePage(view, policy, before, after)


QUEUE_SIZE = 200  # the escalated cases the intervention queue shows
SELLER_CASES = 50  # the newest cases shown on a seller's record
_ESCALATING = ("escalated", "denied", "disputed")


@dataclass(frozen=True)
class QueueItem:
    """An escalated case, with the moment it escalated (its deadline for an unresponsive party)."""

    case: ClaimCase
    escalated_at: datetime


def intervention_queue() -> list[QueueItem]:
    """Escalated cases, the oldest deadline first (at most QUEUE_SIZE): deadlines that passed are escalated first."""
    claim_cases.list_cases(None, rules.ESCALATED, None, 1, 1)  # escalates every case whose deadline passed
    moment = (select(ClaimCaseEvent.claim_case_id, func.max(ClaimCaseEvent.at).label("at"))
              .where(ClaimCaseEvent.event.in_(_ESCALATING)).group_by(ClaimCaseEvent.claim_case_id).subquery())
    rows = db.session.execute(
        select(ClaimCase, moment.c.at).join(moment, moment.c.claim_case_id == ClaimCase.id)
        .where(ClaimCase.state == rules.ESCALATED).order_by(moment.c.at, ClaimCase.id).limit(QUEUE_SIZE)).all()
    return [QueueItem(case, at) for case, at in rows]


def seller_cases(seller_id: str) -> list[CaseView]:
    """The seller's cases, newest first (at most SELLER_CASES)."""
    return claim_cases.list_cases(None, None, seller_id, 1, SELLER_CASES).items


def staff_payers(view: CaseView) -> list[str]:
    """Who the marketplace may record as having paid in the case's state: marketplace and/or seller."""
    row = view.case
    case = rules.Case(route=row.route, state=row.state, insurer_id=row.insurer_id, escalation=row.escalation,
                      accepted_by=row.accepted_by)
    return [payer for payer in ("marketplace", "seller") if rules.may_pay(case, payer)]

"""One seller's record as an admin reads it: profile, sales, compliance and its history, and every dealing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from accelerator import clock
from accelerator.domain.compliance import compliance_status
from accelerator.domain.errors import NotFound
from accelerator.domain.terms import PolicyTerms, Requirement
from accelerator.domain.values import month_end, normalize_seller_id
from accelerator.extensions import db
from accelerator.models import Claim, CoverageCheck, EmailMessage, MonthlySales, Policy, QuoteRequest, Seller, User
from accelerator.services import claim_case_pages
from accelerator.services.claim_cases import CaseView
from accelerator.services.sales import SellerCompliance, seller_compliance

SALES_MONTHS = 24  # the latest months of sales shown
HISTORY_POINTS = 36  # the latest month ends judged in the compliance history
QUOTE_REQUESTS = 25
CLAIMS = 50
REMINDERS = 10
# Coverage checks are read newest first through the checked_at index (there is deliberately no index by
# seller: see bench/results.md), so the record reads a bounded window of the log.
CHECKS_WINDOW_DAYS = 90
CHECKS_PER_PAGE = 20
MAX_PAGE = 10_000


@dataclass(frozen=True)
class SalesMonth:
    """One month's gross proceeds, and whether they were over the sales threshold."""

    month: date
    gross_proceeds: Decimal
    over_threshold: bool


@dataclass(frozen=True)
class HistoryPoint:
    """The seller's compliance status on one day (a month end, or today), by the compliance rule."""

    on: date
    status: str
    deadline: date | None
    policy_number: str | None


@dataclass(frozen=True)
class SellerRecord:
    """Everything the marketplace knows about one seller, for an admin."""

    seller: Seller
    account: User | None
    requirement: Requirement
    sales: list[SalesMonth]  # newest first, at most SALES_MONTHS
    standing: SellerCompliance  # today
    history: list[HistoryPoint]  # newest first
    policies: list[Policy]  # every policy but the seller's own uploads, latest effective first
    uploads: list[Policy]  # the seller's uploads, newest first
    quote_requests: list[QuoteRequest]  # newest first, at most QUOTE_REQUESTS
    claims: list[Claim]  # claims paid on the seller's policies, newest first, at most CLAIMS
    reminders: list[EmailMessage]  # compliance emails to the seller, newest first, at most REMINDERS
    claim_cases: list[CaseView]  # the seller's claim cases as they stand now, newest first (at most 50)

    @property
    def recipient(self) -> str:
        """Where the seller's emails go: the active account's email, else the contact email ("" if none)."""
        if self.account is not None and self.account.active:
            return self.account.email
        return self.seller.contact_email.strip()


@dataclass(frozen=True)
class CheckPage:
    """A page of the seller's coverage checks made since `since`, newest first."""

    items: list[CoverageCheck]
    page: int
    per_page: int
    has_next: bool
    since: date


def find_seller(seller_id: object) -> Seller:
    """The seller record of this ID, or NotFound (also for a malformed ID)."""
    try:
        key = normalize_seller_id(seller_id)
    except ValueError as exc:
        raise NotFound("No seller has this seller ID.") from exc
    seller = db.session.execute(select(Seller).where(Seller.seller_id == key)).scalar_one_or_none()
    if seller is None:
        raise NotFound("No seller has this seller ID.")
    return seller


def compliance_history(policies: list[PolicyTerms], sales: dict[date, Decimal], today: date,
                       requirement: Requirement) -> list[HistoryPoint]:
    """The seller's status at each month end after the first month over the sales threshold, then today.

    Judged by the compliance rule on the data as it stands now (a policy verified later counts from its
    effective date), newest first, at most HISTORY_POINTS month ends. Empty when no month was over.
    """
    over = sorted(month for month, proceeds in sales.items() if proceeds > requirement.sales_threshold)
    if not over:
        return []
    days = []
    # The first month over the threshold requires insurance once it has ended: judge from the next month's end.
    day = month_end(month_end(over[0]) + timedelta(days=1))
    while day < today:
        days.append(day)
        day = month_end(day + timedelta(days=1))
    days = [*days[-HISTORY_POINTS:], today]
    points = []
    for on in reversed(days):
        result = compliance_status(policies, sales, on, requirement)
        points.append(HistoryPoint(on, result.status, result.deadline,
                                   result.policy.policy_number if result.policy else None))
    return points


def seller_record(seller_id: object) -> SellerRecord:
    """The seller's whole record (NotFound for an unknown seller ID). Each part is one bounded query."""
    seller = find_seller(seller_id)
    key = seller.seller_id
    requirement: Requirement = current_app.config["REQUIREMENT"]
    today = clock.today()
    account = db.session.execute(select(User).where(User.seller_id == key)).scalar_one_or_none()
    all_sales = {month: proceeds for month, proceeds in db.session.execute(
        select(MonthlySales.month, MonthlySales.gross_proceeds).where(MonthlySales.seller_id == key))}
    sales = [SalesMonth(month, proceeds, proceeds > requirement.sales_threshold)
             for month, proceeds in sorted(all_sales.items(), reverse=True)[:SALES_MONTHS]]
    policies = list(db.session.execute(
        select(Policy).where(Policy.seller_id == key)
        .order_by(Policy.effective_date.desc(), Policy.id.desc())).scalars())
    standing = seller_compliance(key, today)
    history = compliance_history([p.terms() for p in policies], all_sales, today, requirement)
    quote_requests = list(db.session.execute(
        select(QuoteRequest).where(QuoteRequest.seller_id == key)
        .order_by(QuoteRequest.created_at.desc(), QuoteRequest.id.desc()).limit(QUOTE_REQUESTS)).scalars())
    claims = list(db.session.execute(
        select(Claim).join(Policy, Claim.policy_id == Policy.id).where(Policy.seller_id == key)
        .order_by(Claim.created_at.desc(), Claim.id.desc()).limit(CLAIMS)).scalars())
    reminders = list(db.session.execute(
        select(EmailMessage).where(EmailMessage.related_type == "seller", EmailMessage.related_id == key)
        .order_by(EmailMessage.created_at.desc(), EmailMessage.id.desc()).limit(REMINDERS)).scalars())
    uploads = sorted((p for p in policies if p.source == "seller_upload"),
                     key=lambda p: (p.created_at, p.id), reverse=True)
    return SellerRecord(
        seller=seller, account=account, requirement=requirement, sales=sales, standing=standing, history=history,
        policies=[p for p in policies if p.source != "seller_upload"], uploads=uploads,
        quote_requests=quote_requests, claims=claims, reminders=reminders,
        claim_cases=claim_case_pages.seller_cases(key))


def coverage_checks(seller_id: object, page: int = 1, per_page: int | None = None) -> CheckPage:
    """The coverage checks asked about the seller in the last CHECKS_WINDOW_DAYS days, newest first,
    CHECKS_PER_PAGE a page unless told.

    One query reads the log backwards by time until it has a page (plus one row, to know whether a
    next page exists); no count, so a busy log costs no more than the rows it skips.
    """
    key = find_seller(seller_id).seller_id
    page = min(max(int(page), 1), MAX_PAGE)
    per_page = per_page or CHECKS_PER_PAGE
    since = clock.today() - timedelta(days=CHECKS_WINDOW_DAYS)
    rows = list(db.session.execute(
        select(CoverageCheck).where(CoverageCheck.seller_id == key,
                                    CoverageCheck.checked_at >= clock.now() - timedelta(days=CHECKS_WINDOW_DAYS))
        .order_by(CoverageCheck.checked_at.desc(), CoverageCheck.id.desc())
        .limit(per_page + 1).offset((page - 1) * per_page)).scalars())
    return CheckPage(rows[:per_page], page, per_page, len(rows) > per_page, since)

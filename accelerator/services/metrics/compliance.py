"""Admin compliance figures: the weekly share of compliant sellers and every seller's standing."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import exists, select

from accelerator.domain import compliance
from accelerator.domain.errors import ValidationError
from accelerator.domain.money import ZERO
from accelerator.domain.terms import PolicyTerms, Requirement
from accelerator.domain.values import month_end
from accelerator.extensions import db
from accelerator.models import MonthlySales, Policy, Seller
from accelerator.services.metrics.ranges import cover_end, parse_day, parse_range, share_of

STATUSES: tuple[str, ...] = (compliance.COMPLIANT, compliance.PENDING_VERIFICATION, compliance.DUE,
                             compliance.OVERDUE, compliance.NOT_REQUIRED)
# Sellers judged per round trip; bounded so an IN (...) list stays small on either database.
CHUNK = 500


# --- Admin: compliance ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class WeeklyCompliance:
    """How the sellers who must be insured stood on one week's as-of day."""

    week_start: date  # the Monday
    on: date  # the day judged: the Sunday, or the range's end when sooner
    required: int  # every status but not_required
    compliant: int
    pending_verification: int
    due: int
    overdue: int

    @property
    def share(self) -> float:
        """compliant / required (0.0 in a week when nobody is required)."""
        return share_of(self.compliant, self.required)


_POLICY_TERM_COLUMNS = (
    Policy.id, Policy.seller_id, Policy.policy_number, Policy.insurer_id, Policy.insurer_rating, Policy.source,
    Policy.verification, Policy.effective_date, Policy.expiration_date, Policy.cancellation_date,
    Policy.per_occurrence_limit, Policy.aggregate_limit, Policy.claims_paid, Policy.deductible,
    Policy.occurrence_based, Policy.additional_insured, Policy.excluded_categories,
)


def _sold(sellers: list[str]) -> dict[str, frozenset[str]]:
    """The categories each of these sellers sells (a policy excluding one cannot make it compliant)."""
    rows = db.session.execute(select(Seller.seller_id, Seller.categories).where(Seller.seller_id.in_(sellers)))
    return {seller: frozenset(categories or ()) for seller, categories in rows}


def _candidates(sellers: list[str], first_day: date, last_day: date, requirement: Requirement,
                sold: dict[str, frozenset[str]]) -> dict[str, list[PolicyTerms]]:
    """These sellers' policies that can weigh in a status on some day from `first_day` to `last_day`.

    Only a verified or pending policy whose terms meet the requirement (for the categories the seller
    sells) and that is in force on the day judged can make a seller compliant or pending_verification;
    any other policy shows only in the reasons, which these figures leave out. So the database leaves
    out the lapsed and rejected ones, and the domain rule (meets_requirement) those whose terms fall short.
    """
    found: dict[str, list[PolicyTerms]] = defaultdict(list)
    rows = db.session.execute(select(*_POLICY_TERM_COLUMNS).where(
        Policy.seller_id.in_(sellers), Policy.verification.in_(("verified", "pending")),
        Policy.effective_date <= last_day, cover_end() > first_day))
    for row in rows:
        terms = PolicyTerms(
            policy_number=row.policy_number, insurer_id=row.insurer_id, insurer_rating=row.insurer_rating,
            source=row.source, verification=row.verification, effective_date=row.effective_date,
            expiration_date=row.expiration_date, cancellation_date=row.cancellation_date,
            per_occurrence_limit=row.per_occurrence_limit, aggregate_limit=row.aggregate_limit,
            aggregate_remaining=max(ZERO, row.aggregate_limit - row.claims_paid), deductible=row.deductible,
            occurrence_based=row.occurrence_based, additional_insured=row.additional_insured,
            excluded_categories=frozenset(row.excluded_categories or ()), key=row.id)
        if compliance.meets_requirement(terms, requirement, sold.get(row.seller_id, frozenset())):
            found[row.seller_id].append(terms)
    return found


def _change_days(policies: list[PolicyTerms], months: Iterable[date], grace_days: int) -> list[date]:
    """The days from which a seller's status may differ from the day before, sorted.

    A status depends on the day only through: which policies are in force (they start on the effective
    date and stop on the cancellation or expiration date), whether the first month over the threshold
    has ended (required_since is that month from the day after its end on, whatever later months do)
    and whether the deadline has passed (the day after that month's end + grace days).
    """
    days = set()
    for policy in policies:
        days.add(policy.effective_date)
        days.add(min(policy.expiration_date, policy.cancellation_date or policy.expiration_date))
    first = min(months, default=None)
    if first is not None:
        after_month = month_end(first) + timedelta(days=1)
        days.update((after_month, after_month + timedelta(days=grace_days)))
    return sorted(days)


def _months_over(threshold: Decimal, *conditions) -> dict[str, dict[date, Decimal]]:
    """The months over the sales threshold, by seller (the only months `required_since` looks at)."""
    found: dict[str, dict[date, Decimal]] = defaultdict(dict)
    rows = db.session.execute(select(MonthlySales.seller_id, MonthlySales.month, MonthlySales.gross_proceeds)
                              .where(MonthlySales.gross_proceeds > threshold, *conditions))
    for seller, month, proceeds in rows:
        found[seller][month] = proceeds
    return found


def compliance_by_week(start: object, end: object) -> list[WeeklyCompliance]:
    """The share of required sellers who are compliant, week by week, judged by the domain rule.

    Cost: one statement for the months over the sales threshold before `end` (which sellers can be
    required at all; the others are not_required every week and are not read), then two statements per
    CHUNK of those S sellers (the categories they sell, their policies that can count in the range), then
    at most W calls of `compliance_status` per seller (W weeks <= 157) and usually a few: the status is
    judged again only in a week where one of the seller's dates changes something (_change_days). On the
    bench data (1,000,000 policies, 55,000 sellers over the threshold) a year of weeks takes a few seconds.
    """
    period = parse_range(start, end)
    weeks = period.weeks()
    requirement = current_app.config["REQUIREMENT"]
    months = _months_over(requirement.sales_threshold, MonthlySales.month < period.end)
    tallies = [Counter() for _ in weeks]
    sellers = sorted(months)
    for i in range(0, len(sellers), CHUNK):
        chunk = sellers[i:i + CHUNK]
        sold = _sold(chunk)
        policies = _candidates(chunk, weeks[0][1], period.end, requirement, sold)
        end_read_transaction()  # the judging below needs no database
        for seller in chunk:
            terms, sales, categories = policies.get(seller, []), months[seller], sold.get(seller, frozenset())
            changes = _change_days(terms, sales, requirement.grace_days)
            status, seen = None, -1
            for tally, (_monday, on) in zip(tallies, weeks, strict=True):
                upto = bisect_right(changes, on)
                if upto != seen:  # some date of this seller's changed between the last judged day and this one
                    status = compliance.compliance_status(terms, sales, on, requirement, categories).status
                    seen = upto
                tally[status] += 1
    return [WeeklyCompliance(
        week_start=monday, on=on, required=sum(n for s, n in tally.items() if s != compliance.NOT_REQUIRED),
        compliant=tally[compliance.COMPLIANT], pending_verification=tally[compliance.PENDING_VERIFICATION],
        due=tally[compliance.DUE], overdue=tally[compliance.OVERDUE],
    ) for tally, (monday, on) in zip(tallies, weeks, strict=True)]


@dataclass(frozen=True)
class SellerStanding:
    """One seller's line of the admin compliance list."""

    seller_id: str
    legal_name: str
    status: str
    required_since: date | None
    deadline: date | None
    policy_number: str | None  # the policy that makes the seller compliant (or qualifies, when not required)


def seller_standings(on: object, statuses: Iterable[str] | str | None = None,
                     deadline_by: date | None = None) -> Iterator[SellerStanding]:
    """Every seller's compliance on `on`, by seller ID, optionally only those in `statuses` (codes of STATUSES)
    and, with `deadline_by`, only those whose deadline falls on or before that day.

    Validates at once (ValidationError for a bad day or an unknown status) and then returns an
    iterator that reads CHUNK sellers per round trip (three statements each) and ends its read
    transaction between chunks, so it can feed a streamed download of any size. Iterate it inside an
    app context (for a streamed response: flask.stream_with_context). When not_required is not
    wanted (or a deadline is), only sellers with a month over the sales threshold are read: nobody
    else can have any other status.
    """
    day = parse_day(on)
    wanted = None
    if statuses is not None:
        wanted = frozenset([statuses] if isinstance(statuses, str) else statuses)
        unknown = sorted(wanted - set(STATUSES))
        if unknown:
            raise ValidationError("Check the statuses.", fields={"status": f"must be one of {', '.join(STATUSES)}"})
    return _standings(day, wanted, current_app.config["REQUIREMENT"], deadline_by)


def _standings(day: date, wanted: frozenset[str] | None, requirement: Requirement,
               deadline_by: date | None = None) -> Iterator[SellerStanding]:
    """The lazy half of seller_standings: CHUNK sellers a round trip, by seller ID."""
    after = ""
    only_required = deadline_by is not None or (wanted is not None and compliance.NOT_REQUIRED not in wanted)
    over = exists().where(MonthlySales.seller_id == Seller.seller_id,
                          MonthlySales.gross_proceeds > requirement.sales_threshold, MonthlySales.month < day)
    while True:
        query = select(Seller.seller_id, Seller.legal_name, Seller.categories).where(Seller.seller_id > after)
        if only_required:
            query = query.where(over)
        sellers = db.session.execute(query.order_by(Seller.seller_id).limit(CHUNK)).all()
        if not sellers:
            return
        ids = [s for s, _name, _sold in sellers]
        sold = {s: frozenset(categories or ()) for s, _name, categories in sellers}
        policies = _candidates(ids, day, day, requirement, sold)
        months = _months_over(requirement.sales_threshold, MonthlySales.seller_id.in_(ids))
        end_read_transaction()
        for seller, legal_name, _categories in sellers:
            result = compliance.compliance_status(policies.get(seller, []), months.get(seller, {}), day, requirement,
                                                  sold[seller])
            if deadline_by is not None and (result.deadline is None or result.deadline > deadline_by):
                continue
            if wanted is None or result.status in wanted:
                yield SellerStanding(seller, legal_name, result.status, result.required_since, result.deadline,
                                     result.policy.policy_number if result.policy else None)
        after = ids[-1]


@dataclass(frozen=True)
class ComplianceActions:
    """What needs an admin's action on a day: sellers overdue, and sellers due with the deadline near."""

    on: date
    overdue: int
    due_soon: int  # due, with the deadline within `within_days` days of `on`
    within_days: int
    due_by: date  # the last deadline counted in due_soon


def compliance_actions(on: object, within_days: int = 7) -> ComplianceActions:
    """How many sellers are overdue on `on`, and how many are due with a deadline within `within_days` days.

    The same judging as the compliance list (seller_standings), over only the sellers with a month
    over the sales threshold (nobody else can be due or overdue): CHUNK of those per round trip. Cost
    grows with those sellers: about 0.85 s for 16,000 of them on SQLite (bench/generate_data.py with
    --policies 300000, 2 cores), most of it reading their policies' rows.
    """
    day = parse_day(on)
    due_by = day + timedelta(days=within_days)
    tally: Counter = Counter()
    for standing in seller_standings(day, (compliance.DUE, compliance.OVERDUE)):
        if standing.status == compliance.OVERDUE:
            tally["overdue"] += 1
        elif standing.deadline is not None and standing.deadline <= due_by:
            tally["due_soon"] += 1
    return ComplianceActions(day, tally["overdue"], tally["due_soon"], within_days, due_by)


def end_read_transaction() -> None:
    """End the session's read transaction between the chunks of a streamed read.

    A download that kept one read transaction open while a slow client reads would pin its snapshot:
    on SQLite no checkpoint could pass it (the WAL would grow without bound), on PostgreSQL vacuum
    could not. (Outside GET requests a SQLite transaction also holds the writers' turn.) A read
    leaves nothing pending, so the commit only ends the transaction.
    """
    db.session.commit()

"""Dashboard figures for admins and insurers: counted and summed in the database, with every date injected.

Each function takes its dates as arguments (a `date` or a `YYYY-MM-DD` string; never the clock) and
returns plain frozen dataclasses and lists. A range is whole UTC days, both ends included, at most
MAX_RANGE_DAYS long; a bad one raises ValidationError with `fields={"start" or "end": message}` (pages
may call parse_range/parse_day first to show the message at the field); a range with no data gives
zeros and empty or zero-filled series, never an error. Insurer figures take the insurer's id:
ValidationError when it is not a whole number, NotFound when there is no such insurer.

Weeks are ISO weeks (Monday to Sunday), labelled by their Monday. The first and last week of a range may
be partial: they count only the days inside the range, and a week's "as of" day is its Sunday or the
range's end, whichever comes first.

Admin:   compliance_by_week(start, end) -> [WeeklyCompliance]   (the one that loops over sellers: see it)
         quote_funnel(start, end) -> Funnel
         median_time_to_quote(start, end) -> [InsurerQuoteTime]
         coverage_checks_by_day(start, end) -> [DailyChecks]
         premiums_by_category(start, end) -> PremiumsByCategory
         seller_standings(on, statuses=None) -> iterator of SellerStanding (every seller, streamed)
Insurer: requests_received(insurer_id, start, end) -> RequestsReceived
         quote_win_rate(insurer_id, start, end) -> WinRate
         policies_in_force_on(insurer_id, on) -> int
         policies_in_force_by_day(insurer_id, start, end) -> [DailyCount]
         claims_against_aggregate(insurer_id, on, top=10) -> ClaimsAgainstAggregate

On the bench data (1,000,000 policies, 275,000 sellers), each figure but compliance_by_week takes at
most about 1.5 s on SQLite and on PostgreSQL, most a few milliseconds; compliance_by_week takes 2.5-3 s
for 12 weeks and 5-7 s for a year (2 cores; data made by bench/generate_data.py).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import Date, Float, and_, case, cast, exists, extract, func, or_, select, true, type_coerce

from accelerator.domain import compliance
from accelerator.domain.categories import category_name
from accelerator.domain.errors import NotFound, ValidationError
from accelerator.domain.money import ZERO
from accelerator.domain.terms import PolicyTerms, Requirement
from accelerator.domain.values import month_end, parse_date
from accelerator.extensions import db
from accelerator.models import (
    CoverageCheck,
    Insurer,
    MonthlySales,
    Policy,
    Quote,
    QuoteRequest,
    QuoteRouting,
    Seller,
)

# Three calendar years always fit (366 + 365 + 365 days); anything longer is refused as absurd.
MAX_RANGE_DAYS = 1096
ROUTES: tuple[str, ...] = ("marketplace", "insurer", "review", "seller")
STATUSES: tuple[str, ...] = (compliance.COMPLIANT, compliance.PENDING_VERIFICATION, compliance.DUE,
                             compliance.OVERDUE, compliance.NOT_REQUIRED)
ROUTING_STATUSES: tuple[str, ...] = ("open", "quoted", "declined", "closed")
# Sellers judged per round trip; bounded so an IN (...) list stays small on either database.
CHUNK = 500


# --- Dates and ranges ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class DateRange:
    """Whole UTC days from `start` to `end`, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the range holds."""
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        """Every day of the range, in order."""
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def weeks(self) -> list[tuple[date, date]]:
        """(Monday, as-of day) of each ISO week touching the range; the as-of day is clipped to `end`."""
        monday = self.start - timedelta(days=self.start.weekday())
        weeks = []
        while monday <= self.end:
            weeks.append((monday, min(monday + timedelta(days=6), self.end)))
            monday += timedelta(days=7)
        return weeks

    def bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00 UTC, the day after end 00:00 UTC): the timestamps inside the range."""
        return (datetime.combine(self.start, time(), UTC),
                datetime.combine(self.end + timedelta(days=1), time(), UTC))


def _day_value(value: object, name: str, errors: dict[str, str]) -> date | None:
    """A date given as `date` or `YYYY-MM-DD`, within 1900..2999; else a message in `errors[name]`."""
    if value is None or value == "":
        errors[name] = "is required"
        return None
    if isinstance(value, datetime):
        errors[name] = "must be a date, not a time"
        return None
    try:
        return parse_date(value.isoformat() if isinstance(value, date) else value)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def parse_day(value: object, name: str = "on") -> date:
    """One day (`date` or `YYYY-MM-DD`), or ValidationError naming the field `name`."""
    errors: dict[str, str] = {}
    day = _day_value(value, name, errors)
    if day is None:
        raise ValidationError("Check the date.", fields=errors)
    return day


def parse_range(start: object, end: object) -> DateRange:
    """A range of days (`date` or `YYYY-MM-DD` each), at most MAX_RANGE_DAYS long, else ValidationError."""
    errors: dict[str, str] = {}
    first = _day_value(start, "start", errors)
    last = _day_value(end, "end", errors)
    if first is not None and last is not None:
        if last < first:
            errors["end"] = "must be on or after the start date"
        elif (last - first).days + 1 > MAX_RANGE_DAYS:
            errors["end"] = f"must be at most {MAX_RANGE_DAYS:,} days after the start date (about three years)"
    if errors:
        raise ValidationError("Check the dates.", fields=errors)
    return DateRange(first, last)


def _dialect() -> str:
    """The database's dialect name (sqlite or postgresql)."""
    return db.session.get_bind().dialect.name


def _utc_day(column):
    """The UTC calendar day of a timestamp column, as a SQL expression typed Date on either database."""
    if _dialect() == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    # SQLite keeps UTC timestamps as "YYYY-MM-DD HH:MM:SS.ffffff"; date() gives the day as text.
    return type_coerce(func.date(column), Date)


def _seconds_between(later, earlier):
    """`later - earlier` in seconds (a float) as SQL, for two UTC timestamp expressions."""
    if _dialect() == "postgresql":
        return extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _json_elements(column):
    """The elements of a JSON list of strings as a table-valued function with a `value` column."""
    if _dialect() == "postgresql":
        return func.json_array_elements_text(column).table_valued("value")
    return func.json_each(column).table_valued("value")


def check_insurer(insurer_id: object) -> Insurer:
    """The insurer named by id, or ValidationError (not a whole number) / NotFound (no such insurer)."""
    if isinstance(insurer_id, bool) or not isinstance(insurer_id, int):
        raise ValidationError("Check the insurer.", fields={"insurer_id": "must be a whole number"})
    insurer = db.session.get(Insurer, insurer_id)
    if insurer is None:
        raise NotFound("No such insurer.")
    return insurer


def _rate(part: int, whole: int) -> float:
    """part / whole, or 0.0 when there is nothing to divide."""
    return part / whole if whole else 0.0


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
        return _rate(self.compliant, self.required)


_POLICY_TERM_COLUMNS = (
    Policy.id, Policy.seller_id, Policy.policy_number, Policy.insurer_id, Policy.insurer_rating, Policy.source,
    Policy.verification, Policy.effective_date, Policy.expiration_date, Policy.cancellation_date,
    Policy.per_occurrence_limit, Policy.aggregate_limit, Policy.claims_paid, Policy.deductible,
    Policy.occurrence_based, Policy.additional_insured, Policy.excluded_categories,
)


def _candidates(sellers: list[str], first_day: date, last_day: date, requirement: Requirement,
                ) -> dict[str, list[PolicyTerms]]:
    """These sellers' policies that can weigh in a status on some day from `first_day` to `last_day`.

    Only a verified or pending policy whose terms meet the requirement and that is in force on the day
    judged can make a seller compliant or pending_verification; any other policy shows only in the
    reasons, which these figures leave out. So the database leaves out the lapsed and rejected ones,
    and the domain rule (meets_requirement) those whose terms fall short.
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
        if compliance.meets_requirement(terms, requirement):
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
    required at all; the others are not_required every week and are not read), then one statement per
    CHUNK of those S sellers for their policies that can count in the range, then at most W calls of
    `compliance_status` per seller (W weeks <= 157) and usually a few: the status is judged again only
    in a week where one of the seller's dates changes something (_change_days). On the bench data
    (1,000,000 policies, 55,000 sellers over the threshold) a year of weeks takes a few seconds.
    """
    period = parse_range(start, end)
    weeks = period.weeks()
    requirement = current_app.config["REQUIREMENT"]
    months = _months_over(requirement.sales_threshold, MonthlySales.month < period.end)
    tallies = [Counter() for _ in weeks]
    sellers = sorted(months)
    for i in range(0, len(sellers), CHUNK):
        chunk = sellers[i:i + CHUNK]
        policies = _candidates(chunk, weeks[0][1], period.end, requirement)
        end_read_transaction()  # the judging below needs no database
        for seller in chunk:
            terms, sales = policies.get(seller, []), months[seller]
            changes = _change_days(terms, sales, requirement.grace_days)
            status, seen = None, -1
            for tally, (_monday, on) in zip(tallies, weeks, strict=True):
                upto = bisect_right(changes, on)
                if upto != seen:  # some date of this seller's changed between the last judged day and this one
                    status, seen = compliance.compliance_status(terms, sales, on, requirement).status, upto
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


def seller_standings(on: object, statuses: Iterable[str] | str | None = None) -> Iterator[SellerStanding]:
    """Every seller's compliance on `on`, by seller ID, optionally only those in `statuses` (codes of STATUSES).

    Validates at once (ValidationError for a bad day or an unknown status) and then returns an
    iterator that reads CHUNK sellers per round trip (three statements each) and ends its read
    transaction between chunks, so it can feed a streamed download of any size. Iterate it inside an
    app context (for a streamed response: flask.stream_with_context).
    """
    day = parse_day(on)
    wanted = None
    if statuses is not None:
        wanted = frozenset([statuses] if isinstance(statuses, str) else statuses)
        unknown = sorted(wanted - set(STATUSES))
        if unknown:
            raise ValidationError("Check the statuses.", fields={"status": f"must be one of {', '.join(STATUSES)}"})
    return _standings(day, wanted, current_app.config["REQUIREMENT"])


def _standings(day: date, wanted: frozenset[str] | None, requirement: Requirement) -> Iterator[SellerStanding]:
    """The lazy half of seller_standings: CHUNK sellers a round trip, by seller ID."""
    after = ""
    while True:
        sellers = db.session.execute(select(Seller.seller_id, Seller.legal_name).where(Seller.seller_id > after)
                                     .order_by(Seller.seller_id).limit(CHUNK)).all()
        if not sellers:
            return
        ids = [s for s, _name in sellers]
        policies = _candidates(ids, day, day, requirement)
        months = _months_over(requirement.sales_threshold, MonthlySales.seller_id.in_(ids))
        end_read_transaction()
        for seller, legal_name in sellers:
            result = compliance.compliance_status(policies.get(seller, []), months.get(seller, {}), day, requirement)
            if wanted is None or result.status in wanted:
                yield SellerStanding(seller, legal_name, result.status, result.required_since, result.deadline,
                                     result.policy.policy_number if result.policy else None)
        after = ids[-1]


def end_read_transaction() -> None:
    """End the session's read transaction between the chunks of a streamed read.

    A download that kept one read transaction open while a slow client reads would pin its snapshot:
    on SQLite no checkpoint could pass it (the WAL would grow without bound), on PostgreSQL vacuum
    could not. (Outside GET requests a SQLite transaction also holds the writers' turn.) A read
    leaves nothing pending, so the commit only ends the transaction.
    """
    db.session.commit()


# --- Admin: quotes ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Funnel:
    """Quote requests created in a range, how many got a quote, how many were bought."""

    requested: int
    quoted: int  # with at least one quote from any insurer
    bought: int  # with a policy whose quote_id is one of the request's quotes


def quote_funnel(start: object, end: object) -> Funnel:
    """The funnel requests -> quoted -> bought for requests created in the range (one statement)."""
    low, high = parse_range(start, end).bounds()
    has_quote = exists().where(Quote.quote_request_id == QuoteRequest.id)
    has_policy = exists().where(Quote.quote_request_id == QuoteRequest.id, Policy.quote_id == Quote.id)
    row = db.session.execute(
        select(func.count(QuoteRequest.id),
               func.sum(case((has_quote, 1), else_=0)),
               func.sum(case((has_policy, 1), else_=0)))
        .where(QuoteRequest.created_at >= low, QuoteRequest.created_at < high)
    ).one()
    return Funnel(requested=row[0] or 0, quoted=int(row[1] or 0), bought=int(row[2] or 0))


@dataclass(frozen=True)
class InsurerQuoteTime:
    """One insurer's answers to requests routed to it in a range."""

    insurer_id: int
    insurer_name: str
    routed: int
    quoted: int  # routings answered with at least one quote
    median_hours: float | None  # routed_at -> first quote; None when it quoted none of them


def median_time_to_quote(start: object, end: object) -> list[InsurerQuoteTime]:
    """Per insurer with requests routed in the range: the median time from routing to its first quote.

    The median is taken in SQL with window functions (row_number and count over each insurer), which
    SQLite and PostgreSQL both run; rows by insurer name.
    """
    low, high = parse_range(start, end).bounds()
    in_range = and_(QuoteRouting.routed_at >= low, QuoteRouting.routed_at < high)
    waits = (
        select(QuoteRouting.insurer_id.label("insurer_id"),
               _seconds_between(func.min(Quote.created_at), QuoteRouting.routed_at).label("wait"))
        .join(Quote, and_(Quote.quote_request_id == QuoteRouting.quote_request_id,
                          Quote.insurer_id == QuoteRouting.insurer_id))
        .where(in_range)
        .group_by(QuoteRouting.id, QuoteRouting.insurer_id, QuoteRouting.routed_at)
    ).subquery()
    ranked = select(
        waits.c.insurer_id, waits.c.wait,
        func.row_number().over(partition_by=waits.c.insurer_id, order_by=waits.c.wait).label("rn"),
        func.count().over(partition_by=waits.c.insurer_id).label("n"),
    ).subquery()
    # Floor division: the middle row, or the two middle rows of an even count.
    middle = or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    medians = {row[0]: (float(row[1]), int(row[2])) for row in db.session.execute(
        select(ranked.c.insurer_id, func.avg(ranked.c.wait), func.max(ranked.c.n))
        .where(middle).group_by(ranked.c.insurer_id))}
    routed = db.session.execute(
        select(Insurer.id, Insurer.name, func.count(QuoteRouting.id))
        .join(QuoteRouting, QuoteRouting.insurer_id == Insurer.id)
        .where(in_range).group_by(Insurer.id, Insurer.name).order_by(Insurer.name)).all()
    result = []
    for insurer_id, name, count in routed:
        seconds, quoted = medians.get(insurer_id, (None, 0))
        result.append(InsurerQuoteTime(insurer_id, name, count, quoted,
                                       None if seconds is None else max(0.0, seconds) / 3600))
    return result


# --- Admin: coverage checks and premiums -----------------------------------------------------------------

@dataclass(frozen=True)
class DailyChecks:
    """Coverage checks made on one UTC day, by the route each answered."""

    day: date
    marketplace: int
    insurer: int
    review: int
    seller: int

    @property
    def total(self) -> int:
        """Checks of every route."""
        return self.marketplace + self.insurer + self.review + self.seller


def coverage_checks_by_day(start: object, end: object) -> list[DailyChecks]:
    """Coverage checks per UTC day by route (GROUP BY day, route), every day of the range present."""
    period = parse_range(start, end)
    low, high = period.bounds()
    day = _utc_day(CoverageCheck.checked_at).label("day")
    counts: dict[date, Counter] = defaultdict(Counter)
    for checked_on, route, count in db.session.execute(
            select(day, CoverageCheck.route, func.count()).where(CoverageCheck.checked_at >= low,
                                                                 CoverageCheck.checked_at < high)
            .group_by(day, CoverageCheck.route)):
        counts[checked_on][route] += count
    return [DailyChecks(d, *(counts[d][route] for route in ROUTES)) for d in period.dates()]


@dataclass(frozen=True)
class CategoryPremium:
    """Premium written in one category (`category` "" for policies with no category)."""

    category: str
    name: str
    policies: int
    premium: Decimal


@dataclass(frozen=True)
class PremiumsByCategory:
    """Premium by category, and the distinct totals (a policy in two categories counts in both bars)."""

    categories: list[CategoryPremium]
    policies: int
    premium: Decimal


def premiums_by_category(start: object, end: object) -> PremiumsByCategory:
    """Premiums of policies effective in the range, by category, largest first.

    A policy bought here (quote_id set) counts under the categories of the quote request it was bought
    from; any other policy under its seller's profile categories. A policy with several categories
    counts its whole premium under each, so the bars may add up to more than `premium`, the total.
    Policies without a premium are left out.
    """
    period = parse_range(start, end)
    base = (Policy.premium.is_not(None), Policy.effective_date >= period.start, Policy.effective_date <= period.end)
    policies, premium = db.session.execute(select(func.count(Policy.id), func.sum(Policy.premium)).where(*base)).one()
    found: dict[str, list] = defaultdict(lambda: [0, ZERO])
    bought = (select(Policy.id, Policy.premium, QuoteRequest.categories.label("categories"))
              .join(Quote, Quote.id == Policy.quote_id).join(QuoteRequest, QuoteRequest.id == Quote.quote_request_id)
              .where(*base))
    other = (select(Policy.id, Policy.premium, Seller.categories.label("categories"))
             .join(Seller, Seller.seller_id == Policy.seller_id).where(Policy.quote_id.is_(None), *base))
    for query in (bought, other):
        sub = query.subquery()
        elements = _json_elements(sub.c.categories)
        rows = db.session.execute(
            select(elements.c.value, func.count(), func.sum(sub.c.premium))
            .select_from(sub).join(elements, true()).group_by(elements.c.value)).all()
        empty = db.session.execute(select(func.count(), func.sum(sub.c.premium))
                                   .where(func.json_array_length(sub.c.categories) == 0)).one()
        for code, count, total in [*rows, ("", *empty)]:
            if count:
                found[code][0] += count
                found[code][1] += total
    rows = [CategoryPremium(code, category_name(code) if code else "No category", count, total)
            for code, (count, total) in found.items()]
    rows.sort(key=lambda r: (-r.premium, r.category))
    return PremiumsByCategory(rows, policies or 0, premium if premium is not None else ZERO)


# --- Insurer --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WeeklyCount:
    """A count for one ISO week (only the week's days inside the range)."""

    week_start: date
    count: int


@dataclass(frozen=True)
class RequestsReceived:
    """Quote requests routed to one insurer in a range: in all, by routing status, and by week."""

    total: int
    by_status: dict[str, int]  # every ROUTING_STATUSES key, as the routing stands now
    by_week: list[WeeklyCount]


def requests_received(insurer_id: object, start: object, end: object) -> RequestsReceived:
    """Routings to an insurer in the range (GROUP BY day and status), totalled by status and by week."""
    check_insurer(insurer_id)
    period = parse_range(start, end)
    low, high = period.bounds()
    day = _utc_day(QuoteRouting.routed_at).label("day")
    by_status: Counter = Counter()
    by_monday: Counter = Counter()
    for routed_on, status, count in db.session.execute(
            select(day, QuoteRouting.status, func.count())
            .where(QuoteRouting.insurer_id == insurer_id, QuoteRouting.routed_at >= low, QuoteRouting.routed_at < high)
            .group_by(day, QuoteRouting.status)):
        by_status[status] += count
        by_monday[routed_on - timedelta(days=routed_on.weekday())] += count
    return RequestsReceived(
        total=sum(by_status.values()),
        by_status={status: by_status[status] for status in ROUTING_STATUSES},
        by_week=[WeeklyCount(monday, by_monday[monday]) for monday, _on in period.weeks()],
    )


@dataclass(frozen=True)
class WinRate:
    """An insurer's quotes made in a range and how many were won."""

    offered: int  # every quote it made
    won: int  # accepted, or bought (a policy's quote_id points at it)

    @property
    def rate(self) -> float:
        """won / offered (0.0 when it made no quote)."""
        return _rate(self.won, self.offered)


def quote_win_rate(insurer_id: object, start: object, end: object) -> WinRate:
    """Accepted quotes / quotes offered, for the insurer's quotes made in the range (one statement)."""
    check_insurer(insurer_id)
    low, high = parse_range(start, end).bounds()
    won = or_(Quote.status == "accepted", exists().where(Policy.quote_id == Quote.id))
    offered, count = db.session.execute(
        select(func.count(Quote.id), func.sum(case((won, 1), else_=0)))
        .where(Quote.insurer_id == insurer_id, Quote.created_at >= low, Quote.created_at < high)).one()
    return WinRate(offered=offered or 0, won=int(count or 0))


def cover_end():
    """The day cover stops: the cancellation date where cancelled (always before expiration), else expiration."""
    return func.coalesce(Policy.cancellation_date, Policy.expiration_date)


def _in_force(day: date):
    """SQL: the policy is in force on `day` (the contract's policy period)."""
    return and_(Policy.effective_date <= day, cover_end() > day)


def policies_in_force_on(insurer_id: object, on: object) -> int:
    """How many of the insurer's policies are in force on a day (effective <= day < expiration/cancellation)."""
    check_insurer(insurer_id)
    day = parse_day(on)
    return db.session.execute(select(func.count(Policy.id))
                              .where(Policy.insurer_id == insurer_id, _in_force(day))).scalar_one()


@dataclass(frozen=True)
class DailyCount:
    """A count on one day."""

    day: date
    count: int


def policies_in_force_by_day(insurer_id: object, start: object, end: object) -> list[DailyCount]:
    """The insurer's policies in force on each day of the range.

    Three aggregate statements whatever the range: the count on the first day, then the policies
    starting and stopping on each later day (GROUP BY date), added up in Python.
    """
    check_insurer(insurer_id)
    period = parse_range(start, end)
    mine = Policy.insurer_id == insurer_id
    count = db.session.execute(select(func.count(Policy.id)).where(mine, _in_force(period.start))).scalar_one()
    change: Counter = Counter()
    for column, sign in ((Policy.effective_date, 1), (cover_end(), -1)):
        day = column.label("day")
        for on, n in db.session.execute(select(day, func.count()).where(mine, column > period.start,
                                                                        column <= period.end).group_by(day)):
            change[on] += sign * n
    series = []
    for day in period.dates():
        count += change[day]
        series.append(DailyCount(day, count))
    return series


@dataclass(frozen=True)
class PolicyClaims:
    """Claims paid on one policy against its aggregate limit."""

    policy_id: int
    policy_number: str
    seller_id: str
    aggregate_limit: Decimal
    claims_paid: Decimal
    aggregate_remaining: Decimal

    @property
    def used_share(self) -> float:
        """claims paid / aggregate limit, at most 1.0."""
        return min(1.0, float(self.claims_paid / self.aggregate_limit)) if self.aggregate_limit else 0.0


@dataclass(frozen=True)
class ClaimsAgainstAggregate:
    """Totals over an insurer's policies in force on a day, and those with the most of their aggregate used."""

    on: date
    policies: int
    aggregate_limit: Decimal
    claims_paid: Decimal
    aggregate_remaining: Decimal
    top: list[PolicyClaims]

    @property
    def used_share(self) -> float:
        """Claims paid (up to each limit) / the sum of aggregate limits."""
        used = self.aggregate_limit - self.aggregate_remaining
        return float(used / self.aggregate_limit) if self.aggregate_limit else 0.0


def claims_against_aggregate(insurer_id: object, on: object, top: int = 10) -> ClaimsAgainstAggregate:
    """Claims paid against aggregate limits for the insurer's policies in force on `on`.

    `claims_paid` is each policy's running total as it stands now (claims are not dated against the
    day). `top` (0..100) policies with claims, the largest share of their aggregate used first.
    """
    check_insurer(insurer_id)
    day = parse_day(on)
    if isinstance(top, bool) or not isinstance(top, int) or not 0 <= top <= 100:
        raise ValidationError("Check the number of policies.", fields={"top": "must be a whole number from 0 to 100"})
    scope = (Policy.insurer_id == insurer_id, _in_force(day))
    capped = case((Policy.claims_paid > Policy.aggregate_limit, Policy.aggregate_limit), else_=Policy.claims_paid)
    count, limits, paid, used = db.session.execute(
        select(func.count(Policy.id), func.sum(Policy.aggregate_limit), func.sum(Policy.claims_paid),
               func.sum(capped)).where(*scope)).one()
    share = cast(Policy.claims_paid, Float) / cast(Policy.aggregate_limit, Float)
    rows = db.session.execute(
        select(Policy.id, Policy.policy_number, Policy.seller_id, Policy.aggregate_limit, Policy.claims_paid)
        .where(*scope, Policy.claims_paid > ZERO)
        .order_by(share.desc(), Policy.claims_paid.desc(), Policy.id).limit(top)).all() if top else []
    limits, paid, used = limits or ZERO, paid or ZERO, used or ZERO
    return ClaimsAgainstAggregate(
        on=day, policies=count or 0, aggregate_limit=limits, claims_paid=paid, aggregate_remaining=limits - used,
        top=[PolicyClaims(r.id, r.policy_number, r.seller_id, r.aggregate_limit, r.claims_paid,
                          max(ZERO, r.aggregate_limit - r.claims_paid)) for r in rows],
    )

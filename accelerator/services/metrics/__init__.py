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
         premiums_by_category(start, end) -> PremiumsByCategory   (policies taking effect, by effective date)
         premium_bound(start, end) -> BoundPremium                (quotes bought here, by purchase date)
         seller_standings(on, statuses=None, deadline_by=None) -> iterator of SellerStanding (streamed)
         compliance_actions(on, within_days=7) -> ComplianceActions (overdue, due soon: the admin home)
Insurer: requests_received(insurer_id, start, end) -> RequestsReceived
         quote_win_rate(insurer_id, start, end) -> WinRate
         policies_in_force_on(insurer_id, on) -> int
         policies_in_force_by_day(insurer_id, start, end) -> [DailyCount]
         claims_against_aggregate(insurer_id, on, top=10) -> ClaimsAgainstAggregate

Where things are (every public name is re-exported here, so `metrics.<name>` works):
- metrics/ranges.py: DateRange, parse_day, parse_range, MAX_RANGE_DAYS, check_insurer, cover_end, and
  the private helpers the figures share (SQL per dialect: utc_day, seconds_between, json_elements; share_of).
- metrics/compliance.py: compliance_by_week, seller_standings, compliance_actions, end_read_transaction,
  STATUSES, and CHUNK
  (patch it there: `accelerator.services.metrics.compliance.CHUNK`).
- metrics/quotes.py: quote_funnel, median_time_to_quote.
- metrics/checks_and_premiums.py: coverage_checks_by_day, premiums_by_category, premium_bound, ROUTES.
- metrics/insurer.py: requests_received, quote_win_rate, policies_in_force_on, policies_in_force_by_day,
  claims_against_aggregate, ROUTING_STATUSES.

On the bench data (1,000,000 policies, 275,000 sellers), each figure but compliance_by_week takes at
most about 1.5 s on SQLite and on PostgreSQL, most a few milliseconds; compliance_by_week takes 2.5-3 s
for 12 weeks and 5-7 s for a year (2 cores; data made by bench/generate_data.py).
"""

from __future__ import annotations

from accelerator.services.metrics.checks_and_premiums import (
    ROUTES,
    BoundPremium,
    CategoryPremium,
    DailyChecks,
    PremiumsByCategory,
    coverage_checks_by_day,
    premium_bound,
    premiums_by_category,
)
from accelerator.services.metrics.compliance import (
    STATUSES,
    ComplianceActions,
    SellerStanding,
    WeeklyCompliance,
    compliance_actions,
    compliance_by_week,
    end_read_transaction,
    seller_standings,
)
from accelerator.services.metrics.insurer import (
    ROUTING_STATUSES,
    ClaimsAgainstAggregate,
    DailyCount,
    PolicyClaims,
    RequestsReceived,
    WeeklyCount,
    WinRate,
    claims_against_aggregate,
    policies_in_force_by_day,
    policies_in_force_on,
    quote_win_rate,
    requests_received,
)
from accelerator.services.metrics.quotes import Funnel, InsurerQuoteTime, median_time_to_quote, quote_funnel
from accelerator.services.metrics.ranges import (
    MAX_RANGE_DAYS,
    DateRange,
    check_insurer,
    cover_end,
    parse_day,
    parse_range,
)

__all__ = [
    "MAX_RANGE_DAYS",
    "ROUTES",
    "ROUTING_STATUSES",
    "STATUSES",
    "BoundPremium",
    "CategoryPremium",
    "ClaimsAgainstAggregate",
    "ComplianceActions",
    "DailyChecks",
    "DailyCount",
    "DateRange",
    "Funnel",
    "InsurerQuoteTime",
    "PolicyClaims",
    "PremiumsByCategory",
    "RequestsReceived",
    "SellerStanding",
    "WeeklyCompliance",
    "WeeklyCount",
    "WinRate",
    "check_insurer",
    "claims_against_aggregate",
    "compliance_actions",
    "compliance_by_week",
    "cover_end",
    "coverage_checks_by_day",
    "end_read_transaction",
    "median_time_to_quote",
    "parse_day",
    "parse_range",
    "policies_in_force_by_day",
    "policies_in_force_on",
    "premium_bound",
    "premiums_by_category",
    "quote_funnel",
    "quote_win_rate",
    "requests_received",
    "seller_standings",
]

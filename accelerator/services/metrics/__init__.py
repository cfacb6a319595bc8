"""Dashboard figures for admins and insurers: counted and summed in the database over a range of whole UTC
days that the caller gives (never the clock)."""

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
from accelerator.services.metrics.ranges import DateRange, check_insurer, cover_end, parse_day, parse_range

__all__ = [
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

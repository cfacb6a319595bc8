"""A seller's own side: the business profile, the dashboard (policies by standing, quote requests,
compliance and next steps), and one quote request with its quotes judged against the requirement."""

from __future__ import annotations

from accelerator.services.sellers.compliance import (
    ComplianceSnapshot,
    Countdown,
    compliance_snapshot,
    countdown,
    cover_until,
)
from accelerator.services.sellers.dashboards import Dashboard, DashboardPolicy, PolicyGroup, dashboard, next_steps
from accelerator.services.sellers.profile import ProfileData, get_seller, profile_errors, update_profile
from accelerator.services.sellers.quote_requests import (
    QUOTE_SORTS,
    QuoteLine,
    RequestDetail,
    TermChange,
    compare_terms,
    get_request,
    no_match_reasons,
    quote_line,
)

__all__ = [
    "QUOTE_SORTS", "ComplianceSnapshot", "Countdown", "Dashboard", "DashboardPolicy", "PolicyGroup", "ProfileData",
    "QuoteLine", "RequestDetail", "TermChange", "compare_terms", "compliance_snapshot", "countdown", "cover_until",
    "dashboard", "get_request", "get_seller", "next_steps", "no_match_reasons", "profile_errors", "quote_line",
    "update_profile",
]

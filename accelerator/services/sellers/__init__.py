"""A seller's own side: the business profile, the dashboard (policies by standing, quote requests,
compliance snapshot with its countdown and next steps) and one quote request with its quotes judged
against the requirement (a renewal request's quotes beside the policy it renews).

Where things are (every name below is also importable from this package):
- sellers/profile.py: the business profile (`ProfileData`, `get_seller`, `profile_errors`, `update_profile`).
- sellers/compliance.py: the compliance snapshot in the seller's words (`compliance_snapshot`), its
  `countdown`, `cover_until` (the day unbroken cover ends) and `EXPIRING_WITHIN_DAYS`.
- sellers/dashboards.py: the dashboard (`dashboard`), its policy groups (`POLICY_GROUPS`, `policy_group`)
  and `next_steps`, which gathers the facts for the next-step rule (domain/guidance.py). The module is
  not called `dashboard.py` so that it does not share its name with the `dashboard` function exported here.
- sellers/quote_requests.py: one quote request with its quotes (`get_request`, `quote_line`,
  `no_match_reasons`, `QUOTE_SORTS`).

Renewals (services/renewals/) build on this package, so the two functions here that show renewals
(`dashboard` and `get_request`) import it when called, not at the top (the import would be circular).
"""

from __future__ import annotations

from accelerator.services.sellers.compliance import (
    EXPIRING_WITHIN_DAYS,
    ComplianceSnapshot,
    Countdown,
    compliance_snapshot,
    countdown,
    cover_until,
)
from accelerator.services.sellers.dashboards import (
    POLICY_GROUPS,
    Dashboard,
    DashboardPolicy,
    NextStep,
    PolicyGroup,
    dashboard,
    next_steps,
    policy_group,
)
from accelerator.services.sellers.profile import ProfileData, get_seller, profile_errors, update_profile
from accelerator.services.sellers.quote_requests import (
    QUOTE_SORTS,
    QuoteLine,
    RequestDetail,
    get_request,
    no_match_reasons,
    quote_line,
)

__all__ = [
    "EXPIRING_WITHIN_DAYS", "POLICY_GROUPS", "QUOTE_SORTS", "ComplianceSnapshot", "Countdown", "Dashboard",
    "DashboardPolicy", "NextStep", "PolicyGroup", "ProfileData", "QuoteLine", "RequestDetail", "compliance_snapshot",
    "countdown", "cover_until", "dashboard", "get_request", "get_seller", "next_steps", "no_match_reasons",
    "policy_group", "profile_errors", "quote_line", "update_profile",
]

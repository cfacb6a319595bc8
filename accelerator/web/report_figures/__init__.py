"""The dashboards' figures: each metric drawn as an SVG chart, with the same numbers as a table for people
and as plain cells for a CSV download."""

from __future__ import annotations

from accelerator.web.report_figures.admin import (
    checks_figure,
    compliance_figure,
    funnel_figure,
    premiums_figure,
    time_to_quote_figure,
)
from accelerator.web.report_figures.claim_cases import (
    ANSWER_DEFINITIONS,
    answer_times_figure,
    cases_by_route_figure,
    cases_by_state_figure,
    claim_case_stats,
    escalations_figure,
    money_figure,
)
from accelerator.web.report_figures.figures import CLAIMS_TOP, Figure, by_week
from accelerator.web.report_figures.headlines import Stat, admin_stats, insurer_stats
from accelerator.web.report_figures.insurer import claims_figure, in_force_figure, requests_figure, win_rate_figure

__all__ = [
    "ANSWER_DEFINITIONS",
    "CLAIMS_TOP",
    "Figure",
    "Stat",
    "admin_stats",
    "answer_times_figure",
    "by_week",
    "cases_by_route_figure",
    "cases_by_state_figure",
    "checks_figure",
    "claim_case_stats",
    "claims_figure",
    "compliance_figure",
    "escalations_figure",
    "funnel_figure",
    "in_force_figure",
    "insurer_stats",
    "money_figure",
    "premiums_figure",
    "requests_figure",
    "time_to_quote_figure",
    "win_rate_figure",
]

"""Reports: the admin dashboards, compliance list and coverage-check log, and the insurer dashboard and
bordereau, as pages and CSV downloads over a date range."""

from __future__ import annotations

from accelerator.web.reports.admin import ADMIN_REPORTS, admin_bp
from accelerator.web.reports.claim_cases import CLAIM_CASE_REPORTS
from accelerator.web.reports.dashboards import Report
from accelerator.web.reports.downloads import csv_response
from accelerator.web.reports.forms import MAX_ECHO, STATUS_LABELS, default_range
from accelerator.web.reports.insurer import INSURER_REPORTS, insurer_bp

__all__ = [
    "ADMIN_REPORTS",
    "CLAIM_CASE_REPORTS",
    "INSURER_REPORTS",
    "MAX_ECHO",
    "STATUS_LABELS",
    "Report",
    "admin_bp",
    "csv_response",
    "default_range",
    "insurer_bp",
]

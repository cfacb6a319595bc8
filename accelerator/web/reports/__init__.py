"""Reports: the admin dashboards, compliance list and coverage-check log, and the insurer dashboard and bordereau.

Two blueprints, each guarded like the rest of the site (see require_role): `admin_reports` under
/admin/reports for admins, `insurer_reports` under /insurer/reports for insurer staff, who see their own
insurer's figures only (the insurer comes from the logged-in user, never from the URL). Every page and
CSV takes an optional date range (`start`, `end`: YYYY-MM-DD, whole UTC days, both included; by default
the last 12 weeks, from the Monday 11 weeks before this one to today). A bad range re-renders the page's
form with the message at the field (400); on a CSV address it is a 400 page. CSV downloads are
`text/csv; charset=utf-8` attachments with a dated file name, never stored by caches; the exports of any
size (compliance list, check log, bordereau) are streamed.

Where things are (every name below is also importable from this package):
- reports/forms.py: `RangeForm`, `ComplianceFilterForm`, `default_range` (and `DEFAULT_WEEKS`, `STATUS_LABELS`,
  `FIELD_LABELS`, `MAX_ECHO`), the pages' today `_today`, and how a bad range or filter becomes field messages.
- reports/downloads.py: `csv_response`, streamed exports, dated file names, the range of a CSV address.
- reports/dashboards.py: `Report` (how a figure is read and drawn), each figure's CSV address and CSV view.
- reports/admin.py: the `admin_reports` blueprint `admin_bp`, `ADMIN_REPORTS`, the dashboard, the compliance
  list (`SELLERS_PER_PAGE`) and the coverage-check log, with their CSVs.
- reports/claim_cases.py: the admin page of claim-case figures (`CLAIM_CASE_REPORTS`, on `admin_bp`), with
  their CSVs.
- reports/insurer.py: the `insurer_reports` blueprint `insurer_bp`, `INSURER_REPORTS`, the dashboard and the
  bordereau, with their CSVs.
To fix "today" in a test, patch `_today` in forms (admin and insurer call it there); `SELLERS_PER_PAGE`
is patched in admin. Neither is re-exported here, so a patch of the package fails loudly.
"""

from __future__ import annotations

from accelerator.web.reports.admin import (
    ADMIN_REPORTS,
    admin_bp,
    admin_dashboard,
    checks_csv,
    checks_export,
    compliance_csv,
    compliance_list,
)
from accelerator.web.reports.claim_cases import CLAIM_CASE_REPORTS, claim_cases_report
from accelerator.web.reports.dashboards import Report
from accelerator.web.reports.downloads import csv_response
from accelerator.web.reports.forms import (
    DEFAULT_WEEKS,
    FIELD_LABELS,
    MAX_ECHO,
    STATUS_LABELS,
    ComplianceFilterForm,
    RangeForm,
    default_range,
)
from accelerator.web.reports.insurer import (
    INSURER_REPORTS,
    bordereau_csv,
    bordereau_export,
    insurer_bp,
    insurer_dashboard,
)

__all__ = [
    "ADMIN_REPORTS",
    "CLAIM_CASE_REPORTS",
    "DEFAULT_WEEKS",
    "FIELD_LABELS",
    "INSURER_REPORTS",
    "MAX_ECHO",
    "STATUS_LABELS",
    "ComplianceFilterForm",
    "RangeForm",
    "Report",
    "admin_bp",
    "admin_dashboard",
    "bordereau_csv",
    "bordereau_export",
    "checks_csv",
    "checks_export",
    "claim_cases_report",
    "compliance_csv",
    "compliance_list",
    "csv_response",
    "default_range",
    "insurer_bp",
    "insurer_dashboard",
]

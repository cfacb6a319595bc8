"""The dashboards' figures: a Report (how a figure is read and drawn), its CSV address and its CSV view.

Two blueprints, each guarded like the rest of the site (see require_role): `admin_reports` under
/admin/reports for admins, `insurer_reports` under /insurer/reports for insurer staff, who see their own
insurer's figures only (the insurer comes from the logged-in user, never from the URL). Every page and
CSV takes an optional date range (`start`, `end`: YYYY-MM-DD, whole UTC days, both included; by default
the last 12 weeks, from the Monday 11 weeks before this one to today). A bad range re-renders the page's
form with the message at the field (400); on a CSV address it is a 400 page. CSV downloads are
`text/csv; charset=utf-8` attachments with a dated file name, never stored by caches; the exports of any
size (compliance list, check log, bordereau) are streamed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for

from accelerator.services import metrics
from accelerator.web import report_figures as rf
from accelerator.web.reports.downloads import csv_endpoint, csv_range, csv_response, dated_filename

# --- Dashboards -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Report:
    """One dashboard figure: how its numbers are read (services/metrics) and drawn (web/report_figures)."""

    load: Callable[..., Any]  # (range) for admins; (insurer id, range, today) for insurers
    draw: Callable[[Any, metrics.DateRange], rf.Figure]


def with_csv_links(blueprint: str, figures: list[rf.Figure], period: metrics.DateRange) -> list[tuple[rf.Figure, str]]:
    """Each figure with the address of its CSV for the same range."""
    return [(f, url_for(f"{blueprint}.{csv_endpoint(f.key)}", start=period.start.isoformat(),
                        end=period.end.isoformat())) for f in figures]


def chart_csv_view(key: str, report: Report, load_args: Callable[[metrics.DateRange], tuple]) -> Callable:
    """The view that downloads one figure's numbers for the range of the query string."""

    def view():
        """One dashboard figure's numbers as CSV (?start=&end=, the last 12 weeks by default)."""
        period = csv_range()
        if not isinstance(period, metrics.DateRange):
            return period
        return csv_response(report.draw(report.load(*load_args(period)), period).csv(), dated_filename(key, period))

    view.__name__ = csv_endpoint(key)
    return view


"""The admin reports (blueprint `admin_reports`): the dashboard and its CSVs, the compliance list, the check log."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import islice

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from accelerator import clock
from accelerator.domain.errors import ValidationError
from accelerator.services import exports, metrics
from accelerator.web import report_figures as rf
from accelerator.web.helpers import page_arg, require_role
from accelerator.web.reports import forms
from accelerator.web.reports.dashboards import Report, chart_csv_view, with_csv_links
from accelerator.web.reports.downloads import csv_endpoint, csv_range, dated_filename, streamed_csv
from accelerator.web.reports.forms import (
    STATUS_LABELS,
    ComplianceFilterForm,
    bad_csv_request,
    default_range,
    echo_value,
    place_errors,
    query_arg,
    range_form,
)

# --- Admin ------------------------------------------------------------------------------------------------

admin_bp = Blueprint("admin_reports", __name__, url_prefix="/admin/reports")
require_role(admin_bp, "admin")

SELLERS_PER_PAGE = 50

ADMIN_REPORTS: dict[str, Report] = {
    "compliance-by-week": Report(lambda p: metrics.compliance_by_week(p.start, p.end),
                                 lambda weeks, _p: rf.compliance_figure(weeks)),
    "quote-funnel": Report(lambda p: metrics.quote_funnel(p.start, p.end), lambda funnel, _p: rf.funnel_figure(funnel)),
    "time-to-quote": Report(lambda p: metrics.median_time_to_quote(p.start, p.end),
                            lambda rows, _p: rf.time_to_quote_figure(rows)),
    "checks-by-route": Report(lambda p: metrics.coverage_checks_by_day(p.start, p.end), rf.checks_figure),
    "premiums-by-category": Report(lambda p: metrics.premiums_by_category(p.start, p.end),
                                   lambda premiums, _p: rf.premiums_figure(premiums)),
}


@admin_bp.get("/", endpoint="dashboard")
def admin_dashboard():
    """The admin dashboard: compliance by week, the quote funnel, time to quote, checks by route, premiums."""
    form, period = range_form(default_range())
    figures, stats = [], []
    if period is not None:
        data = {key: report.load(period) for key, report in ADMIN_REPORTS.items()}
        drawn = [ADMIN_REPORTS[key].draw(value, period) for key, value in data.items()]
        figures = with_csv_links("admin_reports", drawn, period)
        stats = rf.admin_stats(data["compliance-by-week"], data["quote-funnel"], data["checks-by-route"],
                               data["premiums-by-category"], metrics.premium_bound(period.start, period.end))
    return render_template("admin_reports/dashboard.html", form=form, period=period, figures=figures,
                           stats=stats), 200 if period else 400


for _key, _report in ADMIN_REPORTS.items():
    admin_bp.add_url_rule(f"/{_key}.csv", endpoint=csv_endpoint(_key),
                          view_func=chart_csv_view(_key, _report, lambda period: (period,)))


def _compliance_filters() -> tuple[ComplianceFilterForm, date | None, str | None, date | None]:
    """The list's filters from the query string: (form with errors at its fields, day or None, status,
    the last deadline shown or None)."""
    on, within = query_arg("on") or clock.today().isoformat(), query_arg("within")
    form = ComplianceFilterForm(MultiDict({"status": query_arg("status"), "on": echo_value(on),
                                           "within": echo_value(within)}))
    form.validate()
    status = None if form.status.errors else (form.status.data or None)
    if form.status.errors:
        form.status.errors = ["Choose a status from the list."]
    try:
        day = metrics.parse_day(on, "on")
    except ValidationError as exc:
        place_errors(form, exc)
        day = None
    days = None
    if within:
        if within.isascii() and within.isdigit() and len(within) <= 3 and int(within) <= forms.MAX_WITHIN_DAYS:
            days = int(within)
        else:
            form.within.errors = [f"Enter a whole number of days from 0 to {forms.MAX_WITHIN_DAYS}, or leave it empty."]
    if form.errors:
        return form, None, status, None
    return form, day, status, (day + timedelta(days=days) if days is not None else None)


@admin_bp.get("/compliance")
def compliance_list():
    """Sellers by compliance status on a day (today by default), optionally of one status, a page at a time."""
    form, day, status, deadline_by = _compliance_filters()
    page = page_arg()
    rows: list[metrics.SellerStanding] = []
    if day is not None:
        # The standings are judged seller by seller, in seller-ID order: read just past this page.
        wanted = islice(metrics.seller_standings(day, status, deadline_by), (page - 1) * SELLERS_PER_PAGE,
                        page * SELLERS_PER_PAGE + 1)
        rows = list(wanted)
    return render_template("admin_reports/compliance.html", form=form, day=day, status=status, page=page,
                           deadline_by=deadline_by, within=(deadline_by - day).days if deadline_by else None,
                           rows=rows[:SELLERS_PER_PAGE], has_next=len(rows) > SELLERS_PER_PAGE,
                           labels=STATUS_LABELS, per_page=SELLERS_PER_PAGE), 200 if day else 400


@admin_bp.get("/compliance.csv")
def compliance_csv():
    """The compliance list (every seller, or those of ?status=) on ?on= (today by default), streamed as CSV."""
    form, day, status, deadline_by = _compliance_filters()
    if day is None:
        return bad_csv_request(form)
    name = (f"compliance_{day.isoformat()}{'_' + status if status else ''}"
            f"{'_by_' + deadline_by.isoformat() if deadline_by else ''}.csv")
    return streamed_csv(exports.compliance_list(day, status, deadline_by), name)


@admin_bp.get("/checks")
def checks_export():
    """The coverage-check log's form: choose a range, then download (a valid choice redirects to the CSV)."""
    form, period = range_form(default_range())
    if period is not None and "download" in request.args:
        return redirect(url_for("admin_reports.checks_csv", start=period.start.isoformat(),
                                end=period.end.isoformat()))
    return render_template("admin_reports/checks.html", form=form, period=period,
                           columns=exports.CHECK_LOG_HEADER), 200 if period else 400


@admin_bp.get("/checks.csv")
def checks_csv():
    """Every coverage check made in the range (the last 12 weeks by default), oldest first, streamed as CSV."""
    period = csv_range()
    if not isinstance(period, metrics.DateRange):
        return period
    return streamed_csv(exports.coverage_check_log(period.start, period.end), dated_filename("coverage-checks", period))


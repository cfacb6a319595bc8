"""Reports: the admin dashboards, compliance list and coverage-check log, and the insurer dashboard and bordereau.

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

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField, StringField
from wtforms.widgets import DateInput

from accelerator.domain import compliance
from accelerator.domain.errors import ValidationError
from accelerator.http import error_page
from accelerator.models.types import utcnow
from accelerator.services import exports, metrics
from accelerator.web import report_figures as rf
from accelerator.web.forms import choices, strip
from accelerator.web.helpers import page_arg, require_role

admin_bp = Blueprint("admin_reports", __name__, url_prefix="/admin/reports")
require_role(admin_bp, "admin")
insurer_bp = Blueprint("insurer_reports", __name__, url_prefix="/insurer/reports")
require_role(insurer_bp, "insurer")

DEFAULT_WEEKS = 12
SELLERS_PER_PAGE = 50
STATUS_LABELS = {
    compliance.DUE: "Due", compliance.OVERDUE: "Overdue", compliance.PENDING_VERIFICATION: "Pending verification",
    compliance.COMPLIANT: "Compliant", compliance.NOT_REQUIRED: "Not required",
}
FIELD_LABELS = {"start": "start date", "end": "end date", "on": "date", "status": "status"}
MAX_ECHO = 40  # characters of a bad value shown back in its input
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _today() -> date:
    """Today as a UTC day, the days every figure counts in."""
    return utcnow().date()


def default_range(today: date | None = None) -> metrics.DateRange:
    """The last 12 weeks: from the Monday 11 weeks before this week's Monday, to today."""
    today = today or _today()
    monday = today - timedelta(days=today.weekday())
    return metrics.DateRange(monday - timedelta(weeks=DEFAULT_WEEKS - 1), today)


# --- Forms and their errors -------------------------------------------------------------------------------

class RangeForm(Form):
    """A date range (a GET form: no CSRF token, it changes nothing)."""

    start = StringField("Start date", filters=[strip], widget=DateInput())
    end = StringField("End date", filters=[strip], widget=DateInput())


class ComplianceFilterForm(Form):
    """Which sellers the compliance list shows: a status, judged on a day."""

    status = SelectField("Status", default="", choices=choices(STATUS_LABELS.items(), "Every status"))
    on = StringField("Judged on", filters=[strip], widget=DateInput())


def _message(name: str, message: str) -> str:
    """A service's field message as a sentence: "The end date must be on or after the start date."."""
    return f"The {FIELD_LABELS.get(name, name)} {message}."


def _place(form: Form, exc: ValidationError) -> None:
    """Put a ValidationError's messages at the form's fields (any other message at the top)."""
    for name, message in (exc.fields or {"": exc.message}).items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, _message(name, message)]
        else:
            form.form_errors.append(exc.message)


def _arg(name: str) -> str:
    """A query-string value without surrounding white space ("" when absent)."""
    return (request.args.get(name) or "").strip()


def _echo(value: str | None) -> str:
    """A submitted value as it may be shown back in its input: bounded, without control characters."""
    return _CONTROL.sub("", (value or "").strip()[:MAX_ECHO])


def _range_form(default: metrics.DateRange | None) -> tuple[RangeForm, metrics.DateRange | None]:
    """The range of the query string (an absent or empty date takes the default's), checked.

    With `default` None the range is optional: both dates empty give (form, None) and no error.
    Returns the form (with errors at its fields when the range is bad) and the range, or None.
    """
    start, end = _arg("start"), _arg("end")
    if default is not None:
        start, end = start or default.start.isoformat(), end or default.end.isoformat()
    # The form shows the values back (bounded and cleaned); the range is judged on what was sent.
    form = RangeForm(MultiDict({"start": _echo(start), "end": _echo(end)}))
    if default is None and not start and not end:
        return form, None
    if default is None and not (start and end):
        missing = "start" if not start else "end"
        form[missing].errors = [f"Enter the {FIELD_LABELS[missing]} too, or leave both dates empty for every policy."]
        return form, None
    try:
        return form, metrics.parse_range(start, end)
    except ValidationError as exc:
        _place(form, exc)
        return form, None


def _bad_request(form: Form) -> tuple:
    """A 400 page for a CSV address with bad parameters: what is wrong, in sentences."""
    problems = [message for field in form for message in field.errors] + list(form.form_errors)
    return error_page(400, " ".join(problems) + " Go back to the report and choose again.")


# --- CSV responses ----------------------------------------------------------------------------------------

def csv_response(body: str | Iterable[str], filename: str) -> Response:
    """A CSV download: text/csv in UTF-8, an attachment with its file name, never stored by a cache."""
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def _streamed(lines: Iterable[str], filename: str) -> Response:
    """A CSV download streamed line by line (the export reads its rows in chunks as the client reads)."""
    return csv_response(stream_with_context(lines), filename)


def _dated(stem: str, period: metrics.DateRange) -> str:
    """A file name for the numbers of a range: stem_START_END.csv."""
    return f"{stem}_{period.start.isoformat()}_{period.end.isoformat()}.csv"


def _csv_range() -> metrics.DateRange | tuple:
    """The range of a CSV address (the default when absent), or the 400 page that says what is wrong."""
    form, period = _range_form(default_range())
    return period if period is not None else _bad_request(form)


def _endpoint(key: str) -> str:
    """The endpoint name of a figure's CSV: `quote-funnel` -> `quote_funnel_csv`."""
    return key.replace("-", "_") + "_csv"


# --- Dashboards -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Report:
    """One dashboard figure: how its numbers are read (services/metrics) and drawn (web/report_figures)."""

    load: Callable[..., Any]  # (range) for admins; (insurer id, range, today) for insurers
    draw: Callable[[Any, metrics.DateRange], rf.Figure]


def _with_csv(blueprint: str, figures: list[rf.Figure], period: metrics.DateRange) -> list[tuple[rf.Figure, str]]:
    """Each figure with the address of its CSV for the same range."""
    return [(f, url_for(f"{blueprint}.{_endpoint(f.key)}", start=period.start.isoformat(),
                        end=period.end.isoformat())) for f in figures]


def _chart_csv(key: str, report: Report, load_args: Callable[[metrics.DateRange], tuple]) -> Callable:
    """The view that downloads one figure's numbers for the range of the query string."""

    def view():
        """One dashboard figure's numbers as CSV (?start=&end=, the last 12 weeks by default)."""
        period = _csv_range()
        if not isinstance(period, metrics.DateRange):
            return period
        return csv_response(report.draw(report.load(*load_args(period)), period).csv(), _dated(key, period))

    view.__name__ = _endpoint(key)
    return view


# --- Admin ------------------------------------------------------------------------------------------------

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
    form, period = _range_form(default_range())
    figures, stats = [], []
    if period is not None:
        data = {key: report.load(period) for key, report in ADMIN_REPORTS.items()}
        figures = _with_csv("admin_reports", [ADMIN_REPORTS[key].draw(value, period) for key, value in data.items()],
                            period)
        stats = rf.admin_stats(data["compliance-by-week"], data["quote-funnel"], data["checks-by-route"],
                               data["premiums-by-category"])
    return render_template("admin_reports/dashboard.html", form=form, period=period, figures=figures,
                           stats=stats), 200 if period else 400


for _key, _report in ADMIN_REPORTS.items():
    admin_bp.add_url_rule(f"/{_key}.csv", endpoint=_endpoint(_key),
                          view_func=_chart_csv(_key, _report, lambda period: (period,)))


def _compliance_filters() -> tuple[ComplianceFilterForm, date | None, str | None]:
    """The list's filters from the query string: (form with errors at its fields, day or None, status)."""
    on = _arg("on") or _today().isoformat()
    form = ComplianceFilterForm(MultiDict({"status": _arg("status"), "on": _echo(on)}))
    form.validate()
    status = None if form.status.errors else (form.status.data or None)
    if form.status.errors:
        form.status.errors = ["Choose a status from the list."]
    try:
        day = metrics.parse_day(on, "on")
    except ValidationError as exc:
        _place(form, exc)
        day = None
    return form, (day if not form.errors else None), status


@admin_bp.get("/compliance")
def compliance_list():
    """Sellers by compliance status on a day (today by default), optionally of one status, a page at a time."""
    form, day, status = _compliance_filters()
    page = page_arg()
    rows: list[metrics.SellerStanding] = []
    if day is not None:
        # The standings are judged seller by seller, in seller-ID order: read just past this page.
        wanted = islice(metrics.seller_standings(day, status), (page - 1) * SELLERS_PER_PAGE,
                        page * SELLERS_PER_PAGE + 1)
        rows = list(wanted)
    return render_template("admin_reports/compliance.html", form=form, day=day, status=status, page=page,
                           rows=rows[:SELLERS_PER_PAGE], has_next=len(rows) > SELLERS_PER_PAGE,
                           labels=STATUS_LABELS, per_page=SELLERS_PER_PAGE), 200 if day else 400


@admin_bp.get("/compliance.csv")
def compliance_csv():
    """The compliance list (every seller, or those of ?status=) on ?on= (today by default), streamed as CSV."""
    form, day, status = _compliance_filters()
    if day is None:
        return _bad_request(form)
    name = f"compliance_{day.isoformat()}{'_' + status if status else ''}.csv"
    return _streamed(exports.compliance_list(day, status), name)


@admin_bp.get("/checks")
def checks_export():
    """The coverage-check log's form: choose a range, then download (a valid choice redirects to the CSV)."""
    form, period = _range_form(default_range())
    if period is not None and "download" in request.args:
        return redirect(url_for("admin_reports.checks_csv", start=period.start.isoformat(),
                                end=period.end.isoformat()))
    return render_template("admin_reports/checks.html", form=form, period=period,
                           columns=exports.CHECK_LOG_HEADER), 200 if period else 400


@admin_bp.get("/checks.csv")
def checks_csv():
    """Every coverage check made in the range (the last 12 weeks by default), oldest first, streamed as CSV."""
    period = _csv_range()
    if not isinstance(period, metrics.DateRange):
        return period
    return _streamed(exports.coverage_check_log(period.start, period.end), _dated("coverage-checks", period))


# --- Insurer ----------------------------------------------------------------------------------------------

INSURER_REPORTS: dict[str, Report] = {
    "requests-received": Report(lambda i, p, _t: metrics.requests_received(i, p.start, p.end),
                                lambda received, _p: rf.requests_figure(received)),
    "win-rate": Report(lambda i, p, _t: metrics.quote_win_rate(i, p.start, p.end),
                       lambda rate, _p: rf.win_rate_figure(rate)),
    "policies-in-force": Report(lambda i, p, _t: metrics.policies_in_force_by_day(i, p.start, p.end),
                                rf.in_force_figure),
    "claims-against-aggregate": Report(lambda i, _p, t: metrics.claims_against_aggregate(i, t, top=rf.CLAIMS_TOP),
                                       lambda claims, _p: rf.claims_figure(claims)),
}


def _insurer_id() -> int:
    """The staff member's insurer: the only one whose figures these pages show."""
    return current_user.insurer_id


@insurer_bp.get("/", endpoint="dashboard")
def insurer_dashboard():
    """The insurer dashboard: requests received, win rate, policies in force, claims against aggregates."""
    form, period = _range_form(default_range())
    today = _today()
    figures, stats = [], []
    if period is not None:
        data = {key: report.load(_insurer_id(), period, today) for key, report in INSURER_REPORTS.items()}
        figures = _with_csv("insurer_reports",
                            [INSURER_REPORTS[key].draw(value, period) for key, value in data.items()], period)
        stats = rf.insurer_stats(data["requests-received"], data["win-rate"],
                                 metrics.policies_in_force_on(_insurer_id(), today), data["claims-against-aggregate"])
    return render_template("insurer_reports/dashboard.html", form=form, period=period, figures=figures,
                           stats=stats, today=today), 200 if period else 400


for _key, _report in INSURER_REPORTS.items():
    insurer_bp.add_url_rule(f"/{_key}.csv", endpoint=_endpoint(_key),
                            view_func=_chart_csv(_key, _report, lambda period: (_insurer_id(), period, _today())))


@insurer_bp.get("/bordereau")
def bordereau_export():
    """The bordereau's form: every policy, or those in force in a range (a valid choice redirects to the CSV)."""
    form, period = _range_form(None)
    if not form.errors and "download" in request.args:
        dates = {"start": period.start.isoformat(), "end": period.end.isoformat()} if period else {}
        return redirect(url_for("insurer_reports.bordereau_csv", **dates))
    return render_template("insurer_reports/bordereau.html", form=form,
                           columns=exports.BORDEREAU_HEADER), 400 if form.errors else 200


@insurer_bp.get("/bordereau.csv")
def bordereau_csv():
    """The insurer's policies as a CSV bordereau: all, or with ?start=&end= those in force in that range."""
    form, period = _range_form(None)
    if form.errors:
        return _bad_request(form)
    if period is None:
        return _streamed(exports.insurer_bordereau(_insurer_id()), f"bordereau_{_today().isoformat()}.csv")
    return _streamed(exports.insurer_bordereau(_insurer_id(), period.start, period.end), _dated("bordereau", period))

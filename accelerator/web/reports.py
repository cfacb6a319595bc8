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

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from itertools import islice

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


def _echo(value: str | None) -> str:
    """A submitted value as it may be shown back in its input (bounded)."""
    return (value or "").strip()[:MAX_ECHO]


def _range_form(default: metrics.DateRange | None) -> tuple[RangeForm, metrics.DateRange | None]:
    """The range of the query string (an absent or empty date takes the default's), checked.

    With `default` None the range is optional: both dates empty give (form, None) and no error.
    Returns the form (with errors at its fields when the range is bad) and the range, or None.
    """
    start, end = _echo(request.args.get("start")), _echo(request.args.get("end"))
    if default is not None:
        start, end = start or default.start.isoformat(), end or default.end.isoformat()
    form = RangeForm(MultiDict({"start": start, "end": end}))
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


# --- Admin ------------------------------------------------------------------------------------------------

AdminBuilder = Callable[[metrics.DateRange], rf.Figure]
ADMIN_FIGURES: dict[str, AdminBuilder] = {
    "compliance-by-week": lambda p: rf.compliance_figure(metrics.compliance_by_week(p.start, p.end)),
    "quote-funnel": lambda p: rf.funnel_figure(metrics.quote_funnel(p.start, p.end)),
    "time-to-quote": lambda p: rf.time_to_quote_figure(metrics.median_time_to_quote(p.start, p.end)),
    "checks-by-route": lambda p: rf.checks_figure(metrics.coverage_checks_by_day(p.start, p.end), p),
    "premiums-by-category": lambda p: rf.premiums_figure(metrics.premiums_by_category(p.start, p.end)),
}


def _with_csv(blueprint: str, figures: list[rf.Figure], period: metrics.DateRange) -> list[tuple[rf.Figure, str]]:
    """Each figure with the address of its CSV for the same range."""
    return [(f, url_for(f"{blueprint}.{_endpoint(f.key)}", start=period.start.isoformat(),
                        end=period.end.isoformat())) for f in figures]


@admin_bp.get("/")
def dashboard():
    """The admin dashboard: compliance by week, the quote funnel, time to quote, checks by route, premiums."""
    form, period = _range_form(default_range())
    figures = [] if period is None else _with_csv(
        "admin_reports", [build(period) for build in ADMIN_FIGURES.values()], period)
    return render_template("admin_reports/dashboard.html", form=form, period=period,
                           figures=figures), 200 if period else 400


def _admin_chart_csv(key: str) -> Callable[[], Response | tuple]:
    """The view that downloads one admin figure's numbers for the range of the query string."""

    def view():
        """One dashboard figure's numbers as CSV (?start=&end=, the last 12 weeks by default)."""
        period = _csv_range()
        if not isinstance(period, metrics.DateRange):
            return period
        return csv_response(ADMIN_FIGURES[key](period).csv(), _dated(key, period))

    view.__name__ = _endpoint(key)
    return view


for _key in ADMIN_FIGURES:
    admin_bp.add_url_rule(f"/{_key}.csv", endpoint=_endpoint(_key), view_func=_admin_chart_csv(_key))


def _compliance_filters() -> tuple[ComplianceFilterForm, date | None, str | None]:
    """The list's filters from the query string: (form with errors at its fields, day or None, status)."""
    values = MultiDict({"status": _echo(request.args.get("status")),
                        "on": _echo(request.args.get("on")) or _today().isoformat()})
    form = ComplianceFilterForm(values)
    form.validate()
    status = None if form.status.errors else (form.status.data or None)
    if form.status.errors:
        form.status.errors = ["Choose a status from the list."]
    try:
        day = metrics.parse_day(form.on.data, "on")
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

InsurerBuilder = Callable[[int, metrics.DateRange, date], rf.Figure]
INSURER_FIGURES: dict[str, InsurerBuilder] = {
    "requests-received": lambda i, p, _t: rf.requests_figure(metrics.requests_received(i, p.start, p.end)),
    "win-rate": lambda i, p, _t: rf.win_rate_figure(metrics.quote_win_rate(i, p.start, p.end)),
    "policies-in-force": lambda i, p, _t: rf.in_force_figure(metrics.policies_in_force_by_day(i, p.start, p.end), p),
    "claims-against-aggregate": lambda i, _p, t: rf.claims_figure(
        metrics.claims_against_aggregate(i, t, top=rf.CLAIMS_TOP)),
}


def _insurer_id() -> int:
    """The staff member's insurer: the only one whose figures these pages show."""
    return current_user.insurer_id


@insurer_bp.get("/")
def dashboard():
    """The insurer dashboard: requests received, win rate, policies in force, claims against aggregates."""
    form, period = _range_form(default_range())
    today = _today()
    figures: list = []
    in_force_today = None
    if period is not None:
        figures = _with_csv("insurer_reports", [build(_insurer_id(), period, today)
                                                for build in INSURER_FIGURES.values()], period)
        in_force_today = metrics.policies_in_force_on(_insurer_id(), today)
    return render_template("insurer_reports/dashboard.html", form=form, period=period, figures=figures,
                           today=today, in_force_today=in_force_today), 200 if period else 400


def _insurer_chart_csv(key: str) -> Callable[[], Response | tuple]:
    """The view that downloads one of the insurer's figures for the range of the query string."""

    def view():
        """One insurer figure's numbers as CSV (?start=&end=, the last 12 weeks by default)."""
        period = _csv_range()
        if not isinstance(period, metrics.DateRange):
            return period
        return csv_response(INSURER_FIGURES[key](_insurer_id(), period, _today()).csv(), _dated(key, period))

    view.__name__ = _endpoint(key)
    return view


for _key in INSURER_FIGURES:
    insurer_bp.add_url_rule(f"/{_key}.csv", endpoint=_endpoint(_key), view_func=_insurer_chart_csv(_key))


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

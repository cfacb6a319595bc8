"""The insurer reports (blueprint `insurer_reports`): the dashboard of the staff's insurer, its CSVs, the bordereau."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from accelerator import clock
from accelerator.services import exports, metrics
from accelerator.web import report_figures as rf
from accelerator.web.helpers import require_role
from accelerator.web.reports.dashboards import Report, chart_csv_view, with_csv_links
from accelerator.web.reports.downloads import csv_endpoint, dated_filename, streamed_csv
from accelerator.web.reports.forms import bad_csv_request, default_range, range_form

# --- Insurer ----------------------------------------------------------------------------------------------

insurer_bp = Blueprint("insurer_reports", __name__, url_prefix="/insurer/reports")
require_role(insurer_bp, "insurer")

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
    form, period = range_form(default_range())
    today = clock.today()
    figures, stats = [], []
    if period is not None:
        data = {key: report.load(_insurer_id(), period, today) for key, report in INSURER_REPORTS.items()}
        figures = with_csv_links("insurer_reports",
                            [INSURER_REPORTS[key].draw(value, period) for key, value in data.items()], period)
        stats = rf.insurer_stats(data["requests-received"], data["win-rate"],
                                 metrics.policies_in_force_on(_insurer_id(), today), data["claims-against-aggregate"])
    return render_template("insurer_reports/dashboard.html", form=form, period=period, figures=figures,
                           stats=stats, today=today), 200 if period else 400


for _key, _report in INSURER_REPORTS.items():
    insurer_bp.add_url_rule(f"/{_key}.csv", endpoint=csv_endpoint(_key),
                            view_func=chart_csv_view(_key, _report,
                                                     lambda period: (_insurer_id(), period, clock.today())))


@insurer_bp.get("/bordereau")
def bordereau_export():
    """The bordereau's form: every policy, or those in force in a range (a valid choice redirects to the CSV)."""
    form, period = range_form(None)
    if not form.errors and "download" in request.args:
        dates = {"start": period.start.isoformat(), "end": period.end.isoformat()} if period else {}
        return redirect(url_for("insurer_reports.bordereau_csv", **dates))
    return render_template("insurer_reports/bordereau.html", form=form,
                           columns=exports.BORDEREAU_HEADER), 400 if form.errors else 200


@insurer_bp.get("/bordereau.csv")
def bordereau_csv():
    """The insurer's policies as a CSV bordereau: all, or with ?start=&end= those in force in that range."""
    form, period = range_form(None)
    if form.errors:
        return bad_csv_request(form)
    if period is None:
        return streamed_csv(exports.insurer_bordereau(_insurer_id()), f"bordereau_{clock.today().isoformat()}.csv")
    return streamed_csv(exports.insurer_bordereau(_insurer_id(), period.start, period.end),
                        dated_filename("bordereau", period))

"""The admin reports' claim-case page (blueprint `admin_reports`): its figures, headlines and CSVs."""

from __future__ import annotations

from datetime import datetime

from flask import render_template

from accelerator import clock
from accelerator.services import metrics
from accelerator.web import report_figures as rf
from accelerator.web.reports.admin import admin_bp
from accelerator.web.reports.dashboards import Report, chart_csv_view, with_csv_links
from accelerator.web.reports.downloads import csv_endpoint
from accelerator.web.reports.forms import default_range, range_form


def _now() -> datetime:
    """The moment the cases' states are judged at (a passed deadline counts as escalated)."""
    return clock.now()


CLAIM_CASE_REPORTS: dict[str, Report] = {
    "claim-cases-by-route": Report(lambda p: metrics.cases_opened(p.start, p.end, _now()),
                                   lambda opened, _p: rf.cases_by_route_figure(opened)),
    "claim-cases-by-state": Report(lambda p: metrics.cases_opened(p.start, p.end, _now()),
                                   lambda opened, _p: rf.cases_by_state_figure(opened)),
    "claim-answer-times": Report(lambda p: metrics.answer_times(p.start, p.end, _now()),
                                 lambda parties, _p: rf.answer_times_figure(parties)),
    "claim-escalations": Report(lambda p: metrics.escalations(p.start, p.end, _now()),
                                lambda escalated, _p: rf.escalations_figure(escalated)),
    "marketplace-money": Report(lambda p: metrics.marketplace_money(p.start, p.end),
                                lambda money, _p: rf.money_figure(money)),
}


@admin_bp.get("/claim-cases", endpoint="claim_cases")
def claim_cases_report():
    """Claim cases: opened by route and state, time to an answer, escalations, what the marketplace paid."""
    form, period = range_form(default_range())
    figures, stats = [], []
    if period is not None:
        data = {key: report.load(period) for key, report in CLAIM_CASE_REPORTS.items()}
        figures = with_csv_links("admin_reports", [CLAIM_CASE_REPORTS[key].draw(value, period)
                                              for key, value in data.items()], period)
        stats = rf.claim_case_stats(metrics.needing_intervention(_now()), data["claim-cases-by-route"],
                                    data["claim-escalations"], data["marketplace-money"])
    return render_template("admin_reports/claim_cases.html", form=form, period=period, figures=figures,
                           stats=stats, definitions=rf.ANSWER_DEFINITIONS), 200 if period else 400


for _key, _report in CLAIM_CASE_REPORTS.items():
    admin_bp.add_url_rule(f"/{_key}.csv", endpoint=csv_endpoint(_key),
                          view_func=chart_csv_view(_key, _report, lambda period: (period,)))

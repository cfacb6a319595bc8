"""The claim cases' figures: opened by route and by state, time to an answer, escalations, the marketplace's money."""

from __future__ import annotations

from decimal import Decimal

from accelerator.domain import claim_cases as rules
from accelerator.services import metrics
from accelerator.web.charts import (
    ChartTable,
    Series,
    bar_chart,
    format_hours,
    format_money,
    format_percent,
    stacked_bar_chart,
)
from accelerator.web.report_figures.figures import (
    COUNT_AXIS,
    ROUTE_LABELS,
    Figure,
    count_cell,
    draw_figure,
    figure_tables,
    hours_cell,
    share_cell,
    text_cell,
)
from accelerator.web.report_figures.headlines import Stat

STATE_LABELS = {
    rules.MARKETPLACE_TO_PAY: "Marketplace to pay", rules.AWAITING_INSURER: "Awaiting the insurer",
    rules.AWAITING_SELLER: "Awaiting the seller", rules.IN_REVIEW: "In review", rules.ACCEPTED: "Accepted",
    rules.ESCALATED: "Escalated", rules.PAID: "Paid", rules.CLOSED: "Closed",
}
ESCALATION_LABELS = {
    "insurer_unresponsive": "Insurer did not answer", "seller_unresponsive": "Seller did not answer",
    "payment_overdue": "Payment overdue", "insurer_denied": "Insurer denied", "seller_disputed": "Seller disputed",
}
PARTY_LABELS = {"insurer": "Insurer", "seller": "Seller", "marketplace": "Marketplace"}
MONEY_LABELS = {None: "At its own cost", "seller": "Owed by sellers", "insurer": "Owed by insurers"}
# What the page says each party's time to an answer is (domain/claim_case_figures.py computes it so).
ANSWER_DEFINITIONS = {
    "insurer": "from the case's opening (or its latest re-check) to the insurer accepting or denying it",
    "seller": "from the case's opening (or its latest re-check) to the seller accepting or disputing it, or "
              "answering for an insurer that is not on the Accelerator",
    "marketplace": "from the case's escalation to the marketplace stepping in or closing it",
}


def _money(value: Decimal | None) -> str:
    """Money as a plain CSV cell: 1234.50; "" for no figure."""
    return "" if value is None else f"{value:.2f}"


def _cash(value: Decimal | None) -> str:
    """Money for people; a dash where the figure does not apply."""
    return "—" if value is None else format_money(value)


def _plural(count: int, one: str, many: str) -> str:
    """`one` or `many` by the count."""
    return one if count == 1 else many


def cases_by_route_figure(opened: metrics.CasesOpened) -> Figure:
    """Claim cases opened each week, stacked by the route they stand on now."""
    series = [Series.of(ROUTE_LABELS[route], [(w.week_start, w.by_route[route]) for w in opened.weeks])
              for route in rules.ROUTES]
    chart = draw_figure(stacked_bar_chart, series, "claim-cases-by-route", title="Claim cases opened per week by route",
                  description="Claim cases opened each week, by who is to pay: the marketplace, the insurer, the "
                              "seller, or a person reviewing the check.",
                  x_label="Week starting", y_label="Claim cases")
    table, data = figure_tables(
        ("Week starting", *(ROUTE_LABELS[r] for r in rules.ROUTES), "Total"),
        ("week_start", *rules.ROUTES, "total"),
        [(w.week_start, *(w.by_route[r] for r in rules.ROUTES), w.total) for w in opened.weeks],
        (text_cell,) + (count_cell,) * 5, (text_cell,) * 6)
    return Figure("claim-cases-by-route", "Claim cases opened per week by route", chart, table, data,
                  "Claim cases opened each week, by route",
                  f"{opened.total:,} in all. The route is the one the case stands on now (a re-check can change it); "
                  "weeks count only their days inside the period.")


def cases_by_state_figure(opened: metrics.CasesOpened) -> Figure:
    """Claim cases opened in the period, by the state they are in now."""
    points = [(STATE_LABELS[s], opened.by_state[s]) for s in rules.STATES]
    chart = draw_figure(bar_chart, Series.of("Claim cases", points), "claim-cases-by-state",
                  title="Claim cases by current state",
                  description="Claim cases opened in the period, by the state each is in now.",
                  x_label="Claim cases", y_label="State", horizontal=True, y_max=COUNT_AXIS)
    total = opened.total
    rows = [(STATE_LABELS[s], opened.by_state[s], opened.by_state[s] / total if total else None) for s in rules.STATES]
    table, data = figure_tables(("State", "Claim cases", "Share"), ("state", "label", "cases", "share"), rows,
                                (text_cell, count_cell, format_percent), (text_cell, text_cell, share_cell))
    data = ChartTable(data.header, tuple((s, *cells) for s, cells in zip(rules.STATES, data.rows, strict=True)))
    return Figure("claim-cases-by-state", "Claim cases by current state", chart, table, data,
                  "Claim cases opened in the period, by state now",
                  "A case whose deadline has passed counts as escalated.")


def answer_times_figure(parties: list[metrics.PartyAnswers]) -> Figure:
    """Each party's median time to answer a claim case, with how many answers and how many cases wait for it."""
    series = Series.of("Median time to an answer", [(PARTY_LABELS[p.party], p.median_hours) for p in parties])
    chart = draw_figure(bar_chart, series, "claim-answer-times", title="Median time to an answer by party",
                  description="Median hours each party took to answer the claim cases opened in the period.",
                  x_label="Hours to an answer (median)", y_label="Party", value_format=format_hours,
                  horizontal=True, narrow_label="Median hours")
    table, data = figure_tables(("Party", "Answers", "Median time to an answer", "Waiting for its answer now"),
                                ("party", "answers", "median_hours", "waiting_now"),
                                [(PARTY_LABELS[p.party], p.answers, p.median_hours, p.waiting) for p in parties],
                                (text_cell, count_cell, format_hours, count_cell),
                                (text_cell, text_cell, hours_cell, text_cell))
    data = ChartTable(data.header, tuple((p.party, *cells[1:]) for p, cells in zip(parties, data.rows, strict=True)))
    words = "; ".join(f"{PARTY_LABELS[party]}: {text}" for party, text in ANSWER_DEFINITIONS.items())
    return Figure("claim-answer-times", "Median time to an answer by party", chart, table, data,
                  "Answers to the claim cases opened in the period, by party",
                  f"How each time is measured. {words}. n/a: no answer yet.")


def escalations_figure(escalated: metrics.Escalations) -> Figure:
    """Claim cases escalated to the marketplace, by the reason of their first escalation."""
    share = escalated.share
    points = [(ESCALATION_LABELS[r], escalated.by_reason[r]) for r in rules.ESCALATIONS]
    chart = draw_figure(bar_chart, Series.of("Escalated cases", points), "claim-escalations",
                  title=f"Claim cases escalated: {format_percent(share)}",
                  description="Claim cases opened in the period that were escalated to the marketplace, by why.",
                  x_label="Claim cases", y_label="Reason", horizontal=True, y_max=COUNT_AXIS)
    opened = escalated.opened
    rows = [(ESCALATION_LABELS[r], escalated.by_reason[r], escalated.by_reason[r] / opened if opened else None)
            for r in rules.ESCALATIONS]
    rows.append(("All escalated", escalated.escalated, share))
    table, data = figure_tables(("Reason", "Claim cases", "Share of cases opened"),
                                ("reason", "cases", "share_of_opened"),
                                rows, (text_cell, count_cell, format_percent), (text_cell, text_cell, share_cell))
    data = ChartTable(data.header, tuple((code, *cells[1:]) for code, cells
                                         in zip((*rules.ESCALATIONS, "all"), data.rows, strict=True)))
    return Figure("claim-escalations", "Claim cases escalated", chart, table, data,
                  "Claim cases opened in the period that were escalated, by reason",
                  f"{escalated.escalated:,} of {opened:,} {_plural(opened, 'case', 'cases')} opened. A case counts "
                  "once, under its first escalation.")


def money_figure(money: metrics.MarketplaceMoney) -> Figure:
    """What the marketplace paid in the period: at its own cost, or owed back and how much came back."""
    lines = money.lines
    own = [line.paid if line.owed_by is None else None for line in lines]
    series = [Series.of("Its own cost", [(MONEY_LABELS[line.owed_by], v) for line, v in zip(lines, own, strict=True)]),
              Series.of("Recovered", [(MONEY_LABELS[line.owed_by], line.recovered if line.owed_by else None)
                                      for line in lines]),
              Series.of("Still due", [(MONEY_LABELS[line.owed_by], line.still_due if line.owed_by else None)
                                      for line in lines])]
    chart = draw_figure(stacked_bar_chart, series, "marketplace-money", title="What the marketplace paid and recovered",
                  description="The marketplace's claim-case payments in the period: at its own cost, or owed back "
                              "by sellers or insurers after it stepped in, split into recovered and still due.",
                  x_label="Paid by the marketplace", y_label="Amount", value_format=format_money)
    rows = [(MONEY_LABELS[line.owed_by], line.cases, line.paid, line.recovered if line.owed_by else None,
             line.still_due if line.owed_by else None) for line in lines]
    rows.append(("All payments", sum(line.cases for line in lines), money.paid, money.recovered, money.still_due))
    table, data = figure_tables(("Paid by the marketplace", "Payments", "Paid", "Recovered", "Still due"),
                                ("kind", "payments", "paid", "recovered", "still_due"), rows,
                                (text_cell, count_cell, _cash, _cash, _cash),
                                (text_cell, text_cell, _money, _money, _money))
    data = ChartTable(data.header, tuple((code, *cells[1:]) for code, cells
                                         in zip(("own_cost", "sellers", "insurers", "all"), data.rows, strict=True)))
    return Figure("marketplace-money", "What the marketplace paid and recovered", chart, table, data,
                  "The marketplace's payments made in the period, and what came back on them so far",
                  "Payments by their date; recovered and still due as they stand now. A payment on the route "
                  "\u201cmarketplace pays\u201d costs the seller nothing and is not recovered.")


def claim_case_stats(intervention: int, opened: metrics.CasesOpened, escalated: metrics.Escalations,
                     money: metrics.MarketplaceMoney) -> list[Stat]:
    """The claim cases' headline figures: what needs the marketplace now, and the period's cases and money."""
    return [
        Stat(f"{intervention:,}", f"{_plural(intervention, 'case', 'cases')} escalated, waiting for the "
                                  "marketplace now (opened at any time)"),
        Stat(f"{opened.total:,}", f"claim {_plural(opened.total, 'case', 'cases')} opened in the period"),
        Stat(format_percent(escalated.share), f"of them escalated ({escalated.escalated:,})"),
        Stat(format_money(money.paid), f"paid by the marketplace in the period, {format_money(money.recovered)} "
                                       f"recovered, {format_money(money.still_due)} still due"),
    ]

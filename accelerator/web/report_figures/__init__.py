"""The dashboards' figures: each metric (services/metrics/) drawn as an SVG chart (web/charts/), with the
same numbers as a table for people and as plain cells for a CSV download.

Pure functions of the metrics' results and the range: no request and no database, so a page and its CSV
build the very same rows. A range longer than LONG_RANGE_DAYS shows its daily series a week at a time
(a bar per ISO week, or a point on each week's last day), so a three-year range stays a readable chart.

Where things are (every public name is re-exported here, so `rf.<name>` works):
- report_figures/figures.py: `Figure`, `by_week`, the constants (LONG_RANGE_DAYS, ROUTE_LABELS, CLAIMS_TOP,
  COUNT_AXIS, WIDE, NARROW, NARROW_HEIGHT, NARROW_LABEL) and the private helpers the figures share
  (`draw_figure`, `cut_label`, `figure_tables` and the cell formatters `share_cell`, `hours_cell`, `text_cell`, `count_cell`).
- report_figures/admin.py: compliance_figure, funnel_figure, time_to_quote_figure, checks_figure,
  premiums_figure.
- report_figures/insurer.py: requests_figure, win_rate_figure, in_force_figure, claims_figure.
- report_figures/headlines.py: the headline figures, `Stat`, admin_stats and insurer_stats.
"""

from __future__ import annotations

from accelerator.web.report_figures.admin import (
    checks_figure,
    compliance_figure,
    funnel_figure,
    premiums_figure,
    time_to_quote_figure,
)
from accelerator.web.report_figures.figures import (
    CLAIMS_TOP,
    COUNT_AXIS,
    LONG_RANGE_DAYS,
    NARROW,
    NARROW_HEIGHT,
    NARROW_LABEL,
    ROUTE_LABELS,
    WIDE,
    Figure,
    by_week,
)
from accelerator.web.report_figures.headlines import Stat, admin_stats, insurer_stats
from accelerator.web.report_figures.insurer import claims_figure, in_force_figure, requests_figure, win_rate_figure

__all__ = [
    "CLAIMS_TOP",
    "COUNT_AXIS",
    "LONG_RANGE_DAYS",
    "NARROW",
    "NARROW_HEIGHT",
    "NARROW_LABEL",
    "ROUTE_LABELS",
    "WIDE",
    "Figure",
    "Stat",
    "admin_stats",
    "by_week",
    "checks_figure",
    "claims_figure",
    "compliance_figure",
    "funnel_figure",
    "in_force_figure",
    "insurer_stats",
    "premiums_figure",
    "requests_figure",
    "time_to_quote_figure",
    "win_rate_figure",
]

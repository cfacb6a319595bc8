"""The Prometheus metrics: what each process counts, and the text a scrape of /metrics answers.

Under gunicorn, gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR before any worker imports this, and
prometheus_client then keeps every value in a file of that folder per process, which a scrape adds up
(its multiprocess mode: the figures of every worker together). Elsewhere (flask run, the tests' own
app) the values live in this process only. The gauges read from the database (claim cases by state,
the outboxes) are computed by `DatabaseCollector` for a scrape, and only then.
"""

from __future__ import annotations

import os
from collections import Counter as Tally
from collections.abc import Callable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

disable_created_metrics()  # the *_created series: noise here, and multiprocess mode has none anyway

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
UNMATCHED_ROUTE = "<unmatched>"  # a path no route answers (404s): one label, not one per address

# Seconds; the fast coverage check answers in well under a millisecond, a page in tens of them.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("accelerator_http_requests", "HTTP requests answered, by method, route template and status",
                   ("method", "route", "status"))
REQUEST_DURATION = Histogram("accelerator_http_request_duration_seconds",
                             "Time from receiving a request to its answer's last byte, by method and route template",
                             ("method", "route"), buckets=LATENCY_BUCKETS)
COVERAGE_CHECKS = Counter("accelerator_coverage_checks", "Coverage checks recorded, by decision status and route",
                          ("status", "route"))
LOGIN_FAILURES = Counter("accelerator_login_failures", "Logins refused for a wrong email or password")
LOGIN_LOCKOUTS = Counter("accelerator_login_lockouts", "Accounts locked by reaching LOGIN_MAX_FAILURES")

_coverage_children: dict[tuple[str, str], object] = {}  # labels() takes a lock: the check is the hot path


def count_coverage_checks(decisions: list[tuple[str, str]]) -> None:
    """Count recorded checks, given as (status, route) pairs (a batch's as one addition per pair)."""
    if not decisions:
        return
    for labels, number in (Tally(decisions).items() if len(decisions) > 1 else ((decisions[0], 1),)):
        child = _coverage_children.get(labels)
        if child is None:
            child = _coverage_children[labels] = COVERAGE_CHECKS.labels(*labels)
        child.inc(number)


class DatabaseCollector:
    """Gauges read from the database at scrape time: claim cases by state, each outbox's pending count
    and the age of its oldest pending message (`read` gives them, as services.operating_figures does)."""

    def __init__(self, read: Callable):
        self.read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The gauges, read now."""
        figures = self.read()
        cases = GaugeMetricFamily("accelerator_claim_cases", "Claim cases by state", labels=("state",))
        for state, number in figures.claim_cases.items():
            cases.add_metric((state,), number)
        pending = GaugeMetricFamily("accelerator_outbox_pending", "Messages waiting to be sent, by outbox",
                                    labels=("outbox",))
        oldest = GaugeMetricFamily("accelerator_outbox_oldest_pending_age_seconds",
                                   "Age of the oldest message waiting to be sent, by outbox (0 when none)",
                                   labels=("outbox",))
        for outbox, backlog in figures.outboxes.items():
            pending.add_metric((outbox,), backlog.pending)
            oldest.add_metric((outbox,), backlog.oldest_age_seconds)
        yield from (cases, pending, oldest)


def scrape(read_figures: Callable) -> bytes:
    """Prometheus' text format: every process's counters and histograms, and the database's gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)
    else:
        registry.register(_ProcessMetrics())
    registry.register(DatabaseCollector(read_figures))
    return generate_latest(registry)


class _ProcessMetrics:
    """This process's own metrics (outside gunicorn: no multiprocess folder)."""

    def collect(self):
        """What the default registry holds."""
        return REGISTRY.collect()

"""Request records written in batches: nothing lost or changed by batching (the coverage checks' count
too), the histogram's figures as observe() makes them, the lines' time as the app's clock says it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY, CollectorRegistry, Histogram

from accelerator import clock
from accelerator.observability import records
from accelerator.observability.logs import _time, _time_of, configure_logging
from accelerator.observability.metrics import LATENCY_BUCKETS


def _record(request_id: str, route: str, status: str = "200", duration: float = 0.0004) -> records.RequestRecord:
    return records.RequestRecord(clock.now_ns(), request_id, "GET", route, status, duration, "acc_AbCdEfGh", None, 7)


@pytest.fixture()
def json_lines():
    configure_logging("json")
    yield
    configure_logging("text")


def test_batched_records_are_written_and_counted_only_at_the_flush(json_lines, capsys, monkeypatch):
    monkeypatch.setitem(records._interval, "seconds", 60.0)  # as batch(60) sets it, without its thread
    route = "/unit/batched"

    def counted(status: str) -> float:
        return REGISTRY.get_sample_value("accelerator_http_requests_total",
                                         {"method": "GET", "route": route, "status": status}) or 0.0

    capsys.readouterr()
    for n, status in enumerate(("200", "200", "404")):
        records.note(_record(f"batched-{n}", route, status))
    assert capsys.readouterr().err == "" and counted("200") == 0
    records.flush()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(line["request_id"], line["status"]) for line in lines] == [
        ("batched-0", 200), ("batched-1", 200), ("batched-2", 404)]
    assert lines[0]["message"] == f"GET {route} 200" and lines[0]["duration_ms"] == 0.4
    assert lines[0]["api_key_prefix"] == "acc_AbCdEfGh" and lines[0]["user_id"] is None and lines[0]["pid"] == 7
    assert (counted("200"), counted("404")) == (2, 1)
    assert REGISTRY.get_sample_value("accelerator_http_request_duration_seconds_count",
                                     {"method": "GET", "route": route}) == 3
    records.flush()
    assert capsys.readouterr().err == ""  # nothing written twice


def test_unbatched_records_are_written_as_they_come(capsys):
    capsys.readouterr()
    records.note(_record("at-once", "/unit/at-once"))
    assert "[at-once] GET /unit/at-once 200 " in capsys.readouterr().err


def _checks_counted(status: str, route: str) -> float:
    return REGISTRY.get_sample_value("accelerator_coverage_checks_total", {"status": status, "route": route}) or 0.0


def test_batched_coverage_checks_are_counted_only_at_the_flush(monkeypatch):
    monkeypatch.setitem(records._interval, "seconds", 60.0)  # as batch(60) sets it, without its thread
    before = (_checks_counted("covered", "insurer"), _checks_counted("not_covered", "seller"))
    records.note_checks([("covered", "insurer")])
    records.note_checks([("covered", "insurer"), ("not_covered", "seller"), ("covered", "insurer")])
    assert (_checks_counted("covered", "insurer"), _checks_counted("not_covered", "seller")) == before
    records.flush()
    assert (_checks_counted("covered", "insurer"), _checks_counted("not_covered", "seller")) == (
        before[0] + 3, before[1] + 1)
    records.flush()  # nothing counted twice
    assert _checks_counted("covered", "insurer") == before[0] + 3


def test_unbatched_coverage_checks_are_counted_as_they_come():
    before = _checks_counted("undetermined", "review")
    records.note_checks([("undetermined", "review")])
    assert _checks_counted("undetermined", "review") == before + 1


def test_observe_all_adds_what_observe_adds():
    durations = [0.0, 0.0004, 0.001, 0.0010001, 0.003, 0.05, 0.05, 2.0, 10.0, 42.0]
    one_by_one = Histogram("one", "", buckets=LATENCY_BUCKETS, registry=CollectorRegistry())
    together = Histogram("together", "", buckets=LATENCY_BUCKETS, registry=CollectorRegistry())
    for duration in durations:
        one_by_one.observe(duration)
    records.observe_all(together, durations[:4])
    records.observe_all(together, durations[4:])

    def samples(histogram) -> dict:
        return {(s.name.split("_", 1)[1], s.labels.get("le")): s.value
                for family in histogram.collect() for s in family.samples}

    together, one_by_one = samples(together), samples(one_by_one)
    assert together.pop(("sum", None)) == pytest.approx(one_by_one.pop(("sum", None)))  # added in another order
    assert together == one_by_one and together[("count", None)] == len(durations)


def test_a_line_s_time_is_written_as_the_clock_s_moment_to_the_millisecond():
    start = datetime(2026, 11, 24, 12, 0, 59, 999_999, tzinfo=UTC)
    for moment in (start, start + timedelta(microseconds=1), start + timedelta(seconds=1, microseconds=1_500),
                   start + timedelta(days=40, microseconds=7)):  # the second's text is made again
        time_ns = int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000
        assert _time_of(time_ns) == moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert _time_of(1_764_000_000_999_999_999) == "2025-11-24T16:00:00.999Z"
    assert _time_of(clock.now_ns())[:19] == _time()[:19] or _time()[17:19] == "00"  # the pinned clock's

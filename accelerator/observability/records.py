"""What an answered request leaves behind, its log line and its counts, and the count of the coverage checks
it recorded: noted by the request (`note`, `note_checks`), written by `flush`, at once (the default) or every
`interval` seconds by a thread of the worker (`batch`).

Under gunicorn, gunicorn.conf.py makes each worker batch (post_fork) and flush what is left when it
stops (worker_exit), so a graceful stop, a restart or a worker's timeout loses nothing; only a worker
killed outright (SIGKILL, out of memory) loses its last `interval`'s lines and counts, and a scrape or
the log may be that much behind the answers. Elsewhere (flask run, the tests' app) every request is
written as it ends.

Why batch: written request by request, the line's write() and the three metric updates (each a lock,
a getpid() and a write to prometheus_client's mmap file) were half of what the request id, line and
metrics cost the single coverage check (+10% of its CPU, bench/results.md); a batch is one write()
and one update per counter and label set.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from bisect import bisect_left
from collections import Counter as Tally
from collections import deque
from typing import NamedTuple

from accelerator.observability.logs import REQUEST_LOGGER, write_request_lines
from accelerator.observability.metrics import REQUEST_DURATION, REQUESTS, count_coverage_checks


class RequestRecord(NamedTuple):
    """One answered request, as its log line and its metrics need it."""

    time_ns: int  # the app's clock (clock.now_ns) when the answer ended
    request_id: str
    method: str
    route: str
    status: str
    duration: float  # seconds
    api_key_prefix: str | None
    user_id: int | None
    pid: int


# deque.append and popleft are atomic: a request notes without a lock while the flusher takes records.
_pending: deque[RequestRecord] = deque()
# Recorded coverage checks' (status, route), counted in accelerator_coverage_checks by the same flush.
_checks: deque[tuple[str, str]] = deque()
_flush_lock = threading.Lock()  # one flush at a time (the thread, worker_exit, atexit)
_interval = {"seconds": 0.0}  # 0: every record flushed as it is noted
# Bound metric children by label values: labels() takes a lock and builds a key on every call.
_counters: dict[tuple[str, str, str], object] = {}
_histograms: dict[tuple[str, str], object] = {}
# Only asked whether INFO is on: setting this logger to WARNING turns the request lines off.
log = logging.getLogger(REQUEST_LOGGER)


def note(record: RequestRecord) -> None:
    """Keep a request's record to be written (now, unless this process batches)."""
    _pending.append(record)
    if not _interval["seconds"]:
        flush()


def note_checks(decisions: list[tuple[str, str]]) -> None:
    """Keep recorded coverage checks, as (status, route), to be counted (now, unless this process batches).

    Counted one by one, the check's counter cost it a lock, a getpid() and a write to prometheus_client's
    mmap file (~14,000 instructions of the single check's ~930,000 under callgrind, bench/results.md); in
    a batch it is one addition per status and route."""
    _checks.extend(decisions)
    if not _interval["seconds"]:
        flush()


def flush() -> None:
    """Count every record and check noted so far and write the records' log lines, in one write."""
    with _flush_lock:
        checks = [_checks.popleft() for _ in range(len(_checks))]
        if checks:
            count_coverage_checks(checks)
        records = [_pending.popleft() for _ in range(len(_pending))]
        if not records:
            return
        for key, number in Tally((r.method, r.route, r.status) for r in records).items():
            counter = _counters.get(key)
            if counter is None:
                counter = _counters[key] = REQUESTS.labels(*key)
            counter.inc(number)
        durations: dict[tuple[str, str], list[float]] = {}
        for record in records:
            durations.setdefault((record.method, record.route), []).append(record.duration)
        for key, seconds in durations.items():
            histogram = _histograms.get(key)
            if histogram is None:
                histogram = _histograms[key] = REQUEST_DURATION.labels(*key)
            observe_all(histogram, seconds)
        if log.isEnabledFor(logging.INFO):
            write_request_lines(records)


def observe_all(histogram, durations: list[float]) -> None:
    """`histogram.observe(d)` for every d, as one addition to its sum and one to each bucket reached.

    Reads prometheus_client's Histogram (pinned, 0.26): `_upper_bounds` (ascending, +Inf last),
    `_buckets` (one value each, not cumulative) and `_sum`; observe() itself costs two locked mmap writes
    a duration, ~5 of the ~12 us a record cost before (bench/results.md). tests/unit/test_request_records.py
    checks the figures equal observe()'s.
    """
    histogram._sum.inc(sum(durations))
    for index, number in Tally(bisect_left(histogram._upper_bounds, d) for d in durations).items():
        histogram._buckets[index].inc(number)


def batch(interval: float) -> None:
    """From now on write this process's records every `interval` seconds (a daemon thread), and what is
    left at exit. Call it in the process that serves (a gunicorn worker: after the fork)."""
    if interval <= 0:
        return
    _interval["seconds"] = interval
    atexit.register(flush)
    threading.Thread(target=_flush_every, args=(interval,), name="request-records", daemon=True).start()


def _flush_every(interval: float) -> None:
    """The batching thread's loop: a flush every `interval` seconds, for the life of the process."""
    while True:
        time.sleep(interval)
        try:
            flush()
        except Exception:  # a failed write (a full disk, a closed pipe) must not end the thread
            logging.getLogger(__name__).exception("writing request records failed")

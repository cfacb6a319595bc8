"""The one clock: pinned, it reads the pinned moment and runs on; nothing else in the code reads the date."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from accelerator import clock
from tests.factories import NOW, TODAY

ROOT = Path(__file__).resolve().parents[2]
MACHINE_CLOCK = re.compile(r"\b(?:date\.today|datetime\.(?:now|utcnow|today)|time\.time(?:_ns)?)\s*\(")


def test_the_tests_start_on_the_pinned_day():
    assert clock.is_pinned()
    assert clock.today() == TODAY
    assert NOW <= clock.now() < NOW + timedelta(minutes=5)


def test_a_pinned_clock_runs_on_in_real_time():
    clock.pin(datetime(2030, 2, 28, 23, 59, 59, 900000, tzinfo=UTC))
    first = clock.now()
    time.sleep(0.15)
    later = clock.now()
    assert timedelta(seconds=0.1) <= later - first < timedelta(seconds=5)
    assert later.date().isoformat() == "2030-03-01"  # it crossed midnight as a real clock would
    assert clock.today() == later.date()


def test_pinning_takes_any_timezone_and_reads_utc():
    clock.pin(datetime(2027, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=5))))
    assert clock.now().tzinfo == UTC
    assert clock.today().isoformat() == "2026-12-31"
    assert clock.timestamp() == int(datetime(2026, 12, 31, 20, 0, tzinfo=UTC).timestamp())


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        clock.pin(datetime(2027, 1, 1))


def test_unpinned_it_is_the_machines_clock():
    clock.unpin()
    try:
        assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    finally:
        clock.pin(NOW)


@pytest.mark.parametrize("text, expected", [
    ("2026-11-24T12:00:00Z", datetime(2026, 11, 24, 12, tzinfo=UTC)),
    ("2026-11-24T07:00:00-05:00", datetime(2026, 11, 24, 12, tzinfo=UTC)),
])
def test_parse_moment(text, expected):
    assert clock.parse_moment(text) == expected


@pytest.mark.parametrize("text", ["2026-11-24T12:00:00", "yesterday", "", "2026-13-01T00:00:00Z"])
def test_parse_moment_refuses_what_is_not_an_aware_moment(text):
    with pytest.raises(ValueError):
        clock.parse_moment(text)


def test_no_code_or_test_reads_the_machines_clock_but_the_clock_module():
    readers = []
    for folder in ("accelerator", "tests", "bench", "wsgi.py"):
        paths = [ROOT / folder] if folder.endswith(".py") else sorted((ROOT / folder).rglob("*.py"))
        for path in paths:
            relative = path.relative_to(ROOT).as_posix()
            if relative in ("accelerator/clock.py", "tests/unit/test_clock.py", "accelerator/client.py"):
                continue  # the clock itself, this test, and the client (it runs on the caller's machine)
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if MACHINE_CLOCK.search(line):
                    readers.append(f"{relative}:{number}: {line.strip()}")
    assert readers == []


def test_moved_to_reads_the_moment_inside_and_gives_the_clock_back_after():
    past = datetime(2026, 10, 1, 9, 30, tzinfo=UTC)
    with clock.moved_to(past):
        assert past <= clock.now() < past + timedelta(minutes=1)
    assert NOW <= clock.now() < NOW + timedelta(minutes=5)  # the test's pin, running on as before
    with pytest.raises(RuntimeError), clock.moved_to(past):
        raise RuntimeError("a failing step")
    assert clock.today() == TODAY

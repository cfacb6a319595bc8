"""API keys with a rate limit: over N requests a second, 429 rate_limited with Retry-After, counted in the database."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select, update

from accelerator import clock
from accelerator.domain.errors import RateLimited
from accelerator.extensions import db as _db
from accelerator.models import ApiKey, ApiKeyWindow, CoverageCheck
from accelerator.services import api_keys, rate_limits
from accelerator.services.audit import Actor
from tests import factories
from tests.api.conftest import count
from tests.servers import free_port, server_env, start_gunicorn, stop, wait_healthy

COVERAGE = "/api/v1/coverage?seller_id=RATE000001&incident_date=2026-06-01&amount=2500.00"
REQUESTS = 20


def _key(role: str, rate_limit: int | None, insurer=None) -> str:
    _key_row, raw = api_keys.create_key(Actor.cli(), role, "limited key", insurer.id if insurer else None,
                                        rate_limit=rate_limit)
    # Used a moment ago: the coverage fast path would answer a key like this without Flask.
    _db.session.execute(update(ApiKey).where(ApiKey.prefix == raw[:12]).values(last_used_at=clock.now()))
    _db.session.commit()
    return raw


def _burst(url: str | list[str], raw: str, *, pin: bool = True) -> tuple[list[requests.Response], int]:
    """REQUESTS concurrent GETs (spread over the URLs given); the answers, and how many one-second
    windows the burst touched."""
    urls = [url] if isinstance(url, str) else url
    if pin:
        clock.pin(factories.NOW)  # a window starts now (NOW is a whole second)
    started = clock.now()
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        answers = list(pool.map(
            lambda n: requests.get(urls[n % len(urls)], headers={"Authorization": f"Bearer {raw}"}, timeout=30),
            range(REQUESTS)))
    ended = clock.now()
    return answers, int(ended.timestamp()) - int(started.timestamp()) + 1


def _assert_limited(answers: list[requests.Response], windows: int, limit: int, most_windows: int = 2) -> None:
    passed = [a for a in answers if a.status_code != 429]
    refused = [a for a in answers if a.status_code == 429]
    assert windows <= most_windows, "the burst took too long to say anything"
    assert 1 <= len(passed) <= limit * windows, [a.status_code for a in answers]
    assert all(a.status_code == 200 for a in passed), [a.text for a in passed]
    assert len(refused) >= REQUESTS - limit * windows
    for answer in refused:
        assert answer.headers["Retry-After"].isdigit() and int(answer.headers["Retry-After"]) >= 1
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.json() == {"error": {"code": "rate_limited",
                                           "message": f"This key is limited to {limit} requests a second."}}


@pytest.fixture()
def seller(db) -> str:
    seller_id = factories.make_seller(seller_id="RATE000001").seller_id
    factories.make_policy(seller_id=seller_id, policy_number="RATE-1")
    return seller_id


def test_a_limited_insurer_key_gets_at_most_its_limit_and_429s_with_retry_after(live_server, insurer):
    raw = _key("insurer", 5, insurer)

    answers, windows = _burst(live_server.url + "/api/v1/policies", raw)

    _assert_limited(answers, windows, 5)
    # One row per key, overwritten each second: old windows never pile up.
    _db.session.rollback()
    rows = _db.session.execute(select(ApiKeyWindow)).scalars().all()
    assert [row.api_key_id for row in rows] == [_db.session.execute(
        select(ApiKey.id).where(ApiKey.prefix == raw[:12])).scalar_one()]


def test_a_limited_marketplace_key_is_limited_on_the_coverage_fast_path_too(live_server, seller):
    raw = _key("marketplace", 5)

    answers, windows = _burst(live_server.url + COVERAGE, raw)

    _assert_limited(answers, windows, 5)
    # A refused check records nothing. Under 101 a second a block is one slot: every answered request
    # was counted in the database, and once the server is told the second is full it refuses the
    # rest without counting them.
    answered = sum(a.status_code == 200 for a in answers)
    assert count(CoverageCheck) == answered
    window = _db.session.execute(select(ApiKeyWindow)).scalar_one()
    assert answered <= window.count <= REQUESTS if windows == 1 else window.count <= REQUESTS


@pytest.fixture()
def gunicorn_server(database_url, db):
    """A second app server: gunicorn with three worker processes on the test database."""
    port = free_port()
    env = server_env(database_url)
    # The machine's clock, as in production: a pinned one would start late by the server's start-up
    # time, and the two servers would count in different seconds.
    del env["ACCELERATOR_CLOCK"]
    process = start_gunicorn(port, env, "--workers", "3", "--threads", "4", "--log-level", "warning")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        stop(process)


def test_the_limit_holds_across_app_servers_and_worker_processes(live_server, gunicorn_server, insurer):
    raw = _key("insurer", 5, insurer)
    urls = [live_server.url + "/api/v1/policies", gunicorn_server + "/api/v1/policies"]

    clock.unpin()  # both servers on the machine's clock (the live server shares this process's)
    answers, windows = _burst(urls, raw, pin=False)

    _assert_limited(answers, windows, 5, most_windows=3)
    assert {a.url.split("/api/")[0] for a in answers if a.status_code == 429} == {live_server.url, gunicorn_server}


def test_a_new_second_starts_the_count_again_and_only_one_row_is_kept(live_server, insurer):
    raw = _key("insurer", 2, insurer)
    url, headers = live_server.url + "/api/v1/policies", {"Authorization": f"Bearer {raw}"}
    clock.pin(factories.NOW)
    statuses = [requests.get(url, headers=headers, timeout=30).status_code for _ in range(3)]
    if clock.now() < factories.NOW.replace(second=1):  # the three fell in one second, as they all but always do
        assert statuses == [200, 200, 429]
    clock.pin(factories.NOW.replace(second=5))
    assert requests.get(url, headers=headers, timeout=30).status_code == 200
    assert count(ApiKeyWindow) == 1
    _db.session.rollback()
    assert _db.session.execute(select(ApiKeyWindow.window_start)).scalar_one() == int(
        factories.NOW.replace(second=5).timestamp())


@pytest.mark.parametrize("path", ["/api/v1/policies", COVERAGE])
def test_a_key_without_a_limit_is_never_refused_and_writes_no_window(live_server, insurer, seller, path):
    raw = _key("insurer", None, insurer) if path != COVERAGE else _key("marketplace", None)

    answers, _windows = _burst(live_server.url + path, raw)

    assert [a.status_code for a in answers] == [200] * REQUESTS
    assert count(ApiKeyWindow) == 0


def _in_processes(count: int, work) -> list[int]:
    """`work()` in `count` forked processes at once; the number each returned."""
    readers = []
    for _ in range(count):
        read_end, write_end = os.pipe()
        if os.fork() == 0:  # the child: report and leave without running the parent's teardown
            os.close(read_end)
            try:
                os.write(write_end, str(work()).encode())
            finally:
                os._exit(0)
        os.close(write_end)
        readers.append(read_end)
    results = []
    for read_end in readers:
        with os.fdopen(read_end) as pipe:
            results.append(int(pipe.read()))
        os.wait()
    return results


def test_processes_taking_their_slots_in_blocks_never_pass_the_limit_together(db):
    limit, processes, each = 1000, 4, 400  # 1,600 requests in one second, in blocks of 10
    assert rate_limits.block_size(limit) == 10
    key, raw = api_keys.create_key(Actor.cli(), "marketplace", "blocks", None, rate_limit=limit)
    _db.session.commit()
    key_id = key.id

    def spend() -> bool:
        clock.pin(factories.NOW)  # every request in that very second, however long the test takes
        try:
            rate_limits.count_request(key_id, raw[:12], limit)
        except RateLimited:
            return False
        return True

    assert spend()  # this process now holds 9 slots of the second: its children must not spend them
    _db.session.remove()

    def work() -> int:
        _db.engine.dispose(close=False)  # the child's own connections; the parent's stay the parent's
        return sum(spend() for _ in range(each))

    answered = 1 + sum(_in_processes(processes, work))

    assert answered <= limit
    # Each process holds at most block - 1 slots it will not use (the parent's 9 included).
    assert answered >= limit - (processes + 1) * (rate_limits.block_size(limit) - 1)
    _db.session.rollback()
    assert _db.session.execute(select(ApiKeyWindow.count)).scalar_one() >= limit


def test_a_process_spends_its_block_before_asking_the_database_and_never_passes_the_limit(db):
    key, raw = api_keys.create_key(Actor.cli(), "marketplace", "blocks", None, rate_limit=250)
    _db.session.commit()
    assert rate_limits.block_size(250) == 3

    def spend(second: int = 0) -> None:
        clock.pin(factories.NOW.replace(second=second))  # every request in that very second
        rate_limits.count_request(key.id, raw[:12], 250)

    def window() -> tuple[int, int]:
        _db.session.rollback()
        return tuple(_db.session.execute(select(ApiKeyWindow.count, ApiKeyWindow.window_start)).one())

    start = int(factories.NOW.timestamp())
    for _ in range(10):
        spend()
    assert window() == (12, start)  # four blocks of three: two slots are left in this process
    # Other processes take all but one of the second's slots.
    _db.session.execute(update(ApiKeyWindow).values(count=249))
    _db.session.commit()
    spend()
    spend()  # the two left in the block
    spend()  # one slot of a new block of three: the 250th
    assert window() == (252, start)
    with pytest.raises(RateLimited) as refused:
        spend()
    assert refused.value.retry_after == 1
    assert window() == (252, start)  # told the second is full, the process refuses without asking again
    spend(second=1)  # a new second: a new block
    assert window() == (3, start + 1)

"""Several writers at once on the served app's engine never fail with "database is locked"."""

import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import func, select

from accelerator.extensions import db as _db
from accelerator.models import AuditEntry


def test_served_app_begins_sqlite_transactions_immediately(live_app, db):
    if _db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    assert live_app.config["SQLITE_BEGIN_IMMEDIATE"] is True
    statements = []
    with live_app.app_context():
        from sqlalchemy import event

        engine = _db.engine

        def capture(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", capture)
        try:
            _db.session.execute(select(func.count(AuditEntry.id)))
            _db.session.rollback()
        finally:
            event.remove(engine, "before_cursor_execute", capture)
    assert statements[0] == "BEGIN IMMEDIATE"


def test_read_then_write_from_many_threads_all_succeed(live_app, db):
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        with live_app.app_context():
            try:
                barrier.wait()
                for i in range(10):
                    # Read, then write in the same transaction: the pattern that fails under
                    # deferred transactions when another writer commits in between.
                    seen = _db.session.execute(select(func.count(AuditEntry.id))).scalar_one()
                    _db.session.add(AuditEntry(actor=f"t{n}", action="probe", object_type="test",
                                               object_id=f"{n}-{i}", details={"seen": seen}))
                    _db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert _db.session.execute(select(func.count(AuditEntry.id))).scalar_one() == 80


def _sqlite_only():
    if _db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has no single write lock")


@pytest.mark.parametrize("end", ["commit", "rollback", "remove"])
def test_a_writer_waits_for_the_turn_and_gets_it_when_the_holder_ends(live_app, db, end):
    """A second transaction starts only once the first commits, rolls back or is thrown away, and at once then."""
    _sqlite_only()
    holding, started, release = threading.Event(), threading.Event(), threading.Event()
    order: list[str] = []

    def holder() -> None:
        with live_app.app_context():
            _db.session.execute(select(func.count(AuditEntry.id)))  # BEGIN IMMEDIATE: takes the turn
            holding.set()
            release.wait(10)
            order.append("holder ends")
            if end == "commit":
                _db.session.commit()
            elif end == "rollback":
                _db.session.rollback()
            _db.session.remove()

    def waiter() -> None:
        with live_app.app_context():
            holding.wait(10)
            started.set()
            _db.session.add(AuditEntry(actor="waiter", action="probe", object_type="test", object_id="1"))
            _db.session.flush()  # begins: must wait for the holder
            order.append("waiter began")
            _db.session.commit()
            _db.session.remove()

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    for t in threads:
        t.start()
    started.wait(10)
    time.sleep(0.3)
    assert order == []  # the waiter is still waiting for the turn
    release.set()
    for t in threads:
        t.join(timeout=15)
    assert order == ["holder ends", "waiter began"]
    assert _db.session.execute(select(func.count(AuditEntry.id)).where(AuditEntry.actor == "waiter")).scalar_one() == 1


def test_the_turn_is_shared_with_other_processes(live_app, db):
    """Another process holding the writers' lock file keeps this process's writers waiting, not failing."""
    _sqlite_only()
    path = _db.engine.url.database
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys, time\n"
         f"fd = os.open({path + '-writers.lock'!r}, os.O_RDWR | os.O_CREAT, 0o600)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX)\n"
         "print('held', flush=True)\n"
         "time.sleep(0.8)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with live_app.app_context():
            _db.session.add(AuditEntry(actor="later", action="probe", object_type="test", object_id="1"))
            _db.session.commit()
            _db.session.remove()
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=10)
    assert waited >= 0.4



def _most_holders_at_once(turn, threads: int = 8) -> int:
    """How many threads held `turn` at the same moment, at most, when they all asked for it at once
    (every thread must get it and give it back without an error)."""
    barrier, guard = threading.Barrier(threads), threading.Lock()
    inside, most, errors = [0], [0], []

    def writer() -> None:
        barrier.wait()
        try:
            turn.acquire()
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.002)
            with guard:
                inside[0] -= 1
            turn.release()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    started = [threading.Thread(target=writer) for _ in range(threads)]
    for t in started:
        t.start()
    for t in started:
        t.join(timeout=30)
    assert not errors, errors
    return most[0]


def test_threads_first_taking_a_turn_in_a_new_process_still_take_it_one_at_a_time(tmp_path):
    """The first acquires in a process (every gunicorn worker's first requests) share one lock."""
    from accelerator.extensions import WriterTurn

    for _attempt in range(20):
        # A new turn has no lock for this process yet, as in a child just forked.
        assert _most_holders_at_once(WriterTurn(str(tmp_path / "db.sqlite3"), timeout=10)) == 1

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


def _write_audit(app, actor: str) -> None:
    """One committed write in a transaction of its own (not a GET request's)."""
    with app.app_context():
        _db.session.add(AuditEntry(actor=actor, action="probe", object_type="test", object_id="1"))
        _db.session.commit()
        _db.session.remove()


def _count(actor: str) -> int:
    return _db.session.execute(select(func.count(AuditEntry.id)).where(AuditEntry.actor == actor)).scalar_one()


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
        _write_audit(live_app, "later")
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=10)
        holder.stdout.close()
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
    from accelerator.database import WriterTurn

    for _attempt in range(20):
        # A new turn has no lock for this process yet, as in a child just forked.
        assert _most_holders_at_once(WriterTurn(str(tmp_path / "db.sqlite3"), timeout=10)) == 1


def test_a_get_request_reads_without_holding_the_turn(live_app, db):
    """A GET page's open transaction keeps no writer waiting, however long it stays open."""
    _sqlite_only()
    with live_app.test_request_context("/", method="GET"):
        _db.session.execute(select(func.count(AuditEntry.id)))  # the GET's transaction is open
        writer = threading.Thread(target=_write_audit, args=(live_app, "during-get"))
        started = time.monotonic()
        writer.start()
        writer.join(timeout=10)
        assert not writer.is_alive()
        assert time.monotonic() - started < 2  # it did not wait for the GET's transaction
        _db.session.rollback()
        _db.session.remove()
    assert _count("during-get") == 1


def test_a_post_request_still_begins_writing_at_once(live_app, db):
    _sqlite_only()
    statements: list[str] = []
    with live_app.test_request_context("/", method="POST"):
        from sqlalchemy import event

        def capture(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(_db.engine, "before_cursor_execute", capture)
        try:
            _db.session.execute(select(func.count(AuditEntry.id)))
            _db.session.rollback()
        finally:
            event.remove(_db.engine, "before_cursor_execute", capture)
            _db.session.remove()
    assert statements[0] == "BEGIN IMMEDIATE"


def test_a_get_request_that_writes_takes_the_turn_and_sees_the_latest_data(live_app, db):
    """Its first write ends the read and begins a write transaction in turn: writers wait for it,
    it reads what was committed after its read began, and what it writes is committed."""
    _sqlite_only()
    wrote, waiting_done = threading.Event(), threading.Event()
    with live_app.test_request_context("/", method="GET"):
        assert _count("before-write") == 0  # the read snapshot begins here
        _write_audit(live_app, "before-write")  # another transaction commits meanwhile
        _db.session.add(AuditEntry(actor="get-writer", action="probe", object_type="test", object_id="1"))
        _db.session.flush()  # the first write: now a write transaction, holding the turn
        assert _count("before-write") == 1  # the write transaction sees the latest commit

        def later_writer():
            wrote.set()
            _write_audit(live_app, "after-get")
            waiting_done.set()

        thread = threading.Thread(target=later_writer)
        thread.start()
        wrote.wait(5)
        time.sleep(0.3)
        assert not waiting_done.is_set()  # it waits for the GET's write transaction
        _db.session.commit()
        thread.join(timeout=10)
        assert waiting_done.is_set()
        _db.session.remove()
    assert _count("get-writer") == 1
    assert _count("after-get") == 1


def test_a_get_request_may_open_a_savepoint_and_write_in_it(live_app, db):
    """A savepoint begins the write transaction (the read it would end holds it otherwise), and both
    its release and its rollback work there."""
    _sqlite_only()
    with live_app.test_request_context("/", method="GET"):
        _count("nested")
        with _db.session.begin_nested():
            _db.session.add(AuditEntry(actor="nested", action="probe", object_type="test", object_id="1"))
        dropped = _db.session.begin_nested()
        _db.session.add(AuditEntry(actor="dropped", action="probe", object_type="test", object_id="2"))
        _db.session.flush()
        dropped.rollback()
        _db.session.commit()
        _db.session.remove()
    assert _count("nested") == 1
    assert _count("dropped") == 0

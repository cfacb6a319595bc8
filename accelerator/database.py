"""What SQLite needs to serve several writers, each measure with the figure that pays for it.

create_app calls `engine_options` before binding the database and `configure` after. PostgreSQL needs
none of this (it keeps the pool's pre-ping); on SQLite, in WAL mode:

- WAL (`journal_mode=WAL`): readers never block the writer nor it them. The coverage check reads in
  one transaction and writes in another from four processes at once; in the rollback-journal mode a
  commit waits until no one reads. (SQLite's own requirement for concurrent readers; not re-measured.)
- `synchronous=NORMAL` by default (SQLITE_SYNCHRONOUS=FULL on request): a commit survives a crash of
  the app, not a power cut. FULL adds an fsync per commit: the single check fell from 0.58 to 0.34 of
  bare Flask and reporting policies from 539-577 to 369-414 POSTs/s (bench/results.md, "Durability").
- A busy timeout of 30 s: a writer that meets SQLite's lock held outside the writers' turn (another
  program, `flask` on the command line) waits for it instead of failing with "database is locked".
- Write transactions begin with BEGIN IMMEDIATE: a transaction that read first and then writes would
  otherwise fail with "database is locked" when another writer committed in between
  (tests/integration/test_concurrent_writers.py).
- Writers take turns (`WriterTurn`: a thread lock in the process, an flock beside the database file
  between processes), taken before BEGIN IMMEDIATE, handed on at COMMIT or ROLLBACK. A writer
  waiting in SQLite's busy handler sleeps 1, 2, 5 ... 100 ms and is not woken when the lock frees:
  reporting policies had a p99 of 450-860 ms at 8 connections without the turn, 25-35 ms with it.
- A GET or HEAD request's transaction begins as a plain read and takes the turn only at its first
  write: checks beside the admin's year-long dashboard went from 953 to 2,619 req/s, their p99 from
  2,210 to 36 ms.
- No pool pre-ping (a SELECT 1 before each transaction): a SQLite file's connection cannot die between
  requests, and the ping would cost a statement per transaction.

The coverage hot path (services/hotpath.py) writes on connections of its own, in the same turn.
Dropped, no longer paying for itself: the hot path's group commit (a leader committing every queued
record of the process's threads at once). With the recommended single-threaded sync workers it
never had more than one request to group (bench/results.md); it helped only under gthread workers,
which are not recommended.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine

SYNCHRONOUS_MODES = ("FULL", "NORMAL")  # SQLite's `synchronous` settings the app offers
BUSY_TIMEOUT_SECONDS = 30  # SQLite's busy timeout, and the longest wait for a WriterTurn within a process
_TURN = "writer_turn"  # connection info: the turn this connection's transaction holds
_READING = "reading_first"  # connection info: its transaction began as a read


class WriterTurn:
    """Writers of one SQLite database file take turns: a thread lock within the process, an flock on
    `<database>-writers.lock` between processes; a waiting writer wakes the moment the turn frees."""

    def __init__(self, path: str, timeout: float):
        self.path = path
        self.timeout = timeout
        self._pid = -1
        self._lock = threading.Lock()
        self._fd = -1

    def _for_this_process(self) -> None:
        """A forked child makes its own lock and descriptor, once, whichever of its threads comes first."""
        pid = os.getpid()
        if self._pid == pid:
            return
        with _turns_lock:
            if self._pid != pid:
                self._lock = threading.Lock()
                self._fd = os.open(f"{self.path}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = pid  # last: another thread reads the pid without the lock

    def acquire(self) -> None:
        """Wait for the turn; TimeoutError after `timeout` seconds within the process."""
        self._for_this_process()
        if not self._lock.acquire(timeout=self.timeout):
            raise TimeoutError(f"no write turn on {self.path} within {self.timeout:.0f} s")
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._lock.release()
            raise

    def release(self) -> None:
        """Give the turn to the next writer."""
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._lock.release()


_turns: dict[str, WriterTurn] = {}
_turns_lock = threading.Lock()


def writer_turn(path: str | None, timeout: float = BUSY_TIMEOUT_SECONDS) -> WriterTurn | None:
    """The process's turn for the SQLite database file at `path` (None for an in-memory database)."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    path = os.path.abspath(path)
    with _turns_lock:
        turn = _turns.get(path)
        if turn is None:
            turn = _turns[path] = WriterTurn(path, timeout)
    return turn


def engine_options(uri: str, options: dict) -> dict:
    """The engine options for `uri`: on SQLite without the pool's pre-ping."""
    return {**options, "pool_pre_ping": False} if uri.startswith("sqlite") else options


def configure(engine: Engine, *, begin_immediate: bool = True, synchronous: str = "NORMAL",
              reads_first: Callable[[], bool] | None = None) -> None:
    """On SQLite: the connection settings above and write transactions begun immediately, in turn
    (`reads_first()` true when a transaction begins: it begins as a plain read). Nothing elsewhere."""
    if engine.dialect.name != "sqlite":
        return
    if synchronous not in SYNCHRONOUS_MODES:  # only these words may reach the PRAGMA
        raise ValueError(f"synchronous must be one of {SYNCHRONOUS_MODES}, not {synchronous!r}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        """Every new connection: the settings above."""
        dbapi_connection.isolation_level = None  # the "begin" event issues BEGIN, not pysqlite
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", f"busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}",
                       f"synchronous={synchronous}"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    if not begin_immediate:  # the test harness's own reading app only
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return
    _take_turns(engine, writer_turn(engine.url.database), reads_first)


def _begin_writing(execute: Callable[[str], object], turn: WriterTurn | None) -> None:
    """Wait for the turn (if any), then BEGIN IMMEDIATE with `execute`; the turn is given back if it fails."""
    if turn is not None:
        turn.acquire()
    try:
        execute("BEGIN IMMEDIATE")
    except BaseException:
        if turn is not None:
            turn.release()
        raise


def _take_turns(engine: Engine, turn: WriterTurn | None, reads_first: Callable[[], bool] | None) -> None:
    """The session's (and Core's) transactions: begun in turn, the turn handed on when SQLite's lock is free."""

    def begin(execute, info: dict) -> None:
        """Begin writing in turn; the connection remembers the turn it holds."""
        _begin_writing(execute, turn)
        if turn is not None:
            info[_TURN] = turn

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        """A transaction begins: as a read where `reads_first()` says so, else writing in turn."""
        info = conn.connection.info
        if reads_first is not None and reads_first():
            conn.exec_driver_sql("BEGIN")
            info[_READING] = True
            return
        begin(conn.exec_driver_sql, info)

    if reads_first is not None:  # only then can a transaction begin as a read: no check per statement otherwise
        @event.listens_for(engine, "before_cursor_execute")
        def _on_execute(conn, cursor, statement, _parameters, context, _executemany):
            """A read's first write ends the read and begins writing in turn."""
            info = conn.connection.info
            if _READING in info and _writes(statement, context):
                del info[_READING]
                conn.connection.dbapi_connection.commit()  # the read (it changed nothing) ends here
                begin(cursor.execute, info)

    # SQLAlchemy announces a commit or rollback just before making it; the DBAPI connection ends the
    # transaction here so that the turn is handed on only once SQLite's lock is free. (The dialect's
    # own commit or rollback that follows finds no transaction and does nothing; should ending it here
    # fail, the dialect's call fails again and reports it, and the rollback that follows gives the turn back.)
    @event.listens_for(engine, "commit")
    def _on_commit(conn):
        """Commit on the DBAPI connection, then hand on the turn."""
        info = conn.connection.info
        info.pop(_READING, None)
        if _TURN in info:
            try:
                conn.connection.dbapi_connection.commit()
            except Exception:  # noqa: BLE001 - reported by the dialect's commit, which tries again
                return
            _give_back(info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn):
        """Roll back on the DBAPI connection, then hand on the turn."""
        info = conn.connection.info
        info.pop(_READING, None)
        if _TURN in info:
            try:
                conn.connection.dbapi_connection.rollback()
            finally:
                _give_back(info)

    # Safety nets: a connection returned to the pool, closed or invalidated mid-transaction.
    def _on_return(_dbapi_connection, record, *_exception):
        """A connection back in the pool, closed or invalidated gives back any turn it held."""
        _give_back(record.info)

    for name in ("checkin", "close", "invalidate"):
        event.listen(engine, name, _on_return)


def _give_back(info: dict) -> None:
    """Forget the read, hand on the turn the connection holds (if any)."""
    info.pop(_READING, None)
    held = info.pop(_TURN, None)
    if held is not None:
        held.release()


def _writes(statement: str, context) -> bool:
    """Whether a statement may write, or opens a savepoint (which a write may follow, and which must
    not be lost with the read): compiled DML or DDL, or text that does not begin as a read."""
    head = statement.lstrip()[:9].upper()
    if head.startswith("SAVEPOINT"):
        return True
    if context is not None and context.compiled is not None:
        return bool(context.isinsert or context.isupdate or context.isdelete or context.isddl)
    return not head.startswith(("SELECT", "PRAGMA", "EXPLAIN"))

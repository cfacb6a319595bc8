"""Unbound Flask extensions; create_app binds them to an app."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention, so migrations are stable."""

    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()


class WriterTurn:
    """Writers of one SQLite database file take turns: a thread lock within the process, an flock on
    `<database>-writers.lock` between processes.

    SQLite lets one writer in at a time; the others sleep in its busy handler (1, 2, 5, 10, ... 100
    ms) and are not woken when the lock frees, so under load most of a writer's time is sleep and
    the slowest wait hundreds of milliseconds. Queued on this turn instead, a waiting writer wakes
    the moment the previous one is done. Whoever holds the turn may still meet SQLite's own lock
    (a process outside the app, say): the busy timeout still covers that.
    """

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
        """Wait for the turn; an OperationalError-like TimeoutError after `timeout` seconds in the process."""
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


SYNCHRONOUS_MODES = ("FULL", "NORMAL")  # SQLite's `synchronous` settings the app offers
BUSY_TIMEOUT_SECONDS = 30  # SQLite's busy timeout, and the longest wait for a WriterTurn within a process
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


def configure_sqlite(engine: Engine, *, begin_immediate: bool = True, synchronous: str = "NORMAL",
                     reads_first: Callable[[], bool] | None = None) -> None:
    """SQLite: WAL, foreign keys, a busy timeout, `synchronous` (FULL or NORMAL), and write
    transactions begun immediately, in turn.

    With BEGIN IMMEDIATE a transaction takes the write lock when it starts, so two writers queue on
    the busy timeout instead of one failing with "database is locked" when it upgrades a read
    snapshot that another writer has since changed. Each such transaction first waits for its
    WriterTurn and gives it back the moment it commits or rolls back.

    Where `reads_first()` says so when a transaction begins (the app says so for GET and HEAD
    requests), it begins as a plain read (BEGIN): it holds no lock and keeps no writer waiting,
    however long the page takes. Its first write statement ends that read and begins a write
    transaction in turn, as above, which sees the latest data; what was read before it came from the
    earlier snapshot. (SQLite itself could not upgrade a snapshot another writer has since changed.)
    """
    if engine.dialect.name != "sqlite":
        return
    if synchronous not in SYNCHRONOUS_MODES:  # only these words may reach the PRAGMA
        raise ValueError(f"synchronous must be one of {SYNCHRONOUS_MODES}, not {synchronous!r}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        # Let the "begin" event below issue BEGIN instead of pysqlite's own implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    if not begin_immediate:
        @event.listens_for(engine, "begin")
        def _on_begin_deferred(conn):
            conn.exec_driver_sql("BEGIN")

        return

    turn = writer_turn(engine.url.database)

    def _begin_writing(execute: Callable[[str], object], info: dict) -> None:
        if turn is None:
            execute("BEGIN IMMEDIATE")
            return
        turn.acquire()
        try:
            execute("BEGIN IMMEDIATE")
        except BaseException:
            turn.release()
            raise
        info["writer_turn"] = turn

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        info = conn.connection.info
        if reads_first is not None and reads_first():
            conn.exec_driver_sql("BEGIN")
            info[_READING] = True
            return
        _begin_writing(conn.exec_driver_sql, info)

    def _on_execute(conn, cursor, statement, parameters, context, executemany):
        info = conn.connection.info
        if _READING in info and _writes(statement, context):
            del info[_READING]
            conn.connection.dbapi_connection.commit()  # the read (it changed nothing) ends here
            _begin_writing(cursor.execute, info)

    if reads_first is not None:  # only then can a transaction begin as a read: no check per statement otherwise
        event.listen(engine, "before_cursor_execute", _on_execute)

    def _give_back(info: dict) -> None:
        info.pop(_READING, None)
        held = info.pop("writer_turn", None)
        if held is not None:
            held.release()

    # SQLAlchemy announces a commit or rollback just before making it; the DBAPI connection ends the
    # transaction here so that the turn is handed on only once SQLite's lock is free. (The dialect's
    # own commit or rollback that follows finds no transaction and does nothing; should ending it
    # here fail, the dialect's call fails again and reports it as usual, and the rollback that
    # follows gives the turn back.)
    @event.listens_for(engine, "commit")
    def _on_commit(conn):
        info = conn.connection.info
        info.pop(_READING, None)
        if "writer_turn" in info:
            try:
                conn.connection.dbapi_connection.commit()
            except Exception:  # noqa: BLE001 - reported by the dialect's commit, which tries again
                return
            _give_back(info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn):
        info = conn.connection.info
        info.pop(_READING, None)
        if "writer_turn" in info:
            try:
                conn.connection.dbapi_connection.rollback()
            finally:
                _give_back(info)

    # Safety nets: a connection returned to the pool, closed or invalidated mid-transaction.
    def _on_return(dbapi_connection, record, *_exception):
        _give_back(record.info)

    for name in ("checkin", "close", "invalidate"):
        event.listen(engine, name, _on_return)


_READING = "reading_first"  # connection info: its transaction began as a read (configure_sqlite)


def _writes(statement: str, context) -> bool:
    """Whether a statement may write, or opens a savepoint (which a write may follow, and which must
    not be lost with the read): compiled DML or DDL, or text that does not begin as a read."""
    head = statement.lstrip()[:9].upper()
    if head.startswith("SAVEPOINT"):
        return True
    if context is not None and context.compiled is not None:
        return bool(context.isinsert or context.isupdate or context.isdelete or context.isddl)
    return not head.startswith(("SELECT", "PRAGMA", "EXPLAIN"))

"""The hottest reads and writes: Core statements compiled once, run on DBAPI connections of their own.

On the coverage check (and the key lookup in front of it) SQLAlchemy's per-statement work (compiling,
cache keys, result wrapping), the pool's checkout (with its pre-ping) and the session's transaction
cost more than the database's own work. Worse, on SQLite every session transaction begins with
BEGIN IMMEDIATE and so holds the database's write lock, even to read. So the hot path keeps a few
DBAPI connections of its own (made by the engine, so its connect settings apply, then detached from
its pool), in autocommit mode: a read sees the latest committed data without any lock, and only an
explicit write transaction takes the write lock.

SQLite writers commit together: a request's records join a queue, one thread at a time (the leader)
writes everything queued in one transaction and commits it, then wakes every request whose records
it committed; a request returns only once the commit holding its records is done. Processes take
turns through an flock beside the database file, so a waiting writer wakes the moment the lock is
free instead of sleeping in SQLite's busy handler. Checkpoints of the WAL run in a background thread,
not inside a request's commit.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, bindparam, select
from sqlalchemy.engine import Engine

from accelerator.extensions import db
from accelerator.models import ApiKey, Insurer
from accelerator.models.types import Money, StringList


def _memoized(processor):
    """A JSON list column's processor that parses each distinct text once (a handful of lists recur)."""
    if processor is None:
        return None
    cache: dict[str, list] = {}

    def process(value):
        if not isinstance(value, str):
            return processor(value)
        found = cache.get(value)
        if found is None:
            found = processor(value)
            if len(cache) < 4096:
                cache[value] = found
        return list(found)

    return process


def _cents(value):
    """Whole cents from SQLite as the Decimal Money gives (`250000` -> `Decimal("2500.00")`), faster."""
    return None if value is None else Decimal(value).scaleb(-2)


def _iso_date(value):
    """A DATE from SQLite (stored `YYYY-MM-DD` by SQLAlchemy) as a date, faster than its regex."""
    return None if value is None else date.fromisoformat(value)


def _boolean(value):
    """A BOOLEAN from SQLite (0 or 1) as a bool."""
    return None if value is None else bool(value)


def _processor(column, dialect, type_code):
    """The column's result processor, with faster equivalents for those that dominate a batch."""
    if dialect.name == "sqlite":
        if isinstance(column.type, Money):
            return _cents
        if isinstance(column.type, Date):
            return _iso_date
        if isinstance(column.type, Boolean):
            return _boolean
    processor = column.type.dialect_impl(dialect).result_processor(dialect, type_code)
    return _memoized(processor) if isinstance(column.type, StringList) else processor


class Prepared:
    """A Core statement compiled once per dialect, run on a DBAPI cursor.

    Compiling, cache-key hashing and result wrapping cost more than SQLite's own work on this path,
    so they are done once. The SQL is still SQLAlchemy's (compiled from the Core statement for the
    dialect) and values pass through the columns' own type processors (or exact equivalents), so rows
    come out as a Core select gives them (tests/integration/test_coverage_service.py compares the two).
    """

    def __init__(self, statement, dialect, params: Sequence[str], columns: Sequence = ()):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        names = compiled.positiontup  # the order of positional parameters; None for the named style
        self.order = [list(params).index(name) for name in names] if names else None
        self.names = list(params)
        self.bind = [compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in params]
        self.dialect = dialect
        self.columns = list(columns)
        self.result: list | None = None  # made at the first run, from the driver's column types

    def params(self, values: Sequence) -> Sequence | dict:
        """The driver's parameters for one row of values, each through its column's bind processor."""
        processed = [f(v) if f is not None and v is not None else v for f, v in zip(self.bind, values, strict=True)]
        if self.order is not None:
            return [processed[i] for i in self.order]
        return dict(zip(self.names, processed, strict=True))

    def rows(self, cursor, values: Sequence) -> list:
        """Run a select; every row with each column's result processor applied."""
        cursor.execute(self.sql, self.params(values))
        fetched = cursor.fetchall()
        if not self.columns:
            return fetched
        result = self.result
        if result is None:
            # As SQLAlchemy does: each column's processor, told the type code the driver reports.
            result = self.result = [_processor(column, self.dialect, described[1])
                                    for column, described in zip(self.columns, cursor.description, strict=True)]
        active = [(i, f) for i, f in enumerate(result) if f is not None]
        out = []
        for row in fetched:
            row = list(row)
            for i, f in active:
                row[i] = f(row[i])
            out.append(row)
        return out

    def execute_many(self, cursor, rows: Sequence[Sequence]) -> None:
        """Run a statement once for every row of values."""
        if len(rows) == 1:
            cursor.execute(self.sql, self.params(rows[0]))
        else:
            cursor.executemany(self.sql, [self.params(row) for row in rows])


# --- the hot path's own connections -------------------------------------------------------------


class HotConnections:
    """The hot path's DBAPI connections of one engine: a stack, one connection per request in flight.

    Taking one is a list pop (the pool's checkout, reset and pre-ping cost more than a SQLite read).
    A connection that raised is closed, never reused; since there is no pre-ping, a read that fails on
    a reused connection (the server restarted, say) is retried once on a new one (`run`).
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.errors = engine.dialect.loaded_dbapi.Error
        self.pid = os.getpid()
        self.free: list = []
        self.lock_fd: int | None = None
        self.writers = _GroupCommit(self) if self.sqlite else None
        path = engine.url.database if self.sqlite else None
        self.path = path if path and path != ":memory:" and not path.startswith("file:") else None

    def _take(self) -> tuple[object, object, bool]:
        """A (fairy, DBAPI connection, fresh) triple: a kept connection, or a new one."""
        if self.pid != os.getpid():
            # A forked child never uses its parent's connections (nor its lock file descriptor).
            self.pid, self.free, self.lock_fd = os.getpid(), [], None
            if self.writers is not None:
                self.writers = _GroupCommit(self)
        try:
            fairy, conn = self.free.pop()
            return fairy, conn, False
        except IndexError:
            pass
        fairy = self.engine.raw_connection()  # the engine's connect events set the connection up
        conn = fairy.driver_connection
        fairy.detach()  # ours now: the pool neither resets, pings nor recycles it
        if self.sqlite:
            # Checkpoints run in the background (see _Checkpointer), not inside a request's commit.
            conn.execute("PRAGMA wal_autocheckpoint=0")
            if self.path is not None:
                _Checkpointer.start(self.engine, self.path)
        else:
            conn.autocommit = True  # a read holds no transaction (nor locks) open
        return fairy, conn, True

    def _give_back(self, fairy, conn) -> None:
        self.free.append((fairy, conn))

    @staticmethod
    def _close(fairy) -> None:
        with contextlib.suppress(Exception):  # it is being thrown away because it failed
            fairy.close()

    def run(self, read: Callable, write: Callable | None = None):
        """`read(cursor)`, then `write(conn, cursor, read_result)` if given; the write's result.

        A DBAPI error in `read` on a connection that had been kept is retried once on a new one (the
        read changes nothing); an error in `write` is never retried.
        """
        for attempt in (0, 1):
            fairy, conn, fresh = self._take()
            cursor = conn.cursor()
            try:
                result = read(cursor)
            except self.errors:
                self._close(fairy)
                if fresh or attempt:
                    raise
                continue
            except BaseException:
                self._close(fairy)
                raise
            try:
                if write is not None:
                    result = write(conn, cursor, result)
                cursor.close()
            except BaseException:
                self._close(fairy)
                raise
            self._give_back(fairy, conn)
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def insert(self, conn, cursor, statement: Prepared, records: list[Sequence]) -> None:
        """Insert `records` with `statement` and commit them; returns once they are committed."""
        if self.writers is not None:
            self.writers.commit(conn, cursor, statement, records)
            return
        cursor.execute("BEGIN")
        try:
            statement.execute_many(cursor, records)
            cursor.execute("COMMIT")
        except BaseException:
            conn.rollback()
            raise

    def flock(self) -> int | None:
        """This process's descriptor of the writers' lock file beside the SQLite database (None in memory)."""
        if self.path is None:
            return None
        if self.lock_fd is None:
            self.lock_fd = os.open(f"{self.path}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
        return self.lock_fd


_connections: weakref.WeakKeyDictionary[Engine, HotConnections] = weakref.WeakKeyDictionary()
_connections_lock = threading.Lock()


def hot_connections(engine: Engine | None = None) -> HotConnections:
    """The hot path's connections of `engine` (the app's engine by default)."""
    engine = engine if engine is not None else db.engine
    found = _connections.get(engine)
    if found is None:
        with _connections_lock:
            found = _connections.get(engine)
            if found is None:
                found = _connections[engine] = HotConnections(engine)
    return found


class _Slot:
    """One request's records waiting in the commit queue, and how their commit ended."""

    __slots__ = ("done", "error", "records", "statement")

    def __init__(self, statement: Prepared, records: list[Sequence]):
        self.statement = statement
        self.records = records
        self.done = False
        self.error: BaseException | None = None


class _GroupCommit:
    """SQLite writers of one process: whoever finds no commit running commits everything queued.

    A request's records are never answered before the transaction holding them has committed: a
    follower waits until the leader that took its records reports the commit (or its error). What a
    group saves is the per-commit work (the WAL frames of shared pages, the lock hand-over), which on
    SQLite is most of a single check's write.
    """

    def __init__(self, connections: HotConnections):
        self.connections = connections
        self.mutex = threading.Lock()
        self.finished = threading.Condition(self.mutex)
        self.queue: list[_Slot] = []
        self.leading = False

    def commit(self, conn, cursor, statement: Prepared, records: list[Sequence]) -> None:
        """Queue `records`; return once they are committed (raise what their commit raised).

        `conn` is the caller's connection: the leader writes the group on it.
        """
        slot = _Slot(statement, records)
        with self.mutex:
            self.queue.append(slot)
            while self.leading and not slot.done:
                self.finished.wait()
            if slot.done:
                if slot.error is not None:
                    raise slot.error
                return
            self.leading = True
            group, self.queue = self.queue, []
        error: BaseException | None = None
        try:
            self._write(conn, cursor, group)
        except BaseException as exc:  # noqa: BLE001 - every request of the group learns it, then re-raised
            error = exc
        with self.mutex:
            for member in group:
                member.done, member.error = True, error
            self.leading = False
            self.finished.notify_all()
        if error is not None:
            raise error

    def _write(self, conn, cursor, group: list[_Slot]) -> None:
        """Write every record of the group in one transaction, taking turns with the other processes."""
        fd = self.connections.flock()
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            cursor.execute("BEGIN IMMEDIATE")
            try:
                statement = group[0].statement
                if len(group) > 1 and all(member.statement is statement for member in group):
                    statement.execute_many(cursor, [record for member in group for record in member.records])
                else:
                    for member in group:
                        member.statement.execute_many(cursor, member.records)
                cursor.execute("COMMIT")
            except BaseException:
                conn.rollback()
                raise
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)


class _Checkpointer:
    """A daemon thread per process and database file that checkpoints the WAL now and then.

    With automatic checkpoints, the request whose commit crosses the threshold copies the WAL into
    the database (and syncs it) before it can answer: a latency spike of tens of milliseconds every
    few hundred commits. A PASSIVE checkpoint here never blocks readers or writers.
    """

    INTERVAL = 0.2  # seconds between checkpoints; the WAL then stays at a few MB under full load
    _running: dict[tuple[int, str], threading.Thread] = {}
    _lock = threading.Lock()

    @classmethod
    def start(cls, engine: Engine, path: str) -> None:
        """Make sure this process checkpoints `path`."""
        key = (os.getpid(), path)
        if key in cls._running:
            return
        with cls._lock:
            if key in cls._running:
                return
            thread = threading.Thread(target=cls._loop, args=(engine.url.database,), daemon=True,
                                      name="sqlite-checkpointer")
            cls._running[key] = thread
            thread.start()

    @classmethod
    def _loop(cls, path: str) -> None:
        import sqlite3

        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=0")
        while True:
            time.sleep(cls.INTERVAL)
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                continue  # busy, or the file went away (tests): try again later


# --- API keys -----------------------------------------------------------------------------------

_KEY_COLUMNS = (ApiKey.__table__.c.id, ApiKey.__table__.c.key_hash, ApiKey.__table__.c.role,
                ApiKey.__table__.c.insurer_id, ApiKey.__table__.c.prefix, ApiKey.__table__.c.revoked_at,
                ApiKey.__table__.c.last_used_at, Insurer.__table__.c.status)
_key_statements: dict[str, Prepared] = {}


class KeyRow:
    """An API key as the lookup reads it, with its insurer's status."""

    __slots__ = ("id", "insurer_id", "key_hash", "last_used_at", "prefix", "revoked_at", "role", "status")

    def __init__(self, row: Sequence):
        (self.id, self.key_hash, self.role, self.insurer_id, self.prefix, self.revoked_at, self.last_used_at,
         self.status) = row


def _key_statement(dialect) -> Prepared:
    prepared = _key_statements.get(dialect.name)
    if prepared is None:
        keys, insurers = ApiKey.__table__, Insurer.__table__
        statement = (select(*_KEY_COLUMNS).select_from(keys.outerjoin(insurers, insurers.c.id == keys.c.insurer_id))
                     .where(keys.c.prefix == bindparam("prefix", type_=keys.c.prefix.type)))
        prepared = _key_statements[dialect.name] = Prepared(statement, dialect, ["prefix"], _KEY_COLUMNS)
    return prepared


def read_api_key(prefix: str, engine: Engine | None = None) -> KeyRow | None:
    """The key with this prefix and its insurer's status, read afresh (never cached), or None."""
    connections = hot_connections(engine)
    prepared = _key_statement(connections.engine.dialect)
    rows = connections.run(lambda cursor: prepared.rows(cursor, [prefix]))
    return KeyRow(rows[0]) if rows else None

"""The hottest reads and writes: prepared statements (services/prepared.py) on DBAPI connections of their own.

On the coverage check (and the key lookup in front of it) SQLAlchemy's per-statement work (compiling,
cache keys, result wrapping), the pool's checkout (with its pre-ping) and the session's transaction
cost more than the database's own work. Worse, on SQLite every session transaction begins with
BEGIN IMMEDIATE and so holds the database's write lock, even to read. So the hot path keeps a few
DBAPI connections of its own (made by the engine, so its connect settings apply, then detached from
its pool), in autocommit mode: a read sees the latest committed data without any lock, and only an
explicit write transaction takes the write lock.

Records are written by multi-row INSERTs (one statement for a single check: in autocommit mode a
whole transaction by itself). SQLite writers of one process commit together: a request's records join
a queue, one thread at a time (the leader) writes everything queued and commits it, then wakes every
request whose records it committed; a request returns only once the commit holding its records is
done (with one thread per process, as the recommended sync workers have, the queue never holds more
than one request). Leaders take turns with every other writer (extensions.WriterTurn: a thread lock
and an flock beside the database file), so a waiting writer wakes the moment the lock is free
instead of sleeping in SQLite's busy handler.
WAL checkpoints stay SQLite's automatic ones, inside the commit that crosses the threshold: done
outside the writers' turn, they never caught up with the writers and the WAL grew without bound.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Callable, Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine

from accelerator.extensions import db, writer_turn
from accelerator.models import ApiKey, Insurer
from accelerator.services.prepared import CHUNK, Prepared

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
        self.writers = _GroupCommit(self) if self.sqlite else None
        self.turn = writer_turn(engine.url.database) if self.sqlite else None

    def _take(self) -> tuple[object, object, bool]:
        """A (fairy, DBAPI connection, fresh) triple: a kept connection, or a new one."""
        if self.pid != os.getpid():
            # A forked child never uses its parent's connections.
            self.pid, self.free = os.getpid(), []
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
        if not self.sqlite:
            conn.autocommit = True  # a read holds no transaction (nor locks) open
        return fairy, conn, True

    def _give_back(self, fairy, conn) -> None:
        self.free.append((fairy, conn))

    @staticmethod
    def _close(fairy) -> None:
        with contextlib.suppress(Exception):  # it is being thrown away because it failed
            fairy.close()

    def run(self, read: Callable, write: Callable | None = None, *, snapshot: bool = False):
        """`read(cursor)`, then `write(conn, cursor, read_result)` if given; the write's result.

        With `snapshot`, the reads on SQLite share one read transaction: each transaction that finds
        the database changed by another connection (every other request writes) first throws away
        the connection's page cache, so one such check per request costs less than three. A DBAPI
        error in `read` on a connection that had been kept is retried once on a new one (the read
        changes nothing); an error in `write` is never retried.
        """
        snapshot = snapshot and self.sqlite
        for attempt in (0, 1):
            fairy, conn, fresh = self._take()
            try:
                cursor = conn.cursor()
                if snapshot:
                    cursor.execute("BEGIN")
                    result = read(cursor)
                    cursor.execute("COMMIT")  # the write must not start from this (older) snapshot
                else:
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

    def write(self, conn, cursor, work: Callable[[], object]):
        """`work()` (statements on `cursor`, a cursor of `conn`, one of these autocommit connections) as
        one write transaction, in turn with every other writer on SQLite: committed when it returns (its
        result is returned), rolled back when it raises."""
        turn = self.turn
        if turn is not None:
            turn.acquire()
        try:
            cursor.execute("BEGIN IMMEDIATE" if self.sqlite else "BEGIN")
            try:
                result = work()
                cursor.execute("COMMIT")
            except BaseException:
                conn.rollback()
                raise
            return result
        finally:
            if turn is not None:
                turn.release()

    def insert(self, conn, cursor, statement: Prepared, records: list[Sequence]) -> None:
        """Insert `records` with `statement` (an INSERT of one row, best with its multi-row form) and
        commit them; returns once they are committed."""
        if self.writers is not None:
            self.writers.commit(conn, cursor, statement, records)
            return
        write_records(conn, cursor, statement, records, "BEGIN")


def write_records(conn, cursor, statement: Prepared, records: list[Sequence], begin: str) -> None:
    """Write and commit `records` on an autocommit connection: one statement if they fit in one (a
    whole transaction by itself), else a transaction begun with `begin`."""
    if len(records) <= CHUNK:
        statement.execute_many(cursor, records)
        return
    cursor.execute(begin)
    try:
        statement.execute_many(cursor, records)
        cursor.execute("COMMIT")
    except BaseException:
        conn.rollback()
        raise


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
        """Write every record of the group in one transaction, taking turns with the other writers
        (the session's transactions of this process and every writer of the other processes)."""
        turn = self.connections.turn
        if turn is not None:
            turn.acquire()
        try:
            statement = group[0].statement
            if all(member.statement is statement for member in group):
                write_records(conn, cursor, statement, [r for member in group for r in member.records],
                              "BEGIN IMMEDIATE")
            else:
                cursor.execute("BEGIN IMMEDIATE")
                try:
                    for member in group:
                        member.statement.execute_many(cursor, member.records)
                    cursor.execute("COMMIT")
                except BaseException:
                    conn.rollback()
                    raise
        finally:
            if turn is not None:
                turn.release()


# --- API keys -----------------------------------------------------------------------------------

_KEY_COLUMNS = (ApiKey.__table__.c.id, ApiKey.__table__.c.key_hash, ApiKey.__table__.c.role,
                ApiKey.__table__.c.insurer_id, ApiKey.__table__.c.prefix, ApiKey.__table__.c.revoked_at,
                ApiKey.__table__.c.last_used_at, ApiKey.__table__.c.rate_limit, Insurer.__table__.c.status)
_key_statements: dict[str, Prepared] = {}


class KeyRow:
    """An API key as the lookup reads it (with its rate limit), with its insurer's status."""

    __slots__ = ("id", "insurer_id", "key_hash", "last_used_at", "prefix", "rate_limit", "revoked_at", "role",
                 "status")

    def __init__(self, row: Sequence):
        (self.id, self.key_hash, self.role, self.insurer_id, self.prefix, self.revoked_at, self.last_used_at,
         self.rate_limit, self.status) = row


def key_statement(dialect) -> Prepared:
    """The prepared read of a key by its prefix, with its insurer's status (rows for KeyRow)."""
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
    prepared = key_statement(connections.engine.dialect)
    rows = connections.run(lambda cursor: prepared.rows(cursor, [prefix]))
    return KeyRow(rows[0]) if rows else None

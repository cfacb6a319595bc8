"""The hottest reads and writes: prepared statements (services/prepared.py) on DBAPI connections of their own.

On the coverage check (and the key lookup in front of it) SQLAlchemy's per-statement work, the pool's
checkout (with its pre-ping: a round trip on PostgreSQL) and the session's transaction cost more than
the database's own work. So the hot path keeps a few DBAPI connections of its own, made by the engine
(its connect settings apply) and detached from its pool, in autocommit mode: a read takes no lock,
and only the write takes the write lock (on SQLite, in the writers' turn: accelerator/database.py).

On PostgreSQL the statements run on psycopg's RawCursor with PostgreSQL's own placeholders
(prepared.native_dialect): psycopg no longer rewrites the batch's long INSERT on every execute, which
took a 500-check batch from 49-54 to 31-35 ms of CPU in process. A batch's records are one INSERT from
an array a column (prepared.arrays_insert, sent in the binary format: `_binary_lists`), which psycopg
prepares on the server. A batch writes its INSERT and its commit in one round trip (psycopg's pipeline
mode: the statements before its Sync form one implicit transaction, committed at the Sync). A single
check is not pipelined (on the 2-core machine psycopg's pipeline cost more client CPU than the round
trips it saved: 430 µs a check without it, 470-515 with it, in process); it is two round trips: one
statement reads the key and the seller's policies (services/coverage/statements.py, "key_policies"),
then the INSERT is its own transaction (bench/results.md, 2026-12-03).

On SQLite the reads share one read transaction (BEGIN ... COMMIT: after another process's commit
each transaction throws away the connection's page cache, so one costs less than three); the records
are then written by one multi-row INSERT (a whole transaction by itself), or in a BEGIN IMMEDIATE
transaction when they need several statements, in the writers' turn.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import bindparam, event, select
from sqlalchemy.engine import Engine

from accelerator.database import writer_turn
from accelerator.extensions import db
from accelerator.models import ApiKey, Insurer
from accelerator.services.prepared import CHUNK, Prepared, native_dialect

T = TypeVar("T")

__all__ = ["CHUNK", "KEY_BY_PREFIX", "KEY_COLUMNS", "KEY_SOURCE", "HotConnections", "KeyRow", "Link",
           "hot_connections", "key_statement", "read_api_key"]

# --- the hot path's own connections -------------------------------------------------------------


class Link:
    """One of the hot path's connections in use: statements sent, rows fetched, records written."""

    __slots__ = ("conn", "connections", "cursor", "pipelined")

    def __init__(self, connections: HotConnections, conn, cursor, pipelined: bool):
        self.connections = connections
        self.conn = conn
        self.cursor = cursor
        self.pipelined = pipelined  # whether statements sent now come back together (PostgreSQL's pipeline mode)

    @classmethod
    def on_cursor(cls, cursor) -> Link:
        """A link that only reads, on a cursor of someone else's open transaction (nothing pipelined)."""
        return cls(None, None, cursor, False)

    def send(self, statement: Prepared, values: Sequence) -> Callable[[], list]:
        """Send a select now; the returned function gives its rows. In a pipeline, every select sent
        before the first rows are asked for comes back in the same round trip."""
        if not self.pipelined:
            rows = statement.rows(self.cursor, values)
            return lambda: rows
        cursor = self.conn.cursor()
        statement.send(cursor, values)

        def fetch() -> list:
            """The select's rows (the first call in a pipeline receives every result sent so far)."""
            with cursor:
                return statement.fetch(cursor)

        return fetch

    def rows(self, statement: Prepared, values: Sequence) -> list:
        """The rows of a select (sent and fetched)."""
        return self.send(statement, values)()

    def write(self, work: Callable[[], T]) -> T:
        """`work()` (statements on this link's cursor) as one write transaction, in turn with every other
        writer on SQLite: committed when it returns (its result is returned), rolled back when it raises.
        In a pipeline its statements join the pipeline's own transaction (committed at its Sync)."""
        if self.pipelined:
            return work()
        turn = self.connections.turn
        if turn is not None:
            turn.acquire()
        try:
            self.cursor.execute("BEGIN IMMEDIATE" if self.connections.sqlite else "BEGIN")
            try:
                result = work()
                self.cursor.execute("COMMIT")
            except BaseException:
                self.conn.rollback()
                raise
            return result
        finally:
            if turn is not None:
                turn.release()

    def insert(self, statement: Prepared, records: list[Sequence]) -> None:
        """Insert `records` with `statement` (an INSERT of one row, best with its multi-row form) and
        commit them (on PostgreSQL at the pipeline's Sync, when `run` ends)."""
        cursor = self.cursor
        if self.pipelined:
            statement.execute_many(cursor, records)
            return
        turn = self.connections.turn
        one_statement = len(records) == 1 or (len(records) <= CHUNK and statement.multi_row is not None)
        if turn is not None:
            turn.acquire()
        try:
            if one_statement:  # in autocommit mode a whole transaction by itself
                statement.execute_many(cursor, records)
                return
            cursor.execute("BEGIN IMMEDIATE" if self.connections.sqlite else "BEGIN")
            try:
                statement.execute_many(cursor, records)
                cursor.execute("COMMIT")
            except BaseException:
                self.conn.rollback()
                raise
        finally:
            if turn is not None:
                turn.release()


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
        self.turn = writer_turn(engine.url.database) if self.sqlite else None
        self.pipelined = engine.dialect.driver == "psycopg" and _pipeline_supported()  # whether it can be
        # What the hot path's statements are compiled for: on psycopg, its RawCursor's `$1` placeholders.
        self.dialect = native_dialect(engine.dialect)
        event.listen(engine, "engine_disposed", self._on_disposed)

    def _on_disposed(self, _engine: Engine) -> None:
        """The engine's pool was disposed of: so are the kept connections, which the pool no longer knows
        (a forked child only forgets its parent's: closing them would close the parent's sessions too)."""
        if not self._forgot_parents():
            self._drop_kept()

    def _forgot_parents(self) -> bool:
        """In a forked child, forget the parent's kept connections (never used, never closed here) and say so."""
        if self.pid == os.getpid():
            return False
        self.pid, self.free = os.getpid(), []
        return True

    def _take(self) -> tuple[object, object, bool]:
        """A (fairy, DBAPI connection, fresh) triple: a kept connection, or a new one."""
        self._forgot_parents()
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
        if self.dialect is not self.engine.dialect:
            conn.cursor_factory = _raw_cursor()
            _load_json_once(conn)
            _binary_lists(conn)
        return fairy, conn, True

    def _drop_kept(self) -> None:
        """Close and forget every kept connection: the next one taken is made anew."""
        kept, self.free = self.free, []
        for fairy, _conn in kept:
            self._close(fairy)

    @staticmethod
    def _close(fairy) -> None:
        with contextlib.suppress(Exception):  # it is being thrown away because it failed
            fairy.close()

    def run(self, read: Callable[[Link], object], write: Callable[[Link, object], object] | None = None, *,
            snapshot: bool = False, pipeline: bool = False):
        """`read(link)`, then `write(link, read_result)` if given; the last one's result.

        With `snapshot`, the reads on SQLite share one read transaction. A DBAPI error in `read` on a
        connection that had been kept is retried once on a new one (the read changes nothing; the other
        kept connections are thrown away with it); an error in `write` is never retried. With `pipeline`
        (for writes of several statements), on PostgreSQL the run is pipelined: its reads come back as
        they are asked for, and its writes with their commit go in one round trip at the end.
        """
        snapshot = snapshot and self.sqlite
        pipelined = pipeline and self.pipelined
        for attempt in (0, 1):
            fairy, conn, fresh = self._take()
            reading = True
            try:
                with conn.pipeline() if pipelined else contextlib.nullcontext():
                    cursor = conn.cursor()
                    link = Link(self, conn, cursor, pipelined)
                    if snapshot:
                        cursor.execute("BEGIN")
                        result = read(link)
                        cursor.execute("COMMIT")  # the write must not start from this (older) snapshot
                    else:
                        result = read(link)
                    reading = False
                    if write is not None:
                        result = write(link, result)
                cursor.close()
            except self.errors:
                self._close(fairy)
                if fresh or attempt or not reading:
                    raise
                self._drop_kept()  # kept beside it, they are as broken (a restarted server): the retry's is new
                continue
            except BaseException:
                self._close(fairy)
                raise
            self.free.append((fairy, conn))
            return result
        raise AssertionError("unreachable")  # pragma: no cover


def _raw_cursor() -> type:
    """psycopg's cursor that takes PostgreSQL's own placeholders (prepared.native_dialect)."""
    import psycopg

    return psycopg.RawCursor


_PARSED_JSON: dict[bytes, list] = {}  # JSON text -> the list of strings it holds, shared by the process's connections
_PARSED_JSON_MAX = 4096


def _loads_once(data: bytes):
    """Parse a JSON text, once per process for a list of strings (handed out as a copy each time).

    A module-level function, not a closure per connection: psycopg makes a loader class for each function it
    is given, and warns that a closure (a new function each time) leaks them."""
    found = _PARSED_JSON.get(data)
    if found is None:
        found = json.loads(data)
        if type(found) is not list or not all(type(v) is str for v in found) or len(_PARSED_JSON) >= _PARSED_JSON_MAX:
            return found
        _PARSED_JSON[data] = found
    return list(found)


def _load_json_once(conn) -> None:
    """Have psycopg parse each distinct JSON text once (the policies' excluded categories: a handful of lists
    recur over every row a batch reads) on this connection."""
    from psycopg.types.json import set_json_loads

    set_json_loads(_loads_once, conn)


def _binary_lists(conn) -> None:
    """Have psycopg send a list parameter (the batch's records, an array a column: prepared.arrays_insert) in
    PostgreSQL's binary array format on this connection: 1.6-2 ms for a batch's twelve arrays of 500 values,
    against 16 ms in the text format, whose quoting psycopg does value by value."""
    from psycopg.types.array import ListBinaryDumper

    conn.adapters.register_dumper(list, ListBinaryDumper)


def _pipeline_supported() -> bool:
    """Whether psycopg's libpq has pipeline mode (libpq 14 and later)."""
    import psycopg

    return psycopg.Pipeline.is_supported()


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


# --- API keys -----------------------------------------------------------------------------------

# The key's columns, in KeyRow's order (also the first columns of the single check's joined read on PostgreSQL).
KEY_COLUMNS = (ApiKey.__table__.c.id, ApiKey.__table__.c.key_hash, ApiKey.__table__.c.role,
               ApiKey.__table__.c.insurer_id, ApiKey.__table__.c.prefix, ApiKey.__table__.c.revoked_at,
               ApiKey.__table__.c.last_used_at, ApiKey.__table__.c.rate_limit, Insurer.__table__.c.status)
# Where a key is read from, and by what (the bind "prefix"): its row beside its insurer's status. Also the start
# of the single check's joined read on PostgreSQL (services/coverage/statements.py).
KEY_SOURCE = ApiKey.__table__.outerjoin(Insurer.__table__, Insurer.__table__.c.id == ApiKey.__table__.c.insurer_id)
KEY_BY_PREFIX = ApiKey.__table__.c.prefix == bindparam("prefix", type_=ApiKey.__table__.c.prefix.type)
_key_statements: dict[tuple[str, str], Prepared] = {}


class KeyRow:
    """An API key as the lookup reads it (with its rate limit), with its insurer's status."""

    __slots__ = ("id", "insurer_id", "key_hash", "last_used_at", "prefix", "rate_limit", "revoked_at", "role",
                 "status")

    def __init__(self, row: Sequence):
        (self.id, self.key_hash, self.role, self.insurer_id, self.prefix, self.revoked_at, self.last_used_at,
         self.rate_limit, self.status) = row


def key_statement(dialect) -> Prepared:
    """The prepared read of a key by its prefix, with its insurer's status (rows for KeyRow)."""
    key = (dialect.name, dialect.paramstyle)
    prepared = _key_statements.get(key)
    if prepared is None:
        statement = select(*KEY_COLUMNS).select_from(KEY_SOURCE).where(KEY_BY_PREFIX)
        prepared = _key_statements[key] = Prepared(statement, dialect, ["prefix"], KEY_COLUMNS)
    return prepared


def read_api_key(prefix: str, engine: Engine | None = None) -> KeyRow | None:
    """The key with this prefix and its insurer's status, read afresh (never cached), or None."""
    connections = hot_connections(engine)
    prepared = key_statement(connections.dialect)
    rows = connections.run(lambda link: link.rows(prepared, [prefix]))
    return KeyRow(rows[0]) if rows else None

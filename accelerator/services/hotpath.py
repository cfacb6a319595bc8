"""The hottest reads and writes: Core statements compiled once, run on a DBAPI connection of their own.

On the coverage check (and the key lookup in front of it) SQLAlchemy's per-statement work (compiling,
cache keys, result wrapping) and the session's transaction cost more than SQLite's own work. Worse,
on SQLite every session transaction begins with BEGIN IMMEDIATE and so holds the database's write
lock, even to read: concurrent requests then queue on the busy timeout. Statements run here on a
pooled connection outside the session, in the driver's autocommit mode on SQLite, so reads see a
WAL snapshot without any lock and only an explicit write transaction takes the write lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import select

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


def _processor(column, dialect, type_code):
    """The column's result processor, with faster equivalents for the two that dominate a batch."""
    if isinstance(column.type, Money) and dialect.name == "sqlite":
        return _cents
    processor = column.type.dialect_impl(dialect).result_processor(dialect, type_code)
    return _memoized(processor) if isinstance(column.type, StringList) else processor


class Prepared:
    """A Core statement compiled once per dialect, run on a DBAPI cursor.

    Compiling, cache-key hashing and result wrapping cost more than SQLite's own work on this path,
    so they are done once. The SQL is still SQLAlchemy's (compiled from the Core statement for the
    dialect) and values pass through the columns' own type processors, so rows come out exactly as a
    Core select gives them (tests/integration/test_coverage_service.py compares the two).
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

    def _params(self, values: Sequence) -> Sequence | dict:
        processed = [f(v) if f is not None and v is not None else v for f, v in zip(self.bind, values, strict=True)]
        if self.order is not None:
            return [processed[i] for i in self.order]
        return dict(zip(self.names, processed, strict=True))

    def rows(self, cursor, values: Sequence) -> list:
        """Run a select; every row with each column's result processor applied."""
        cursor.execute(self.sql, self._params(values))
        fetched = cursor.fetchall()
        if not self.columns:
            return fetched
        result = self.result
        if result is None:
            # As SQLAlchemy does: each column's processor, told the type code the driver reports.
            result = self.result = [_processor(column, self.dialect, described[1])
                                    for column, described in zip(self.columns, cursor.description, strict=True)]
        return [[f(v) if f is not None else v for f, v in zip(result, row, strict=True)] for row in fetched]

    def execute_many(self, cursor, rows: Sequence[Sequence]) -> None:
        """Run a statement once for every row of values."""
        if len(rows) == 1:
            cursor.execute(self.sql, self._params(rows[0]))
        else:
            cursor.executemany(self.sql, [self._params(row) for row in rows])


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


@contextmanager
def raw_connection() -> Iterator:
    """A pooled DBAPI connection outside the session (any transaction the session holds is ended first,
    since on SQLite it would hold the write lock this connection may need); rolled back on error."""
    if db.session().in_transaction():
        db.session.commit()
    raw = db.engine.raw_connection()
    try:
        yield raw
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()


# SQLite's busy handler waits for the write lock by sleeping (1, 2, 5, 10 ms ...), so writers that
# meet would sleep far longer than the lock is held. They queue instead: threads of one process on a
# lock, processes on an flock of a file beside the database, and each wakes the moment it is free.
_sqlite_writers = threading.Lock()
_lock_files: dict[str, int] = {}


def _lock_file(path: str | None) -> int | None:
    """This process's descriptor of the writers' lock file of a SQLite database file (None in memory)."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    fd = _lock_files.get(path)
    if fd is None:
        fd = _lock_files[path] = os.open(f"{path}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
    return fd


@contextmanager
def write_transaction(raw, cursor) -> Iterator:
    """An explicit write transaction on a raw connection, committed at the end (rolled back on error)."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        yield
        raw.commit()
        return
    with _sqlite_writers:
        fd = _lock_file(engine.url.database)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            # The driver is in autocommit mode on these connections: begin the transaction ourselves.
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                raw.rollback()
                raise
            raw.commit()
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)


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


def read_api_key(prefix: str) -> KeyRow | None:
    """The key with this prefix and its insurer's status, read afresh (never cached), or None."""
    from sqlalchemy import bindparam

    dialect = db.engine.dialect
    prepared = _key_statements.get(dialect.name)
    if prepared is None:
        keys, insurers = ApiKey.__table__, Insurer.__table__
        statement = (select(*_KEY_COLUMNS).select_from(keys.outerjoin(insurers, insurers.c.id == keys.c.insurer_id))
                     .where(keys.c.prefix == bindparam("prefix", type_=keys.c.prefix.type)))
        prepared = _key_statements[dialect.name] = Prepared(statement, dialect, ["prefix"], _KEY_COLUMNS)
    with raw_connection() as raw:
        cursor = raw.driver_connection.cursor()
        rows = prepared.rows(cursor, [prefix])
        cursor.close()
        raw.commit()
    return KeyRow(rows[0]) if rows else None

"""Core statements compiled once per dialect and run on a DBAPI cursor, with the columns' own conversions.

SQLAlchemy's per-statement work (cache keys, execution context, bind and result processing call by
call, result wrapping) costs more than SQLite's own work on the busiest paths (reporting a policy: 2.2
ms in process with Core statements, 1.7-2.1 ms with these; bench/results.md). A `Prepared` statement
keeps SQLAlchemy's SQL and type conversions but does that work once: the coverage hot path
(services/hotpath.py, services/coverage/) and the insurer API's busiest writes
(services/session_writes.py) run on it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, bindparam, cast, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY

from accelerator.models.types import Money, StringList, UTCDateTime


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


def _utc_datetime(value):
    """A UTCDateTime from SQLite (stored `YYYY-MM-DD HH:MM:SS.ffffff`, in UTC) as UTCDateTime gives it."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _boolean(value):
    """A BOOLEAN from SQLite (0 or 1) as a bool."""
    return None if value is None else bool(value)


def _processor(column, dialect, type_code):
    """The column's result processor, with faster equivalents for those that dominate the hot path."""
    if dialect.name == "postgresql" and isinstance(column.type, Money):
        return None  # NUMERIC(14,2) comes back as a Decimal of two places: Money's quantize changes nothing
    if dialect.driver == "psycopg" and isinstance(column.type, StringList):
        return None  # psycopg parses the JSON into a new list (hotpath: a copy); StringList would copy it again
    if dialect.name == "sqlite":
        if isinstance(column.type, Money):
            return _cents
        if isinstance(column.type, Date):
            return _iso_date
        if isinstance(column.type, UTCDateTime):
            return _utc_datetime
        if isinstance(column.type, Boolean):
            return _boolean
    processor = column.type.dialect_impl(dialect).result_processor(dialect, type_code)
    return _memoized(processor) if isinstance(column.type, StringList) else processor


def _row_converter(processors: Sequence) -> Callable[[Sequence], list]:
    """A function of a row giving a list with each non-None value passed through its column's
    processor; the loop visits only the columns that have one (a third of the policy's)."""
    steps = tuple((i, processor) for i, processor in enumerate(processors) if processor is not None)

    def convert(row: Sequence) -> list:
        values = list(row)
        for i, processor in steps:
            value = values[i]
            if value is not None:
                values[i] = processor(value)
        return values

    return convert


def _params_converter(processors: Sequence, sources: Sequence[int],
                      names: Sequence[str] | None = None) -> Callable[[Sequence], list | dict]:
    """A function of the values in bind order giving the driver's parameters: the values at
    `sources`, in that order, each through its bind processor (a dict by `names` if given)."""
    sources = tuple(sources)
    reorder = None if sources == tuple(range(len(sources))) else sources
    convert = _row_converter([processors[source] for source in sources])
    if names is None:
        if reorder is None:
            return convert
        return lambda values: convert([values[i] for i in reorder])
    names = tuple(names)
    return lambda values: dict(zip(names, convert(values), strict=True))


_native: dict[int, object] = {}


def native_dialect(dialect):
    """The dialect to compile for a psycopg RawCursor (PostgreSQL's own `$1` placeholders), else `dialect`.

    psycopg rewrites `%(name)s` placeholders with a regular expression on every execute of a statement
    longer than its cache allows: 12 ms for the batch's 50-row INSERT (600 parameters) under cProfile,
    the largest single cost of a 500-check batch on PostgreSQL. A RawCursor takes the SQL as it is.
    """
    if dialect.driver != "psycopg":
        return dialect
    found = _native.get(id(dialect))
    if found is None:
        found = copy.copy(dialect)  # the same types and settings; only the placeholders differ
        found.paramstyle, found.positional = "numeric_dollar", True
        _native[id(dialect)] = found
    return found


# The most rows one multi-row INSERT writes (12 columns: 600 parameters, far below either database's limit).
CHUNK = 50


def arrays_insert(table, names: Sequence[str], dialect) -> str:
    """An INSERT of any number of rows into `names` of `table` from one array parameter a column (PostgreSQL's
    unnest, in the rows' order), for psycopg's RawCursor.

    psycopg prepares a statement on the server once it has seen it five times with the same parameter types;
    a None is sent untyped and an int as int2 or int4 by its size, so a multi-row INSERT's 600 parameters almost
    never repeat their types: it was parsed and planned anew on every execute (6-8 ms of the server's CPU a
    batch of 500; bench/results.md, 2026-12-03). Twelve arrays have a handful of type combinations."""
    arrays = [cast(bindparam(f"a{i}"), ARRAY(table.c[name].type)) for i, name in enumerate(names)]
    rows = func.unnest(*arrays).table_valued(*names).render_derived(name="records")
    return insert(table).from_select(list(names), select(*rows.c)).compile(dialect=dialect).string


class Prepared:
    """A Core statement compiled once per dialect, run on a DBAPI cursor.

    Compiling, cache-key hashing and result wrapping cost more than SQLite's own work on this path,
    so they are done once. The SQL is still SQLAlchemy's (compiled from the Core statement for the
    dialect) and values pass through the columns' own type processors (or exact equivalents), so rows
    come out as a Core select gives them (tests/integration/test_coverage_service.py compares the two).
    """

    def __init__(self, statement, dialect, params: Sequence[str], columns: Sequence = (),
                 rows: Callable[[int], Prepared] | None = None):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        params = list(params)
        bind = [compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in params]
        positions = compiled.positiontup  # the order of positional parameters; None for the named style
        if positions:
            self.params = _params_converter(bind, [params.index(name) for name in positions])
        else:
            self.params = _params_converter(bind, range(len(params)), params)
        self.dialect = dialect
        self.columns = list(columns)
        self.convert: Callable | None = None  # made at the first run, from the driver's column types
        # For an INSERT of one row: the same INSERT of n rows in one statement (parameters row after row).
        self.multi_row = rows
        # For an INSERT of one row on psycopg: the same INSERT of n rows from one array a column (`arrays_insert`).
        self.arrays_sql: str | None = None

    def rows(self, cursor, values: Sequence) -> list:
        """Run a select; every row (a list) with each column's result processor applied."""
        self.send(cursor, values)
        return self.fetch(cursor)

    def send(self, cursor, values: Sequence) -> None:
        """Execute the statement with `values` (in a pipeline: send it)."""
        cursor.execute(self.sql, self.params(values))

    def fetch(self, cursor) -> list:
        """The rows of the select last executed on `cursor`, each column through its result processor."""
        fetched = cursor.fetchall()
        if not self.columns:
            return fetched
        convert = self.convert
        if convert is None:
            # As SQLAlchemy does: each column's processor, told the type code the driver reports.
            processors = [_processor(column, self.dialect, described[1])
                          for column, described in zip(self.columns, cursor.description, strict=True)]
            convert = self.convert = _row_converter(processors)
        return [convert(row) for row in fetched]

    def execute_many(self, cursor, rows: Sequence[Sequence]) -> None:
        """Run a statement for every row of values: an INSERT with an array form (psycopg: `arrays_insert`) in
        one statement, one with a multi-row form in statements of up to CHUNK rows, anything else by executemany.

        Few statements matter on SQLite: the driver releases the GIL for every statement (and every
        row of an executemany), and each time a thread doing Python work may keep it for up to the
        switch interval (5 ms), while this one holds the write lock.
        """
        if len(rows) == 1:
            cursor.execute(self.sql, self.params(rows[0]))
        elif self.arrays_sql is not None:
            params = self.params
            columns = zip(*[params(row) for row in rows], strict=True)
            cursor.execute(self.arrays_sql, [list(column) for column in columns])
        elif self.multi_row is not None:
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start:start + CHUNK]
                statement = self.multi_row(len(chunk))
                cursor.execute(statement.sql, statement.params([value for row in chunk for value in row]))
        else:
            params = self.params
            cursor.executemany(self.sql, [params(row) for row in rows])

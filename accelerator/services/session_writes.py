"""Raw DBAPI statements inside the session's transaction, for the busiest writes of the insurer API.

Reporting a policy writes four rows (the seller if new, the policy, its audit entry) and reads one;
through SQLAlchemy each statement costs more Python than the database spends on it (execution
context, bind processing per call, result wrapping). Here each statement is compiled once per
dialect by SQLAlchemy (`prepared.Prepared`: the same SQL and the same column type conversions) and
run on the DBAPI cursor of the session's own connection, so it is part of the session's transaction
(on SQLite: begun with BEGIN IMMEDIATE in the writers' turn) and commits or rolls back with it.

Column defaults are not applied here: callers give every NOT NULL column a value.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Table, bindparam, insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from accelerator.extensions import db
from accelerator.services.prepared import Prepared

_UPSERTS = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}
_prepared: dict[tuple, Prepared] = {}


class SessionWriter:
    """The session's transaction (begun here if need be), seen as a DBAPI cursor with prepared statements."""

    def __init__(self, cursor=None, dialect=None):
        """On the session's transaction; or, given both, on `cursor` of a transaction the caller holds on
        another connection (the hot path's: services/claim_case_opening.py), compiled for `dialect`."""
        if cursor is None:
            connection = db.session.connection()
            cursor, dialect = connection.connection.cursor(), connection.dialect
        self.dialect = dialect
        self.cursor = cursor
        self._integrity_error = self.dialect.loaded_dbapi.IntegrityError

    def rows(self, key: str, build, values: Sequence) -> list:
        """The rows of a select built once per dialect by `build()` -> (statement, bind names, columns)."""
        dialect = self.dialect
        prepared = _prepared.get((dialect.name, dialect.paramstyle, key))
        if prepared is None:
            statement, names, columns = build()
            prepared = _prepared[(dialect.name, dialect.paramstyle, key)] = Prepared(statement, dialect, names,
                                                                                    columns)
        return prepared.rows(self.cursor, values)

    def insert(self, table: Table, values: dict, *, returning: Column | None = None,
               unless_exists: str | None = None):
        """Insert one row of `values` (column -> value); with `returning`, that column's value.

        `unless_exists`: a unique column; a row that already has this value is left alone and
        nothing is inserted (ON CONFLICT DO NOTHING, race-free on both databases; with `returning`,
        None then). A constraint violation raises SQLAlchemy's IntegrityError, as a session statement would.
        """
        names = tuple(values)
        key = (self.dialect.name, self.dialect.paramstyle, table.name, names,
               None if returning is None else returning.name, unless_exists)
        prepared = _prepared.get(key)
        if prepared is None:
            binds = {name: bindparam(name, type_=table.c[name].type) for name in names}
            if unless_exists is None:
                statement = insert(table).values(binds)
            else:
                statement = _UPSERTS[self.dialect.name](table).values(binds).on_conflict_do_nothing(
                    index_elements=[unless_exists])
            if returning is not None:
                statement = statement.returning(returning)
            prepared = _prepared[key] = Prepared(statement, self.dialect, names,
                                                 [returning] if returning is not None else ())
        try:
            if returning is not None:
                found = prepared.rows(self.cursor, list(values.values()))
                return found[0][0] if found else None  # none: unless_exists found the value taken
            self.cursor.execute(prepared.sql, prepared.params(list(values.values())))
        except self._integrity_error as exc:
            raise IntegrityError(prepared.sql, None, exc) from exc
        return None

"""API keys' rate limits: each request of a limited key is counted in its one-second window, in the database.

Every worker and app server shares the count: one atomic statement (INSERT ... ON CONFLICT DO UPDATE
... RETURNING, on SQLite and PostgreSQL alike) counts the request and returns the window's count. Each
limited key keeps a single row, overwritten when a new second starts, so old windows never pile up.
A key without a limit never reaches this module. The session's requests count with `count_request`;
the coverage hot path counts with `count_request_hot` (the same statement, prepared once) in the
transaction that writes the check's record, so a limited key's check stays on the hot path.
"""

from __future__ import annotations

import math

from sqlalchemy import bindparam, case, literal_column
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from accelerator import clock
from accelerator.domain.errors import RateLimited
from accelerator.extensions import db
from accelerator.models import ApiKeyWindow
from accelerator.services.prepared import Prepared

_WINDOWS = ApiKeyWindow.__table__
_prepared: dict[str, Prepared] = {}


def _count_statement(dialect_name: str):
    """The counting upsert, with the key's id and the current second as parameters; returns (count, window)."""
    insert = pg_insert if dialect_name == "postgresql" else sqlite_insert
    col = _WINDOWS.c
    one = literal_column("1")  # a constant in the SQL, not a parameter
    statement = insert(_WINDOWS).values(api_key_id=bindparam("api_key_id", type_=col.api_key_id.type),
                                        window_start=bindparam("window_start", type_=col.window_start.type),
                                        count=one)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[col.api_key_id],
        # A new second starts the count again; a request stamped in an older second (another server's
        # clock lagging) is counted in the current window.
        set_={"count": case((new.window_start > col.window_start, one), else_=col.count + one),
              "window_start": case((new.window_start > col.window_start, new.window_start),
                                   else_=col.window_start)},
    ).returning(col.count, col.window_start)


def _refuse_over(count: int, window_start: int, now: float, rate_limit: int) -> None:
    """RateLimited (429, Retry-After until the window ends, at least one second) once the window holds more."""
    if count > rate_limit:
        retry_after = max(1, math.ceil(window_start + 1 - now))
        raise RateLimited(f"This key is limited to {rate_limit} requests a second.", retry_after=retry_after)


def count_request(api_key_id: int, rate_limit: int) -> None:
    """Count one request of a key limited to `rate_limit` a second and commit it; raises RateLimited
    (429, Retry-After until the window ends, at least one second) once the window holds more."""
    now = clock.now().timestamp()
    statement = _count_statement(db.session.get_bind().dialect.name)
    count, window_start = db.session.execute(statement, {"api_key_id": api_key_id, "window_start": int(now)}).one()
    db.session.commit()
    _refuse_over(count, window_start, now, rate_limit)


def count_request_hot(dialect, cursor, api_key_id: int, rate_limit: int) -> RateLimited | None:
    """As `count_request`, on the cursor of a hot path write transaction (the caller commits, with what
    it writes next): the RateLimited to raise once that commit is done, or None."""
    prepared = _prepared.get(dialect.name)
    if prepared is None:
        prepared = _prepared[dialect.name] = Prepared(_count_statement(dialect.name), dialect,
                                                      ["api_key_id", "window_start"])
    now = clock.now().timestamp()
    count, window_start = prepared.rows(cursor, [api_key_id, int(now)])[0]
    try:
        _refuse_over(count, window_start, now, rate_limit)
    except RateLimited as refusal:
        return refusal
    return None

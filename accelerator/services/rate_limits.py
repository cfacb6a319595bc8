"""API keys' rate limits: each request of a limited key is counted in its one-second window, in the database.

Every worker and app server shares the count: one atomic statement (INSERT ... ON CONFLICT DO UPDATE
... RETURNING, on SQLite and PostgreSQL alike) counts the request and returns the window's count. Each
limited key keeps a single row, overwritten when a new second starts, so old windows never pile up.
A key without a limit never reaches this module.
"""

from __future__ import annotations

import math

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from accelerator import clock
from accelerator.domain.errors import RateLimited
from accelerator.extensions import db
from accelerator.models import ApiKeyWindow

_WINDOWS = ApiKeyWindow.__table__


def count_request(api_key_id: int, rate_limit: int) -> None:
    """Count one request of a key limited to `rate_limit` a second and commit it; raises RateLimited
    (429, Retry-After until the window ends, at least one second) once the window holds more."""
    now = clock.now().timestamp()
    second = int(now)
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(_WINDOWS).values(api_key_id=api_key_id, window_start=second, count=1)
    col, new = _WINDOWS.c, statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=[col.api_key_id],
        # A new second starts the count again; a request stamped in an older second (another server's
        # clock lagging) is counted in the current window.
        set_={"count": case((new.window_start > col.window_start, 1), else_=col.count + 1),
              "window_start": case((new.window_start > col.window_start, new.window_start),
                                   else_=col.window_start)},
    ).returning(col.count, col.window_start)
    count, window_start = db.session.execute(statement).one()
    db.session.commit()
    if count > rate_limit:
        retry_after = max(1, math.ceil(window_start + 1 - now))
        raise RateLimited(f"This key is limited to {rate_limit} requests a second.", retry_after=retry_after)

"""API keys' rate limits: at most N answered requests of a key in each one-second window, across every
worker and app server.

The shared count is one row per limited key (api_key_windows), overwritten when a new second starts,
so old windows never pile up. Counting every request there cost a limited key's coverage check 7.6%
of its rate (an upsert in the record's transaction; bench/results.md, "Rate-limited keys"), so each
process takes its slots in blocks: one atomic statement (INSERT ... ON CONFLICT DO UPDATE ...
RETURNING, on SQLite and PostgreSQL alike) adds a block of `block_size(N)` slots to the second's
count and returns it; the process then answers requests from its block, in memory, until the block
is spent or the second ends (unused slots lapse with it). What that guarantees:

- At most N requests of a key are answered in any second, however many processes serve it: each
  answered request spends a slot, and the statement hands out slots only up to N.
- A request is refused only when all N slots of the second are handed out, so early only by the
  slots other processes hold unused: under 1% of N (`block_size` - 1) for each process serving the
  key in that second (for each of its threads that found the block empty at once, under gthread).
  Up to 100 requests a second a block is one slot: every request is counted in the database, exact
  both ways.
- A process told that the second is full refuses the rest of it (429, Retry-After until the second
  ends) without asking the database again: the count only grows within a second.

A key without a limit never reaches this module. A forked process starts with no blocks (its
parent's unused slots are the parent's).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable

from sqlalchemy import bindparam, case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from accelerator import clock
from accelerator.domain.errors import RateLimited
from accelerator.extensions import db
from accelerator.models import ApiKeyWindow
from accelerator.services.prepared import Prepared

_WINDOWS = ApiKeyWindow.__table__
_NS = 1_000_000_000
BLOCK_SHARE = 100  # a block is 1/100 of the limit: what a process may hold unused (see the docstring)

# Reserves `slots` slots of the second `window_start` for a key: the statement's (count, window_start).
Reserve = Callable[[int, int], tuple[int, int]]


def block_size(rate_limit: int) -> int:
    """The slots a process reserves at a time for a key limited to `rate_limit` a second."""
    return -(-rate_limit // BLOCK_SHARE)  # 1 under 101 a second; 1,000 for the highest limit, 100,000


class _Block:
    """A process's slots of one second for one key: how many are left, and whether the second is full."""

    __slots__ = ("full", "left", "second", "window_start")

    def __init__(self, second: int, left: int, full: bool, window_start: int):
        self.second = second  # this process's second (its clock), which the slots are spent in
        self.left = left
        self.full = full  # no slot left in the database either: refuse the rest of the second
        self.window_start = window_start  # the database's window (another server's clock may lead)


# By key prefix, not id: a test's database made afresh gives a new key an old id, never an old prefix.
_blocks: dict[str, _Block] = {}
_lock = threading.Lock()  # gthread workers serve requests of one process on several threads
os.register_at_fork(after_in_child=_blocks.clear)


def _count_statement(dialect_name: str):
    """The counting upsert: `slots` more for the key in the second `window_start`; returns (count, window_start)."""
    insert = pg_insert if dialect_name == "postgresql" else sqlite_insert
    col = _WINDOWS.c
    slots = bindparam("slots", type_=col.count.type)
    statement = insert(_WINDOWS).values(api_key_id=bindparam("api_key_id", type_=col.api_key_id.type),
                                        window_start=bindparam("window_start", type_=col.window_start.type),
                                        count=slots)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[col.api_key_id],
        # A new second starts the count again; slots asked for in an older second (another server's
        # clock lagging) are counted in the current window.
        set_={"count": case((new.window_start > col.window_start, new.count), else_=col.count + new.count),
              "window_start": case((new.window_start > col.window_start, new.window_start),
                                   else_=col.window_start)},
    ).returning(col.count, col.window_start)


def _refusal(rate_limit: int, window_start: int, now_ns: int) -> RateLimited:
    """The 429: Retry-After until the window ends, at least one second."""
    retry_after = max(1, math.ceil(window_start + 1 - now_ns / _NS))
    return RateLimited(f"This key is limited to {rate_limit} requests a second.", retry_after=retry_after)


def spend_slot(key_prefix: str, rate_limit: int, reserve: Reserve) -> RateLimited | None:
    """Spend one of this second's slots for a request of a key (by its prefix) limited to `rate_limit` a second: from
    the process's block, or from a new one `reserve` takes in the database. None when the request may
    be answered; else the RateLimited to answer it with."""
    now_ns = clock.now_ns()
    second = now_ns // _NS
    with _lock:
        block = _blocks.get(key_prefix)
        if block is not None and block.second == second:
            if block.left:
                block.left -= 1
                return None
            if block.full:
                return _refusal(rate_limit, block.window_start, now_ns)
    slots = block_size(rate_limit)
    count, window_start = reserve(slots, second)  # outside the lock: a database round trip
    granted = min(slots, rate_limit - (count - slots))  # of the slots just added, those within the limit
    with _lock:
        block = _blocks.get(key_prefix)
        if block is None or block.second != second:
            block = _blocks[key_prefix] = _Block(second, 0, False, window_start)
        # Another thread of this process may have reserved a block for the same second meanwhile.
        block.left += max(0, granted - 1)
        block.full = block.full or count >= rate_limit
        block.window_start = window_start
    return None if granted > 0 else _refusal(rate_limit, window_start, now_ns)


def count_request(api_key_id: int, key_prefix: str, rate_limit: int) -> None:
    """Count one request of a key limited to `rate_limit` a second (a block reserved through the
    session is committed at once); raises RateLimited (429, Retry-After) when the second is full."""

    def reserve(slots: int, second: int) -> tuple[int, int]:
        statement = _count_statement(db.session.get_bind().dialect.name)
        values = {"api_key_id": api_key_id, "window_start": second, "slots": slots}
        count, window_start = db.session.execute(statement, values).one()
        db.session.commit()
        return count, window_start

    refusal = spend_slot(key_prefix, rate_limit, reserve)
    if refusal is not None:
        raise refusal


_prepared: dict[str, Prepared] = {}


def hot_reserve(dialect, run_write: Callable[[Callable[[], list]], list], cursor, api_key_id: int) -> Reserve:
    """`Reserve` for the coverage hot path: the counting upsert prepared once per dialect, run on
    `cursor` as its own write transaction by `run_write` (the hot path's Link.write)."""
    prepared = _prepared.get(dialect.name)
    if prepared is None:
        prepared = _prepared[dialect.name] = Prepared(_count_statement(dialect.name), dialect,
                                                      ["api_key_id", "window_start", "slots"])

    def reserve(slots: int, second: int) -> tuple[int, int]:
        count, window_start = run_write(lambda: prepared.rows(cursor, [api_key_id, second, slots]))[0]
        return count, window_start

    return reserve

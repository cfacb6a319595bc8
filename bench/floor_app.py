"""A bound for the coverage benchmark: a check's SQLite work and nothing else, as a raw WSGI app.

    DATABASE=bench/out/bench-1m.sqlite3 .venv/bin/gunicorn --chdir bench floor_app:app   (same settings)

Each request does what a single check does in SQLite (sqlite_floor.py's statements: the key and the
seller's policies read in one transaction, then the record's INSERT, in turn with the other writers
as the app's hot path takes turns) and answers a fixed small JSON object: no Flask, no parsing beyond
the seller ID, no decision, no answer text. Its requests/s, against the bare Flask endpoint's under the
same gunicorn settings, is the most a check could reach with a durable SQLite write per request.
"""

import fcntl
import gc
import os
import sqlite3
from urllib.parse import parse_qs

from sqlite_floor import KEY, POLICIES, RECORD

from accelerator import clock

DATABASE = os.environ["DATABASE"]
_BODY = b'{"status":"covered","covered_amount":"250.00"}'
_ANSWER = "x" * 900
_state: dict = {}


def _connection():
    """This process's connection, its key prefix and its writers' lock file (made on first use)."""
    if _state.get("pid") != os.getpid():
        conn = sqlite3.connect(DATABASE, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
            conn.execute(f"PRAGMA {pragma}")
        prefix = conn.execute("SELECT prefix FROM api_keys WHERE role = 'marketplace' LIMIT 1").fetchone()[0]
        lock = os.open(f"{DATABASE}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
        _state.update(pid=os.getpid(), conn=conn, prefix=prefix, lock=lock)
    return _state["conn"], _state["prefix"], _state["lock"]


def app(environ, start_response):
    """Read the key and the seller's policies, write the record, answer a fixed object."""
    conn, prefix, lock = _connection()
    seller = parse_qs(environ.get("QUERY_STRING", "")).get("seller_id", ["?"])[0]
    cursor = conn.cursor()
    cursor.execute("BEGIN")
    cursor.execute(KEY, (prefix,)).fetchall()
    cursor.execute(POLICIES, (seller,)).fetchall()
    cursor.execute("COMMIT")
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        cursor.execute(RECORD, (f"chk_{clock.now_ns() // 1_000_000:012x}{os.urandom(8).hex()}",
                                "2026-11-24 01:00:00.000000", seller, "2026-01-01", 100000, None, "covered",
                                "insurer", 100000, None, None, _ANSWER))
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(_BODY)))])
    return [_BODY]


gc.freeze()

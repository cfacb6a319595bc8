"""What SQLite alone costs a single coverage check: its statements, run with no application around them.

    .venv/bin/python bench/sqlite_floor.py                 # 1 and 2 processes on bench/out/bench-1m.sqlite3
    .venv/bin/python bench/sqlite_floor.py --processes 4 --database bench/out/bench-10k.sqlite3

Each process runs, per check, what the hot path runs (services/coverage/): a read transaction with
the key lookup (joined to its insurer) and the seller's policies, then the record's INSERT in
autocommit mode (a transaction by itself), with the app's connection settings (WAL, synchronous
NORMAL) and a 900-byte answer text. No Python beyond the loop: the figure is a floor for the check's
cost, to set against the bare Flask endpoint's (bench/results.md). A benchmark, not a test; it adds
records to the database it is pointed at.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import time
from pathlib import Path

from forked import in_processes  # bench/forked.py (this folder is on the path when run as a script)

from accelerator import clock

OUT = Path(__file__).resolve().parent / "out"
KEY = ("SELECT k.id, k.key_hash, k.role, k.insurer_id, k.prefix, k.revoked_at, k.last_used_at, i.status "
       "FROM api_keys AS k LEFT OUTER JOIN insurers AS i ON i.id = k.insurer_id WHERE k.prefix = ?")
POLICIES = ("SELECT id, seller_id, policy_number, insurer_id, insurer_name, insurer_naic_code, insurer_rating, source, "
            "verification, effective_date, expiration_date, cancellation_date, per_occurrence_limit, aggregate_limit, "
            "claims_paid, deductible, occurrence_based, additional_insured, excluded_categories "
            "FROM policies WHERE seller_id = ?")
RECORD = ("INSERT INTO coverage_checks (check_id, checked_at, seller_id, incident_date, amount, category, status, "
          "route, covered_amount, policy_id, api_key_id, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _checks(database: Path, sellers: list[str], count: int, seed: int) -> tuple[float, float]:
    """`count` checks' statements on one connection; CPU and wall µs per check."""
    conn = sqlite3.connect(database, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000"):
        conn.execute(f"PRAGMA {pragma}")
    cursor = conn.cursor()
    prefix = conn.execute("SELECT prefix FROM api_keys WHERE role = 'marketplace' LIMIT 1").fetchone()[0]
    rng = random.Random(seed)
    chosen = [rng.choice(sellers) for _ in range(count)]
    answer = "x" * 900
    cpu, wall = time.process_time(), time.perf_counter()
    for seller in chosen:
        cursor.execute("BEGIN")
        cursor.execute(KEY, (prefix,)).fetchall()
        cursor.execute(POLICIES, (seller,)).fetchall()
        cursor.execute("COMMIT")
        cursor.execute(RECORD, (f"chk_{clock.now_ns() // 1_000_000:012x}{os.urandom(8).hex()}",
                                "2026-11-24 01:00:00.000000", seller, "2026-01-01", 100000, None, "covered",
                                "insurer", 100000, None, None, answer))
    return (time.process_time() - cpu) / count * 1e6, (time.perf_counter() - wall) / count * 1e6


def run(database: Path, sellers: list[str], count: int, processes: int) -> dict:
    """The checks in `processes` processes at once; each one's CPU µs per check."""
    results = in_processes(processes, lambda number: _checks(database, sellers, count, number))
    return {"processes": processes, "cpu_us_each": [round(cpu, 1) for cpu, _wall in results],
            "cpu_us_mean": round(sum(cpu for cpu, _wall in results) / processes, 1)}


def main() -> None:
    """Measure with 1 and 2 processes (or --processes)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=OUT / "bench-1m.sqlite3")
    parser.add_argument("--checks", type=int, default=4000, help="checks per process")
    parser.add_argument("--processes", type=int, help="only this many processes")
    args = parser.parse_args()
    sellers = (args.database.parent / args.database.stem / "sellers.txt").read_text().split()
    for processes in [args.processes] if args.processes else [1, 2]:
        print(json.dumps(run(args.database, sellers, args.checks, processes)))


if __name__ == "__main__":
    main()

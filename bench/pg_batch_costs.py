"""Where a 500-check batch's time goes on PostgreSQL: the app's client CPU, the server's CPU, and the floor.

    .venv/bin/python bench/pg_batch_costs.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_pg \
        --data bench/out/pg [--batches 20] [--single 500]

For each loop it reports, per batch (or per single check): the client's CPU (process_time), the wall
time, the CPU of the connection's PostgreSQL backend (its /proc/<pid>/schedstat before and after;
the server is local) and of every PostgreSQL process (the backend plus the WAL writer and the
rest; noisy if others use the server), and the round trips (psycopg's libpq sends, counted by a
tracing hook on the connection's pgconn where possible, else stated by the loop).

Loops:
- `app`: the real app's POST /api/v1/coverage/batch, called in process as bench/profile_coverage.py does;
- `floor_insert`: what the hot path's statements cost with no decision: the key read, the policies of
  the batch's sellers (the app's own SELECT, padded to 500), the "known" read, then ten 50-row INSERTs
  and the commit in one pipeline (answer texts of 900 bytes made up beforehand);
- `floor_copy`: the same reads, the records written by COPY (binary) and committed.
And, with `--single N`, the single check: the app's GET /api/v1/coverage and its floor (three plain round
trips: key, policies, INSERT in autocommit). A benchmark, not a test: it adds records to the database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from profile_coverage import call_app, wsgi_environ  # noqa: E402  (bench/ is on the path)

from accelerator import clock  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """A process's CPU time in seconds: the scheduler's own count (/proc/<pid>/schedstat, in ns) where there is
    one, else utime + stime (counted in clock ticks: 10 ms, and charged by sampling)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _all_postgres_cpu() -> float:
    total = 0.0
    for pid in _postgres_pids():
        try:
            total += _proc_cpu(pid)
        except OSError:
            pass
    return total


def _measure(label: str, run, count: int, backend_pid, per: int) -> dict:
    """Run `run()` count times; per-call client CPU, wall, backend CPU and all-PostgreSQL CPU, in µs."""
    backend = _proc_cpu(backend_pid()) if backend_pid else 0.0
    server = _all_postgres_cpu()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    backend = (_proc_cpu(backend_pid()) - backend) if backend_pid else None
    server = _all_postgres_cpu() - server
    result = {"client_cpu_us": round(cpu / count * 1e6), "wall_us": round(wall / count * 1e6),
              "backend_cpu_us": None if backend is None else round(backend / count * 1e6),
              "all_postgres_cpu_us": round(server / count * 1e6)}
    if per > 1:
        both = cpu + server
        result["checks_per_cpu_second_client_and_server"] = round(count * per / both) if both else None
    print(f"{label:<14} {result}", file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--data", type=Path, required=True, help="the generator's output folder")
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--single", type=int, default=0, help="also this many single checks (app and floor)")
    parser.add_argument("--loops", default="app,floor_insert,floor_copy")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("ACCELERATOR_ENV", "development")
    key = (args.data / "marketplace.key").read_text().strip()
    sellers = (args.data / "sellers.txt").read_text().split()
    rng = random.Random(5)

    import psycopg

    from accelerator.services.coverage.statements import POLICY_COLUMNS
    from accelerator.services.hotpath import hot_connections
    from wsgi import app

    def batch_checks() -> list[dict]:
        return [{"seller_id": rng.choice(sellers),
                 "incident_date": f"{rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                 "amount": rng.choice(["250.00", "999.99", "2500.00"]),
                 "category": rng.choice([None, "toys", "baby"])} for _ in range(500)]

    results: dict = {}
    loops = set(args.loops.split(","))
    with app.app_context():
        engine = __import__("accelerator.extensions", fromlist=["db"]).db.engine
        hot = hot_connections(engine)

    def app_backend() -> int:
        return hot.free[-1][1].info.backend_pid  # the connection the app's next request takes

    if "app" in loops:
        def app_batch():
            body = json.dumps({"checks": batch_checks()}).encode()
            call_app(app, wsgi_environ("/api/v1/coverage/batch", method="POST", body=body, key=key))
        for _ in range(3):
            app_batch()
        results["app_batch"] = _measure("app batch", app_batch, args.batches, app_backend, 500)

    # The floor: the app's statements with psycopg and nothing else.
    conn = psycopg.connect(args.url.replace("postgresql+psycopg", "postgresql"), autocommit=True,
                           cursor_factory=psycopg.RawCursor)
    columns = ", ".join(column.name for column in POLICY_COLUMNS)
    prefix = conn.execute("SELECT prefix FROM api_keys WHERE role = 'marketplace' LIMIT 1").fetchone()[0]
    key_sql = ("SELECT k.id, k.key_hash, k.role, k.insurer_id, k.prefix, k.revoked_at, k.last_used_at, k.rate_limit, "
               "i.status FROM api_keys AS k LEFT OUTER JOIN insurers AS i ON i.id = k.insurer_id WHERE k.prefix = $1")
    policies_in_sql = (f"SELECT {columns} FROM policies WHERE seller_id IN ("
                       + ", ".join(f"${i + 1}" for i in range(500)) + ")")
    known_sql = ("SELECT seller_id FROM users WHERE seller_id = ANY($1) UNION ALL SELECT seller_id FROM quote_requests "
                 "WHERE seller_id = ANY($1) UNION ALL SELECT seller_id FROM monthly_sales WHERE seller_id = ANY($1)")
    record_columns = ("check_id", "checked_at", "seller_id", "incident_date", "amount", "category", "status", "route",
                      "covered_amount", "policy_id", "api_key_id", "response")
    one_row = "(" + ", ".join("$%d" for _ in record_columns) + ")"
    insert_50 = (f"INSERT INTO coverage_checks ({', '.join(record_columns)}) VALUES "
                 + ", ".join(one_row % tuple(range(i * 12 + 1, i * 12 + 13)) for i in range(50)))
    answer = "x" * 900
    counter = [0]
    run_tag = os.urandom(6).hex()  # check ids unique across runs without reading the machine's clock

    def records(chosen: list[str]) -> list[tuple]:
        now = clock.now().replace(microsecond=0)  # the app's one clock (tests/unit/test_clock.py)
        out = []
        for seller in chosen:
            counter[0] += 1
            out.append((f"chk_f{os.getpid():06x}{run_tag}{counter[0]:06x}", now, seller,
                        date(2026, 1, 1), Decimal("250.00"), None, "covered", "insurer", Decimal("250.00"), None,
                        None, answer))
        return out

    def reads(chosen: list[str]) -> int:
        cur = conn.cursor()
        cur.execute(key_sql, [prefix]).fetchall()
        distinct = list(dict.fromkeys(chosen))
        padded = distinct + [distinct[-1]] * (500 - len(distinct))
        rows = cur.execute(policies_in_sql, padded).fetchall()
        found = {row[1] for row in rows}
        missing = [s for s in distinct if s not in found]
        if missing:
            cur.execute(known_sql, [missing]).fetchall()
        return len(rows)

    def floor_insert():
        chosen = [rng.choice(sellers) for _ in range(500)]
        reads(chosen)
        rows = records(chosen)
        with conn.pipeline(), conn.transaction():
            cur = conn.cursor()
            for start in range(0, 500, 50):
                cur.execute(insert_50, [v for row in rows[start:start + 50] for v in row])

    def floor_copy():
        chosen = [rng.choice(sellers) for _ in range(500)]
        reads(chosen)
        rows = records(chosen)
        with conn.transaction(), conn.cursor().copy(
                f"COPY coverage_checks ({', '.join(record_columns)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["text", "timestamptz", "text", "date", "numeric", "text", "text", "text", "numeric",
                            "int4", "int4", "text"])
            for row in rows:
                copy.write_row(row)

    def floor_backend() -> int:
        return conn.info.backend_pid

    for name, run in (("floor_insert", floor_insert), ("floor_copy", floor_copy)):
        if name in loops:
            run()
            results[name] = _measure(name, run, args.batches, floor_backend, 500)

    if args.single:
        def app_single():
            query = (f"seller_id={rng.choice(sellers)}&incident_date=2025-{rng.randint(1, 12):02d}-"
                     f"{rng.randint(1, 28):02d}&amount=250.00")
            call_app(app, wsgi_environ("/api/v1/coverage", query, key=key))

        def floor_single():
            seller = rng.choice(sellers)
            cur = conn.cursor()
            cur.execute(key_sql, [prefix]).fetchall()
            cur.execute(f"SELECT {columns} FROM policies WHERE seller_id = $1", [seller]).fetchall()
            cur.execute(insert_50.split("), (")[0] + ")", list(records([seller])[0]))

        for _ in range(50):
            app_single()
            floor_single()
        results["app_single"] = _measure("app single", app_single, args.single, app_backend, 1)
        results["floor_single"] = _measure("floor single", floor_single, args.single, floor_backend, 1)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""CPU time of one coverage check through the whole app in process (WSGI call, no HTTP server), and of a bare route.

    .venv/bin/python bench/bench_single_cpu.py [--n 3000] [--database bench/out/bench-1m.sqlite3]

It measures the process's own CPU time (time.process_time), not the wall clock, so that a machine
loaded by other programs disturbs the figure less than a throughput run does; run it from two
checkouts in turn (before and after a change) and compare. Prints one line: microseconds of CPU a
request, for the single check and for /healthz. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from accelerator import create_app  # noqa: E402


def _call(app, path: str, query: str, key: str) -> int:
    """One GET through the WSGI app; its status."""
    status = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "bench",
               "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
               "HTTP_AUTHORIZATION": f"Bearer {key}", "SERVER_PROTOCOL": "HTTP/1.1"}
    body = app(environ, lambda s, h, exc=None: status.append(s))
    b"".join(body)
    getattr(body, "close", lambda: None)()
    return int(status[0][:3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--database", type=Path, default=ROOT / "bench" / "out" / "bench-1m.sqlite3")
    args = parser.parse_args()
    out = args.database.parent / args.database.stem
    key = (out / "marketplace.key").read_text().strip()
    sellers = (out / "sellers.txt").read_text().split()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.database.resolve()}"})
    rng = random.Random(7)
    queries = [f"seller_id={rng.choice(sellers)}&incident_date=2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
               f"&amount={rng.choice(['250.00', '2500.00', '75000.00'])}" for _ in range(args.n)]
    assert _call(app, "/api/v1/coverage", queries[0], key) == 200  # also makes the key's last use recent
    start = time.process_time()
    for query in queries:
        _call(app, "/api/v1/coverage", query, key)
    single = (time.process_time() - start) / args.n * 1e6
    start = time.process_time()
    for _ in range(args.n):
        _call(app, "/healthz", "", key)
    bare = (time.process_time() - start) / args.n * 1e6
    print(f"single {single:.0f} us  healthz {bare:.0f} us  ratio {single / bare:.2f}")


if __name__ == "__main__":
    main()

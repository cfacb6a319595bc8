"""Per-request CPU cost of the coverage hot path, measured in process (no HTTP, no load generator).

    .venv/bin/python bench/profile_coverage.py                       # timings on bench/out/bench-1m.sqlite3
    .venv/bin/python bench/profile_coverage.py --profile single      # plus a cProfile of the single check
    .venv/bin/python bench/profile_coverage.py --database bench/out/bench-10k.sqlite3
    .venv/bin/python bench/profile_coverage.py --processes 4     # single checks in 4 processes at once

The WSGI applications are called directly with prebuilt environs, so what is timed is the application
itself: the bare Flask endpoint of bench/bare_app.py, the cheapest endpoint of the real app
(`GET /api/v1/categories`), a single coverage check and a batch of 500 checks (each with key auth,
the full decision and the record committed). CPU time (process_time) is reported beside wall time:
it hardly moves when other programs load the machine, which wrk's figures do. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
from pathlib import Path

from forked import in_processes  # bench/forked.py (this folder is on the path when run as a script)

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

AMOUNTS = ["250.00", "999.99", "1000.00", "1000.01", "2500.00", "75000.00"]
CATEGORIES = ["", "", "&category=toys", "&category=baby", "&category=electronics"]


def _start_response(status, headers, exc_info=None):
    """A WSGI start_response that checks nothing went wrong."""
    if not status.startswith("200"):
        raise RuntimeError(f"unexpected status {status}")
    return lambda data: None


def call_app(app, environ) -> bytes:
    """Run one request through a WSGI application, consuming its body as a server would."""
    body = app(environ, _start_response)
    try:
        return b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def wsgi_environ(path: str, query: str = "", *, method: str = "GET", body: bytes = b"", key: str | None = None) -> dict:
    """A WSGI environ as gunicorn would build it for this request."""
    environ = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "50000", "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    if key:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    if method == "POST":
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


def single_check_environ(rng, sellers: list[str], key: str) -> dict:
    """A single check as the benchmarks ask it: a seller of `sellers`, a day of 2023-2026, an amount of AMOUNTS
    and a category of CATEGORIES, drawn from `rng` in that order (a seeded rng gives the same requests)."""
    query = (f"seller_id={rng.choice(sellers)}&incident_date={rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}-"
             f"{rng.randint(1, 28):02d}&amount={rng.choice(AMOUNTS)}{rng.choice(CATEGORIES)}")
    return wsgi_environ("/api/v1/coverage", query, key=key)


def time_requests(label: str, app, environs: list[dict], per_request: int = 1) -> dict:
    """Run every environ once; CPU and wall time per request (µs) and per check."""
    cpu, wall = time.process_time(), time.perf_counter()
    for environ in environs:
        call_app(app, environ)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    n = len(environs)
    result = {"requests": n, "cpu_us": round(cpu / n * 1e6, 1), "wall_us": round(wall / n * 1e6, 1)}
    if per_request > 1:
        result["checks_per_cpu_second"] = round(n * per_request / cpu)
    print(f"{label:<28} {result}", file=sys.stderr)
    return result


def _concurrent_singles(app, make, count: int, processes: int, seed) -> dict:
    """`count` single checks in each of `processes` forked processes at once; each one's cost per check.

    `seed(n)` reseeds what `make` draws from, so each process asks about other sellers."""

    def measure(number: int) -> list[float]:
        seed(number)
        for _ in range(200):
            call_app(app, make())
        environs = [make() for _ in range(count)]
        cpu, wall = time.process_time(), time.perf_counter()
        for environ in environs:
            call_app(app, environ)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        return [cpu / count * 1e6, wall / count * 1e6]

    results = in_processes(processes, measure)
    return {"processes": processes, "requests_each": count,
            "cpu_us_each": [round(cpu, 1) for cpu, _wall in results],
            "cpu_us_mean": round(sum(cpu for cpu, _wall in results) / processes, 1),
            "checks_per_second_all": round(sum(1e6 / wall for _cpu, wall in results))}


def main() -> None:
    """Time (and optionally profile) each endpoint in process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=OUT / "bench-1m.sqlite3")
    parser.add_argument("--url", help="a DATABASE_URL instead of --database (e.g. PostgreSQL)")
    parser.add_argument("--data", type=Path, help="the generator's output folder (default: beside the database)")
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--profile", choices=["single", "batch", "bare"], help="cProfile this loop")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--processes", type=int, default=1,
                        help="run the single check in this many processes at once (writers contending as under "
                             "gunicorn's workers) and report each one's cost instead of the usual loops")
    args = parser.parse_args()
    data = args.data or OUT / args.database.stem
    os.environ["DATABASE_URL"] = args.url or f"sqlite:///{args.database.resolve()}"
    os.environ.setdefault("ACCELERATOR_ENV", "development")
    key = (data / "marketplace.key").read_text().strip()
    sellers = (data / "sellers.txt").read_text().split()

    from bare_app import app as bare

    from wsgi import app  # as gunicorn loads it (its start-up objects frozen out of the collector)

    rng = random.Random(11)

    def single() -> dict:
        return single_check_environ(rng, sellers, key)

    def batch() -> dict:
        checks = [{"seller_id": rng.choice(sellers),
                   "incident_date": f"{rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                   "amount": rng.choice(AMOUNTS), "category": rng.choice([None, None, "toys", "baby", "electronics"])}
                  for _ in range(500)]
        return wsgi_environ("/api/v1/coverage/batch", method="POST", body=json.dumps({"checks": checks}).encode(),
                            key=key)

    n = args.requests
    if args.processes > 1:
        print(json.dumps(_concurrent_singles(app, single, n, args.processes, rng.seed), indent=2))
        return
    loops = {
        "bare": (bare, lambda: wsgi_environ("/bare"), n, 1),
        "categories": (app, lambda: wsgi_environ("/api/v1/categories"), n, 1),
        "single": (app, single, n, 1),
        "batch": (app, batch, args.batches, 500),
    }
    # Warm up every path (statements compiled, caches filled), then time each.
    for wsgi, make, _count, _per in loops.values():
        for _ in range(3 if _per > 1 else 200):
            call_app(wsgi, make())
    results = {}
    for label, (wsgi, make, count, per) in loops.items():
        environs = [make() for _ in range(count)]
        if label == args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            results[label] = time_requests(label + " (profiled)", wsgi, environs, per)
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats(args.sort).print_stats(40)
        else:
            results[label] = time_requests(label, wsgi, environs, per)
    results["single_minus_bare_cpu_us"] = round(results["single"]["cpu_us"] - results["bare"]["cpu_us"], 1)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""Per-request CPU cost of opening a claim case, measured in process (no HTTP, no load generator).

    .venv/bin/python bench/profile_claim_open.py                         # on bench/out/claim-cases.sqlite3
    .venv/bin/python bench/profile_claim_open.py --profile open          # plus a cProfile of the opening
    .venv/bin/python bench/profile_claim_open.py --url postgresql+psycopg://...   --data DIR

The WSGI application is called directly with prebuilt environs (as bench/profile_coverage.py does):
the cheapest endpoint (`GET /api/v1/categories`), a single coverage check and an opening (a new
case_id each, the bodies the wrk script sends). CPU time (process_time) beside wall time: it hardly
moves when other programs load the machine. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from profile_coverage import single_check_environ, wsgi_environ  # noqa: E402 - after the path is set

OPEN_AMOUNTS = ["180.00", "450.00", "999.99", "1250.00", "3800.00", "12500.00"]


def main() -> None:
    """Time (and optionally profile) the opening beside the check, in process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=BENCH / "out" / "claim-cases.sqlite3")
    parser.add_argument("--url", help="a DATABASE_URL instead of --database (e.g. PostgreSQL)")
    parser.add_argument("--data", type=Path, help="the generator's output folder (default: beside the database)")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--profile", choices=["open", "single"], help="cProfile this loop")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--lines", type=int, default=45)
    args = parser.parse_args()
    data = args.data or args.database.parent / args.database.stem
    os.environ["DATABASE_URL"] = args.url or f"sqlite:///{args.database.resolve()}"
    os.environ.setdefault("ACCELERATOR_ENV", "development")
    key = (data / "marketplace.key").read_text().strip()
    sellers = (data / "sellers.txt").read_text().split()

    from wsgi import app  # as gunicorn loads it

    rng = random.Random()
    tag = f"prof-{os.getpid()}-{rng.randrange(10**9)}"
    counter = iter(range(10**9))

    def single() -> dict:
        return single_check_environ(rng, sellers, key)

    def opening() -> dict:
        n = next(counter)
        body = {"case_id": f"{tag}-{n}", "seller_id": rng.choice(sellers), "kind": "property_damage",
                "incident_date": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
                "amount_claimed": rng.choice(OPEN_AMOUNTS),
                "category": rng.choice([None, None, "toys", "baby", "electronics"]),
                "order_id": f"ORD-{n}", "description": "The charger overheated and scorched a rug."}
        environ = wsgi_environ("/api/v1/claim-cases", method="POST", body=json.dumps(body).encode(), key=key)
        return environ

    def created(status, headers, exc_info=None):
        if not status.startswith(("200", "201")):
            raise RuntimeError(f"unexpected status {status}")
        return lambda data: None

    def call(wsgi, environ):
        body = wsgi(environ, created)
        try:
            return b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()

    loops = {"categories": lambda: wsgi_environ("/api/v1/categories"), "single": single, "open": opening}
    for make in loops.values():
        for _ in range(100):
            call(app, make())

    def run(label, make):
        environs = [make() for _ in range(args.requests)]
        import time
        cpu, wall = time.process_time(), time.perf_counter()
        for environ in environs:
            call(app, environ)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        result = {"requests": args.requests, "cpu_us": round(cpu / args.requests * 1e6, 1),
                  "wall_us": round(wall / args.requests * 1e6, 1)}
        print(f"{label:<12} {result}", file=sys.stderr)
        return result

    results = {}
    for label, make in loops.items():
        if label == args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            results[label] = run(label + " (profiled)", make)
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(args.sort).print_stats(args.lines)
        else:
            results[label] = run(label, make)
    results["open_over_single_cpu"] = round(results["open"]["cpu_us"] / results["single"]["cpu_us"], 2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

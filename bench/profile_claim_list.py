"""Per-request CPU cost of listing claim cases (GET /api/v1/claim-cases, 50 a page), measured in process.

    .venv/bin/python bench/profile_claim_list.py                      # on bench/out/claim-cases.sqlite3
    .venv/bin/python bench/profile_claim_list.py --profile first      # plus a cProfile of one query's loop
    .venv/bin/python bench/profile_claim_list.py --checkout DIR       # another checkout's code (the same database)
    .venv/bin/python bench/profile_claim_list.py --bodies DIR         # write every answer's body (to compare two runs)

The WSGI application is called directly with prebuilt environs (bench/profile_coverage.py's helpers): the
first page, a state's page (paid), a deep page (page 1000) and a seller's cases, with the marketplace key
(and with `--insurer-key FILE`, an insurer's first page and its paid page). CPU time (process_time) beside
wall time. The app's request log goes to stderr; the figures to stdout. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> None:
    """Time (and optionally profile) each listing query, in process; optionally keep the bodies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=BENCH / "out" / "claim-cases.sqlite3")
    parser.add_argument("--url", help="a DATABASE_URL instead of --database (e.g. PostgreSQL)")
    parser.add_argument("--data", type=Path, help="the generator's output folder (default: beside the database)")
    parser.add_argument("--checkout", type=Path, help="the checkout whose app is measured (default: this one)")
    parser.add_argument("--insurer-key", type=Path, help="a file holding an insurer's API key")
    parser.add_argument("--seller", help="the seller of the seller query (default: the first of case-sellers.txt)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", help="cProfile the loop of this query (first, paid, deep, seller)")
    parser.add_argument("--bodies", type=Path, help="write each query's answer (status and body) to this folder")
    parser.add_argument("--json", type=Path, help="write the figures to this file as JSON")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--lines", type=int, default=40)
    args = parser.parse_args()
    data = args.data or args.database.parent / args.database.stem
    os.environ["DATABASE_URL"] = args.url or f"sqlite:///{args.database.resolve()}"
    os.environ.setdefault("ACCELERATOR_ENV", "development")
    checkout = (args.checkout or BENCH.parent).resolve()
    sys.path.insert(0, str(BENCH))
    from profile_coverage import wsgi_environ  # (it puts this checkout first on the path)

    sys.path.insert(0, str(checkout))  # first of all: that checkout's accelerator and wsgi
    os.chdir(checkout)
    from wsgi import app  # as gunicorn loads it

    if not Path(sys.modules["accelerator"].__file__).is_relative_to(checkout):
        raise SystemExit(f"accelerator was not imported from {checkout}")

    key = (data / "marketplace.key").read_text().strip()
    seller = args.seller or (data / "case-sellers.txt").read_text().split()[0]
    queries = {"first": ("per_page=50", key), "paid": ("per_page=50&state=paid", key),
               "deep": ("per_page=50&page=1000", key), "seller": (f"per_page=50&seller_id={seller}", key)}
    if args.insurer_key:
        insurer = args.insurer_key.read_text().strip()
        queries.update({"insurer": ("per_page=50", insurer), "insurer_paid": ("per_page=50&state=paid", insurer),
                        "insurer_page2": ("per_page=20&page=2", insurer)})

    def call(environ) -> tuple[str, bytes]:
        answer = {}

        def start(status, headers, exc_info=None):
            answer["status"] = status
            return lambda data: None

        body = app(environ, start)
        try:
            return answer.get("status", ""), b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()

    results = {}
    for label, (query, api_key) in queries.items():
        for _ in range(20):
            status, body = call(wsgi_environ("/api/v1/claim-cases", query, key=api_key))
        if not status.startswith("200"):
            raise SystemExit(f"{label}: {status} {body[:300]!r}")
        if args.bodies:
            args.bodies.mkdir(parents=True, exist_ok=True)
            (args.bodies / f"{label}.json").write_bytes(status.encode() + b"\n" + body)
        environs = [wsgi_environ("/api/v1/claim-cases", query, key=api_key) for _ in range(args.requests)]
        profiler = cProfile.Profile() if label == args.profile else None
        if profiler:
            profiler.enable()
        cpu, wall = time.process_time(), time.perf_counter()
        for environ in environs:
            call(environ)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if profiler:
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(args.lines)
        results[label] = {"query": query, "cpu_ms": round(cpu / args.requests * 1e3, 3),
                          "wall_ms": round(wall / args.requests * 1e3, 3), "bytes": len(body)}
        print(f"{label:<14} {results[label]}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

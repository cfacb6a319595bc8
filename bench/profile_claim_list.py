"""Per-request CPU cost of listing claim cases (GET /api/v1/claim-cases, 50 a page), measured in process.

    .venv/bin/python bench/profile_claim_list.py                      # on bench/out/claim-cases.sqlite3
    .venv/bin/python bench/profile_claim_list.py --previous DIR       # beside another checkout's code, in turns
    .venv/bin/python bench/profile_claim_list.py --profile first      # plus a cProfile of one query's loop
    .venv/bin/python bench/profile_claim_list.py --checkout DIR       # another checkout's code (the same database)
    .venv/bin/python bench/profile_claim_list.py --bodies DIR         # write every answer's body (to compare two runs)

The WSGI application is called directly with prebuilt environs (bench/profile_coverage.py's helpers): the
first page, a state's page (paid), a deep page (page 1000) and a seller's cases, with the marketplace key
(and with `--insurer-key FILE`, an insurer's first page, its paid page and a second page of 20). CPU time
(process_time) beside wall time. With `--previous DIR`, two processes (this checkout's app and DIR's) each
serve `--batch` requests of one query in turn, `--rounds` times, the order swapped every round, so that
load from elsewhere on a shared machine falls on both alike; each figure is the median batch. The app's
request log goes to stderr (dropped with --previous); the figures to stdout. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def load(args):
    """The checkout's WSGI app on the database, and the queries: label -> (query string, key)."""
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

    def call(label: str) -> tuple[str, bytes]:
        query, api_key = queries[label]
        answer = {}

        def start(status, headers, exc_info=None):
            answer["status"] = status
            return lambda data: None

        body = app(wsgi_environ("/api/v1/claim-cases", query, key=api_key), start)
        try:
            return answer.get("status", ""), b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()

    return queries, call


def timed(call, label: str, n: int) -> tuple[float, float]:
    """CPU and wall milliseconds a request over `n` requests of the query."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        call(label)
    return (time.process_time() - cpu) / n * 1e3, (time.perf_counter() - wall) / n * 1e3


def warm(call, label: str) -> tuple[str, bytes]:
    """Twenty requests of the query (the last answer checked: 200)."""
    for _ in range(20):
        status, body = call(label)
    if not status.startswith("200"):
        raise SystemExit(f"{label}: {status} {body[:300]!r}")
    return status, body


def serve(args) -> None:
    """For the parent of --previous: a line `label n` on stdin times n requests; one JSON line answers."""
    queries, call = load(args)
    print(json.dumps(list(queries)), flush=True)
    warmed = set()
    for line in sys.stdin:
        label, n = line.split()
        if label not in warmed:
            warm(call, label)
            warmed.add(label)
        cpu, wall = timed(call, label, int(n))
        print(json.dumps({"cpu_ms": cpu, "wall_ms": wall}), flush=True)


def versus(args) -> None:
    """This checkout's app beside --previous's, batch after batch, the order swapped every round."""
    base = [sys.executable, str(Path(__file__).resolve()), "--serve", "--database", str(args.database)]
    for flag, value in (("--url", args.url), ("--data", args.data), ("--insurer-key", args.insurer_key),
                        ("--seller", args.seller)):
        if value:
            base += [flag, str(value)]
    sides = {"this": args.checkout or BENCH.parent, "previous": args.previous}
    procs = {name: subprocess.Popen([*base, "--checkout", str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True) for name, path in sides.items()}
    def answer(name: str):
        line = procs[name].stdout.readline()
        if not line:
            raise SystemExit(f"the {name} checkout's process ended (run it alone, without --previous, to see why)")
        return json.loads(line)

    try:
        labels, _same = (answer(name) for name in procs)  # each is ready
        results = {}
        for label in labels:
            batches: dict[str, list[dict]] = {name: [] for name in procs}
            for round_number in range(args.rounds):
                for name in (list(procs) if round_number % 2 == 0 else list(procs)[::-1]):
                    procs[name].stdin.write(f"{label} {args.batch}\n")
                    procs[name].stdin.flush()
                    batches[name].append(answer(name))
            row = {name: round(statistics.median(b["cpu_ms"] for b in found), 3) for name, found in batches.items()}
            row["this_over_previous"] = round(statistics.median(
                a["cpu_ms"] / b["cpu_ms"] for a, b in zip(batches["this"], batches["previous"], strict=True)), 3)
            results[label] = row
            print(f"{label:<14} cpu ms a request: {row}", flush=True)
    finally:
        for proc in procs.values():
            proc.stdin.close()
            proc.wait()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def main() -> None:
    """Time (and optionally profile) each listing query, in process; optionally keep the bodies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=BENCH / "out" / "claim-cases.sqlite3")
    parser.add_argument("--url", help="a DATABASE_URL instead of --database (e.g. PostgreSQL)")
    parser.add_argument("--data", type=Path, help="the generator's output folder (default: beside the database)")
    parser.add_argument("--checkout", type=Path, help="the checkout whose app is measured (default: this one)")
    parser.add_argument("--previous", type=Path, help="measure beside this checkout's app, in turns")
    parser.add_argument("--rounds", type=int, default=10, help="with --previous: batches of each side a query")
    parser.add_argument("--batch", type=int, default=40, help="with --previous: requests a batch")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--insurer-key", type=Path, help="a file holding an insurer's API key")
    parser.add_argument("--seller", help="the seller of the seller query (default: the first of case-sellers.txt)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", help="cProfile the loop of this query (first, paid, deep, seller)")
    parser.add_argument("--bodies", type=Path, help="write each query's answer (status and body) to this folder")
    parser.add_argument("--json", type=Path, help="write the figures to this file as JSON")
    parser.add_argument("--profile-out", type=Path, help="also write the profile (pstats) to this file")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--lines", type=int, default=40)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return
    if args.previous:
        versus(args)
        return
    queries, call = load(args)
    results = {}
    for label, (query, _key) in queries.items():
        status, body = warm(call, label)
        if args.bodies:
            args.bodies.mkdir(parents=True, exist_ok=True)
            (args.bodies / f"{label}.json").write_bytes(status.encode() + b"\n" + body)
        profiler = cProfile.Profile() if label == args.profile else None
        if profiler:
            profiler.enable()
        cpu, wall = timed(call, label, args.requests)
        if profiler:
            profiler.disable()
            if args.profile_out:
                profiler.dump_stats(args.profile_out)
            pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(args.lines)
        results[label] = {"query": query, "cpu_ms": round(cpu, 3), "wall_ms": round(wall, 3), "bytes": len(body)}
        print(f"{label:<14} {results[label]}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""The single coverage check's CPU in process, this checkout against another one (an older commit), side by side.

    .venv/bin/python bench/profile_single_versus.py --other /tmp/base-worktree \
        --database bench/out/claim-cases.sqlite3 --data bench/out/claim-cases --rounds 10 --block 1000
    ... --observer off        # this checkout without its RequestObserver (as bench/unobserved_app.py)
    ... --profile out/prof    # and a cProfile of each side (out/prof-this.pstats, out/prof-other.pstats)

Each side is one long-lived process of its own checkout (`wsgi:app`, as gunicorn loads it) on the same
database; the parent asks each in turn for a block of single checks (GET /api/v1/coverage with a marketplace
key, prebuilt environs, the same questions for both sides), in the order A B B A, --rounds times, so load
from elsewhere falls on both alike. Each block reports its CPU time (process_time) and wall time per check;
the figure is the median of the rounds' own ratios. With the observer on, the request records are written as
a gunicorn worker writes them (bench/bench_observability.py: in batches, here of 50, inside the block that
made them). A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

# The request helpers of profile_coverage (stdlib only: importing it loads no app code, so the child still
# loads its own checkout's app from its working directory).
from profile_coverage import call_app, single_check_environ  # noqa: E402


def child(args) -> None:
    """One side: load the checkout's app, then answer the parent's "block SEED" lines with a block's figures."""
    sys.path.insert(0, os.getcwd())
    from wsgi import app  # the checkout's own (cwd)

    flush = None
    records = sys.modules.get("accelerator.observability.records")
    without = set(filter(None, (args.without or "").split(",")))
    if args.observer == "off":
        without.add("observer")
    layers, inner = [], app.wsgi_app  # the middlewares in front of the app, outermost first
    while hasattr(inner, "wsgi_app") or hasattr(inner, "next_app"):
        layers.append(inner)
        inner = getattr(inner, "wsgi_app", None) or inner.next_app
    for name, kind in (("observer", "RequestObserver"), ("limits", "RequestLimits")):
        if name in without:
            found = [layer for layer in layers if type(layer).__name__ == kind]
            if not found:
                raise SystemExit(f"no {kind} to take away")
            index = layers.index(found[0])
            if index == 0:
                app.wsgi_app = found[0].wsgi_app
            else:
                layers[index - 1].wsgi_app = found[0].wsgi_app
            layers.remove(found[0])
    if "checkmetrics" in without:  # the coverage checks' counter (accelerator_coverage_checks) not counted
        import accelerator.services.coverage.checks as checks

        checks.count_recorded = lambda records: None
    if records is not None:  # as a gunicorn worker (post_fork): noted, written in batches (below)
        records._interval["seconds"] = 0.1
        flush = records.flush
    key = Path(args.data, "marketplace.key").read_text().strip()
    sellers = Path(args.data, "sellers.txt").read_text().split()

    def environs(seed: int, count: int) -> list[dict]:
        rng = random.Random(seed)
        return [single_check_environ(rng, sellers, key) for _ in range(count)]

    for environ in environs(-1, 300):  # warm up: statements compiled, caches filled, the key's use recorded
        call_app(app, environ)
    if flush is not None:
        flush()
    profiler = cProfile.Profile() if args.profile else None
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, seed = line.partition(" ")
        if command != "block":
            break
        block = environs(int(seed), args.block)
        if profiler is not None:
            profiler.enable()
        cpu, wall = time.process_time(), time.perf_counter()
        for number, environ in enumerate(block, 1):
            call_app(app, environ)
            if flush is not None and number % 50 == 0:
                flush()
        if flush is not None:
            flush()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if profiler is not None:
            profiler.disable()
        print(json.dumps({"cpu_us": cpu / len(block) * 1e6, "wall_us": wall / len(block) * 1e6}), flush=True)
    if profiler is not None:
        profiler.dump_stats(args.profile)


class Side:
    """A child process serving blocks of checks from one checkout."""

    def __init__(self, label: str, checkout: Path, args, profile: str | None, log):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PROMETHEUS_"))}
        metrics = tempfile.mkdtemp(prefix=f"versus-{label}-metrics-")
        env.update(ACCELERATOR_ENV="development", LOG_FORMAT="json", PROMETHEUS_MULTIPROC_DIR=metrics,
                   DATABASE_URL=f"sqlite:///{args.database.resolve()}", PYTHONPATH=str(checkout))
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "--data", str(args.data.resolve()),
                   "--block", str(args.block), "--observer", args.observer if label == "this" else "on"]
        if label == "this" and args.without:
            command += ["--without", args.without]
        if profile:
            command += ["--profile", profile]
        self.label = label
        self.proc = subprocess.Popen(command, cwd=checkout, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=log, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"{label} did not start (see its log)")

    def block(self, seed: int) -> dict:
        self.proc.stdin.write(f"block {seed}\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.write("end\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--other", type=Path, help="the other checkout (a worktree of an older commit)")
    parser.add_argument("--database", type=Path, default=ROOT / "bench" / "out" / "claim-cases.sqlite3")
    parser.add_argument("--data", type=Path, help="the generator's output folder (default: beside the database)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--block", type=int, default=1000, help="checks in each block")
    parser.add_argument("--observer", choices=["on", "off"], default="on",
                        help="this checkout with or without its RequestObserver (the other one as it is)")
    parser.add_argument("--without", help="this checkout's side without these (comma-separated; a measurement "
                        "of what each costs): observer, limits (the RequestLimits middleware), checkmetrics")
    parser.add_argument("--profile", help="write cProfile stats to PREFIX-this.pstats and PREFIX-other.pstats")
    args = parser.parse_args()
    args.data = args.data or args.database.parent / args.database.stem
    if args.child:
        child(args)
        return
    log = tempfile.NamedTemporaryFile("w", prefix="versus-", suffix=".log", delete=False)  # the children's stderr
    this = Side("this", ROOT, args, args.profile and f"{args.profile}-this.pstats", log)
    other = Side("other", args.other, args, args.profile and f"{args.profile}-other.pstats", log)
    results: dict[str, list[tuple[int, dict]]] = {"this": [], "other": []}
    try:
        for number in range(args.rounds):
            order = (this, other, other, this) if number % 2 == 0 else (other, this, this, other)
            for position, side in enumerate(order):
                seed = number * 2 + position % 2  # each side gets the same two blocks of questions a round
                results[side.label].append((seed, side.block(seed)))
    finally:
        for side in (this, other):
            side.close()
    pairs = [(a, b) for (_, a), (_, b) in zip(sorted(results["this"], key=lambda r: r[0]),
                                              sorted(results["other"], key=lambda r: r[0]), strict=True)]
    results = {label: [r for _, r in blocks] for label, blocks in results.items()}
    summary = {
        "load_average": os.getloadavg(), "rounds": args.rounds, "block": args.block, "observer": args.observer,
        "without": args.without,
        "this_cpu_us_median": round(statistics.median(r["cpu_us"] for r in results["this"]), 1),
        "other_cpu_us_median": round(statistics.median(r["cpu_us"] for r in results["other"]), 1),
        "cpu_ratio_median": round(statistics.median(a["cpu_us"] / b["cpu_us"] for a, b in pairs), 4),
        "cpu_ratio_range": [round(min(a["cpu_us"] / b["cpu_us"] for a, b in pairs), 4),
                            round(max(a["cpu_us"] / b["cpu_us"] for a, b in pairs), 4)],
        "cpu_us_difference_median": round(statistics.median(a["cpu_us"] - b["cpu_us"] for a, b in pairs), 1),
        "this_wall_us_median": round(statistics.median(r["wall_us"] for r in results["this"]), 1),
        "other_wall_us_median": round(statistics.median(r["wall_us"] for r in results["other"]), 1),
        "this_cpu_us": [round(a["cpu_us"], 1) for a, _ in pairs],
        "other_cpu_us": [round(b["cpu_us"], 1) for _, b in pairs],
        "log": log.name,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()

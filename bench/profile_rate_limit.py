"""A rate-limited key's single coverage check against an unlimited key's, CPU time in process (issue 13).

    .venv/bin/python bench/profile_rate_limit.py                  # bench/out/claim-cases.sqlite3 and its keys
    .venv/bin/python bench/profile_rate_limit.py --rounds 10 --requests 500

The app is called as in profile_coverage.py (no HTTP, no load generator), in alternating rounds of
`--requests` checks with each key (A, B, B, A), so that load from elsewhere falls on both alike: CPU
time a request for each key (medians of the rounds) and the median of the rounds' own ratios. The
limited key (`limited.key`, made by bench_claim_cases.py) is limited to 100,000 requests a second,
a rate it never reaches. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from profile_coverage import call_app, single_check_environ  # noqa: E402 - after the path is set


def main() -> None:
    """Warm up, then time each key's checks in alternating rounds; print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=OUT / "claim-cases.sqlite3")
    parser.add_argument("--url", help="a DATABASE_URL instead of --database (e.g. PostgreSQL)")
    parser.add_argument("--data", type=Path, help="the folder with marketplace.key, limited.key and sellers.txt")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    data = args.data or OUT / args.database.stem
    os.environ["DATABASE_URL"] = args.url or f"sqlite:///{args.database.resolve()}"
    os.environ.setdefault("ACCELERATOR_ENV", "development")
    keys = {"unlimited": (data / "marketplace.key").read_text().strip(),
            "limited": (data / "limited.key").read_text().strip()}
    sellers = (data / "sellers.txt").read_text().split()

    from wsgi import app

    rng = random.Random(13)

    def single(key: str) -> dict:
        return single_check_environ(rng, sellers, key)

    for key in keys.values():
        for _ in range(200):
            call_app(app, single(key))
    cpu_us: dict[str, list[float]] = {name: [] for name in keys}
    order = list(keys)
    for round_number in range(args.rounds):
        for name in (order if round_number % 2 else order[::-1]):
            environs = [single(keys[name]) for _ in range(args.requests)]
            started = time.process_time()
            for environ in environs:
                call_app(app, environ)
            cpu_us[name].append((time.process_time() - started) / args.requests * 1e6)
    ratios = [limited / unlimited for limited, unlimited in zip(cpu_us["limited"], cpu_us["unlimited"], strict=True)]
    print(json.dumps({
        "cpu_us": {name: round(statistics.median(found), 1) for name, found in cpu_us.items()},
        "limited_vs_unlimited_cpu": {"median": round(statistics.median(ratios), 3), "min": round(min(ratios), 3),
                                     "max": round(max(ratios), 3)},
        "rounds": args.rounds, "requests": args.requests, "load_average": os.getloadavg(),
    }, indent=2))


if __name__ == "__main__":
    main()

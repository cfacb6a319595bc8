"""The claim-case benchmark: opening and listing cases beside the coverage check, measured side by side in one run.

    bash scripts/bench.sh claim-cases                    # builds the database on first use (a few minutes)
    .venv/bin/python bench/bench_claim_cases.py --rounds 3 --seconds 10 [--before DIR]

One SQLite database: the data generator's 1,000,000 policies and 100,000 claim cases with their history
(generate_claim_cases.py), served by gunicorn with the project's settings (gunicorn.conf.py). Every
round runs each measurement once, in turn, so that load from elsewhere falls on all alike; each figure
is the median over the rounds and each ratio the median of the rounds' own ratios (with their range):

- issue 12: a single coverage check against opening a case (POST /api/v1/claim-cases, a new case_id
  every request: a check, the case and its history written) at 32 connections; listing 50 cases of
  100,000 (the first page, by state, by seller, and a page in the middle) at 1 connection;
- issue 13: the single check with a key limited to a rate it never reaches against a key without one;
- with `--before DIR` (a checkout of an older commit), the single check of that code against the same
  database, for "the coverage check does not get slower" (with `--unobserved`, this checkout's app served
  without its request ids, log lines and request metrics, bench/unobserved_app.py: the rest of the difference).

A benchmark, not a test: it never fails on a figure. Figures: stdout and bench/out/claim-cases-results.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_coverage import (
    BENCH,
    FLASK,
    OUT,
    PYTHON,
    ROOT,
    Server,
    app_env,
    ensure_database,
    median_run,
    ratio,
    wrk,
)

from accelerator import clock
from accelerator.services.api_keys import PREFIX_LENGTH

CASES = 100_000
LIMIT = 100_000  # the rate-limited key's requests a second: never reached here (the API's highest limit)
SETTINGS = f"--config {ROOT / 'gunicorn.conf.py'}"


def worker_cpu_seconds(server: Server) -> float:
    """CPU time (user + system) the server's gunicorn workers have used so far (Linux /proc)."""
    pid = server.proc.pid
    ticks = 0
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def ensure_cases(database: Path, out: Path) -> None:
    """Load the claim cases once (after the policies), and the files the wrk scripts read."""
    with sqlite3.connect(database) as conn:
        have = conn.execute("SELECT COUNT(*) FROM claim_cases").fetchone()[0]
    if have < CASES:
        started = time.monotonic()
        subprocess.run([str(PYTHON), str(BENCH / "generate_claim_cases.py"), "--cases", str(CASES - have),
                        "--out", str(out)], cwd=ROOT, env={**os.environ, "DATABASE_URL": f"sqlite:///{database}"},
                       check=True)
        print(f"loaded {CASES - have:,} claim cases in {time.monotonic() - started:.0f} s", file=sys.stderr)
    with sqlite3.connect(database) as conn:
        sellers = [row[0] for row in conn.execute("SELECT DISTINCT seller_id FROM claim_cases")]
    (out / "case-sellers.txt").write_text("\n".join(sellers) + "\n")
    limited = out / "limited.key"
    if not _key_in(database, limited):  # made for this database (a database made anew has none of the old keys)
        made = subprocess.run([str(FLASK), "--app", "wsgi", "api-keys", "create", "--role", "marketplace", "--name",
                               "benchmark, rate-limited", "--rate-limit", str(LIMIT)], cwd=ROOT, check=True,
                              capture_output=True, text=True, env=app_env(f"sqlite:///{database}"))
        limited.write_text(made.stdout.split()[-1] + "\n")


def _key_in(database: Path, key_file: Path) -> bool:
    """Whether the key written in `key_file` is a key of `database` (by its prefix)."""
    if not key_file.exists():
        return False
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT 1 FROM api_keys WHERE prefix = ?",
                            (key_file.read_text().strip()[:PREFIX_LENGTH],)).fetchone() is not None


def main() -> None:
    """Build what is missing, run every measurement in rounds, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="how many times each measurement runs, in turn")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of each run of the uncounted round 0 (on a "
                                                              "loaded machine the workers need longer to start)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--settings", default=SETTINGS, help="gunicorn settings for every server")
    parser.add_argument("--other-settings", help="gunicorn settings for the --before and --previous servers (default:"
                                                 " --settings); an older checkout may not start under today's hooks")
    parser.add_argument("--database", type=Path, default=OUT / "claim-cases.sqlite3")
    parser.add_argument("--before", type=Path, help="another checkout (a git worktree of an older commit) whose "
                                                    "single check is measured on the same database")
    parser.add_argument("--previous", type=Path, help="another checkout (the code before a change) whose opening "
                                                      "and lists are measured on the same database")
    parser.add_argument("--previous-database", type=Path, help="the database --previous serves (default: the same "
                                                               "one), e.g. a copy at the schema before a change")
    parser.add_argument("--unobserved", action="store_true",
                        help="serve this checkout's app without its request ids, log lines and request metrics "
                             "(bench/unobserved_app.py), to compare the rest of the check with --before")
    parser.add_argument("--only", help="comma-separated subset of: single,open,limited,before,list,previous")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    database = args.database.resolve()
    out = ensure_database(database, 1_000_000)
    ensure_cases(database, out)
    only = set(args.only.split(",")) if args.only else {"single", "open", "limited", "before", "list",
                                                                     "previous"}
    conns, seconds = args.connections, args.seconds
    url = f"sqlite:///{database}"
    key = (out / "marketplace.key").read_text().strip()
    sellers = str(out / "sellers.txt")
    coverage = {"SELLERS_FILE": sellers, "API_KEY": key}
    lua = {name: BENCH / "wrk" / f"{name}.lua" for name in ("coverage", "claim_case_open", "claim_case_list")}
    deep_page = CASES // 50 // 2
    # (name, server, script, connections, environment); each round runs them in this order (or the
    # reverse), each comparison's two sides next to each other.
    plan = [
        ("limited", "app", lua["coverage"], conns,
         {"SELLERS_FILE": sellers, "API_KEY": (out / "limited.key").read_text().strip()}),
        ("single", "app", lua["coverage"], conns, coverage),
        ("before", "before", lua["coverage"], conns, coverage),
        ("open", "app", lua["claim_case_open"], conns, {"SELLERS_FILE": sellers, "API_KEY": key}),
        ("list", "app", lua["claim_case_list"], 1, {"API_KEY": key, "QUERY": "per_page=50"}),
        ("list_state", "app", lua["claim_case_list"], 1, {"API_KEY": key, "QUERY": "per_page=50&state=paid"}),
        ("list_seller", "app", lua["claim_case_list"], 1,
         {"API_KEY": key, "QUERY": "per_page=50", "SELLERS_FILE": str(out / "case-sellers.txt")}),
        ("list_deep", "app", lua["claim_case_list"], 1, {"API_KEY": key, "QUERY": f"per_page=50&page={deep_page}"}),
    ]
    plan = [step for step in plan if step[0].split("_")[0] in only and (step[1] != "before" or args.before)]
    if args.previous and "previous" in only:  # each right after its counterpart
        plan = [step for name, server, *rest in plan
                for step in ([(name, server, *rest), (f"{name}_previous", "previous", *rest)]
                             if name in ("open", "list", "list_state") else [(name, server, *rest)])]
    servers = {"app": Server("unobserved_app:app", {**app_env(url), "PYTHONPATH": str(ROOT)}, args.settings,
                             chdir=BENCH) if args.unobserved else Server("wsgi:app", app_env(url), args.settings)}
    previous_url = f"sqlite:///{args.previous_database.resolve()}" if args.previous_database else url
    for name, checkout, served in (("before", args.before, url), ("previous", args.previous, previous_url)):
        if checkout and name in only:
            env = {**app_env(served), "PYTHONPATH": str(checkout.resolve())}
            servers[name] = Server("wsgi:app", env, args.other_settings or args.settings, chdir=checkout.resolve())
    runs: dict[str, list[dict]] = {name: [] for name, *_ in plan}
    with contextlib.ExitStack() as stack:
        for server in servers.values():
            stack.enter_context(server)
        for round_number in range(args.rounds + 1):  # round 0 warms every path and is not counted
            # A, B, B, A: every other round runs the measurements in the opposite order.
            for name, server, script, connections, env in (plan if round_number % 2 else plan[::-1]):
                env = {**env, "RUN": f"{os.getpid()}-{round_number}-{name}"}
                cpu_before = worker_cpu_seconds(servers[server])
                run = wrk(servers[server].url + "/", connections=connections,
                          seconds=seconds if round_number else args.warmup, script=script, env=env)
                if not round_number:
                    continue
                used = worker_cpu_seconds(servers[server]) - cpu_before
                run["worker_cpu_ms_per_request"] = round(used * 1000 / (run["requests_per_second"] * seconds), 3)
                runs[name].append(run)
                print(f"round {round_number} {name}: {run['requests_per_second']:.0f} req/s, "
                      f"p50 {run['latency_ms']['p50']} ms, p99 {run['latency_ms']['p99']} ms, "
                      f"worker CPU {run['worker_cpu_ms_per_request']} ms a request, "
                      f"non-2xx {run['non_2xx']}, load {run['load_average_before']}", file=sys.stderr)
    results: dict = {
        "date": clock.now().strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version},
        "gunicorn": args.settings, "other_gunicorn": args.other_settings, "seconds_per_run": seconds,
        "rounds": args.rounds, "connections": conns,
        "before": str(args.before) if args.before else None, "unobserved": args.unobserved,
        **{name: median_run(found) for name, found in runs.items()}}
    rps = {name: [r["requests_per_second"] for r in found] for name, found in runs.items()}
    cpu = {name: [r["worker_cpu_ms_per_request"] for r in found] for name, found in runs.items()}
    ratios = {}
    for name, over in (("open", "single"), ("limited", "single"), ("single", "before"), ("open", "open_previous"),
                       ("list", "list_previous"), ("list_state", "list_state_previous")):
        if name in rps and over in rps:
            ratios[f"{name}_vs_{over}_rps"] = ratio(rps[name], rps[over])
            ratios[f"{name}_vs_{over}_worker_cpu"] = ratio(cpu[name], cpu[over])
    for name, found in cpu.items():
        results[name]["worker_cpu_ms_per_request"] = round(statistics.median(found), 3)
    results["ratios"] = ratios
    results["load_average_after"] = round(os.getloadavg()[0], 2)
    (OUT / "claim-cases-results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

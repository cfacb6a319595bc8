"""The coverage benchmark: gunicorn on SQLite with 1,000,000 policies, measured side by side in one run.

    .venv/bin/python bench/bench_coverage.py            # builds the databases on first use (a minute or two)
    .venv/bin/python bench/bench_coverage.py --rounds 5 --seconds 10
    .venv/bin/python bench/bench_coverage.py --pg postgresql+psycopg://postgres@127.0.0.1/bench_pg   # + PostgreSQL
    .venv/bin/python bench/bench_coverage.py --compare /tmp/old-checkout   # + the same app servers of older code

(a) requests/s of a single coverage check against a bare Flask endpoint under the same gunicorn
settings; (b) latency percentiles at 32 concurrent connections; (c) checks/s of the batch endpoint;
(d) latency of a single check at 1,000,000 policies against 10,000. Every server is started once and
stays up; the measurements then run in rounds, each round running every measurement once in turn,
so that a burst of load from other programs on the machine falls on all of them alike. Each figure
is the median over the rounds, and each ratio the median of the rounds' own ratios (with their
range). The load generator is wrk with a Lua script for varied sellers, dates, amounts and
categories; its own CPU use is measured and reported, since it shares the machine's cores with
gunicorn, and so is the load average before each run. Figures go to stdout and
bench/out/coverage-results.json. A benchmark, not a test: it never fails on a figure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from bench/: the app's package is one folder up

from accelerator import clock  # noqa: E402

BENCH = ROOT / "bench"
OUT = BENCH / "out"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
FLASK = ROOT / ".venv" / "bin" / "flask"

# The settings bench/README.md recommends for 2 cores (see there for why).
GUNICORN_SETTINGS = "--workers 4 --worker-class sync"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _head_revision() -> str:
    """The migrations' head revision (what `flask db upgrade` makes)."""
    heads = subprocess.run([str(FLASK), "--app", "wsgi", "db", "heads"], cwd=ROOT, check=True, capture_output=True,
                           text=True, env={**os.environ, "DATABASE_URL": "sqlite://"}).stdout
    return heads.split()[0]


def _revision(path: Path) -> str | None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.Error:
        return None


def ensure_database(path: Path, policies: int) -> Path:
    """The benchmark database with `policies` policies (made by `flask db upgrade` and the generator; its
    keys and seller IDs in the folder beside it, named as it is), made again when it is missing or its
    schema is not the migrations' head. Only a database of this checkout's bench/out is ever deleted: one
    elsewhere (another checkout's, shared) is refused instead."""
    out = path.parent / path.stem
    if path.exists() and (out / "marketplace.key").exists() and _revision(path) == _head_revision():
        return out
    if path.exists() and path.resolve().parent != OUT.resolve():
        raise SystemExit(f"{path} is not this checkout's (or lacks {out / 'marketplace.key'}, or its schema is not "
                         "this checkout's migrations' head): not deleted. Give a database under bench/out.")
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-writers.lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run([str(FLASK), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    started = time.monotonic()
    subprocess.run([str(PYTHON), str(BENCH / "generate_data.py"), "--policies", str(policies), "--out", str(out)],
                   cwd=ROOT, env=env, check=True)
    print(f"generated {policies:,} policies in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return out


class Server:
    """gunicorn serving `app` on a free loopback port with the given settings."""

    def __init__(self, app: str, env: dict, settings: str, chdir: Path = ROOT):
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Its log (a line per request) goes to a file: a pipe nobody reads would fill and stop the workers.
        OUT.mkdir(parents=True, exist_ok=True)
        self.log = open(OUT / f"gunicorn-{self.port}.log", "w+b")  # closed in __exit__
        self.proc = subprocess.Popen(
            [str(GUNICORN), "--chdir", str(chdir), "--bind", f"127.0.0.1:{self.port}", "--no-control-socket",
             *settings.split(), app],
            # Started in the checkout it serves: gunicorn puts its starting directory first on sys.path (before
            # --chdir and PYTHONPATH), so another checkout started from here would import this one's code.
            cwd=chdir, env=env, stdout=subprocess.DEVNULL, stderr=self.log, start_new_session=True)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                # The master listens at once; an answer means a worker has loaded the app. On a loaded
                # machine that took 15-20 s, and wrk's warm-up round ended before any worker answered.
                with contextlib.suppress(urllib.error.HTTPError):  # any answer (bench/bare_app.py has no /healthz)
                    urllib.request.urlopen(f"{self.url}/healthz", timeout=30).close()
                time.sleep(1.0)  # let every worker finish booting
                return self
            except OSError:
                time.sleep(0.1)
        self.log.seek(0)
        raise RuntimeError("gunicorn did not start: " + self.log.read().decode(errors="replace")[-2000:])

    def __exit__(self, *exc) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, *, connections: int, seconds: int, script: Path | None = None, env: dict | None = None) -> dict:
    """Run wrk (one thread); requests/s, latency percentiles (ms), errors, the CPU wrk itself used
    (in cores) and the 1-minute load average before the run."""
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        args += ["-s", str(script)]
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    run = subprocess.run([*args, url], capture_output=True, text=True, env={**os.environ, **(env or {})}, check=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = run.stdout
    latency = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    avg = re.search(r"Latency\s+(\S+)", out).group(1)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1)),
        "latency_ms": {"avg": _ms(avg), **{f"p{k}": v for k, v in latency.items()}},
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else None,
        "wrk_cpu_cores": round((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / wall, 2),
        "load_average_before": round(load, 2),
    }


def batch_bodies(sellers_file: Path, path: Path, size: int = 500, count: int = 40) -> Path:
    """`count` batch bodies of `size` varied checks, one JSON document a line, for wrk/batch.lua."""
    sellers = sellers_file.read_text().split()
    rng = random.Random(7)
    amounts = ["250.00", "999.99", "1000.00", "1000.01", "2500.00", "75000.00"]
    categories = [None, None, "toys", "baby", "electronics"]
    with path.open("w") as fh:
        for _ in range(count):
            checks = [{"seller_id": rng.choice(sellers),
                       "incident_date": f"{rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                       "amount": rng.choice(amounts), "category": rng.choice(categories)} for _ in range(size)]
            fh.write(json.dumps({"checks": checks}) + "\n")
    return path


def app_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_")}
    env.update(DATABASE_URL=database_url, ACCELERATOR_ENV="development",
               PYTHONPATH=os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH")))))  # the floor's clock
    return env


def median_run(runs: list[dict]) -> dict:
    """The median of each figure over the rounds (requests/s, latencies, wrk CPU), and the rounds' values."""
    return {
        "requests_per_second": round(statistics.median(r["requests_per_second"] for r in runs), 1),
        "latency_ms": {k: round(statistics.median(r["latency_ms"][k] for r in runs), 2) for k in runs[0]["latency_ms"]},
        "non_2xx": sum(r["non_2xx"] for r in runs),
        "socket_errors": [r["socket_errors"] for r in runs if r["socket_errors"]],
        "wrk_cpu_cores": round(statistics.median(r["wrk_cpu_cores"] for r in runs), 2),
        "rounds": [{"rps": r["requests_per_second"], "p50": r["latency_ms"]["p50"], "p99": r["latency_ms"]["p99"],
                    "load": r["load_average_before"]} for r in runs],
    }


def ratio(numerators: list[float], denominators: list[float]) -> dict:
    ratios = [n / d for n, d in zip(numerators, denominators, strict=True)]
    return {"median": round(statistics.median(ratios), 3), "min": round(min(ratios), 3), "max": round(max(ratios), 3)}


def main() -> None:
    """Build what is missing, run every measurement in rounds, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="how many times each measurement runs, in turn")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--settings", default=GUNICORN_SETTINGS, help="gunicorn settings for every server")
    parser.add_argument("--large", type=Path, default=OUT / "bench-1m.sqlite3")
    parser.add_argument("--small", type=Path, default=OUT / "bench-10k.sqlite3")
    parser.add_argument("--pg", help="also measure the app on this PostgreSQL URL (loaded with the generator's "
                                     "1,000,000 policies beforehand; its out folder: bench/out/pg)")
    parser.add_argument("--only", help="comma-separated subset of: bare,single,single_c1,batch,small,pg,floor "
                                       "(floor, not run by default: bench/floor_app.py, a check's SQLite work alone)")
    parser.add_argument("--compare", type=Path, help="another checkout (a git worktree of an older commit): its app "
                                                      "is served beside this one on the same databases, and every "
                                                      "app measurement runs for both, one after the other, each round")
    args = parser.parse_args()
    args.large, args.small = args.large.resolve(), args.small.resolve()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    large_out = ensure_database(args.large, 1_000_000)
    small_out = ensure_database(args.small, 10_000)
    seconds, conns = args.seconds, args.connections
    only = set(args.only.split(",")) if args.only else {"bare", "single", "single_c1", "batch", "small", "pg"}
    results: dict = {
        "date": clock.now().strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "sqlite": sqlite3.sqlite_version},
        "gunicorn": args.settings, "seconds_per_run": seconds, "rounds": args.rounds, "connections": conns}

    def lua_env(out: Path) -> dict:
        return {"SELLERS_FILE": str(out / "sellers.txt"), "API_KEY": (out / "marketplace.key").read_text().strip()}

    coverage_lua, batch_lua = BENCH / "wrk" / "coverage.lua", BENCH / "wrk" / "batch.lua"
    bodies = batch_bodies(large_out / "sellers.txt", OUT / "batch-bodies.jsonl")
    pg_out = OUT / "pg"
    servers = {
        "bare": Server("bare_app:app", app_env(f"sqlite:///{args.large}"), args.settings, chdir=BENCH),
        "large": Server("wsgi:app", app_env(f"sqlite:///{args.large}"), args.settings),
        "small": Server("wsgi:app", app_env(f"sqlite:///{args.small}"), args.settings),
    }
    if "floor" in only:
        servers["floor"] = Server("floor_app:app", {**app_env(f"sqlite:///{args.large}"), "DATABASE": str(args.large)},
                                  args.settings, chdir=BENCH)
    if args.pg and "pg" in only:
        servers["pg"] = Server("wsgi:app", app_env(args.pg), args.settings)
    if args.compare:  # the older code's servers, on the same databases and settings
        for name in [name for name in servers if name in ("large", "small", "pg")]:
            servers[f"{name}_old"] = Server("wsgi:app", servers[name].env, args.settings, chdir=args.compare.resolve())
    # What each round runs, in this order: (name, server, path or script, connections, environment).
    plan = [
        ("bare", "bare", "/bare", None, conns, {}),
        ("single_1m", "large", "/", coverage_lua, conns, lua_env(large_out)),
        ("floor_1m", "floor", "/", coverage_lua, conns, lua_env(large_out)),
        ("single_10k", "small", "/", coverage_lua, conns, lua_env(small_out)),
        ("single_1m_c1", "large", "/", coverage_lua, 1, lua_env(large_out)),
        ("single_10k_c1", "small", "/", coverage_lua, 1, lua_env(small_out)),
        ("batch_1m", "large", "/", batch_lua, 4, {**lua_env(large_out), "BODIES_FILE": str(bodies)}),
    ]
    if "pg" in servers:
        pg_bodies = batch_bodies(pg_out / "sellers.txt", OUT / "batch-bodies-pg.jsonl")
        plan += [("pg_single", "pg", "/", coverage_lua, conns, lua_env(pg_out)),
                 ("pg_batch", "pg", "/", batch_lua, 4, {**lua_env(pg_out), "BODIES_FILE": str(pg_bodies)})]
    wanted = {"bare": "bare", "single_1m": "single", "single_10k": "small", "single_1m_c1": "single_c1",
              "single_10k_c1": "small", "batch_1m": "batch", "floor_1m": "floor", "pg_single": "pg", "pg_batch": "pg"}
    plan = [step for step in plan if wanted[step[0]] in only]
    if args.compare:  # each app measurement right after the same one on the older code
        plan = [old for step in plan for old in (
            [(f"{step[0]}_old", f"{step[1]}_old", *step[2:]), step] if step[1] != "bare" else [step])]
    runs: dict[str, list[dict]] = {name: [] for name, *_ in plan}
    with contextlib.ExitStack() as stack:
        for server in servers.values():
            stack.enter_context(server)
        for _name, server, path, script, connections, env in plan:  # warm every path once
            wrk(servers[server].url + path, connections=connections, seconds=3, script=script, env=env)
        for round_number in range(args.rounds):
            for name, server, path, script, connections, env in plan:
                wrk(servers[server].url + path, connections=connections, seconds=2, script=script, env=env)
                run = wrk(servers[server].url + path, connections=connections, seconds=seconds, script=script,
                          env=env)
                runs[name].append(run)
                print(f"round {round_number + 1} {name}: {run['requests_per_second']:.0f} req/s, "
                      f"p50 {run['latency_ms']['p50']} ms, p99 {run['latency_ms']['p99']} ms, "
                      f"load {run['load_average_before']}", file=sys.stderr)
    for name, found in runs.items():
        results[name] = median_run(found)
        if "batch" in name:
            results[name]["checks_per_second"] = round(results[name]["requests_per_second"] * 500)
    rps = {name: [r["requests_per_second"] for r in found] for name, found in runs.items()}
    ratios: dict = {}
    if "bare" in runs and "single_1m" in runs:
        ratios["single_vs_bare_rps"] = ratio(rps["single_1m"], rps["bare"])
    if "single_1m_c1" in runs and "single_10k_c1" in runs:
        ratios["latency_1m_vs_10k_p50_c1"] = ratio([r["latency_ms"]["p50"] for r in runs["single_1m_c1"]],
                                                    [r["latency_ms"]["p50"] for r in runs["single_10k_c1"]])
    if "single_1m" in runs and "single_10k" in runs:
        ratios["latency_1m_vs_10k_p50_c32"] = ratio([r["latency_ms"]["p50"] for r in runs["single_1m"]],
                                                     [r["latency_ms"]["p50"] for r in runs["single_10k"]])
        ratios["latency_1m_vs_10k_avg_c32"] = ratio([r["latency_ms"]["avg"] for r in runs["single_1m"]],
                                                     [r["latency_ms"]["avg"] for r in runs["single_10k"]])
    if "floor_1m" in runs and "bare" in runs:
        ratios["floor_vs_bare_rps"] = ratio(rps["floor_1m"], rps["bare"])
    if "pg_single" in runs and "bare" in runs:
        ratios["pg_single_vs_bare_rps"] = ratio(rps["pg_single"], rps["bare"])
    for name in [name for name in runs if name.endswith("_old")]:  # the older code's own ratios, and new ÷ old
        new = name.removesuffix("_old")
        if new in runs:
            ratios[f"{new}_new_vs_old_rps"] = ratio(rps[new], rps[name])
            if "bare" in runs and new in ("single_1m", "pg_single"):
                ratios[f"{name}_vs_bare_rps"] = ratio(rps[name], rps["bare"])
    if "single_1m_c1_old" in runs and "single_10k_c1_old" in runs:
        ratios["latency_1m_vs_10k_p50_c1_old"] = ratio([r["latency_ms"]["p50"] for r in runs["single_1m_c1_old"]],
                                                        [r["latency_ms"]["p50"] for r in runs["single_10k_c1_old"]])
    results["ratios"] = ratios
    results["load_average_after"] = round(os.getloadavg()[0], 2)
    (OUT / "coverage-results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""What request ids, the request log line and the metrics cost the single coverage check, side by side.

    .venv/bin/python bench/bench_observability.py                    # 100,000 policies, 20 rounds
    .venv/bin/python bench/bench_observability.py --rounds 40 --block 300
    .venv/bin/python bench/bench_observability.py --http --rounds 6 --seconds 8   # gunicorn + wrk

--http: two gunicorn servers with the same settings (gunicorn.conf.py, 4 sync workers) on the same
database, one serving wsgi:app ("on"), the other bench/unobserved_app.py ("off": the same app less its
outermost middleware); wrk (bench/wrk/coverage.lua, 32 connections) runs against each in turn, in
alternating order, --rounds times; the "on" server's log lines go to a file. The figure is requests/s,
and the cost the median of the rounds' own ratios.

One app (wsgi.py, as gunicorn loads it) on a SQLite benchmark database; single checks (the fast path)
are called in process with prebuilt environs, alternately through the whole app ("on": the
RequestObserver outermost, as served) and through the same app without its outermost middleware
("off": the layer below it), in blocks of --block requests, --rounds times, so load from other
programs falls on both alike. As under gunicorn, prometheus_client runs in its multiprocess mode (a
folder of its own) and the log lines are JSON written to a file, in batches of 50 requests (about what a
worker writes every 0.1 s under gunicorn.conf.py), each written within the block that made it. CPU time
(process_time) per request is the figure (wall time beside it); the cost is the median of the rounds' own differences.
No HTTP: a server's own cost per request would make the share smaller. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
AMOUNTS = ["250.00", "999.99", "1000.00", "1000.01", "2500.00", "75000.00"]
CATEGORIES = ["", "", "&category=toys", "&category=baby", "&category=electronics"]


def ensure_database(policies: int) -> tuple[Path, Path]:
    """The benchmark database and the generator's output folder (made when missing)."""
    path = OUT / f"bench-obs-{policies}.sqlite3"
    data = OUT / path.stem
    if path.exists() and (data / "marketplace.key").exists():
        return path, data
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate_data.py"), "--policies", str(policies),
                    "--out", str(data)], cwd=ROOT, env=env, check=True)
    return path, data


def _start_response(status, headers, exc_info=None):
    if not status.startswith("200"):
        raise RuntimeError(f"unexpected status {status}")
    return lambda data: None


def _call(app, environ) -> None:
    body = app(environ, _start_response)
    try:
        b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def _environ(query: str, key: str) -> dict:
    return {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/api/v1/coverage", "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "50000", "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {key}", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
    }


def _block(app, environs: list[dict], flush=None, every: int = 50) -> tuple[float, float]:
    """CPU and wall µs per request over the block; `flush`, when given, called every `every` requests and
    at the end, inside the timing (the batches of the requests timed are paid by their own block)."""
    cpu, wall = time.process_time(), time.perf_counter()
    for number, environ in enumerate(environs, 1):
        _call(app, environ)
        if flush is not None and number % every == 0:
            flush()
    if flush is not None:
        flush()
    return ((time.process_time() - cpu) / len(environs) * 1e6, (time.perf_counter() - wall) / len(environs) * 1e6)


def server_cpu_seconds(master: int) -> float:
    """CPU seconds (user + system) used so far by a gunicorn master and its workers, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == master or ppid == master:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _wait_booted(master: int, seconds: float = 180) -> None:
    """Wait until a gunicorn server's workers are idle (their CPU still for a second): on a loaded machine
    a worker takes tens of seconds to import the app, and a run timed meanwhile measures its boot."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = server_cpu_seconds(master)
        time.sleep(1.0)
        if server_cpu_seconds(master) - before < 0.05:
            return
    raise RuntimeError(f"gunicorn {master}'s workers still busy after {seconds} s")


def over_http(database: Path, data: Path, rounds: int, seconds: int, connections: int) -> dict:
    """Requests/s of the single check through gunicorn with and without the middleware, alternating."""
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    from bench_coverage import Server, wrk

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PROMETHEUS_"))}
    env.update(ACCELERATOR_ENV="development", LOG_FORMAT="json", PYTHONPATH=str(ROOT))
    # Each server on a copy of its own: two servers writing one SQLite file would wait for each other.
    copies = {}
    for label in ("on", "off"):
        copies[label] = OUT / f"{database.stem}-{label}.sqlite3"
        for suffix in ("-wal", "-shm", "-writers.lock"):
            Path(f"{copies[label]}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(database, copies[label])
    settings = f"--config {ROOT / 'gunicorn.conf.py'} --workers 4 --worker-class sync"
    script_env = {"SELLERS_FILE": str(data / "sellers.txt"), "API_KEY": (data / "marketplace.key").read_text().strip()}
    script = ROOT / "bench" / "wrk" / "coverage.lua"
    runs: dict[str, list[dict]] = {"on": [], "off": []}
    with Server("wsgi:app", {**env, "DATABASE_URL": f"sqlite:///{copies['on']}"}, settings) as on, \
            Server("unobserved_app:app", {**env, "DATABASE_URL": f"sqlite:///{copies['off']}"}, settings,
                   chdir=ROOT / "bench") as off:
        servers = {"on": on, "off": off}
        for server in servers.values():
            _wait_booted(server.proc.pid)
        for _ in range(2):  # warm up: workers booted, statements compiled, the key's use recorded (fast path)
            for server in servers.values():
                wrk(server.url, connections=connections, seconds=4, script=script, env=script_env)
        for number in range(rounds):
            for label in (("on", "off") if number % 2 == 0 else ("off", "on")):
                cpu = server_cpu_seconds(servers[label].proc.pid)
                run = wrk(servers[label].url, connections=connections, seconds=seconds, script=script, env=script_env)
                served = run["requests_per_second"] * seconds
                run["server_cpu_us_per_request"] = (server_cpu_seconds(servers[label].proc.pid) - cpu) / served * 1e6
                runs[label].append(run)
                print(label, run["requests_per_second"], round(run["server_cpu_us_per_request"]), file=sys.stderr)
        log_lines = sum(1 for _ in open(on.log.name))
    ratios = [b["requests_per_second"] / a["requests_per_second"] for a, b in zip(runs["off"], runs["on"], strict=True)]
    return {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        "load_average": os.getloadavg(), "rounds": rounds, "seconds": seconds, "connections": connections,
        "off_requests_per_second": [r["requests_per_second"] for r in runs["off"]],
        "on_requests_per_second": [r["requests_per_second"] for r in runs["on"]],
        "off_median": statistics.median(r["requests_per_second"] for r in runs["off"]),
        "on_median": statistics.median(r["requests_per_second"] for r in runs["on"]),
        "on_p99_ms_median": statistics.median(r["latency_ms"]["p99"] for r in runs["on"]),
        "off_p99_ms_median": statistics.median(r["latency_ms"]["p99"] for r in runs["off"]),
        "off_server_cpu_us_per_request": [round(r["server_cpu_us_per_request"]) for r in runs["off"]],
        "on_server_cpu_us_per_request": [round(r["server_cpu_us_per_request"]) for r in runs["on"]],
        "cpu_cost_percent_median": round(statistics.median(
            (b["server_cpu_us_per_request"] / a["server_cpu_us_per_request"] - 1) * 100
            for a, b in zip(runs["off"], runs["on"], strict=True)), 1),
        "slower_percent_median": round((1 - statistics.median(ratios)) * 100, 1),
        "slower_percent_range": [round((1 - max(ratios)) * 100, 1), round((1 - min(ratios)) * 100, 1)],
        "non_2xx": sum(r["non_2xx"] for rs in runs.values() for r in rs),
        "on_log_lines": log_lines,
    }


def main() -> None:
    """Build or reuse the database, then time both ways in alternating blocks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--block", type=int, default=300)
    parser.add_argument("--http", action="store_true", help="through gunicorn and wrk instead of in process")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    database, data = ensure_database(args.policies)
    if args.http:
        print(json.dumps(over_http(database, data, args.rounds, args.seconds, args.connections), indent=2))
        return
    key = (data / "marketplace.key").read_text().strip()
    sellers = (data / "sellers.txt").read_text().split()

    # As gunicorn.conf.py and a production environment set them, before the app is imported.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="bench-metrics-")
    os.environ["LOG_FORMAT"] = "json"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("ACCELERATOR_ENV", "development")
    sys.path.insert(0, str(ROOT))
    log = open(OUT / "bench-observability.log", "w")  # the log lines, for the whole run
    real_stderr, sys.stderr = sys.stderr, log

    from accelerator.observability.records import batch, flush
    from wsgi import app

    # Records written in batches as gunicorn.conf.py makes a worker write them, but by the "on" blocks
    # themselves (every 50 requests, ~0.1 s of a worker's at 500 requests/s): a batching thread would
    # write some of a block's records during the next block, "off" ones included.
    batch(3600)
    on = app.wsgi_app
    off = on.wsgi_app  # the layer the RequestObserver wraps
    assert type(on).__name__ == "RequestObserver", type(on)
    rng = random.Random(7)

    def single() -> dict:
        query = (f"seller_id={rng.choice(sellers)}&incident_date={rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}-"
                 f"{rng.randint(1, 28):02d}&amount={rng.choice(AMOUNTS)}{rng.choice(CATEGORIES)}")
        return _environ(query, key)

    for wsgi in (on, off, on, off):  # warm up: statements compiled, the key's last use recorded
        for _ in range(200):
            _call(app if wsgi is on else off, single())
    rounds = []
    for number in range(args.rounds):
        order = [("on", on), ("off", off)] if number % 2 == 0 else [("off", off), ("on", on)]
        figures = {}
        for label, wsgi in order:
            figures[label] = _block(wsgi, [single() for _ in range(args.block)], flush if label == "on" else None)
        rounds.append(figures)
    flush()  # the last batch, into the log file
    sys.stderr = real_stderr
    log.close()

    def median(label: str, index: int) -> float:
        return round(statistics.median(r[label][index] for r in rounds), 1)

    costs = [r["on"][0] - r["off"][0] for r in rounds]
    shares = [(r["on"][0] - r["off"][0]) / r["off"][0] * 100 for r in rounds]
    result = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        "load_average": os.getloadavg(), "policies": args.policies, "rounds": args.rounds, "block": args.block,
        "off_cpu_us": median("off", 0), "on_cpu_us": median("on", 0),
        "off_wall_us": median("off", 1), "on_wall_us": median("on", 1),
        "cost_cpu_us_median": round(statistics.median(costs), 1),
        "cost_percent_median": round(statistics.median(shares), 1),
        "cost_percent_range": [round(min(shares), 1), round(max(shares), 1)],
        "log_lines_written": sum(1 for _ in open(OUT / "bench-observability.log")),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

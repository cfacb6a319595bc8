"""Benchmark: report-policy POSTs per second through gunicorn on SQLite (a benchmark, not a test).

    .venv/bin/python bench/bench_policies.py [--workers 4] [--threads 1] [--connections 8] [--duration 10] [--rounds 3]

Makes a fresh SQLite database in a temporary folder (the migrations, one approved insurer, one
insurer key), serves `wsgi:app` with gunicorn on a loopback port (by default the settings the README
recommends: 4 sync workers; `--threads` above 1 makes them gthread workers), drives
POST /api/v1/policies with wrk (bench/wrk/policies.lua: every request a new policy, sellers new and
repeated) for `--rounds` runs of `--duration` seconds, and checks after each run that the database
holds exactly one new policy per 2xx answer. The figure is the median run. Needs `wrk`
(apt-get install -y wrk).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from accelerator import clock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(database_url: str) -> str:
    """Migrate a fresh database and make an approved insurer with a key; returns the raw key."""
    from flask_migrate import upgrade

    from accelerator import create_app
    from accelerator.services import api_keys, insurers
    from accelerator.services.audit import Actor

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        insurer = insurers.create_insurer(Actor.cli(), insurers.InsurerData(
            name="Bench Mutual", naic_code="77777", am_best_rating="A"), approve=True)
        _key, raw = api_keys.create_key(Actor.cli(), "insurer", "bench", insurer.id)
    return raw


def _count_policies(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM policies")).scalar_one()
    engine.dispose()
    return count


def _worker_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) the gunicorn workers have used so far (Linux /proc)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _wait_until_up(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


def _wrk(url: str, key: str, run: str, threads: int, connections: int, duration: int) -> dict:
    env = {**os.environ, "API_KEY": key, "RUN": run}
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
         "-s", str(ROOT / "bench" / "wrk" / "policies.lua"), url + "/api/v1/policies"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    figures = {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def _report(number: int, figures: dict, connections: int) -> None:
    ok = figures["requests"] - figures["non2xx"]
    # Requests still in flight when wrk stops are written but not counted: at most one a connection.
    consistent = ok <= figures["created"] <= ok + connections
    print(f"run {number}: {figures['rps']:.0f} POSTs/s ({int(figures['requests'])} requests, "
          f"{int(figures['non2xx'])} non-2xx, {int(figures['socket_errors'])} socket errors; "
          f"p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms); server CPU "
          f"{figures['cpu_ms']:.2f} ms a request; policies created {int(figures['created'])} for {int(ok)} "
          f"2xx answers -> {'consistent' if consistent else 'MISMATCH'}; load average before {figures['load']:.2f}; "
          f"WAL {figures['wal_mb']:.1f} MB")


def main() -> None:
    """Run the benchmark and print the figures, the command and the machine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (above 1: gthread)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    workdir = Path(tempfile.mkdtemp(prefix="bench-policies-"))
    database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    key = _prepare(database_url)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-secret", "ACCELERATOR_ENV": "development"}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--chdir", str(ROOT), "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--log-level", "warning", "wsgi:app"],
        env=env,
    )
    runs = []
    try:
        _wait_until_up(url)
        _wrk(url, key, "warm", args.wrk_threads, args.connections, 3)
        for number in range(args.rounds):
            time.sleep(1.0)  # let the previous run's last requests land before counting
            load = os.getloadavg()[0]
            before = _count_policies(database_url)
            cpu_before = _worker_cpu_seconds(server.pid)
            figures = _wrk(url, key, f"run{number}", args.wrk_threads, args.connections, args.duration)
            figures["cpu_ms"] = (_worker_cpu_seconds(server.pid) - cpu_before) * 1000 / max(1, figures["requests"])
            time.sleep(1.0)
            figures["created"] = _count_policies(database_url) - before
            figures["load"] = load
            wal = workdir / "bench.sqlite3-wal"
            figures["wal_mb"] = (wal.stat().st_size if wal.exists() else 0) / 1e6
            runs.append(figures)
            _report(number + 1, figures, args.connections)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    median = sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]
    rates = ", ".join(f"{run['rps']:.0f}" for run in runs)
    print(f"MEDIAN of {len(runs)} runs: {median['rps']:.0f} POSTs/s (runs: {rates}); p50 {median['p50_ms']:.1f} ms, "
          f"p99 {median['p99_ms']:.1f} ms; server CPU {median['cpu_ms']:.2f} ms a request (so "
          f"{os.cpu_count()} idle cores could serve about {os.cpu_count() * 1000 / median['cpu_ms']:.0f}/s)")
    worker_class = "sync" if args.threads == 1 else "gthread"
    print(f"gunicorn: {args.workers} {worker_class} workers x {args.threads} threads; wrk: -t{args.wrk_threads} "
          f"-c{args.connections} -d{args.duration}s")
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
          f"{clock.now():%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()

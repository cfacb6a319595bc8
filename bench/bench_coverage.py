"""The coverage benchmark: gunicorn on SQLite with 1,000,000 policies, measured side by side in one run.

    .venv/bin/python bench/bench_coverage.py            # builds the databases on first use (a minute)

(a) requests/s of a single coverage check against a bare Flask endpoint under the same gunicorn
settings; (b) latency percentiles at 32 concurrent connections; (c) checks/s of the batch endpoint;
(d) latency of a single check at 1,000,000 policies against 10,000. The load generator is wrk with a
Lua script for varied sellers, dates, amounts and categories; its own CPU use is measured and
reported, since it shares the machine's cores with gunicorn. Figures go to stdout (markdown) and
bench/out/coverage-results.json. A benchmark, not a test: it never fails on a figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
FLASK = ROOT / ".venv" / "bin" / "flask"

# The settings bench/README.md recommends for 2 cores (see there for why).
GUNICORN_SETTINGS = ["--workers", "2", "--worker-class", "gthread", "--threads", "4", "--keep-alive", "5",
                     "--backlog", "2048"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_database(path: Path, policies: int) -> Path:
    """The benchmark database with `policies` policies (made by `flask db upgrade` and the generator)."""
    out = OUT / path.stem
    if path.exists() and (out / "marketplace.key").exists():
        return out
    for suffix in ("", "-wal", "-shm"):
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
    """gunicorn serving `app` on a free loopback port with the benchmark's settings."""

    def __init__(self, app: str, env: dict, chdir: Path = ROOT):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [str(GUNICORN), "--chdir", str(chdir), "--bind", f"127.0.0.1:{self.port}", *GUNICORN_SETTINGS, app],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                time.sleep(0.5)  # let every worker finish booting
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start: " + self.proc.stderr.read().decode()[-2000:])

    def __exit__(self, *exc) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, *, connections: int, seconds: int, script: Path | None = None, env: dict | None = None,
        threads: int = 1) -> dict:
    """Run wrk; requests/s, latency percentiles (ms), errors, and the CPU wrk itself used (in cores)."""
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        args += ["-s", str(script)]
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


def app_env(database: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_")}
    env.update(DATABASE_URL=f"sqlite:///{database}", ACCELERATOR_ENV="development")
    return env


def main() -> None:
    """Build what is missing, run every measurement, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--large", type=Path, default=OUT / "bench-1m.sqlite3")
    parser.add_argument("--small", type=Path, default=OUT / "bench-10k.sqlite3")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    large_out = ensure_database(args.large, 1_000_000)
    small_out = ensure_database(args.small, 10_000)
    seconds, conns = args.seconds, args.connections
    results: dict = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": {
        "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "gunicorn": " ".join(GUNICORN_SETTINGS), "seconds_per_run": seconds, "connections": conns}

    def lua_env(out: Path) -> dict:
        return {"SELLERS_FILE": str(out / "sellers.txt"), "API_KEY": (out / "marketplace.key").read_text().strip()}

    coverage_lua = BENCH / "wrk" / "coverage.lua"
    # (a) and (b): the bare endpoint, then the single check on 1,000,000 policies, same settings.
    with Server("bare_app:app", app_env(args.large), chdir=BENCH) as bare:
        wrk(f"{bare.url}/bare", connections=conns, seconds=3)  # warm-up
        results["bare"] = wrk(f"{bare.url}/bare", connections=conns, seconds=seconds)
    with Server("wsgi:app", app_env(args.large)) as app:
        wrk(app.url, connections=conns, seconds=3, script=coverage_lua, env=lua_env(large_out))
        results["single_1m"] = wrk(app.url, connections=conns, seconds=seconds, script=coverage_lua,
                                   env=lua_env(large_out))
        results["single_1m_c1"] = wrk(app.url, connections=1, seconds=seconds, script=coverage_lua,
                                      env=lua_env(large_out))
        # (c) the batch endpoint: 500 varied checks a request.
        bodies = batch_bodies(large_out / "sellers.txt", OUT / "batch-bodies.jsonl")
        batch_env = {**lua_env(large_out), "BODIES_FILE": str(bodies)}
        batch_lua = BENCH / "wrk" / "batch.lua"
        wrk(app.url, connections=4, seconds=3, script=batch_lua, env=batch_env)
        batch = wrk(app.url, connections=4, seconds=seconds, script=batch_lua, env=batch_env)
        batch["checks_per_second"] = round(batch["requests_per_second"] * 500)
        results["batch_1m"] = batch
    # (d) the same single check on 10,000 policies.
    with Server("wsgi:app", app_env(args.small)) as app:
        wrk(app.url, connections=conns, seconds=3, script=coverage_lua, env=lua_env(small_out))
        results["single_10k"] = wrk(app.url, connections=conns, seconds=seconds, script=coverage_lua,
                                    env=lua_env(small_out))
        results["single_10k_c1"] = wrk(app.url, connections=1, seconds=seconds, script=coverage_lua,
                                       env=lua_env(small_out))
    ratio = results["single_1m"]["requests_per_second"] / results["bare"]["requests_per_second"]
    results["ratios"] = {
        "single_vs_bare_rps": round(ratio, 3),
        "latency_1m_vs_10k_p50_c1": round(results["single_1m_c1"]["latency_ms"]["p50"]
                                          / results["single_10k_c1"]["latency_ms"]["p50"], 3),
        "latency_1m_vs_10k_avg_c32": round(results["single_1m"]["latency_ms"]["avg"]
                                           / results["single_10k"]["latency_ms"]["avg"], 3),
    }
    (OUT / "coverage-results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""Coverage checks while an admin reads a slow page: do the checks wait for the page?

    .venv/bin/python bench/bench_mixed.py                    # the app of this checkout
    .venv/bin/python bench/bench_mixed.py --app-root DIR     # another checkout's app (the same database)

gunicorn (the recommended settings) serves the app on bench/out/bench-1m.sqlite3 (1,000,000
policies, built by bench_coverage.py's generator on first use). wrk drives single coverage checks
at 32 connections for `--seconds`, first alone, then while one logged-in admin loads the admin
dashboard over and over (its weekly compliance over a year of 1,000,000 policies takes seconds).
Each check writes its record, so any transaction that keeps the writers' turn while the page is
built stops every check for that long. Printed: the checks' requests/s and latency both ways, and
how long the admin's pages took. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import requests
from bench_coverage import BENCH, FLASK, OUT, ROOT, Server, app_env, ensure_database, wrk

from accelerator import clock

ADMIN_EMAIL = "bench-admin@example.com"
ADMIN_PASSWORD = "bench-admin-password-1"  # a throwaway account in a benchmark database


def _ensure_admin(database: Path, app_root: Path) -> None:
    """The benchmark's admin account (made once; a second run finds it)."""
    env = app_env(f"sqlite:///{database}")
    run = subprocess.run([str(FLASK), "--app", "wsgi", "users", "create-admin", "--email", ADMIN_EMAIL,
                          "--password", ADMIN_PASSWORD], cwd=app_root, env=env, capture_output=True, text=True)
    if run.returncode != 0 and "already" not in (run.stdout + run.stderr).lower():
        raise RuntimeError(run.stdout + run.stderr)


def _logged_in(url: str) -> requests.Session:
    """A browser-like session logged in as the admin (CSRF token from the login form)."""
    session = requests.Session()
    page = session.get(f"{url}/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = session.post(f"{url}/login", data={"csrf_token": token, "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
                          timeout=30, allow_redirects=False)
    if answer.status_code not in (302, 303):
        raise RuntimeError(f"admin login failed: {answer.status_code}")
    return session


def _a_year() -> dict:
    """The dashboard's range: the year to today."""
    today = clock.now().date()
    return {"start": (today - timedelta(days=364)).isoformat(), "end": today.isoformat()}


def _admin_reader(session: requests.Session, url: str, stop: threading.Event, times: list[float]) -> None:
    """Load the admin dashboard again and again until `stop`; each page's seconds into `times`."""
    while not stop.is_set():
        started = time.monotonic()
        answer = session.get(f"{url}/admin/reports", params=_a_year(), timeout=120)
        answer.raise_for_status()
        times.append(time.monotonic() - started)


def main() -> None:
    """Checks alone, then checks beside the admin's page, on one server."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout whose app gunicorn serves")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--settings", default="--workers 4 --worker-class sync")
    args = parser.parse_args()
    database = OUT / "bench-1m.sqlite3"
    data = ensure_database(database, 1_000_000)
    _ensure_admin(database, args.app_root)
    lua = {"SELLERS_FILE": str(data / "sellers.txt"), "API_KEY": (data / "marketplace.key").read_text().strip()}
    script = BENCH / "wrk" / "coverage.lua"
    results: dict = {"app_root": str(args.app_root), "settings": args.settings}
    with Server("wsgi:app", app_env(f"sqlite:///{database}"), args.settings, chdir=args.app_root) as server:
        wrk(server.url + "/", connections=32, seconds=3, script=script, env=lua)  # warm up
        results["checks_alone"] = wrk(server.url + "/", connections=32, seconds=args.seconds, script=script, env=lua)
        session = _logged_in(server.url)
        stop, times = threading.Event(), []
        reader = threading.Thread(target=_admin_reader, args=(session, server.url, stop, times))
        reader.start()
        time.sleep(1)
        results["checks_beside_admin"] = wrk(server.url + "/", connections=32, seconds=args.seconds, script=script,
                                             env=lua)
        stop.set()
        reader.join(timeout=180)
        results["admin_pages"] = {"count": len(times),
                                  "median_s": round(statistics.median(times), 2) if times else None,
                                  "max_s": round(max(times), 2) if times else None}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

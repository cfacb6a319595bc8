"""Real servers in processes of their own, for the tests: a free port, gunicorn started and waited for."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from accelerator import clock

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, **extra: str) -> dict:
    """The environment of a server process on the test database, its clock pinned where the test's is."""
    return dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="gunicorn-test-secret", PYTHONPATH=str(ROOT),
                ACCELERATOR_CLOCK=clock.now().isoformat(), **extra)


def start_gunicorn(port: int, env: dict, *options: str, new_session: bool = False) -> subprocess.Popen:
    """`gunicorn [options] --bind 127.0.0.1:<port> wsgi:app` from the repository, its output piped and
    read as it comes (the workers log a line per request: a pipe nobody reads would fill and stop them);
    `output(process)` gives it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *options, "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=new_session,
    )
    process.lines = []
    process.reader = threading.Thread(target=_drain, args=(process,), daemon=True)
    process.reader.start()
    return process


def _drain(process: subprocess.Popen) -> None:
    for line in process.stdout:
        process.lines.append(line)


def output(process: subprocess.Popen) -> str:
    """What the server wrote so far (all of it once it has stopped)."""
    if process.poll() is not None:
        process.reader.join(timeout=10)
    return b"".join(process.lines).decode(errors="replace")


def wait_healthy(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until the server answers /healthz with 200; fail with its output if it stops or never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    text = output(process)
    process.stdout.close()
    raise AssertionError("gunicorn did not answer /healthz: " + text)


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Stop the server gracefully (SIGTERM), and close its pipe."""
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=timeout)
    process.reader.join(timeout=10)
    process.stdout.close()

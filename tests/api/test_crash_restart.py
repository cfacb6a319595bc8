"""A crashed gunicorn master takes its workers with it, so a restart binds the port at once; the systemd unit."""

from __future__ import annotations

import configparser
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.servers import free_port, server_env

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; the hook uses prctl")


def _start(port: int, env: dict) -> subprocess.Popen:
    """gunicorn with the repo's config (as deploy/systemd/accelerator.service runs it), two workers, own session."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "info", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )


def _wait_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise AssertionError("gunicorn did not answer /healthz: " + _output(process))


def _output(process: subprocess.Popen) -> str:
    if process.poll() is None:
        _kill_group(process)
    return process.stdout.read().decode(errors="replace")


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL every process of the server's session (master and workers share its process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=15)


def _workers(master: int, count: int) -> set[int]:
    """The pids of the master's children, once it has forked `count` of them."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        children = set()
        for task in Path(f"/proc/{master}/task").iterdir():
            children |= {int(pid) for pid in (task / "children").read_text().split()}
        if len(children) >= count:
            return children
        time.sleep(0.1)
    raise AssertionError(f"the master forked {len(children)} workers, not {count}")


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie, dead but not yet reaped, holds no socket any more)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _port_free(port: int) -> bool:
    """Whether a new listener can bind the port as gunicorn binds it (SO_REUSEADDR, no SO_REUSEPORT)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            s.listen()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def test_kill_9_of_the_master_takes_the_workers_and_frees_the_port(database_url, db, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = server_env(database_url, XDG_RUNTIME_DIR=str(tmp_path))  # gunicorn's control socket, left by the crash
    env.pop("GUNICORN_CMD_ARGS", None)
    first = _start(port, env)
    second = None
    try:
        _wait_healthy(url, first)
        workers = _workers(first.pid, 2)
        assert all(_alive(pid) for pid in workers)

        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (any(_alive(pid) for pid in workers) or not _port_free(port)):
            time.sleep(0.05)
        assert [pid for pid in workers if _alive(pid)] == [], "workers outlived their master"
        assert _port_free(port), "the port is still held after the master died"

        second = _start(port, env)
        _wait_healthy(url, second)
        assert requests.get(url + "/healthz", timeout=5).status_code == 200
        _kill_group(second)
        log = second.stdout.read().decode(errors="replace")
        assert "Listening at: " + url in log
        assert "Control socket listening at " + str(tmp_path / "gunicorn.ctl") in log
        assert "in use" not in log  # gunicorn's "Connection in use" retry: the first bind succeeded
    finally:
        for process in (first, second):
            if process is not None:
                _kill_group(process)
                process.stdout.close()


def test_the_systemd_unit_restarts_gunicorn_with_the_config_and_kills_the_whole_cgroup():

    unit = configparser.ConfigParser(interpolation=None, strict=True, empty_lines_in_values=False)
    unit.optionxform = str  # systemd keys are case-sensitive
    unit.read_string((ROOT / "deploy" / "systemd" / "accelerator.service").read_text())
    service = unit["Service"]
    assert service["Type"] in ("simple", "exec")
    assert service["ExecStart"] == "/srv/accelerator/.venv/bin/gunicorn --config gunicorn.conf.py wsgi:app"
    assert service["WorkingDirectory"] == "/srv/accelerator"
    assert (service["Restart"], service["RestartSec"], service["KillMode"]) == ("always", "1", "control-group")
    assert service["User"] not in ("", "root")
    assert service["EnvironmentFile"].startswith("/etc/")
    assert (service["NoNewPrivileges"], service["ProtectSystem"], service["PrivateTmp"]) == ("yes", "strict", "yes")
    assert service["ReadWritePaths"].split() == ["/srv/accelerator/instance"]
    assert service["Environment"] == "XDG_RUNTIME_DIR=/run/" + service["RuntimeDirectory"]  # control socket
    assert unit["Install"]["WantedBy"] == "multi-user.target"

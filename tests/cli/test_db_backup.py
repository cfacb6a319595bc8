"""`flask db backup PATH`: a copy of the SQLite database taken while checks are being written, which then
serves; and the refusals (a path that exists, a directory that cannot be written, PostgreSQL)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from accelerator import create_app
from accelerator.client import AcceleratorClient, ApiError
from accelerator.extensions import db as _db
from tests.conftest import test_config as app_config
from tests.servers import ROOT, free_port, server_env, start_gunicorn, stop, wait_healthy

FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]
CHEAP_HASH = {"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
KEY_LINE = "Marketplace API key (shown once): "
QUESTION = {"seller_id": "A1TOYOAK7Q", "incident_date": "2026-11-01", "amount": "2500.00", "category": "toys"}


def _flask(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`flask --app wsgi <args>` as an operator runs it: a process of its own."""
    return subprocess.run([*FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def _demo_database(path: Path) -> tuple[dict, str]:
    """A SQLite file made by `db upgrade` and filled by `demo`; its server environment and marketplace key."""
    env = server_env(f"sqlite:///{path}", **CHEAP_HASH)
    for args in (("db", "upgrade"), ("demo",)):
        done = _flask(env, *args)
        assert done.returncode == 0, done.stdout + done.stderr
    key = next(line[len(KEY_LINE):] for line in done.stdout.splitlines() if line.startswith(KEY_LINE))
    return env, key


class Writers:
    """Threads that POST coverage checks (each one recorded) through the client until stopped."""

    def __init__(self, url: str, key: str, threads: int = 2):
        self.url, self.key = url, key
        self.answers: list[tuple[float, dict]] = []  # (when the answer arrived, the check)
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run) for _ in range(threads)]

    def _run(self) -> None:
        with AcceleratorClient(self.url, self.key, timeout=60) as client:
            while not self._stop.is_set():
                try:
                    results = client.check_coverage_batch([QUESTION, QUESTION])["results"]
                except Exception as exc:  # noqa: BLE001 - every failure is reported by the test
                    self.failures.append(repr(exc))
                    return
                arrived = time.monotonic()
                self.answers.extend((arrived, result) for result in results)

    def start(self) -> Writers:
        for thread in self._threads:
            thread.start()
        return self

    def wait_for(self, count: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while len(self.answers) < count and time.monotonic() < deadline and not self.failures:
            time.sleep(0.05)
        assert len(self.answers) >= count, self.failures

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


def _recorded_check_ids(path: Path) -> set[str]:
    """The check ids stored in a SQLite file."""
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT check_id FROM coverage_checks")}
    finally:
        conn.close()


def test_a_backup_taken_while_checks_are_written_restores_and_answers_the_same_check(tmp_path):
    live = tmp_path / "live.sqlite3"
    env, key = _demo_database(live)
    demo_checks = _recorded_check_ids(live)
    port = free_port()
    server = start_gunicorn(port, env, "--workers", "2", "--log-level", "warning")
    writers = None
    try:
        wait_healthy(f"http://127.0.0.1:{port}", server)
        writers = Writers(f"http://127.0.0.1:{port}", key).start()
        writers.wait_for(20)
        target = tmp_path / "backups" / "accelerator-backup.sqlite3"
        target.parent.mkdir()
        began = time.monotonic()
        done = _flask(env, "db", "backup", str(target))
        ended = time.monotonic()
        after = len(writers.answers)
        writers.wait_for(after + 4)  # checks answered after the backup ended: they must not be in it
        writers.stop()
    finally:
        if writers is not None:
            writers.stop()
        stop(server)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(target)
    assert writers.failures == []
    before = [check for arrived, check in writers.answers if arrived < began]
    during = [check for arrived, check in writers.answers if began <= arrived <= ended]
    later = [check for arrived, check in writers.answers if arrived > ended]
    assert during, "no check was written while the backup ran: the site's writers were stopped"
    assert later
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no temporary file left

    in_backup = _recorded_check_ids(target)
    answered = {check["check_id"] for _, check in writers.answers}
    assert {check["check_id"] for check in before} <= in_backup  # every check recorded up to the backup
    assert in_backup - demo_checks - answered == set()  # nothing else
    assert not in_backup & {check["check_id"] for check in later}

    # The copy serves as it is: a server on it replays a check recorded before the backup, field for
    # field, knows none made after it, and decides the same question the same way.
    port = free_port()
    restored = start_gunicorn(port, server_env(f"sqlite:///{target}", **CHEAP_HASH), "--workers", "1",
                              "--log-level", "warning")
    try:
        wait_healthy(f"http://127.0.0.1:{port}", restored)
        with AcceleratorClient(f"http://127.0.0.1:{port}", key, timeout=30) as client:
            assert client.get_coverage_check(before[-1]["check_id"]) == before[-1]
            assert client.get_coverage_check(before[0]["check_id"]) == before[0]
            with pytest.raises(ApiError) as missing:
                client.get_coverage_check(later[-1]["check_id"])
            assert missing.value.status == 404
            again = client.check_coverage(**QUESTION)
    finally:
        stop(restored)
    same = ("status", "route", "covered_amount", "policy", "reasons", "seller_id", "amount", "category")
    assert {k: again[k] for k in same} == {k: before[-1][k] for k in same}
    assert again["status"] == "covered"


@pytest.fixture()
def sqlite_app(tmp_path):
    """An app on a small SQLite file of its own (the refusals need no server)."""
    path = tmp_path / "small.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()
    application = create_app(app_config(f"sqlite:///{path}", str(tmp_path / "instance")))
    yield application
    with application.app_context():
        _db.engine.dispose()


def _backup(application, target) -> object:
    return application.test_cli_runner().invoke(args=["db", "backup", str(target)])


def test_backup_refuses_a_path_that_exists_and_writes_nothing(sqlite_app, tmp_path):
    target = tmp_path / "out" / "exists.sqlite3"
    target.parent.mkdir()
    target.write_bytes(b"keep me")
    result = _backup(sqlite_app, target)
    assert result.exit_code != 0
    assert f"{target} already exists" in result.output
    assert target.read_bytes() == b"keep me"
    assert [p.name for p in target.parent.iterdir()] == ["exists.sqlite3"]


def test_backup_refuses_a_directory_it_cannot_write_and_writes_nothing(sqlite_app, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() == 0:  # root writes through file modes: take a directory no one may create files in
        locked = Path("/sys")
    else:
        locked.chmod(0o500)
    before = sorted(os.listdir(locked))
    result = _backup(sqlite_app, locked / "backup.sqlite3")
    assert result.exit_code != 0
    assert "cannot write" in result.output and "nothing was written" in result.output
    assert sorted(os.listdir(locked)) == before
    missing = _backup(sqlite_app, tmp_path / "no-such-dir" / "backup.sqlite3")
    assert missing.exit_code != 0 and "is not a directory" in missing.output


def test_backup_copies_a_quiet_database_and_the_copy_is_sound(sqlite_app, tmp_path):
    target = tmp_path / "copy.sqlite3"
    result = _backup(sqlite_app, target)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(target)
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def test_on_postgresql_backup_says_to_use_pg_dump_and_fails(database_url, app, tmp_path):
    if database_url.startswith("postgresql"):
        application = app  # the test database itself
    else:  # a PostgreSQL URL that is never connected to: the command refuses before it would
        application = create_app(app_config("postgresql+psycopg://nobody@127.0.0.1:9/none", str(tmp_path)))
    target = tmp_path / "pg.backup"
    result = _backup(application, target)
    assert result.exit_code != 0
    assert "pg_dump" in result.output and "pg_restore" in result.output
    assert not target.exists()


def test_backup_prints_a_relative_path_as_given(sqlite_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _backup(sqlite_app, "relative.sqlite3")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "relative.sqlite3"
    assert (tmp_path / "relative.sqlite3").is_file()


def test_a_copy_that_fails_leaves_nothing_behind(tmp_path):
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database" * 1000)
    application = create_app(app_config(f"sqlite:///{broken}", str(tmp_path / "instance")))
    out = tmp_path / "out"
    out.mkdir()
    try:
        result = _backup(application, out / "copy.sqlite3")
    finally:
        with application.app_context():
            _db.engine.dispose()
    assert result.exit_code != 0
    assert "the copy failed" in result.output and "nothing was written" in result.output
    assert list(out.iterdir()) == []  # neither the copy nor its temporary file

"""`flask --app wsgi reminders send [--today YYYY-MM-DD]`: queue what is due, send what is pending, say so."""

from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from accelerator import clock
from accelerator.config import ConfigError, load_config
from accelerator.extensions import db as _db
from accelerator.models import EmailMessage
from tests.cli.support import assert_ok, invoke, last_line
from tests.factories import make_email_message, make_monthly_sales, make_policy, make_seller_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def mail_folder(app, tmp_path, monkeypatch):
    """The test app writes mail to a fresh folder."""
    folder = tmp_path / "mail"
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_FOLDER", str(folder))
    monkeypatch.setitem(app.config, "SITE_URL", "https://accelerator.example")
    return folder


def messages() -> dict[str, str]:
    """dedupe key -> status of every message in the outbox."""
    _db.session.rollback()
    return dict(_db.session.execute(select(EmailMessage.dedupe_key, EmailMessage.status)).all())


def test_send_queues_and_sends_whats_due_and_a_second_run_does_nothing(app, db, mail_folder):
    seller = make_seller_user()
    policy = make_policy(seller_id=seller.seller_id)
    make_monthly_sales(seller.seller_id, date(2026, 10, 1), "40000.00")  # covered: no requirement reminder

    first = invoke(app, "reminders", "send", "--today", "2026-12-02")
    assert_ok(first)
    assert last_line(first) == "Reminders: queued 1, sent 1, failed 0, retrying 0, cancelled 0"
    assert messages() == {f"policy_expiring:30:{policy.id}:2027-01-01": "sent"}
    (path,) = mail_folder.glob("*.eml")
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert f"https://accelerator.example/seller/policies/{policy.id}" in parsed.get_body(("plain",)).get_content()

    again = invoke(app, "reminders", "send", "--today", "2026-12-02")
    assert_ok(again)
    assert last_line(again) == "Reminders: queued 0, sent 0, failed 0, retrying 0, cancelled 0"
    assert len(list(mail_folder.glob("*.eml"))) == 1


def test_send_on_a_day_before_anything_is_due_queues_nothing(app, db, mail_folder):
    make_policy(seller_id=make_seller_user().seller_id)
    result = invoke(app, "reminders", "send", "--today", "2026-12-01")
    assert_ok(result)
    assert last_line(result) == "Reminders: queued 0, sent 0, failed 0, retrying 0, cancelled 0"
    assert messages() == {}


def test_send_drains_more_than_one_batch(app, db, mail_folder):
    for _ in range(7):
        make_email_message()
    result = invoke(app, "reminders", "send", "--today", "2026-12-02", "--batch", "3")
    assert_ok(result)
    assert last_line(result) == "Reminders: queued 0, sent 7, failed 0, retrying 0, cancelled 0"
    assert set(messages().values()) == {"sent"}


@pytest.mark.parametrize("value", ["2026-02-30", "tomorrow", "1899-12-31", "", "2026-12-02T00:00"])
def test_a_bad_day_is_refused_with_a_message_and_changes_nothing(app, db, mail_folder, value):
    make_policy(seller_id=make_seller_user().seller_id)
    result = invoke(app, "reminders", "send", "--today", value)
    assert result.exit_code == 2, result.output
    assert "--today" in result.output and "Traceback" not in result.output
    assert messages() == {}


def test_a_bad_batch_is_refused(app, db, mail_folder):
    result = invoke(app, "reminders", "send", "--batch", "0")
    assert result.exit_code == 2
    assert "--batch" in result.output


class _Inbox:
    """An aiosmtpd handler that keeps every message."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_flask(database_url: str, tmp_path, **env) -> subprocess.CompletedProcess:
    """`flask --app wsgi reminders send --today 2026-12-02` in a process of its own, set up by environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "SITE_URL"))}
    environment.update(DATABASE_URL=database_url, SECRET_KEY="cli-test-secret", SITE_URL="https://accelerator.example",
                       MAIL_FROM="Accelerator <reminders@accelerator.example>",
                       ACCELERATOR_CLOCK=clock.now().isoformat(), **env)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "send", "--today", "2026-12-02"]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def test_the_command_sends_over_smtp_configured_from_the_environment(app, db, database_url, tmp_path):
    seller = make_seller_user()
    policy = make_policy(seller_id=seller.seller_id)
    _db.session.commit()
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        done = _run_flask(database_url, tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port), MAIL_USE_TLS="false",
                          MAIL_FOLDER=str(tmp_path / "unused"))
    finally:
        controller.stop()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "Reminders: queued 1, sent 1, failed 0, retrying 0, cancelled 0"
    ((to, content),) = inbox.received
    assert to == [seller.email]
    parsed = email.message_from_bytes(content, policy=email.policy.default)
    assert parsed["From"] == "Accelerator <reminders@accelerator.example>"
    link = f"https://accelerator.example/seller/policies/{policy.id}"
    assert link in parsed.get_body(("plain",)).get_content()
    assert f'href="{link}"' in parsed.get_body(("html",)).get_content()
    assert not (tmp_path / "unused").exists()
    assert messages() == {f"policy_expiring:30:{policy.id}:2027-01-01": "sent"}


def test_the_command_reports_a_send_to_retry_when_the_server_is_down(app, db, database_url, tmp_path):
    make_policy(seller_id=make_seller_user().seller_id)
    _db.session.commit()
    done = _run_flask(database_url, tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(_free_port()),
                      MAIL_USE_TLS="false")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "Reminders: queued 1, sent 0, failed 0, retrying 1, cancelled 0"
    _db.session.rollback()
    row = _db.session.execute(select(EmailMessage)).scalar_one()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at > datetime(2026, 12, 2, tzinfo=UTC)


def test_without_a_mail_server_the_command_writes_to_the_mail_folder(app, db, database_url, tmp_path):
    make_policy(seller_id=make_seller_user().seller_id)
    _db.session.commit()
    folder = tmp_path / "outbox"
    done = _run_flask(database_url, tmp_path, MAIL_FOLDER=str(folder))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("Reminders: queued 1, sent 1,")
    assert len(list(folder.glob("*.eml"))) == 1
    assert _db.session.execute(select(func.count(EmailMessage.id))).scalar_one() == 1


# --- settings -----------------------------------------------------------------------------------


@pytest.fixture()
def clean_env(monkeypatch):
    """No MAIL_* setting from the shell that runs the tests leaks into these."""
    for name in list(os.environ):
        if name.startswith("MAIL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SECRET_KEY", "settings-test")
    return monkeypatch


def test_mail_settings_default_to_the_mail_folder_in_the_instance(clean_env, tmp_path):
    config = load_config(str(tmp_path))
    assert config["MAIL_SERVER"] is None
    assert config["MAIL_FOLDER"] == str(tmp_path / "mail")
    assert (config["MAIL_PORT"], config["MAIL_USE_TLS"]) == (587, True)
    assert config["MAIL_MAX_ATTEMPTS"] >= 1


def test_mail_settings_come_from_the_environment(clean_env, tmp_path):
    for name, value in {"MAIL_SERVER": "smtp.example.com", "MAIL_PORT": "2525", "MAIL_USE_TLS": "no",
                        "MAIL_USERNAME": "mailer", "MAIL_PASSWORD": "pw", "MAIL_FROM": "A <a@example.com>",
                        "MAIL_FOLDER": str(tmp_path / "elsewhere")}.items():
        clean_env.setenv(name, value)
    config = load_config(str(tmp_path))
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"]) == ("smtp.example.com", 2525, False)
    assert (config["MAIL_USERNAME"], config["MAIL_PASSWORD"]) == ("mailer", "pw")
    assert (config["MAIL_FROM"], config["MAIL_FOLDER"]) == ("A <a@example.com>", str(tmp_path / "elsewhere"))


@pytest.mark.parametrize("port", ["0", "70000", "smtp", "-1"])
def test_a_bad_mail_port_is_a_config_error(clean_env, tmp_path, port):
    clean_env.setenv("MAIL_PORT", port)
    with pytest.raises(ConfigError, match="MAIL_PORT"):
        load_config(str(tmp_path))

"""`flask --app wsgi claim-cases notify`: escalate, queue reminders and notices, send, print the counts."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from accelerator import clock
from accelerator.extensions import db as _db
from accelerator.models import EmailMessage
from accelerator.services import claim_case_mail, claim_cases
from accelerator.services.audit import Actor
from tests import factories
from tests.cli.support import assert_ok, invoke, last_line
from tests.factories import NOW

ROOT = Path(__file__).resolve().parents[2]
SELLER = "CLICASE001"
RESPOND_BY = NOW + timedelta(days=5)


@pytest.fixture()
def mail_folder(app, tmp_path, monkeypatch):
    """The test app writes mail to a fresh folder."""
    folder = tmp_path / "mail"
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_FOLDER", str(folder))
    return folder


def insured_cases(count: int, staff: int = 1) -> None:
    """`count` cases of SELLER (with an account) awaiting its insurer, which has `staff` users."""
    insurer = factories.make_insurer()
    factories.make_seller_user(seller=factories.make_seller(seller_id=SELLER))
    factories.make_policy(seller_id=SELLER, insurer=insurer, policy_number="CLI-1")
    for _ in range(staff):
        factories.make_insurer_user(insurer=insurer)
    for n in range(count):
        request = claim_cases.CaseInput(case_id=f"CLI-{n}", seller_id=SELLER, kind="property_damage",
                                        incident_date=date(2026, 6, 1), amount_claimed=Decimal("2500.00"),
                                        category=None, order_id=None, description="A fire.", respond_by=RESPOND_BY)
        claim_cases.open_case(Actor("test"), None, request)


def statuses() -> list[tuple[str, str]]:
    _db.session.rollback()
    return sorted(_db.session.execute(select(EmailMessage.dedupe_key, EmailMessage.status)).all())


def test_notify_prints_its_counts_and_a_second_run_does_nothing(app, db, mail_folder):
    insured_cases(1)
    clock.pin(RESPOND_BY - claim_case_mail.REMINDER_BEFORE + timedelta(hours=1))
    first = invoke(app, "claim-cases", "notify")
    assert_ok(first)
    assert last_line(first) == ("Claim cases: escalated 0, queued 1 reminder(s) and 0 escalation notice(s); "
                                "emails sent 3, failed 0, retrying 0, cancelled 0")  # the 2 openings, the reminder
    again = invoke(app, "claim-cases", "notify")
    assert last_line(again) == ("Claim cases: escalated 0, queued 0 reminder(s) and 0 escalation notice(s); "
                                "emails sent 0, failed 0, retrying 0, cancelled 0")
    clock.pin(RESPOND_BY + timedelta(seconds=1))
    late = invoke(app, "claim-cases", "notify")
    assert last_line(late) == ("Claim cases: escalated 1, queued 0 reminder(s) and 2 escalation notice(s); "
                               "emails sent 2, failed 0, retrying 0, cancelled 0")
    assert len(list(mail_folder.glob("*.eml"))) == 5
    assert all(status == "sent" for _key, status in statuses())


def test_two_processes_at_once_send_each_email_once(app, db, database_url, tmp_path):
    insured_cases(3, staff=2)
    _db.session.commit()
    folder = tmp_path / "outbox"
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "SITE_URL"))}
    environment.update(DATABASE_URL=database_url, SECRET_KEY="cli-test-secret", MAIL_FOLDER=str(folder),
                       ACCELERATOR_CLOCK=(RESPOND_BY + timedelta(seconds=1)).isoformat())
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "claim-cases", "notify", "--batch", "2"]
    runs = [subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err for _out, err in outputs]
    lines = [out.strip().splitlines()[-1] for out, _err in outputs]
    assert all(line.startswith("Claim cases: escalated ") for line in lines), lines
    keys = statuses()
    assert len([key for key, _ in keys if key.startswith("claim_case_escalated:")]) == 3 * 3
    assert len(keys) == 3 * 3 * 2  # each case's opening and escalation notices, to the seller and two staff
    assert all(status == "sent" for _key, status in keys)
    assert len(list(folder.glob("*.eml"))) == len(keys)

"""The outbox without MAIL_SERVER: each message becomes a parseable .eml file in the mail folder, once."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from accelerator.extensions import db as _db
from accelerator.models import EmailMessage
from accelerator.services.mail import send_pending
from accelerator.services.reminders import queue_due_reminders
from tests.factories import make_email_message, make_policy, make_seller_user

NOW = datetime(2026, 12, 2, 9, 15, tzinfo=UTC)


@pytest.fixture()
def mail_folder(app, tmp_path, monkeypatch):
    """Mail goes to a fresh folder (no SMTP server), retried after 60 s, at most 3 attempts."""
    folder = tmp_path / "mail"
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_FOLDER", str(folder))
    monkeypatch.setitem(app.config, "MAIL_RETRY_SECONDS", 60)
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "MAIL_FROM", "Insurance Accelerator <reminders@accelerator.example>")
    monkeypatch.setitem(app.config, "SITE_URL", "https://accelerator.example")
    return folder


def reload(message_id: int) -> EmailMessage:
    """The message as the database has it now."""
    _db.session.expire_all()
    return _db.session.get(EmailMessage, message_id)


def emls(folder) -> list:
    """The .eml files written, by name."""
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def test_a_reminder_is_written_as_an_eml_with_text_and_html_and_the_link(db, mail_folder):
    seller = make_seller_user()
    policy = make_policy(seller_id=seller.seller_id, policy_number="HMI-2026-0042")
    assert queue_due_reminders(NOW.date()) == 1
    report = send_pending(NOW, worker_id="test")
    assert (report.sent, report.failed, report.retrying, report.cancelled) == (1, 0, 0, 0)

    (path,) = emls(mail_folder)
    message = reload(_db.session.execute(select(EmailMessage.id)).scalar_one())
    assert path.name == f"{message.id:08d}-policy_expiring.eml"
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == seller.email
    assert parsed["From"] == "Insurance Accelerator <reminders@accelerator.example>"
    assert parsed["Subject"] == "Your policy HMI-2026-0042 expires in 30 days"
    assert parsed["Message-ID"].endswith("@accelerator.example>")
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    link = f"https://accelerator.example/seller/policies/{policy.id}"
    assert link in text and f'href="{link}"' in html
    assert "HMI-2026-0042" in text and "January 1, 2027" in text and "January 1, 2027" in html

    assert (message.status, message.attempts, message.sent_at) == ("sent", 1, NOW)
    assert message.locked_until is None and message.claimed_by.startswith("test/")


def test_a_message_is_written_once_however_often_the_sender_runs(db, mail_folder):
    first = make_email_message()
    assert send_pending(NOW).sent == 1
    for later in (NOW, NOW + timedelta(hours=1), NOW + timedelta(days=30)):
        assert send_pending(later).claimed == 0
    assert [p.name for p in emls(mail_folder)] == [f"{first.id:08d}-notice.eml"]


def test_only_messages_due_and_not_held_by_another_sender_are_claimed(db, mail_folder):
    due = make_email_message()
    later = make_email_message(next_attempt_at=NOW + timedelta(minutes=1))
    held = make_email_message(locked_until=NOW + timedelta(minutes=5), claimed_by="other/1")
    lapsed = make_email_message(locked_until=NOW - timedelta(seconds=1), claimed_by="crashed/1")
    done = make_email_message(status="sent", sent_at=NOW - timedelta(days=1))
    report = send_pending(NOW)
    assert report.sent == 2
    assert {m.id: reload(m.id).status for m in (due, later, held, lapsed, done)} == {
        due.id: "sent", later.id: "pending", held.id: "pending", lapsed.id: "sent", done.id: "sent"}
    assert reload(held.id).claimed_by == "other/1"  # left to the sender that holds it


def test_a_batch_takes_the_oldest_due_first(db, mail_folder):
    messages = [make_email_message(next_attempt_at=NOW - timedelta(minutes=n)) for n in range(5)]
    assert send_pending(NOW, batch=2).sent == 2
    sent = {m.id for m in messages if reload(m.id).status == "sent"}
    assert sent == {messages[4].id, messages[3].id}


def test_a_folder_that_cannot_be_written_is_retried_with_backoff_then_recovers(db, mail_folder, tmp_path):
    mail_folder.parent.mkdir(parents=True, exist_ok=True)
    mail_folder.write_text("a file where the folder should be")
    message = make_email_message()

    first = send_pending(NOW)
    assert (first.sent, first.retrying) == (0, 1)
    row = reload(message.id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == NOW + timedelta(seconds=60)
    assert row.last_error and row.locked_until is None
    assert send_pending(NOW + timedelta(seconds=59)).claimed == 0  # waits out the backoff

    mail_folder.unlink()
    second = send_pending(NOW + timedelta(seconds=60))
    assert second.sent == 1
    row = reload(message.id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert len(emls(mail_folder)) == 1


def test_after_the_last_attempt_a_message_is_failed_and_left_alone(db, mail_folder):
    mail_folder.parent.mkdir(parents=True, exist_ok=True)
    mail_folder.write_text("not a folder")
    message = make_email_message()
    moment = NOW
    outcomes = []
    for _ in range(3):
        report = send_pending(moment)
        outcomes.append((report.retrying, report.failed))
        moment = reload(message.id).next_attempt_at
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    row = reload(message.id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.next_attempt_at == NOW + timedelta(seconds=60 + 120)  # 60 s, then 120 s
    mail_folder.unlink()
    assert send_pending(NOW + timedelta(days=1)).claimed == 0
    assert emls(mail_folder) == []


def test_a_header_that_cannot_be_written_fails_the_message_at_once(db, mail_folder):
    message = make_email_message(to_address="someone@shop.example\r\nBcc: everyone@shop.example")
    report = send_pending(NOW)
    assert report.failed == 1
    row = reload(message.id)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "could not build the message" in row.last_error
    assert emls(mail_folder) == []


def test_send_pending_wants_an_aware_time(db, mail_folder):
    with pytest.raises(ValueError, match="timezone-aware"):
        send_pending(datetime(2026, 12, 2, 9, 0))


def test_nothing_due_opens_no_folder(db, mail_folder):
    assert send_pending(NOW).claimed == 0
    assert not mail_folder.exists()


def test_the_day_a_message_was_queued_for_is_when_it_becomes_due(db, mail_folder):
    make_policy(seller_id=make_seller_user().seller_id)
    queue_due_reminders(date(2026, 12, 2))
    assert send_pending(datetime(2026, 12, 1, 23, 59, tzinfo=UTC)).claimed == 0
    assert send_pending(datetime(2026, 12, 2, 0, 0, tzinfo=UTC)).sent == 1

"""Reminders are re-checked when sent: one no longer due on the sending day is cancelled, never sent."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from accelerator.extensions import db as _db
from accelerator.models import EmailMessage, Policy
from accelerator.services.mail import send_pending
from accelerator.services.reminders import queue_due_reminders
from tests.factories import (
    make_insurer,
    make_monthly_sales,
    make_policy,
    make_quote,
    make_quote_request,
    make_seller_user,
)

DAY = date(2026, 12, 2)  # 30 days before the factory policy expires
NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


@pytest.fixture()
def mail_folder(app, tmp_path, monkeypatch):
    """Mail goes to a fresh folder."""
    folder = tmp_path / "mail"
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_FOLDER", str(folder))
    return folder


def only_message() -> EmailMessage:
    """The one message in the outbox, as stored now."""
    _db.session.expire_all()
    return _db.session.execute(select(EmailMessage)).scalar_one()


def written(folder) -> list:
    """The .eml files in the mail folder."""
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def queued_expiry_notice():
    """A seller whose policy's 30-day notice is queued (not sent yet)."""
    seller = make_seller_user()
    policy = make_policy(seller_id=seller.seller_id)
    assert queue_due_reminders(DAY) == 1
    return seller, policy


def change_cancel(policy: Policy) -> None:
    policy.cancellation_date = date(2026, 12, 1)


def change_cancel_later(policy: Policy) -> None:
    policy.cancellation_date = date(2026, 12, 20)


def change_redate(policy: Policy) -> None:
    policy.expiration_date = date(2027, 3, 1)


def change_unverify(policy: Policy) -> None:
    policy.verification = "rejected"


def change_renew(policy: Policy) -> None:
    make_policy(seller_id=policy.seller_id, effective_date=date(2027, 1, 1), expiration_date=date(2028, 1, 1))


def change_delete(policy: Policy) -> None:
    _db.session.delete(policy)


@pytest.mark.parametrize("change", [change_cancel, change_cancel_later, change_redate, change_unverify,
                                    change_renew, change_delete],
                         ids=["cancelled", "cancelled-from-later", "re-dated", "rejected", "renewed", "deleted"])
def test_an_expiry_notice_for_a_policy_changed_before_sending_is_cancelled(db, mail_folder, change):
    _seller, policy = queued_expiry_notice()
    change(policy)
    _db.session.commit()
    report = send_pending(NOW)
    assert (report.sent, report.cancelled) == (0, 1)
    message = only_message()
    assert message.status == "cancelled"
    assert message.last_error.startswith("no longer due on 2026-12-02")
    assert message.sent_at is None and message.locked_until is None
    assert written(mail_folder) == []
    assert send_pending(NOW + timedelta(days=1)).claimed == 0  # and it stays unsent


def test_an_unchanged_policy_s_notice_is_sent(db, mail_folder):
    queued_expiry_notice()
    assert send_pending(NOW).sent == 1
    assert only_message().status == "sent"
    assert len(written(mail_folder)) == 1


def test_a_re_dated_policy_gets_a_notice_for_its_new_date_only(db, mail_folder):
    _seller, policy = queued_expiry_notice()
    policy.expiration_date = date(2026, 12, 28)
    _db.session.commit()
    assert queue_due_reminders(DAY) == 1  # the 30-day notice for the new date...
    report = send_pending(NOW)
    assert (report.sent, report.cancelled) == (1, 1)  # ...is sent; the old one is not
    statuses = dict(_db.session.execute(select(EmailMessage.dedupe_key, EmailMessage.status)).all())
    assert statuses == {f"policy_expiring:30:{policy.id}:2027-01-01": "cancelled",
                        f"policy_expiring:30:{policy.id}:2026-12-28": "sent"}


def test_a_30_day_notice_still_waiting_when_the_7_day_one_is_due_is_not_sent(db, mail_folder):
    _seller, policy = queued_expiry_notice()
    assert queue_due_reminders(date(2026, 12, 25)) == 1
    report = send_pending(datetime(2026, 12, 25, 6, 0, tzinfo=UTC))
    assert (report.sent, report.cancelled) == (1, 1)
    statuses = dict(_db.session.execute(select(EmailMessage.dedupe_key, EmailMessage.status)).all())
    assert statuses[f"policy_expiring:7:{policy.id}:2027-01-01"] == "sent"
    assert statuses[f"policy_expiring:30:{policy.id}:2027-01-01"] == "cancelled"


@pytest.mark.parametrize("change", ["accepted", "closed", "request_closed"])
def test_a_quote_taken_or_withdrawn_before_sending_is_not_announced(db, mail_folder, change):
    seller = make_seller_user()
    insurer = make_insurer()
    request = make_quote_request(seller_id=seller.seller_id, routed_to=[insurer])
    quote = make_quote(request, insurer, created_at=NOW - timedelta(hours=2), valid_until=date(2026, 12, 30))
    assert queue_due_reminders(DAY) == 1
    if change == "request_closed":
        request.status = "closed"
    else:
        quote.status = change
    _db.session.commit()
    assert send_pending(NOW).cancelled == 1
    assert written(mail_folder) == []


def test_a_requirement_reminder_is_not_sent_once_the_seller_is_covered(db, mail_folder):
    seller = make_seller_user()
    make_monthly_sales(seller.seller_id, date(2026, 10, 1), "25000.00")
    assert queue_due_reminders(date(2026, 11, 2)) == 1
    assert only_message().kind == "requirement_due"
    make_policy(seller_id=seller.seller_id, effective_date=date(2026, 11, 1), expiration_date=date(2027, 11, 1))
    assert send_pending(datetime(2026, 11, 2, 8, 0, tzinfo=UTC)).cancelled == 1
    assert written(mail_folder) == []


def test_a_due_reminder_still_waiting_after_the_deadline_is_not_sent(db, mail_folder):
    seller = make_seller_user()
    make_monthly_sales(seller.seller_id, date(2026, 10, 1), "25000.00")
    queue_due_reminders(date(2026, 11, 2))
    assert queue_due_reminders(date(2026, 12, 1)) == 1  # overdue now (the deadline was November 30)
    report = send_pending(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    assert (report.sent, report.cancelled) == (1, 1)
    statuses = dict(_db.session.execute(select(EmailMessage.kind, EmailMessage.status)).all())
    assert statuses == {"requirement_due": "cancelled", "requirement_overdue": "sent"}


def test_a_reminder_follows_the_sellers_new_email_address(db, mail_folder):
    seller, _policy = queued_expiry_notice()
    seller.email = "new.owner@shop.example"
    _db.session.commit()
    assert send_pending(NOW).sent == 1
    assert only_message().to_address == "new.owner@shop.example"
    (path,) = written(mail_folder)
    assert email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["To"] == "new.owner@shop.example"


def test_a_reminder_for_a_seller_who_lost_every_address_is_cancelled(db, mail_folder):
    seller, _policy = queued_expiry_notice()
    seller.active = False
    seller.seller.contact_email = ""
    _db.session.commit()
    assert send_pending(NOW).cancelled == 1
    assert written(mail_folder) == []

"""Claim case emails on a real database: the opening notice, the reminder, the escalation notice, `notify`
(the command itself: tests/cli/test_claim_cases_cli.py)."""

from __future__ import annotations

import email
import email.policy
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accelerator import clock
from accelerator.extensions import db as _db
from accelerator.models import EmailMessage
from accelerator.services import claim_case_deadlines, claim_case_mail, claim_cases
from accelerator.services.audit import Actor
from accelerator.services.mail import send_pending
from tests import factories
from tests.factories import NOW

ACTOR = Actor("test")
SELLER = "MAILCASE01"
RESPOND_BY = NOW + timedelta(days=5)
WINDOW = RESPOND_BY - claim_case_mail.REMINDER_BEFORE


@pytest.fixture()
def mail_folder(app, tmp_path, monkeypatch):
    """Mail goes to a fresh folder."""
    folder = tmp_path / "mail"
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_FOLDER", str(folder))
    return folder


def seller_and_insurer(staff: int = 2):
    """SELLER (with an account) insured by an insurer on the Accelerator with `staff` active users and one inactive."""
    insurer = factories.make_insurer()
    factories.make_seller_user(seller=factories.make_seller(seller_id=SELLER, legal_name="Mail Case Goods LLC"))
    factories.make_policy(seller_id=SELLER, insurer=insurer, policy_number="MC-1")
    users = [factories.make_insurer_user(insurer=insurer) for _ in range(staff)]
    factories.make_insurer_user(insurer=insurer, active=False)
    return insurer, users


def open_case(case_id: str = "MC-1") -> claim_cases.CaseView:
    request = claim_cases.CaseInput(case_id=case_id, seller_id=SELLER, kind="bodily_injury",
                                    incident_date=date(2026, 6, 1), amount_claimed=Decimal("2500.00"), category=None,
                                    order_id=None, description="A burn from the kettle.", respond_by=RESPOND_BY)
    return claim_cases.open_case(ACTOR, None, request)[0]


def messages(kind: str | None = None) -> list[EmailMessage]:
    _db.session.expire_all()
    query = select(EmailMessage).order_by(EmailMessage.id)
    if kind is not None:
        query = query.where(EmailMessage.kind == kind)
    return list(_db.session.execute(query).scalars())


def test_opening_queues_one_email_per_recipient_once(db):
    _insurer, users = seller_and_insurer()
    view = open_case()
    assert view.case.state == "awaiting_insurer"
    open_case()  # the same open again adds nothing
    opened = messages(claim_case_mail.KIND_OPENED)
    assert sorted(m.to_address for m in opened) == sorted(
        [f"owner.{SELLER.lower()}@shop.example"] + [u.email for u in users])
    assert all(m.related_id == "MC-1" and "2026-11-29 12:00 UTC" in m.subject for m in opened)
    staff_mail = next(m for m in opened if m.to_address == users[0].email)
    assert "YOUR ANSWER IS NEEDED BY" in staff_mail.text_body
    seller_mail = next(m for m in opened if m.to_address.startswith("owner."))
    assert "The insurer is asked to answer" in seller_mail.text_body
    assert seller_mail.text_body.startswith("Hello Mail Case Goods LLC,")


def test_a_seller_without_an_address_gets_nothing_but_the_staff_do(db):
    insurer = factories.make_insurer()
    factories.make_seller(seller_id=SELLER, contact_email="")
    factories.make_policy(seller_id=SELLER, insurer=insurer, policy_number="MC-1")
    staff = factories.make_insurer_user(insurer=insurer)
    open_case()
    assert [m.to_address for m in messages()] == [staff.email]


def test_a_seller_without_an_account_is_written_at_its_contact_email(db):
    factories.make_seller(seller_id=SELLER, contact_email="claims@goods.example")
    open_case()  # no policy: the seller answers
    (opened,) = messages()
    assert opened.to_address == "claims@goods.example"
    assert "YOUR ANSWER IS NEEDED BY 2026-11-29 12:00 UTC" in opened.text_body


def test_a_small_claim_tells_the_seller_it_pays_nothing(db):
    _insurer, users = seller_and_insurer(staff=1)
    request = claim_cases.CaseInput(case_id="MC-S", seller_id=SELLER, kind="property_damage",
                                    incident_date=date(2026, 6, 1), amount_claimed=Decimal("400.00"), category=None,
                                    order_id=None, description="A scorched table.", respond_by=None)
    assert claim_cases.open_case(ACTOR, None, request)[0].case.state == "marketplace_to_pay"
    opened = next(m for m in messages() if m.to_address.startswith("owner."))
    assert [m.to_address for m in messages()][1:] == [users[0].email]
    assert opened.subject == "Claim MC-S: a claim was received"
    assert "The marketplace pays this claim: you pay nothing." in opened.text_body
    assert "you pay nothing" in opened.html_body


def test_a_case_waiting_for_the_seller_reminds_the_seller(db, mail_folder):
    factories.make_seller_user(seller=factories.make_seller(seller_id=SELLER))
    view = open_case()
    assert view.case.state == "awaiting_seller"
    clock.pin(WINDOW + timedelta(minutes=1))
    assert claim_case_deadlines.notify(clock.now()).reminders == 1
    (reminder,) = messages(claim_case_mail.KIND_REMINDER)
    assert reminder.to_address == f"owner.{SELLER.lower()}@shop.example" and reminder.status == "sent"
    assert "/seller/claims" in reminder.text_body


def test_the_reminder_is_queued_once_inside_the_two_days_before_the_deadline(db, mail_folder):
    _insurer, users = seller_and_insurer(staff=1)
    open_case()
    clock.pin(WINDOW - timedelta(minutes=1))
    assert claim_case_deadlines.notify(clock.now()).reminders == 0
    assert messages(claim_case_mail.KIND_REMINDER) == []
    clock.pin(WINDOW + timedelta(minutes=1))
    first = claim_case_deadlines.notify(clock.now())
    assert (first.reminders, first.escalated, first.escalations) == (1, 0, 0)
    assert claim_case_deadlines.notify(clock.now() + timedelta(hours=1)).reminders == 0
    reminders = messages(claim_case_mail.KIND_REMINDER)
    assert [(m.to_address, m.status) for m in reminders] == [(users[0].email, "sent")]
    assert len(list(mail_folder.glob("*-claim_case_reminder.eml"))) == 1


def test_no_reminder_for_a_case_already_answered(db, mail_folder):
    _insurer, users = seller_and_insurer(staff=1)
    open_case()
    claim_cases.accept(ACTOR, "MC-1", users[0].insurer_id)  # the payment is now due NOW + 7 days
    clock.pin(WINDOW + timedelta(minutes=1))
    assert claim_case_deadlines.notify(clock.now()).reminders == 0
    assert messages(claim_case_mail.KIND_REMINDER) == []


def test_a_reminder_answered_before_it_is_sent_is_cancelled(db, mail_folder):
    _insurer, users = seller_and_insurer(staff=1)
    open_case()
    clock.pin(WINDOW + timedelta(minutes=1))
    assert claim_case_mail.queue_reminders(clock.now()) == 1
    claim_cases.deny(ACTOR, "MC-1", users[0].insurer_id, "Not our product.")
    report = send_pending(clock.now(), batch=100)
    assert report.cancelled == 1
    (reminder,) = messages(claim_case_mail.KIND_REMINDER)
    assert reminder.status == "cancelled"
    assert list(mail_folder.glob("*-claim_case_reminder.eml")) == []


def test_the_escalation_notice_goes_once_to_everyone(db, mail_folder):
    _insurer, users = seller_and_insurer(staff=1)
    open_case()
    clock.pin(RESPOND_BY + timedelta(seconds=1))
    report = claim_case_deadlines.notify(clock.now())
    assert (report.escalated, report.reminders, report.escalations) == (1, 0, 2)
    again = claim_case_deadlines.notify(clock.now())
    assert (again.escalated, again.escalations, again.sent) == (0, 0, 0)
    notices = messages(claim_case_mail.KIND_ESCALATED)
    assert sorted(m.to_address for m in notices) == sorted([users[0].email, f"owner.{SELLER.lower()}@shop.example"])
    assert all(m.status == "sent" and "did not answer in time" in m.subject for m in notices)
    assert claim_cases.get_case("MC-1").case.escalation == "insurer_unresponsive"


def test_a_denial_is_noticed_by_the_next_run_with_its_reason(db, mail_folder):
    _insurer, users = seller_and_insurer(staff=1)
    open_case()
    claim_cases.deny(ACTOR, "MC-1", users[0].insurer_id, "Not our product.")
    assert claim_case_deadlines.notify(clock.now()).escalations == 2
    assert claim_case_deadlines.notify(clock.now()).escalations == 0
    notices = messages(claim_case_mail.KIND_ESCALATED)
    assert len(notices) == 2 and all("the insurer denied the claim" in m.text_body for m in notices)


def test_the_rendered_reminder_reads_right(db, mail_folder):
    _insurer, users = seller_and_insurer(staff=1)
    open_case()
    clock.pin(WINDOW + timedelta(minutes=1))
    claim_case_deadlines.notify(clock.now())
    (path,) = mail_folder.glob("*-claim_case_reminder.eml")
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == users[0].email
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "Hello User " in text
    assert "Your answer to this claim is due by 2026-11-29 12:00 UTC." in text
    assert "Claim MC-1: bodily injury" in text and "/insurer/claims" in text
    assert "Answer the claim" in html and "claim waits for you" in html


def test_two_notify_runs_at_once_queue_and_send_each_email_once(db, mail_folder, live_app, monkeypatch):
    monkeypatch.setitem(live_app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(live_app.config, "MAIL_FOLDER", str(mail_folder))
    seller_and_insurer(staff=2)
    for n in range(4):
        open_case(f"MC-{n}")
    clock.pin(RESPOND_BY + timedelta(seconds=1))
    _db.session.rollback()
    barrier = threading.Barrier(2)
    reports: list[claim_case_deadlines.NotifyReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        with live_app.app_context():
            try:
                barrier.wait()
                reports.append(claim_case_deadlines.notify(clock.now(), batch=3))
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    notices = messages(claim_case_mail.KIND_ESCALATED)
    assert len(notices) == 4 * 3  # the seller and two staff per case
    assert sum(r.escalations for r in reports) == 12
    assert sum(r.escalated for r in reports) >= 4
    assert _db.session.execute(select(func.count()).select_from(EmailMessage)
                               .where(EmailMessage.status != "sent")).scalar() == 0
    assert len(list(mail_folder.glob("*.eml"))) == len(messages())

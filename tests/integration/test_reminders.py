"""Which reminders are due on which day: each queued on its day, not before, and never twice."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from accelerator.extensions import db as _db
from accelerator.models import EmailMessage
from accelerator.services import verification
from accelerator.services.audit import Actor
from accelerator.services.reminders import queue_due_reminders
from tests.factories import (
    make_insurer,
    make_monthly_sales,
    make_policy,
    make_quote,
    make_quote_request,
    make_seller,
    make_seller_user,
    make_user,
)

EXPIRES = date(2027, 1, 1)  # the factory policy runs 2026-01-01 to 2027-01-01


def outbox() -> list[EmailMessage]:
    """Every message in the outbox, oldest first."""
    _db.session.expire_all()
    return list(_db.session.execute(select(EmailMessage).order_by(EmailMessage.id)).scalars())


def keys() -> list[str]:
    """The dedupe keys in the outbox, oldest first."""
    return [m.dedupe_key for m in outbox()]


def days(start: date, end: date):
    """Every day from start to end, both included."""
    for n in range((end - start).days + 1):
        yield start + timedelta(days=n)


# --- policy expiring ----------------------------------------------------------------------------


def test_the_30_and_the_7_day_notice_each_come_on_their_day_and_once(db):
    seller = make_seller_user()
    policy = make_policy(seller_id=seller.seller_id)

    assert queue_due_reminders(EXPIRES - timedelta(days=31)) == 0
    assert queue_due_reminders(EXPIRES - timedelta(days=30)) == 1
    assert keys() == [f"policy_expiring:30:{policy.id}:2027-01-01"]
    for day in days(EXPIRES - timedelta(days=29), EXPIRES - timedelta(days=8)):
        assert queue_due_reminders(day) == 0, day
    assert queue_due_reminders(EXPIRES - timedelta(days=7)) == 1
    for day in days(EXPIRES - timedelta(days=6), EXPIRES + timedelta(days=3)):
        assert queue_due_reminders(day) == 0, day

    first, second = outbox()
    assert second.dedupe_key == f"policy_expiring:7:{policy.id}:2027-01-01"
    assert {first.to_address, second.to_address} == {seller.email}
    assert (first.kind, first.related_type, first.related_id) == ("policy_expiring", "policy", str(policy.id))
    assert first.status == "pending" and first.attempts == 0
    assert first.next_attempt_at == datetime(2026, 12, 2, tzinfo=UTC)  # due from the start of its day
    assert "expires in 30 days" in first.subject and "expires in 7 days" in second.subject


def test_a_missed_day_is_caught_up_and_a_late_first_sight_gets_only_the_7_day_notice(db):
    early = make_policy(seller_id=make_seller_user().seller_id)
    assert queue_due_reminders(EXPIRES - timedelta(days=20)) == 1  # cron was down on the 30th day
    assert keys() == [f"policy_expiring:30:{early.id}:2027-01-01"]
    assert "expires in 20 days" in outbox()[0].subject

    late = make_policy(seller_id=make_seller_user().seller_id, expiration_date=date(2027, 2, 1))
    assert queue_due_reminders(date(2027, 1, 28)) == 1
    assert keys()[-1] == f"policy_expiring:7:{late.id}:2027-02-01"
    assert not any(k.startswith(f"policy_expiring:30:{late.id}:") for k in keys())


def test_a_short_policy_gets_its_notice_only_from_the_day_it_is_in_force(db):
    policy = make_policy(seller_id=make_seller_user().seller_id, effective_date=date(2026, 12, 10),
                         expiration_date=date(2026, 12, 20))
    for day in days(date(2026, 11, 20), date(2026, 12, 9)):
        assert queue_due_reminders(day) == 0, day
    assert queue_due_reminders(date(2026, 12, 10)) == 1
    assert keys() == [f"policy_expiring:30:{policy.id}:2026-12-20"]


def test_a_one_day_notice_says_day_not_days(db):
    make_policy(seller_id=make_seller_user().seller_id)
    queue_due_reminders(EXPIRES - timedelta(days=1))
    assert outbox()[0].subject.endswith("expires in 1 day")


@pytest.mark.parametrize("overrides", [
    {"cancellation_date": date(2026, 12, 20)},  # still in force on the day, but ends by cancellation
    {"cancellation_date": date(2026, 11, 1)},  # cancelled before
    {"verification": "pending", "source": "seller_upload", "insurer_id": None},
    {"verification": "rejected", "source": "seller_upload", "insurer_id": None},
    {"effective_date": date(2025, 11, 1), "expiration_date": date(2026, 11, 30)},  # already expired
], ids=["cancelled-later", "cancelled-before", "pending", "rejected", "expired"])
def test_no_expiry_notice_for_a_policy_not_verified_and_in_force_to_its_expiration(db, overrides):
    make_policy(seller_id=make_seller_user().seller_id, **overrides)
    for day in days(date(2026, 12, 1), date(2027, 1, 2)):
        assert queue_due_reminders(day) == 0, day
    assert keys() == []


@pytest.mark.parametrize("successor", [
    {"effective_date": EXPIRES, "expiration_date": date(2028, 1, 1)},  # a renewal starting on time
    {"effective_date": date(2026, 12, 15), "expiration_date": date(2027, 12, 15)},  # starts a bit early
    {"effective_date": date(2026, 6, 1), "expiration_date": date(2027, 6, 1)},  # in force, expires later
], ids=["renewal-on-time", "renewal-early", "in-force-longer"])
def test_no_expiry_notice_when_another_verified_policy_takes_over(db, successor):
    seller_id = make_seller_user().seller_id
    make_policy(seller_id=seller_id)
    make_policy(seller_id=seller_id, **successor)
    assert queue_due_reminders(EXPIRES - timedelta(days=30)) == 0
    assert queue_due_reminders(EXPIRES - timedelta(days=7)) == 0


@pytest.mark.parametrize("successor", [
    {"effective_date": date(2027, 1, 15), "expiration_date": date(2028, 1, 15)},  # leaves a gap
    {"effective_date": EXPIRES, "expiration_date": date(2028, 1, 1), "cancellation_date": EXPIRES},
    {"effective_date": EXPIRES, "expiration_date": date(2028, 1, 1), "verification": "rejected",
     "source": "seller_upload", "insurer_id": None},
    {"effective_date": EXPIRES, "expiration_date": date(2028, 1, 1), "verification": "pending",
     "source": "seller_upload", "insurer_id": None},
    {"effective_date": date(2026, 3, 1), "expiration_date": date(2026, 12, 20)},  # ends sooner
], ids=["gap", "renewal-cancelled-at-start", "renewal-rejected", "renewal-pending", "other-ends-sooner"])
def test_a_policy_that_does_not_cover_the_day_after_does_not_take_over(db, successor):
    seller_id = make_seller_user().seller_id
    policy = make_policy(seller_id=seller_id)
    make_policy(seller_id=seller_id, **successor)
    assert queue_due_reminders(EXPIRES - timedelta(days=30)) >= 1
    assert f"policy_expiring:30:{policy.id}:2027-01-01" in keys()


def test_another_sellers_renewal_does_not_take_over(db):
    policy = make_policy(seller_id=make_seller_user().seller_id)
    make_policy(seller_id=make_seller_user().seller_id, effective_date=EXPIRES, expiration_date=date(2028, 1, 1))
    queue_due_reminders(EXPIRES - timedelta(days=30))
    assert keys() == [f"policy_expiring:30:{policy.id}:2027-01-01"]


def test_a_changed_expiration_date_is_a_new_reminder(db):
    policy = make_policy(seller_id=make_seller_user().seller_id)
    queue_due_reminders(date(2026, 12, 2))
    policy.expiration_date = date(2026, 12, 20)
    _db.session.commit()
    assert queue_due_reminders(date(2026, 12, 3)) == 1
    assert keys() == [f"policy_expiring:30:{policy.id}:2027-01-01", f"policy_expiring:30:{policy.id}:2026-12-20"]


# --- quotes -------------------------------------------------------------------------------------


def _quote(seller_id: str, **overrides):
    insurer = make_insurer(name=overrides.pop("insurer_name", None) or f"Harbor Mutual {seller_id}")
    request = make_quote_request(seller_id=seller_id, routed_to=[insurer], **overrides.pop("request", {}))
    values = dict(created_at=datetime(2026, 5, 4, 15, 30, tzinfo=UTC), valid_until=date(2026, 6, 3))
    values.update(overrides)
    return request, make_quote(request, insurer, **values)


def test_a_quote_is_announced_from_the_day_it_was_made_and_once(db):
    seller = make_seller_user()
    request, quote = _quote(seller.seller_id)
    assert queue_due_reminders(date(2026, 5, 3)) == 0
    assert queue_due_reminders(date(2026, 5, 4)) == 1
    assert queue_due_reminders(date(2026, 5, 5)) == 0
    (message,) = outbox()
    assert message.dedupe_key == f"quote_received:{quote.id}"
    assert (message.kind, message.to_address) == ("quote_received", seller.email)
    assert (message.related_type, message.related_id) == ("quote", str(quote.id))
    assert f"/seller/requests/{request.id}" in message.text_body


@pytest.mark.parametrize("change", ["request_closed", "quote_accepted", "quote_closed", "quote_lapsed"])
def test_no_quote_reminder_for_a_closed_request_or_a_quote_no_longer_on_offer(db, change):
    _request, quote = _quote(make_seller_user().seller_id)
    if change == "request_closed":
        quote.quote_request.status = "closed"
    elif change == "quote_lapsed":
        quote.valid_until = date(2026, 5, 9)
    else:
        quote.status = change.split("_")[1]
    _db.session.commit()
    assert queue_due_reminders(date(2026, 5, 10)) == 0
    assert keys() == []


def test_reminders_go_to_the_account_else_to_the_contact_email_else_nowhere(db):
    with_account = make_seller_user(seller=make_seller(contact_email="shop@one.example"))
    contact_only = make_seller(contact_email="orders@two.example")
    inactive = make_seller_user(seller=make_seller(contact_email="desk@three.example"), active=False)
    nobody = make_seller(contact_email="")
    for seller_id in (with_account.seller_id, contact_only.seller_id, inactive.seller_id, nobody.seller_id):
        _quote(seller_id)
    assert queue_due_reminders(date(2026, 5, 4)) == 3
    assert sorted(m.to_address for m in outbox()) == sorted(
        [with_account.email, "orders@two.example", "desk@three.example"])


# --- the requirement ----------------------------------------------------------------------------


def test_requirement_due_after_the_month_ends_and_overdue_after_the_deadline_each_once(db):
    seller = make_seller_user()
    make_monthly_sales(seller.seller_id, date(2026, 3, 1), "12000.00")
    make_monthly_sales(seller.seller_id, date(2026, 4, 1), "15000.00")  # a later month changes nothing

    assert queue_due_reminders(date(2026, 3, 31)) == 0  # March has not ended
    assert queue_due_reminders(date(2026, 4, 1)) == 1
    for day in days(date(2026, 4, 2), date(2026, 4, 30)):  # the deadline: March 31 + 30 days
        assert queue_due_reminders(day) == 0, day
    assert queue_due_reminders(date(2026, 5, 1)) == 1
    assert queue_due_reminders(date(2026, 5, 2)) == 0

    due, overdue = outbox()
    assert due.dedupe_key == f"requirement_due:{seller.seller_id}:2026-03"
    assert overdue.dedupe_key == f"requirement_overdue:{seller.seller_id}:2026-03"
    assert due.subject == "Insurance required by April 30, 2026"
    assert "April 30, 2026 (29 days from now)" in " ".join(due.text_body.split())
    assert "The seller has no policy on record." in due.text_body
    assert (due.related_type, due.related_id, due.to_address) == ("seller", seller.seller_id, seller.email)


def test_no_requirement_reminder_at_the_threshold_or_when_compliant_or_pending(db):
    at_threshold = make_seller_user()
    make_monthly_sales(at_threshold.seller_id, date(2026, 3, 1), "10000.00")
    compliant = make_seller_user()
    make_monthly_sales(compliant.seller_id, date(2026, 3, 1), "50000.00")
    make_policy(seller_id=compliant.seller_id)
    pending = make_seller_user()
    make_monthly_sales(pending.seller_id, date(2026, 3, 1), "50000.00")
    make_policy(seller_id=pending.seller_id, source="seller_upload", insurer_id=None, verification="pending")
    for day in (date(2026, 4, 1), date(2026, 5, 1)):
        assert queue_due_reminders(day) == 0
    assert keys() == []


def test_a_seller_whose_policy_fails_the_requirement_is_told_why(db):
    seller = make_seller_user()
    make_monthly_sales(seller.seller_id, date(2026, 3, 1), "50000.00")
    make_policy(seller_id=seller.seller_id, additional_insured=False, policy_number="LOW-1")
    queue_due_reminders(date(2026, 4, 1))
    (message,) = outbox()
    assert message.kind == "requirement_due"
    assert "Policy LOW-1 does not name the marketplace as additional insured." in message.text_body
    assert "Policy LOW-1 does not name the marketplace as additional insured." in message.html_body


def test_a_seller_whose_policy_excludes_what_it_sells_is_reminded_and_told_which(db):
    seller = make_seller_user(seller=make_seller(categories=["toys", "home"]))
    make_monthly_sales(seller.seller_id, date(2026, 3, 1), "50000.00")
    make_policy(seller_id=seller.seller_id, excluded_categories=["toys"], policy_number="NO-TOYS")
    other = make_seller_user(seller=make_seller(categories=["home"]))  # the same policy terms meet it
    make_monthly_sales(other.seller_id, date(2026, 3, 1), "50000.00")
    make_policy(seller_id=other.seller_id, excluded_categories=["toys"])
    assert queue_due_reminders(date(2026, 4, 1)) == 1
    (message,) = outbox()
    assert (message.kind, message.related_id) == ("requirement_due", seller.seller_id)
    assert "Policy NO-TOYS excludes Toys & Games, which the seller sells." in message.text_body


# --- verification decisions ---------------------------------------------------------------------


def test_a_verification_decision_is_announced_on_its_day_once_with_the_reason(db):
    seller = make_seller_user()
    decided = datetime(2026, 5, 4, 16, 30, tzinfo=UTC)
    policy = make_policy(seller_id=seller.seller_id, source="seller_upload", insurer_id=None,
                         verification="rejected", verified_at=decided,
                         rejection_reason="The certificate does not name the marketplace & co.")
    assert queue_due_reminders(date(2026, 5, 3)) == 0
    assert queue_due_reminders(date(2026, 5, 4)) == 1
    assert queue_due_reminders(date(2026, 5, 5)) == 0
    (message,) = outbox()
    assert message.dedupe_key == f"verification_decision:{policy.id}:rejected:{int(decided.timestamp())}"
    assert message.subject == f"Your policy {policy.policy_number} was not accepted"
    assert "The certificate does not name the marketplace & co." in message.text_body
    assert "The certificate does not name the marketplace &amp; co." in message.html_body
    assert f"/seller/policies/{policy.id}" in message.text_body


def test_a_decision_made_through_the_verification_service_is_announced(db):
    seller = make_seller_user()
    admin = make_user(role="admin")
    policy = make_policy(seller_id=seller.seller_id, source="seller_upload", insurer_id=None,
                         verification="pending")
    verification.verify(Actor.of_user(admin), policy.id)
    decided = policy.verified_at  # the service reloaded the row: the moment the admin decided
    assert decided is not None
    assert queue_due_reminders(decided.date()) == 1
    (message,) = outbox()
    assert message.dedupe_key == f"verification_decision:{policy.id}:verified:{int(decided.timestamp())}"
    assert message.subject == f"Your policy {policy.policy_number} is verified"


def test_no_decision_reminder_for_old_decisions_or_for_policies_not_uploaded_by_the_seller(db):
    seller_id = make_seller_user().seller_id
    make_policy(seller_id=seller_id, source="seller_upload", insurer_id=None, verification="verified",
                verified_at=datetime(2026, 4, 1, 9, 0, tzinfo=UTC))
    make_policy(seller_id=seller_id, verified_at=datetime(2026, 5, 4, 9, 0, tzinfo=UTC))  # an insurer's report
    make_policy(seller_id=seller_id, source="seller_upload", insurer_id=None, verification="pending")
    assert queue_due_reminders(date(2026, 5, 4)) == 0  # the first decision is 33 days old


# --- safety -------------------------------------------------------------------------------------


def test_emails_link_back_absolutely_and_escape_what_people_typed(db, app, monkeypatch):
    monkeypatch.setitem(app.config, "SITE_URL", "https://accelerator.example/")
    seller = make_seller_user(seller=make_seller(legal_name="Tom & Jerry <Toys>"))
    request, _quote_row = _quote(seller.seller_id, insurer_name="Acme <b>Mutual</b> & Sons")
    queue_due_reminders(date(2026, 5, 4))
    (message,) = outbox()
    link = f"https://accelerator.example/seller/requests/{request.id}"
    assert link in message.text_body and f'href="{link}"' in message.html_body
    assert "Acme <b>Mutual</b> & Sons" in message.text_body and "Tom & Jerry <Toys>" in message.text_body
    assert "Acme &lt;b&gt;Mutual&lt;/b&gt; &amp; Sons" in message.html_body
    assert "Tom &amp; Jerry &lt;Toys&gt;" in message.html_body
    assert "<b>Mutual" not in message.html_body
    assert message.subject == "New quote from Acme <b>Mutual</b> & Sons on your insurance request"


def test_two_runs_at_once_queue_each_reminder_once(db, live_app):
    for _ in range(6):
        seller_id = make_seller_user().seller_id
        make_policy(seller_id=seller_id, additional_insured=False)  # in force, short of the requirement
        make_monthly_sales(seller_id, date(2026, 11, 1), "20000.00")
    _db.session.commit()
    barrier = threading.Barrier(4)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        with live_app.app_context():
            try:
                barrier.wait()
                counts.append(queue_due_reminders(date(2026, 12, 2)))
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sum(counts) == 12  # six 30-day notices and six requirement_due reminders
    total = _db.session.execute(select(func.count(EmailMessage.id))).scalar_one()
    distinct = _db.session.execute(select(func.count(func.distinct(EmailMessage.dedupe_key)))).scalar_one()
    assert total == distinct == 12

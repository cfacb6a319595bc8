"""The notice service and the rules around it, at their edges: a pending cancellation in the coverage rules,
the dates a notice may give, what the seller is shown, and the non-renewal reminder re-checked at send time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accelerator.domain.coverage import first_failure
from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.models import EmailMessage
from accelerator.services import policy_notices, reminders
from accelerator.services.audit import Actor
from accelerator.services.policy_notices import Notice
from accelerator.services.renewal_rule import insurer_notice
from tests import factories
from tests.factories import TODAY

ACTOR = Actor("test")
DAY = date(2026, 12, 15)


def test_a_pending_cancellation_covers_the_day_before_and_not_the_date():
    terms = factories.make_terms(cancellation_date=DAY)
    assert first_failure(terms, DAY - timedelta(days=1), None) is None
    assert first_failure(terms, DAY, None) == "cancelled"
    assert terms.in_force_on(DAY - timedelta(days=1)) and not terms.in_force_on(DAY)


@pytest.fixture()
def policy(db):
    """A verified policy reported by an insurer, in force all the pinned year."""
    return factories.make_policy(policy_number="HX-9")


def _send(policy, notice: Notice):
    """Send a notice on the policy as its insurer."""
    return policy_notices.send_notice(ACTOR, policy.insurer_id, policy.policy_number, notice)


@pytest.mark.parametrize(("day", "ok"), [
    (TODAY, False), (TODAY + timedelta(days=1), True), (date(2026, 12, 31), True), (date(2027, 1, 1), False)])
def test_the_first_day_a_notice_may_give_is_tomorrow_and_the_last_the_period_s_last(policy, day, ok):
    notice = Notice("notice_of_cancellation", day, "Unpaid.")
    if ok:
        assert _send(policy, notice).cancellation_date == day
    else:
        with pytest.raises(ValidationError) as exc:
            _send(policy, notice)
        assert set(exc.value.fields) == {"cancellation_date"}


def test_the_service_judges_the_kinds_fields_itself(policy):
    for notice, fields in ((Notice("notice_of_cancellation", DAY, None), {"reason"}),
                           (Notice("notice_of_cancellation", None, "x"), {"cancellation_date"}),
                           (Notice("notice_of_cancellation", DAY, "x" * 2001), {"reason"}),
                           (Notice("reinstatement", DAY), {"cancellation_date"}),
                           (Notice("lapse"), {"kind"})):
        with pytest.raises(ValidationError) as exc:
            _send(policy, notice)
        assert set(exc.value.fields) == fields


def test_another_insurers_policy_is_not_found(policy):
    other = factories.make_insurer()
    with pytest.raises(NotFound):
        policy_notices.send_notice(ACTOR, other.id, policy.policy_number, Notice("reinstatement"))


def test_a_different_notice_on_a_cancelled_policy_is_a_conflict_until_reinstated(policy):
    _send(policy, Notice("notice_of_cancellation", DAY, "Unpaid."))
    with pytest.raises(Conflict) as exc:
        _send(policy, Notice("notice_of_cancellation", DAY + timedelta(days=1), "Unpaid."))
    assert exc.value.code == "already_cancelled"
    _send(policy, Notice("reinstatement"))
    assert _send(policy, Notice("notice_of_cancellation", DAY + timedelta(days=1), "Unpaid.")).cancellation_date \
        == DAY + timedelta(days=1)


def test_what_the_seller_must_act_on(db, policy):
    assert insurer_notice(policy, [], TODAY) is None
    _send(policy, Notice("notice_of_cancellation", DAY, "Unpaid."))
    notice = insurer_notice(policy, [], TODAY)
    assert (notice.kind, notice.ends, notice.days_left, notice.reason) == ("cancellation", DAY, 21, "Unpaid.")
    assert insurer_notice(policy, [], DAY) is None  # in effect: no longer to come
    follower = factories.make_policy(seller_id=policy.seller_id, effective_date=DAY - timedelta(days=1),
                                     expiration_date=DAY + timedelta(days=365))
    assert insurer_notice(policy, [follower], TODAY) is None  # another verified policy carries the cover on


def test_the_non_renewal_reminder_is_cancelled_at_send_time_once_the_seller_has_new_cover(db):
    seller = factories.make_seller_user(email="owner@acme.example")
    policy = factories.make_policy(seller_id=seller.seller_id)
    _send(policy, Notice("non_renewal"))
    message = db.session.query(EmailMessage).filter_by(kind="policy_not_renewed").one()
    assert message.related_type == "policy" and message.related_id == str(policy.id)
    assert reminders.recheck(message, TODAY) is None
    factories.make_policy(seller_id=seller.seller_id, effective_date=policy.expiration_date,
                          expiration_date=policy.expiration_date + timedelta(days=365))
    assert reminders.recheck(message, TODAY) is not None
    assert reminders.queue_due_reminders(TODAY) == 0  # and the daily run does not queue it again


def test_the_30_day_notice_of_a_policy_not_renewed_says_so(db):
    seller = factories.make_seller_user(email="owner@acme.example")
    policy = factories.make_policy(seller_id=seller.seller_id, expiration_date=TODAY + timedelta(days=20))
    _send(policy, Notice("non_renewal"))
    reminders.queue_due_reminders(TODAY)
    expiring = db.session.query(EmailMessage).filter_by(kind="policy_expiring").one()
    assert "will not renew it" in expiring.text_body and "Renew it now" not in expiring.text_body

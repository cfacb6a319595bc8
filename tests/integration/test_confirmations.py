"""services.confirmations on a real database: an upload naming an insurer on the Accelerator is put to it, the
insurer confirms or denies it once, an admin's decision withdraws it, and the admins see the overdue ones."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from accelerator import clock
from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.extensions import db as _db
from accelerator.models import AuditEntry, Confirmation, EmailMessage, Policy, WebhookEndpoint, WebhookEvent
from accelerator.services import confirmations, uploads, verification
from accelerator.services.audit import Actor
from accelerator.shapes.webhooks import ConfirmationEnvelope
from tests import factories
from tests.factories import NOW, TODAY


@pytest.fixture()
def folder(app, tmp_path, monkeypatch):
    """A fresh upload folder for the test."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture()
def insurer(db):
    """An approved insurer on the Accelerator, with a webhook endpoint."""
    insurer = factories.make_insurer(name="Harbor Mutual", naic_code="12345")
    _db.session.add(WebhookEndpoint(insurer_id=insurer.id, url="https://hooks.example/h", secret="s", active=True))
    _db.session.commit()
    return insurer


@pytest.fixture()
def seller(db):
    """A seller with an account (its email gets the decision)."""
    return factories.make_seller_user(email="owner@shop.example")


def upload(seller_user, insurer_id=None, number="HX-UP-1", **overrides) -> Policy:
    """The seller uploads a policy (through services.uploads, as the site does)."""
    values = dict(policy_number=number, effective_date=TODAY, expiration_date=TODAY + timedelta(days=365),
                  per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
                  deductible=Decimal("0.00"), occurrence_based=True, additional_insured=True,
                  insurer_id=insurer_id, insurer_name="", insurer_naic_code="", insurer_rating="")
    if insurer_id is None:
        values.update(insurer_name="Lakeside Specialty", insurer_naic_code="54321", insurer_rating="A")
    values.update(overrides)
    return uploads.upload_policy(Actor(seller_user.email, seller_user.id), seller_user.seller_id,
                                 uploads.UploadedPolicy(**values), io.BytesIO(factories.make_pdf_bytes()))


def staff_actor(insurer) -> Actor:
    """A staff member of the insurer, as the audit log names them."""
    user = factories.make_insurer_user(insurer=insurer)
    return Actor.of_user(user)


def test_an_upload_naming_an_accelerator_insurer_is_put_to_it_with_a_webhook(folder, insurer, seller):
    policy = upload(seller, insurer.id)
    confirmation = _db.session.execute(select(Confirmation)).scalar_one()
    assert (confirmation.policy_id, confirmation.insurer_id, confirmation.status) == (policy.id, insurer.id, "pending")
    assert confirmation.requested_at == NOW or abs(confirmation.requested_at - NOW) < timedelta(seconds=5)
    event = _db.session.execute(select(WebhookEvent)).scalar_one()
    assert (event.insurer_id, event.event_type) == (insurer.id, "confirmation.requested")
    data = event.payload["data"]["confirmation"]
    assert data["id"] == str(confirmation.id) and data["status"] == "pending"
    assert data["policy"]["policy_number"] == "HX-UP-1" and data["policy"]["verification"] == "pending"
    assert ConfirmationEnvelope.model_validate(event.payload).data.confirmation.id == confirmation.id  # as documented


def test_an_outside_insurer_upload_is_put_to_nobody(folder, insurer, seller):
    upload(seller, None)
    assert _db.session.execute(select(Confirmation)).first() is None
    assert _db.session.execute(select(WebhookEvent)).first() is None


def test_a_failed_upload_leaves_no_confirmation(folder, insurer, seller):
    upload(seller, insurer.id)
    with pytest.raises(Conflict):
        upload(seller, insurer.id)  # the same policy again
    assert len(_db.session.execute(select(Confirmation)).scalars().all()) == 1
    assert len(_db.session.execute(select(WebhookEvent)).scalars().all()) == 1


def test_confirming_verifies_the_policy_as_by_the_insurer_and_tells_the_seller(folder, insurer, seller):
    policy = upload(seller, insurer.id)
    cid = confirmations.of_policy(policy.id).id
    actor = staff_actor(insurer)
    answered = confirmations.answer(actor, insurer.id, cid, "confirmed", "  Matches our records. ")
    assert (answered.status, answered.note, answered.answered_by) == ("confirmed", "Matches our records.", actor.label)
    _db.session.expire_all()
    policy = _db.session.get(Policy, policy.id)
    assert policy.verification == "verified" and policy.verified_by_id == actor.user_id
    assert policy.verified_at is not None and policy.rejection_reason is None
    entry = _db.session.execute(select(AuditEntry).where(AuditEntry.action == "insurer_confirm")).scalar_one()
    assert entry.object_id == str(policy.id) and entry.actor == actor.label
    mail = _db.session.execute(select(EmailMessage)).scalar_one()
    assert mail.to_address == "owner@shop.example" and mail.kind == "verification_decision"
    assert "verified" in mail.subject


def test_denying_rejects_with_the_note_as_the_reason_and_emails_the_seller_once(folder, insurer, seller):
    from accelerator.services import reminders

    policy = upload(seller, insurer.id)
    cid = confirmations.of_policy(policy.id).id
    confirmations.answer(Actor("api-key acc_x"), insurer.id, cid, "denied", "No such policy in our books.")
    _db.session.expire_all()
    policy = _db.session.get(Policy, policy.id)
    assert policy.verification == "rejected" and policy.rejection_reason == "No such policy in our books."
    assert policy.verified_by_id is None  # an API key is nobody's account; the confirmation says who
    mail = _db.session.execute(select(EmailMessage)).scalar_one()
    assert "No such policy in our books." in mail.text_body
    assert "Harbor Mutual, the insurer, checked the policy HX-UP-1" in mail.text_body
    assert reminders.queue_due_reminders(TODAY) == 0  # the daily run finds it queued already


def test_a_denial_needs_a_note_and_nothing_changes_without_one(folder, insurer, seller):
    policy = upload(seller, insurer.id)
    cid = confirmations.of_policy(policy.id).id
    with pytest.raises(ValidationError) as refused:
        confirmations.answer(Actor("x"), insurer.id, cid, "denied", "   ")
    assert "note" in refused.value.fields
    with pytest.raises(ValidationError) as refused:
        confirmations.answer(Actor("x"), insurer.id, cid, "maybe", "")
    assert "answer" in refused.value.fields
    assert confirmations.of_policy(policy.id).status == "pending"


def test_the_same_answer_again_answers_the_same_and_the_other_is_refused(folder, insurer, seller):
    policy = upload(seller, insurer.id)
    cid = confirmations.of_policy(policy.id).id
    first = confirmations.answer(Actor("x"), insurer.id, cid, "confirmed", "ok")
    again = confirmations.answer(Actor("x"), insurer.id, cid, "confirmed", "another note")
    assert (again.status, again.note, again.answered_at) == ("confirmed", "ok", first.answered_at)
    with pytest.raises(Conflict) as refused:
        confirmations.answer(Actor("x"), insurer.id, cid, "denied", "changed our mind")
    assert refused.value.code == "already_answered"
    assert len(_db.session.execute(select(AuditEntry).where(AuditEntry.action.like("insurer_%"))).all()) == 1


def test_another_insurers_confirmation_is_not_found(folder, insurer, seller):
    other = factories.make_insurer(name="Other Casualty", naic_code="54320")
    policy = upload(seller, insurer.id)
    cid = confirmations.of_policy(policy.id).id
    with pytest.raises(NotFound):
        confirmations.answer(Actor("x"), other.id, cid, "confirmed", None)
    with pytest.raises(NotFound):
        confirmations.get_for_insurer(other.id, cid)
    assert confirmations.list_for_insurer(other.id, None, 1, 50).total == 0


def test_an_admins_decision_first_withdraws_the_confirmation(folder, insurer, seller):
    admin = factories.make_user(role="admin", email="checker@marketplace.example")
    policy = upload(seller, insurer.id)
    cid = confirmations.of_policy(policy.id).id
    verification.reject(Actor.of_user(admin), policy.id, "Certificate is for another business.")
    _db.session.expire_all()
    confirmation = confirmations.of_policy(policy.id)
    assert (confirmation.status, confirmation.answered_by) == ("withdrawn", "marketplace")
    for answer in ("confirmed", "denied"):
        with pytest.raises(Conflict) as refused:
            confirmations.answer(Actor("x"), insurer.id, cid, answer, "late")
        assert refused.value.code == "already_answered" and "marketplace already rejected" in refused.value.message
    assert _db.session.get(Policy, policy.id).rejection_reason == "Certificate is for another business."


def test_an_admin_cannot_decide_after_the_insurer_answered(folder, insurer, seller):
    admin = factories.make_user(role="admin", email="checker@marketplace.example")
    policy = upload(seller, insurer.id)
    confirmations.answer(Actor("x"), insurer.id, confirmations.of_policy(policy.id).id, "confirmed", None)
    with pytest.raises(Conflict):
        verification.reject(Actor.of_user(admin), policy.id, "too late")
    assert confirmations.of_policy(policy.id).status == "confirmed"


def test_the_list_is_pending_first_oldest_first_and_filters_by_status(folder, insurer, seller):
    first = upload(seller, insurer.id, "HX-A")
    clock.pin(NOW + timedelta(hours=1))
    second = upload(seller, insurer.id, "HX-B")
    clock.pin(NOW + timedelta(hours=2))
    third = upload(seller, insurer.id, "HX-C")
    confirmations.answer(Actor("x"), insurer.id, confirmations.of_policy(first.id).id, "confirmed", None)
    page = confirmations.list_for_insurer(insurer.id, None, 1, 50)
    assert [c.policy_id for c in page.items] == [second.id, third.id, first.id] and page.total == 3
    assert [c.policy_id for c in confirmations.list_for_insurer(insurer.id, "pending", 1, 1).items] == [second.id]
    assert [c.policy_id for c in confirmations.list_for_insurer(insurer.id, "confirmed", 1, 50).items] == [first.id]
    assert confirmations.list_for_insurer(insurer.id, "denied", 1, 50).total == 0
    assert confirmations.counts(insurer.id) == {"pending": 2, "confirmed": 1, "denied": 0, "withdrawn": 0}


def test_concurrent_answers_count_once(live_app, folder, insurer, seller, monkeypatch):
    """Four served answers race (two of each): one wins, the same answer answers the same, the other is refused."""
    policy = upload(seller, insurer.id)
    cid = confirmations.of_policy(policy.id).id
    insurer_id = insurer.id
    monkeypatch.setitem(live_app.config, "UPLOAD_FOLDER", str(folder))
    _db.session.commit()  # plain values only from here: the threads must not touch this session's objects
    results: list = []
    barrier = threading.Barrier(4)

    def answer(kind: str) -> None:
        with live_app.app_context():
            try:
                barrier.wait()
                results.append(confirmations.answer(Actor("x"), insurer_id, cid, kind, "why").status)
            except Conflict as exc:
                results.append(exc.code)
            except BaseException as exc:  # noqa: BLE001 - recorded and asserted below
                results.append(repr(exc))
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=answer, args=(kind,)) for kind in ("confirmed", "denied") * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    _db.session.expire_all()
    status = confirmations.of_policy(policy.id).status
    assert status in ("confirmed", "denied")
    assert sorted(results) == sorted([status, status, "already_answered", "already_answered"])
    assert len(_db.session.execute(select(AuditEntry).where(AuditEntry.action.like("insurer_%"))).all()) == 1
    assert len(_db.session.execute(select(EmailMessage)).all()) == 1


def test_admins_see_confirmations_waiting_longer_than_three_days(folder, insurer, seller):
    old = upload(seller, insurer.id, "HX-OLD")
    answered = upload(seller, insurer.id, "HX-DONE")
    confirmations.answer(Actor("x"), insurer.id, confirmations.of_policy(answered.id).id, "confirmed", None)
    clock.pin(NOW + timedelta(days=2))
    upload(seller, insurer.id, "HX-NEW")
    listed = confirmations.overdue(NOW + timedelta(days=4, hours=1))
    assert [o.confirmation.policy_id for o in listed.items] == [old.id] and listed.total == 1
    assert listed.items[0].days == 4
    assert confirmations.overdue(NOW + timedelta(days=3)).total == 0  # three days exactly is not longer

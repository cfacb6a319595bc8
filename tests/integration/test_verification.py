"""services.verification on a real database: the queue, verify and reject, one decision only, the audit log."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.extensions import db as _db
from accelerator.models import AuditEntry, Policy
from accelerator.services import verification
from accelerator.services.audit import Actor
from tests import factories

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _upload(**values) -> Policy:
    """A seller upload waiting for verification."""
    values.setdefault("insurer_id", None)
    values.setdefault("verification", "pending")
    return factories.make_policy(source="seller_upload", **values)


@pytest.fixture()
def admin(db):
    """An admin who decides uploads."""
    return factories.make_user(role="admin", email="checker@marketplace.example")


def _actor(user) -> Actor:
    """The admin as the audit log names them."""
    return Actor.of_user(user)


def test_the_queue_is_pending_uploads_oldest_first(db):
    newer = _upload(created_at=T0 + timedelta(days=2))
    older = _upload(created_at=T0)
    _upload(created_at=T0 - timedelta(days=9), verification="verified")
    factories.make_policy()  # reported by an insurer: never in the queue
    page = verification.queue()
    assert [p.id for p in page.items] == [older.id, newer.id]
    assert verification.counts() == {"pending": 2, "verified": 1, "rejected": 0}


def test_decided_uploads_are_listed_latest_decision_first(db):
    first = _upload(verification="rejected", verified_at=T0, rejection_reason="x")
    second = _upload(verification="rejected", verified_at=T0 + timedelta(hours=1), rejection_reason="y")
    assert [p.id for p in verification.queue("rejected").items] == [second.id, first.id]
    assert [p.id for p in verification.queue("nonsense").items] == []  # an unknown state is the pending queue


def test_verify_sets_the_models_fields_and_audits(db, admin):
    upload = _upload(policy_number="ASC-PL-4471829")
    policy = verification.verify(_actor(admin), upload.id)
    assert policy.verification == "verified" and policy.verified_by_id == admin.id
    assert policy.verified_at is not None and policy.rejection_reason is None
    entry = db.session.execute(select(AuditEntry)).scalar_one()
    assert (entry.action, entry.object_type, entry.object_id, entry.actor_user_id) == (
        "verify", "policy", str(upload.id), admin.id)
    assert entry.details["policy_number"] == "ASC-PL-4471829"


def test_reject_needs_a_reason_and_keeps_it_for_the_seller(db, admin):
    upload = _upload()
    for reason in ("", "   ", "x" * (verification.MAX_REASON + 1)):
        with pytest.raises(ValidationError) as exc:
            verification.reject(_actor(admin), upload.id, reason)
        assert "reason" in exc.value.fields
    db.session.expire_all()
    assert db.session.get(Policy, upload.id).verification == "pending"
    policy = verification.reject(_actor(admin), upload.id, "  The certificate names another insured.  ")
    assert policy.verification == "rejected" and policy.verified_by_id == admin.id and policy.verified_at
    assert policy.rejection_reason == "The certificate names another insured."
    entry = db.session.execute(select(AuditEntry)).scalar_one()
    assert entry.action == "reject" and entry.details["reason"] == "The certificate names another insured."


@pytest.mark.parametrize("first, second", [("verify", "verify"), ("verify", "reject"), ("reject", "verify")])
def test_a_second_decision_is_refused_naming_the_first(db, admin, first, second):
    upload = _upload(policy_number="DUP-1")
    decide = {"verify": lambda: verification.verify(_actor(admin), upload.id),
              "reject": lambda: verification.reject(_actor(admin), upload.id, "No match.")}
    decide[first]()
    with pytest.raises(Conflict) as exc:
        decide[second]()
    assert exc.value.code == "already_decided"
    assert "Policy DUP-1 was already" in exc.value.message and "checker@marketplace.example" in exc.value.message
    assert len(db.session.execute(select(AuditEntry)).scalars().all()) == 1


def test_only_seller_uploads_can_be_decided(db, admin):
    reported = factories.make_policy(verification="verified")
    for call in (lambda: verification.verify(_actor(admin), reported.id),
                 lambda: verification.reject(_actor(admin), reported.id, "no"),
                 lambda: verification.upload_detail(reported.id),
                 lambda: verification.verify(_actor(admin), 987654)):
        with pytest.raises(NotFound):
            call()


def test_the_detail_knows_its_place_in_the_queue_and_the_next_one(db, admin):
    first = _upload(created_at=T0)
    second = _upload(created_at=T0 + timedelta(hours=1), certificate_path="a" * 32 + ".pdf")
    third = _upload(created_at=T0 + timedelta(hours=2))
    detail = verification.upload_detail(second.id)
    assert (detail.position, detail.pending, detail.next_id, detail.has_document) == (2, 3, third.id, True)
    assert verification.upload_detail(third.id).next_id == first.id  # wraps to the oldest left
    verification.verify(_actor(admin), first.id)
    decided = verification.upload_detail(first.id)
    assert decided.position is None and decided.decided_by.id == admin.id and decided.next_id == second.id
    assert decided.has_document is False


def test_two_admins_deciding_at_once_decide_once(live_app, db, admin):
    """Two served requests race to decide one upload: one wins, the other is told, one audit entry."""
    other = factories.make_user(role="admin", email="second@marketplace.example")
    upload_id = _upload().id
    deciders = [(admin.id, admin.email, "verify"), (other.id, other.email, "reject")]
    db.session.commit()  # plain values only from here: the threads must not touch this session's objects
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user_id: int, email: str, verdict: str) -> None:
        """Decide the upload in the served app, recording the outcome."""
        with live_app.app_context():
            try:
                barrier.wait()
                actor = Actor(email, user_id)
                if verdict == "verify":
                    verification.verify(actor, upload_id)
                else:
                    verification.reject(actor, upload_id, "Does not match.")
                outcomes.append("decided")
            except Conflict:
                outcomes.append("conflict")
            except BaseException as exc:  # noqa: BLE001 - recorded and asserted below
                outcomes.append(repr(exc))
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=decide, args=args) for args in deciders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["conflict", "decided"]
    db.session.expire_all()
    policy = db.session.get(Policy, upload_id)
    assert policy.verification in ("verified", "rejected")
    entries = db.session.execute(select(AuditEntry).where(AuditEntry.object_type == "policy")).scalars().all()
    assert len(entries) == 1 and entries[0].actor_user_id == policy.verified_by_id

"""The approve use case and the rating rule: below the minimum only with a reason, which the audit keeps."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from accelerator.domain.errors import ValidationError
from accelerator.models import AuditEntry, Insurer
from accelerator.services import insurers
from accelerator.services.audit import Actor
from tests import factories


def _entries(db) -> list[AuditEntry]:
    """Every audit entry, oldest first."""
    return list(db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars())


@pytest.mark.parametrize("reason", [None, "", " \t "])
def test_below_the_minimum_without_a_reason_is_refused_and_changes_nothing(db, reason):
    insurer = factories.make_insurer(am_best_rating="B++", status="pending")
    with pytest.raises(ValidationError) as refused:
        insurers.set_status(Actor.cli(), insurer.id, "approved", reason=reason)
    assert "approval_reason" in refused.value.fields
    db.session.rollback()
    assert db.session.get(Insurer, insurer.id).status == "pending"
    assert _entries(db) == []


def test_below_the_minimum_with_a_reason_is_approved_and_audited(db):
    insurer = factories.make_insurer(am_best_rating="B++", status="pending")
    insurers.set_status(Actor.cli(), insurer.id, "approved", reason="Committee decision 42.")
    assert db.session.get(Insurer, insurer.id).status == "approved"
    [entry] = _entries(db)
    assert (entry.action, entry.actor) == ("approve", "cli")
    assert entry.details["reason"] == "Committee decision 42." and entry.details["minimum_rating"] == "A-"


def test_at_the_minimum_no_reason_is_needed(db):
    insurer = factories.make_insurer(am_best_rating="A-", status="pending")
    insurers.set_status(Actor.cli(), insurer.id, "approved")
    assert db.session.get(Insurer, insurer.id).status == "approved"
    assert _entries(db)[0].details == {"status": {"from": "pending", "to": "approved"}}


def test_suspending_needs_no_reason_whatever_the_rating(db):
    insurer = factories.make_insurer(am_best_rating="C")
    insurers.set_status(Actor.cli(), insurer.id, "suspended")
    assert db.session.get(Insurer, insurer.id).status == "suspended"


def test_the_minimum_is_the_configured_one(app, db, monkeypatch):
    insurer = factories.make_insurer(am_best_rating="B++", status="pending")
    monkeypatch.setitem(app.config, "REQUIREMENT", replace(app.config["REQUIREMENT"], min_rating="B++"))
    assert not insurers.rated_below_minimum("B++") and insurers.rated_below_minimum("B+")
    insurers.set_status(Actor.cli(), insurer.id, "approved")
    assert db.session.get(Insurer, insurer.id).status == "approved"

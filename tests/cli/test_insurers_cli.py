"""`flask insurers add`: prints the new insurer's id last; bad input fails clearly and adds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accelerator.models import AuditEntry, Insurer
from tests import factories
from tests.cli.support import assert_failed, assert_ok, invoke, last_line, row_counts


def _add(app, *extra: str, name: str = "Harbor Mutual Insurance Company", naic: str = "21457", rating: str = "A"):
    return invoke(app, "insurers", "add", "--name", name, "--naic", naic, "--rating", rating, *extra)


def test_add_prints_the_id_of_a_pending_insurer_on_the_last_line(app, db):
    result = _add(app)

    assert_ok(result)
    insurer = db.session.get(Insurer, int(last_line(result)))
    assert insurer is not None
    assert insurer.name == "Harbor Mutual Insurance Company"
    assert (insurer.naic_code, insurer.am_best_rating) == ("21457", "A")
    assert insurer.status == "pending"
    assert row_counts()["insurers"] == 1
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.object_type == "insurer")).scalar_one()
    assert (entry.actor, entry.action, entry.object_id) == ("cli", "create", str(insurer.id))


def test_add_with_approve_makes_an_approved_insurer(app, db):
    factories.make_insurer()  # so the new id is not simply 1
    result = _add(app, "--approve", name="Keystone Product Liability Co.", naic="33820", rating="A-")

    assert_ok(result)
    insurer = db.session.get(Insurer, int(last_line(result)))
    assert insurer.name == "Keystone Product Liability Co."
    assert insurer.status == "approved"
    assert insurer.am_best_rating == "A-"


@pytest.mark.parametrize("naic", ["1234", "123456", "12a45", "ABCDE", " ", "12 45"])
def test_a_bad_naic_code_fails_with_a_message_and_adds_nothing(app, db, naic):
    result = _add(app, naic=naic)

    assert_failed(result, "NAIC code is five digits")
    assert row_counts()["insurers"] == 0


def test_a_duplicate_name_fails_and_adds_nothing(app, db):
    assert_ok(_add(app))

    result = _add(app, name="harbor mutual insurance company", naic="99881")

    assert_failed(result, "An insurer with this name already exists")
    assert row_counts()["insurers"] == 1


def test_a_duplicate_naic_code_fails_and_adds_nothing(app, db):
    assert_ok(_add(app))

    result = _add(app, name="Another Mutual", naic="21457")

    assert_failed(result, "An insurer with this NAIC code already exists")
    assert row_counts()["insurers"] == 1


@pytest.mark.parametrize("rating", ["AAA", "a", "", "A+++"])
def test_a_bad_rating_fails_with_a_message_and_adds_nothing(app, db, rating):
    result = _add(app, rating=rating)

    assert_failed(result, "Invalid value for '--rating'")
    assert row_counts()["insurers"] == 0


def test_a_missing_name_fails(app, db):
    result = invoke(app, "insurers", "add", "--naic", "21457", "--rating", "A")

    assert_failed(result, "Missing option '--name'")
    assert row_counts()["insurers"] == 0


def test_a_blank_name_fails(app, db):
    result = _add(app, name="   ")

    assert_failed(result, "Enter the insurer's name")
    assert row_counts()["insurers"] == 0


def test_approving_an_insurer_below_the_minimum_rating_needs_a_reason_and_adds_nothing_without(app, db):
    result = _add(app, "--approve", rating="B+")

    assert_failed(result, "B+ is below the marketplace's minimum AM Best rating of A-", "--reason")
    assert row_counts()["insurers"] == 0
    assert row_counts()["audit_log"] == 0


def test_a_blank_reason_is_no_reason(app, db):
    assert_failed(_add(app, "--approve", "--reason", "  ", rating="B++"), "--reason")
    assert row_counts()["insurers"] == 0


def test_approving_below_the_minimum_with_a_reason_approves_and_audits_it(app, db):
    result = _add(app, "--approve", "--reason", "Accepted by the risk committee.", rating="B+")

    assert_ok(result)
    insurer = db.session.get(Insurer, int(last_line(result)))
    assert insurer.status == "approved"
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.object_type == "insurer")).scalar_one()
    assert (entry.actor, entry.action) == ("cli", "create")
    assert entry.details == {"name": insurer.name, "status": "approved", "am_best_rating": "B+",
                             "minimum_rating": "A-", "reason": "Accepted by the risk committee."}


def test_adding_pending_below_the_minimum_needs_no_reason(app, db):
    result = _add(app, rating="C")
    assert_ok(result)
    assert db.session.get(Insurer, int(last_line(result))).status == "pending"


def test_a_reason_without_approve_is_refused(app, db):
    assert_failed(_add(app, "--reason", "why not"), "--reason goes with --approve")
    assert row_counts()["insurers"] == 0

"""Approving an insurer rated below the marketplace's minimum: a confirmation step with a required reason,
nothing changed without one, the approval and its reason in the audit log."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import func, select

from accelerator.models import AuditEntry, Insurer
from tests import factories
from tests.conftest import post_form
from tests.web.conftest import error_for, field_control

NEW = {"name": "Cedar Mutual", "naic_code": "19872", "am_best_rating": "B+", "licensed_states": ["WA"],
       "categories": ["toys"], "policy_prefix": "CPM"}
REASON = "Regional carrier accepted by the risk committee on 2026-11-20 while AM Best reviews it."


def _status(db, insurer_id: int) -> str:
    """The insurer's status as the database holds it now."""
    db.session.expire_all()
    return db.session.get(Insurer, insurer_id).status


def _approvals(db, insurer_id: int) -> list[AuditEntry]:
    """The audit log's approve entries of the insurer."""
    db.session.expire_all()
    return list(db.session.execute(select(AuditEntry).where(
        AuditEntry.action == "approve", AuditEntry.object_id == str(insurer_id))).scalars())


def _approve(admin_client, insurer, reason: str | None):
    """Press the confirmation step's button, with this reason (None: the field left out)."""
    data = {} if reason is None else {"approval_reason": reason}
    return post_form(admin_client, f"/admin/insurers/{insurer.id}/approve", data,
                     token_from=f"/admin/insurers/{insurer.id}/approve/confirm")


def test_below_the_minimum_the_approve_button_leads_to_the_confirmation_step(admin_client, db):
    insurer = factories.make_insurer(name="Cedar Mutual", am_best_rating="B+", status="pending")
    for page in (f"/admin/insurers/{insurer.id}", "/admin"):
        html = admin_client.get(page).get_data(as_text=True)
        assert f'href="/admin/insurers/{insurer.id}/approve/confirm"' in html, page
        assert f'action="/admin/insurers/{insurer.id}/approve"' not in html, page
    html = unescape(admin_client.get(f"/admin/insurers/{insurer.id}/approve/confirm").get_data(as_text=True))
    assert "Rated B+ by AM Best, below the marketplace's minimum of A-" in html
    assert "only from sellers who ask" in html
    box = field_control(html, "approval_reason")
    assert box["tag"] == "textarea" and "required" in box


@pytest.mark.parametrize("reason", [None, "", "   \n  "])
def test_below_the_minimum_without_a_reason_nothing_changes_and_the_form_says_why(admin_client, db, reason):
    insurer = factories.make_insurer(name="Cedar Mutual", am_best_rating="B+", status="pending")
    entries = db.session.execute(select(func.count(AuditEntry.id))).scalar_one()

    response = _approve(admin_client, insurer, reason)

    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert "below the marketplace's minimum AM Best rating of A-" in error_for(html, "approval_reason")
    assert "There is a problem" in html
    assert _status(db, insurer.id) == "pending"
    assert db.session.execute(select(func.count(AuditEntry.id))).scalar_one() == entries


def test_below_the_minimum_with_a_reason_it_is_approved_and_the_reason_audited(admin_client, client, db):
    insurer = factories.make_insurer(name="Cedar Mutual", am_best_rating="B+", status="pending")

    response = _approve(admin_client, insurer, f"  {REASON}  ")

    assert response.status_code == 302
    assert _status(db, insurer.id) == "approved"
    [entry] = _approvals(db, insurer.id)
    assert entry.actor == "admin@example.com"
    assert entry.details == {"status": {"from": "pending", "to": "approved"}, "am_best_rating": "B+",
                             "minimum_rating": "A-", "reason": REASON}
    flashed = unescape(admin_client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Cedar Mutual is approved." in flashed and "below A-" in flashed
    audit = unescape(admin_client.get("/admin/audit").get_data(as_text=True))
    assert REASON in audit and "minimum rating" in audit
    assert "Cedar Mutual" in client.get("/insurers").get_data(as_text=True)


def test_a_reason_too_long_is_refused_at_the_field(admin_client, db):
    insurer = factories.make_insurer(am_best_rating="C", status="pending")
    response = _approve(admin_client, insurer, "x" * 2001)
    assert response.status_code == 400
    assert "2,000" in error_for(response.get_data(as_text=True), "approval_reason")
    assert _status(db, insurer.id) == "pending"


def test_a_suspended_insurer_below_the_minimum_needs_a_reason_again(admin_client, db):
    insurer = factories.make_insurer(am_best_rating="B++", status="suspended")
    assert _approve(admin_client, insurer, "").status_code == 400
    assert _status(db, insurer.id) == "suspended"
    assert _approve(admin_client, insurer, REASON).status_code == 302
    assert _status(db, insurer.id) == "approved"


@pytest.mark.parametrize("rating", ["A-", "A++"])
def test_at_the_minimum_or_above_no_reason_is_needed(admin_client, db, rating):
    insurer = factories.make_insurer(am_best_rating=rating, status="pending")
    html = admin_client.get(f"/admin/insurers/{insurer.id}").get_data(as_text=True)
    assert f'action="/admin/insurers/{insurer.id}/approve"' in html  # approved in one press, as before
    response = post_form(admin_client, f"/admin/insurers/{insurer.id}/approve", {},
                         token_from=f"/admin/insurers/{insurer.id}")
    assert response.status_code == 302
    assert _status(db, insurer.id) == "approved"
    [entry] = _approvals(db, insurer.id)
    assert entry.details == {"status": {"from": "pending", "to": "approved"}}


def test_the_confirmation_step_of_an_approved_insurer_goes_back_to_it(admin_client, db):
    insurer = factories.make_insurer(am_best_rating="B+")
    response = admin_client.get(f"/admin/insurers/{insurer.id}/approve/confirm")
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/insurers/{insurer.id}"
    assert admin_client.get("/admin/insurers/999999/approve/confirm").status_code == 404


def test_only_admins_reach_the_confirmation_step(seller_client, client, db):
    insurer = factories.make_insurer(am_best_rating="B+", status="pending")
    assert seller_client.get(f"/admin/insurers/{insurer.id}/approve/confirm").status_code == 403
    assert client.get(f"/admin/insurers/{insurer.id}/approve/confirm").status_code == 302  # to log in


def test_added_and_approved_at_once_below_the_minimum_takes_a_reason(admin_client, db):
    response = post_form(admin_client, "/admin/insurers/new", {**NEW, "approve": "y"})
    assert response.status_code == 400
    assert "say why" in error_for(unescape(response.get_data(as_text=True)), "approval_reason")
    assert db.session.execute(select(func.count(Insurer.id))).scalar_one() == 0
    assert db.session.execute(select(func.count(AuditEntry.id))).scalar_one() == 0

    response = post_form(admin_client, "/admin/insurers/new", {**NEW, "approve": "y", "approval_reason": REASON})
    assert response.status_code == 302
    insurer = db.session.execute(select(Insurer)).scalar_one()
    assert insurer.status == "approved"
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "create")).scalar_one()
    assert entry.details["reason"] == REASON and entry.details["am_best_rating"] == "B+"


def test_added_pending_below_the_minimum_needs_no_reason(admin_client, db):
    assert post_form(admin_client, "/admin/insurers/new", NEW).status_code == 302
    assert db.session.execute(select(Insurer.status)).scalar_one() == "pending"

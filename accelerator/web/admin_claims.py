"""Marketplace staff's claim cases (blueprint `admin_claims`): the intervention queue of escalated cases and
one case, where staff step in, record a payment or a recovery, or close it. Admins only (require_role).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from accelerator.domain.errors import Conflict, DomainError
from accelerator.services import claim_case_pages, claim_cases, claim_evidence
from accelerator.services.audit import Actor
from accelerator.web.claim_case_forms import CloseCaseForm, RecoveryForm, StaffPaymentForm, StepInForm
from accelerator.web.documents import send_evidence
from accelerator.web.forms import show_domain_error
from accelerator.web.helpers import require_role

bp = Blueprint("admin_claims", __name__, url_prefix="/admin/claims")
require_role(bp, "admin")

_FORMS = {"step_in": StepInForm, "pay": StaffPaymentForm, "recover": RecoveryForm, "close": CloseCaseForm}


@bp.get("")
def queue():
    """The intervention queue: escalated cases, the oldest deadline first, each with why."""
    return render_template("admin_claims/queue.html", items=claim_case_pages.intervention_queue(),
                           size=claim_case_pages.QUEUE_SIZE)


def _case_page(case_id: str, sent: str | None = None, form=None, status: int = 200):
    """One case with the staff's four forms (the one just sent keeps what was typed and its errors)."""
    page = claim_case_pages.case_page(case_id)
    forms = {name: cls(formdata=None) for name, cls in _FORMS.items()}
    if sent is not None:
        forms[sent] = form
    payers = claim_case_pages.staff_payers(page.view)
    forms["pay"].payer.choices = [c for c in forms["pay"].payer.choices if c.value in payers] or \
        forms["pay"].payer.choices
    return render_template("admin_claims/case.html", page=page, case=page.view.case, check=page.view.check,
                           forms=forms, payers=payers), status


def _act(case_id: str, name: str, apply, done: str):
    """Check the form `name`, then `apply(form)` (one service call); a refusal leaves the case unchanged."""
    claim_case_pages.case_page(case_id)  # 404 before reading the form
    form = _FORMS[name]()
    if not form.validate_on_submit():
        return _case_page(case_id, name, form, 400)
    try:
        apply(form)
    except DomainError as exc:
        if isinstance(exc, Conflict) and not exc.fields:
            flash(exc.message, "warning")
        else:
            show_domain_error(form, exc)
        return _case_page(case_id, name, form, exc.status)
    flash(done, "success")
    return redirect(url_for("admin_claims.show_case", case_id=case_id))


@bp.get("/<case_id>")
def show_case(case_id: str):
    """One case: the claim, its whole history, the coverage check it stands on, and the staff's actions."""
    return _case_page(case_id)


@bp.get("/<case_id>/evidence/<int:evidence_id>")
def evidence_file(case_id: str, evidence_id: int):
    """A file of evidence on any case, as a download."""
    return send_evidence(claim_evidence.document(case_id, evidence_id, admin=True))


@bp.post("/<case_id>/step-in")
def step_in(case_id: str):
    """The marketplace steps in (services.claim_cases.step_in): it pays, the party that was to pay owes it."""
    return _act(case_id, "step_in",
                lambda form: claim_cases.step_in(Actor.of_user(current_user), case_id, form.note.data or None),
                "The marketplace stepped in: record its payment once made.")


@bp.post("/<case_id>/payment")
def record_payment(case_id: str):
    """Record the payment by the marketplace or by the seller (services.claim_cases.record_payment)."""
    return _act(case_id, "pay",
                lambda form: claim_cases.record_payment(Actor.of_user(current_user), case_id, None,
                                                        form.payer.data, form.amount.data),
                "The payment is recorded.")


@bp.post("/<case_id>/recovery")
def record_recovery(case_id: str):
    """Record money recovered from the party that owed the marketplace (services.claim_cases.recover)."""
    return _act(case_id, "recover",
                lambda form: claim_cases.recover(Actor.of_user(current_user), case_id, form.recovered.data),
                "The recovery is recorded.")


@bp.post("/<case_id>/close")
def close_case(case_id: str):
    """Close the case without payment (services.claim_cases.close)."""
    return _act(case_id, "close",
                lambda form: claim_cases.close(Actor.of_user(current_user), case_id, form.outcome.data,
                                               form.close_note.data or None),
                "The case is closed.")

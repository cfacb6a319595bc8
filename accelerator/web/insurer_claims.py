"""The insurer portal's claims inbox: the cases on the insurer's policies; accept, deny, record the payment.

For insurer staff only; the insurer comes from the logged-in user, so another insurer's case is 404.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from accelerator.domain.errors import Conflict, DomainError
from accelerator.domain.money import display_money
from accelerator.services import claim_case_pages, claim_cases, claim_evidence
from accelerator.services.audit import Actor
from accelerator.web.claim_case_forms import CasePaymentForm, DenyCaseForm
from accelerator.web.documents import send_evidence
from accelerator.web.forms import ActionForm, show_domain_error
from accelerator.web.helpers import require_role

bp = Blueprint("insurer_claims", __name__, url_prefix="/insurer/claims")
require_role(bp, "insurer")


def _insurer_id() -> int:
    """The staff member's insurer."""
    return current_user.insurer_id


@bp.get("")
def inbox():
    """The claims inbox: the insurer's cases, newest first."""
    return render_template("insurer_claims/inbox.html", cases=claim_case_pages.insurer_inbox(_insurer_id()),
                           policy_number=claim_case_pages.policy_number, size=claim_case_pages.INBOX_SIZE)


def _case_page(case_id: str, *, accept_form=None, deny_form=None, pay_form=None, status: int = 200):
    """One case with its three forms (the one just sent keeps what was typed and its errors)."""
    page = claim_case_pages.case_page(case_id, _insurer_id())
    return render_template("insurer_claims/case.html", page=page, case=page.view.case,
                           accept_form=accept_form or ActionForm(formdata=None),
                           deny_form=deny_form or DenyCaseForm(formdata=None),
                           pay_form=pay_form or CasePaymentForm(formdata=None)), status


def _refused(form, exc: DomainError) -> None:
    """A conflict with the case's state is said at the top of the page; field problems at the fields."""
    if isinstance(exc, Conflict) and not exc.fields:
        flash(exc.message, "warning")
    else:
        show_domain_error(form, exc)


@bp.get("/<case_id>")
def show_case(case_id: str):
    """One case: the claim, the policy and its aggregate, the history, and the answers the state allows."""
    return _case_page(case_id)


@bp.get("/<case_id>/evidence/<int:evidence_id>")
def evidence_file(case_id: str, evidence_id: int):
    """A file of evidence on one of the insurer's own cases, as a download (another insurer's: 404)."""
    return send_evidence(claim_evidence.document(case_id, evidence_id, insurer_id=_insurer_id()))


def _answer(case_id: str, form, form_name: str, answer, done: str):
    """Check the form, give the answer (a call of the claim_cases service), and say so; the page again,
    with the form's errors or the refusal, when it is refused."""
    claim_cases.get_case(case_id, _insurer_id())  # 404 before reading the form
    if not form.validate_on_submit():
        return _case_page(case_id, **{form_name: form}, status=400)
    try:
        answer()
    except DomainError as exc:
        _refused(form, exc)
        return _case_page(case_id, **{form_name: form}, status=exc.status)
    flash(done() if callable(done) else done, "success")
    return redirect(url_for("insurer_claims.show_case", case_id=case_id))


@bp.post("/<case_id>/accept")
def accept_case(case_id: str):
    """Accept the claim (services.claim_cases.accept): the payment is then due by the new deadline."""
    return _answer(case_id, ActionForm(), "accept_form",
                   lambda: claim_cases.accept(Actor.of_user(current_user), case_id, _insurer_id()),
                   "You accepted this claim. Record the payment once you have paid it.")


@bp.post("/<case_id>/deny")
def deny_case(case_id: str):
    """Deny the claim with a reason (services.claim_cases.deny): the marketplace takes it from there."""
    form = DenyCaseForm()
    return _answer(case_id, form, "deny_form",
                   lambda: claim_cases.deny(Actor.of_user(current_user), case_id, _insurer_id(), form.reason.data),
                   "You denied this claim. The marketplace has been told.")


@bp.post("/<case_id>/payment")
def record_payment(case_id: str):
    """Record the payment (services.claim_cases.record_payment): a paid claim on the policy, once."""
    form = CasePaymentForm()
    return _answer(case_id, form, "pay_form",
                   lambda: claim_cases.record_payment(Actor.of_user(current_user), case_id, _insurer_id(), "insurer",
                                                      form.amount.data),
                   lambda: f"Your payment of {display_money(form.amount.data)} is recorded.")

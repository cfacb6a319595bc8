"""The insurer portal's confirmation queue: the policies sellers uploaded naming the insurer; confirm or deny each.

For insurer staff only; the insurer comes from the logged-in user, so another insurer's confirmation (and its
certificate) is a 404.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from accelerator.domain.errors import Conflict, DomainError
from accelerator.services import confirmations, uploads
from accelerator.services.audit import Actor
from accelerator.shapes.confirmations import MAX_NOTE, STATUSES
from accelerator.web.documents import send_certificate
from accelerator.web.forms import BaseForm, show_domain_error, strip
from accelerator.web.helpers import page_arg, require_role

bp = Blueprint("insurer_confirmations", __name__, url_prefix="/insurer/confirmations")
require_role(bp, "insurer")

STATUS_LABELS = {"pending": "Waiting for you", "confirmed": "Confirmed", "denied": "Denied",
                 "withdrawn": "Decided by the marketplace"}


class ConfirmForm(BaseForm):
    """Confirm an uploaded policy, with an optional note."""

    confirm_note = TextAreaField("Note", filters=[strip], validators=[
        Optional(), Length(max=MAX_NOTE, message=f"Write at most {MAX_NOTE:,} characters.")])


class DenyForm(BaseForm):
    """Deny an uploaded policy, saying why (the seller reads it)."""

    note = TextAreaField("Why you deny it", filters=[strip], validators=[
        DataRequired("Say why you deny it: the seller reads it as the reason the policy was rejected."),
        Length(max=MAX_NOTE, message=f"Write at most {MAX_NOTE:,} characters.")])


def _insurer_id() -> int:
    """The staff member's insurer."""
    return current_user.insurer_id


@bp.get("")
def queue():
    """The confirmation queue: pending ones first (oldest first), then the answered ones; by status."""
    status = request.args.get("status") or None
    status = status if status in STATUSES else None
    pager = confirmations.queue(_insurer_id(), status, page_arg())
    return render_template("insurer_confirmations/queue.html", pager=pager, status=status,
                           counts=confirmations.counts(_insurer_id()), labels=STATUS_LABELS)


def _page(confirmation_id: int, *, confirm_form=None, deny_form=None, status: int = 200):
    """One confirmation with its two forms (the one just sent keeps what was typed and its errors)."""
    confirmation = confirmations.get_for_insurer(_insurer_id(), confirmation_id)
    return render_template("insurer_confirmations/confirmation.html", confirmation=confirmation,
                           policy=confirmation.policy, labels=STATUS_LABELS,
                           confirm_form=confirm_form or ConfirmForm(formdata=None),
                           deny_form=deny_form or DenyForm(formdata=None)), status


@bp.get("/<int:confirmation_id>")
def show(confirmation_id: int):
    """One uploaded policy put to the insurer: its terms, its certificate, and the two answers."""
    return _page(confirmation_id)


@bp.get("/<int:confirmation_id>/certificate")
def certificate(confirmation_id: int):
    """The certificate the seller uploaded, as a download (another insurer's: 404)."""
    confirmation = confirmations.get_for_insurer(_insurer_id(), confirmation_id)
    return send_certificate(uploads.policy_document(confirmation.policy_id, seller_id=None,
                                                    insurer_id=_insurer_id()))


def _answer(confirmation_id: int, form, form_name: str, answer: str, note_field: str, done: str):
    """Check the form, give the answer (services.confirmations.answer) and say so; the page again with the
    form's errors, or the refusal at the top, when it is refused."""
    confirmations.get_for_insurer(_insurer_id(), confirmation_id)  # 404 before reading the form
    if not form.validate_on_submit():
        return _page(confirmation_id, **{form_name: form}, status=400)
    try:
        confirmations.answer(Actor.of_user(current_user), _insurer_id(), confirmation_id, answer,
                             getattr(form, note_field).data)
    except DomainError as exc:
        if isinstance(exc, Conflict):
            flash(exc.message, "warning")
        else:
            show_domain_error(form, exc)
        return _page(confirmation_id, **{form_name: form}, status=exc.status)
    flash(done, "success")
    return redirect(url_for("insurer_confirmations.show", confirmation_id=confirmation_id))


@bp.post("/<int:confirmation_id>/confirm")
def confirm(confirmation_id: int):
    """Confirm the policy: it is verified, recorded as confirmed by the insurer, and the seller is told."""
    return _answer(confirmation_id, ConfirmForm(), "confirm_form", "confirmed", "confirm_note",
                   "You confirmed this policy. It is verified, and the seller has been told.")


@bp.post("/<int:confirmation_id>/deny")
def deny(confirmation_id: int):
    """Deny the policy with a note: it is rejected with the note as the reason, and the seller is told."""
    return _answer(confirmation_id, DenyForm(), "deny_form", "denied", "note",
                   "You denied this policy. It is rejected, and the seller has been told why.")

"""The admin area: insurers (add, edit, approve, suspend, invite staff), the verification queue of policies
that sellers upload, and the audit log.

Every view is for admins only (see require_role): anonymous GETs are sent to log in, everything else
from anybody who is not an admin is a 403, before any form is read or any service called.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import Form, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from accelerator import clock
from accelerator.domain.errors import Conflict, DomainError, ValidationError
from accelerator.services import accounts, audit, confirmations, insurers, metrics, verification
from accelerator.services.audit import Actor
from accelerator.web.forms import (
    ActionForm,
    ApproveInsurerForm,
    BaseForm,
    InsurerForm,
    InsurerStatusFilterForm,
    InviteStaffForm,
    NewInsurerForm,
    add_rule_errors,
    choices,
    show_domain_error,
    strip,
)
from accelerator.web.helpers import page_arg, require_role

bp = Blueprint("admin", __name__, url_prefix="/admin")
require_role(bp, "admin")

AUDIT_PER_PAGE = 50


def _actor() -> Actor:
    """The logged-in admin, as the audit log names them."""
    return Actor.of_user(current_user)


DUE_SOON_DAYS = 7


@bp.get("")
def index():
    """The admin's start page: what needs action (uploads, sellers overdue or due soon), insurers by status
    and those awaiting approval."""
    return render_template("admin/index.html", overview=insurers.admin_overview(), action_form=ActionForm(),
                           uploads_waiting=verification.counts()["pending"],
                           actions=metrics.compliance_actions(clock.today(), DUE_SOON_DAYS),
                           overdue_confirmations=confirmations.overdue(),
                           overdue_days=confirmations.OVERDUE_AFTER.days)


@bp.get("/insurers")
def list_insurers():
    """Every insurer, optionally of one status."""
    form = InsurerStatusFilterForm(request.args)
    valid = form.validate()
    status = form.status.data if valid else ""
    return render_template("admin/insurers.html", form=form,
                           insurers=insurers.list_insurers(status or None)), 200 if valid else 400


@bp.route("/insurers/new", methods=["GET", "POST"])
def new_insurer():
    """Add an insurer (pending unless approved at once)."""
    form = NewInsurerForm()
    status = 200
    if form.validate_on_submit():
        try:
            insurer = insurers.create_insurer(_actor(), form.to_data(), approve=form.approve.data,
                                              approval_reason=form.approval_reason.data)
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status
        else:
            flash(f"{insurer.name} was added ({insurer.status}).", "success")
            return redirect(url_for("admin.show_insurer", insurer_id=insurer.id))
    elif form.is_submitted():
        status = 400
        add_rule_errors(form, insurers.insurer_errors(form.to_data()))  # the rules too, in the same answer
    return render_template("admin/insurer_form.html", form=form, insurer=None), status


@bp.get("/insurers/<int:insurer_id>")
def show_insurer(insurer_id: int):
    """One insurer: every field, its staff, open invitations, and the approve/suspend buttons."""
    return render_template("admin/insurer.html", detail=insurers.insurer_detail(insurer_id),
                           action_form=ActionForm())


@bp.route("/insurers/<int:insurer_id>/edit", methods=["GET", "POST"])
def edit_insurer(insurer_id: int):
    """Edit an insurer's details; the audit log records what changed."""
    insurer = insurers.get_insurer(insurer_id)
    form = InsurerForm(obj=insurer)
    status = 200
    if form.validate_on_submit():
        try:
            insurers.update_insurer(_actor(), insurer_id, form.to_data())
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status
        else:
            flash("The changes were saved.", "success")
            return redirect(url_for("admin.show_insurer", insurer_id=insurer_id))
    elif form.is_submitted():
        status = 400
        add_rule_errors(form, insurers.insurer_errors(form.to_data(), insurer_id))
    return render_template("admin/insurer_form.html", form=form, insurer=insurer), status


def _approve_page(insurer_id: int, form: ApproveInsurerForm, status: int = 200):
    """The approve step: what approving means for this insurer, and the reason field (with its error)."""
    insurer = insurers.get_insurer(insurer_id)
    return render_template("admin/approve.html", insurer=insurer, form=form, min_rating=insurers.min_rating(),
                           below_minimum=insurers.rated_below_minimum(insurer.am_best_rating)), status


@bp.get("/insurers/<int:insurer_id>/approve/confirm")
def confirm_approval(insurer_id: int):
    """The approve step before approving: for an insurer rated below the minimum, a reason is required."""
    insurer = insurers.get_insurer(insurer_id)
    if insurer.is_approved:
        flash(f"{insurer.name} is already approved.", "info")
        return redirect(url_for("admin.show_insurer", insurer_id=insurer_id))
    return _approve_page(insurer_id, ApproveInsurerForm(formdata=None))


@bp.post("/insurers/<int:insurer_id>/approve")
def approve_insurer(insurer_id: int):
    """Approve an insurer: it shows in the directory and receives quote requests. Rated below the minimum,
    it takes a reason; without one nothing changes and the approve step says why."""
    insurers.get_insurer(insurer_id)  # 404 before reading the form
    form = ApproveInsurerForm()
    if not form.validate_on_submit():
        return _approve_page(insurer_id, form, 400)
    try:
        insurer = insurers.set_status(_actor(), insurer_id, "approved", reason=form.approval_reason.data)
    except ValidationError as exc:
        show_domain_error(form, exc)
        return _approve_page(insurer_id, form, exc.status)
    if insurers.rated_below_minimum(insurer.am_best_rating):
        flash(f"{insurer.name} is approved. Sellers see that it is rated {insurer.am_best_rating}, below "
              f"{insurers.min_rating()}, and it receives quote requests only from sellers who ask for such "
              "insurers.", "success")
    else:
        flash(f"{insurer.name} is approved.", "success")
    return redirect(url_for("admin.show_insurer", insurer_id=insurer_id))


@bp.post("/insurers/<int:insurer_id>/suspend")
def suspend_insurer(insurer_id: int):
    """Suspend an insurer: out of the directory and routing; its staff and API keys are refused at once."""
    insurer = insurers.set_status(_actor(), insurer_id, "suspended")
    flash(f"{insurer.name} is suspended.", "success")
    return redirect(url_for("admin.show_insurer", insurer_id=insurer_id))


@bp.route("/insurers/<int:insurer_id>/invite", methods=["GET", "POST"])
def invite_staff(insurer_id: int):
    """Invite a person to the insurer's staff: the link is emailed to them and shown here this once."""
    insurer = insurers.get_insurer(insurer_id)
    form = InviteStaffForm()
    status = 200
    if form.validate_on_submit():
        try:
            invitation, token = accounts.invite_staff(_actor(), insurer_id, form.email.data)
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status
        else:
            link = url_for("auth.accept_invitation", token=token, _external=True)
            return render_template("admin/invited.html", insurer=insurer, invitation=invitation, link=link)
    elif form.is_submitted():
        status = 400
    return render_template("admin/invite.html", form=form, insurer=insurer), status


@bp.get("/audit")
def audit_log():
    """The audit log, newest first."""
    entries = audit.list_entries(page_arg(), AUDIT_PER_PAGE)
    return render_template("admin/audit.html", entries=entries, insurer_names=audit.insurer_names(entries.items))


# --- verification of seller uploads -----------------------------------------------------------------

# Where the seller-side document view serves an upload's certificate (only to its seller and to admins,
# as an attachment). The page frames it with `?view=inline`, the one answer the site lets its own pages
# frame (sandboxed, inline), beside what was read from it; the download link stays.
DOCUMENT_PATH = "/documents/policies/{policy_id}"


class RejectUploadForm(BaseForm):
    """Why an upload is rejected: the seller reads it on their dashboard."""

    reason = TextAreaField("Reason for rejecting", filters=[strip], validators=[
        DataRequired("Say why the upload is rejected: the seller reads it on their dashboard."),
        Length(max=verification.MAX_REASON, message=f"Write at most {verification.MAX_REASON:,} characters.")])


class VerificationFilterForm(Form):
    """Which uploads to list (a GET form)."""

    state = SelectField("Show", default="pending", choices=choices(
        (("pending", "Waiting for verification"), ("verified", "Verified"), ("rejected", "Rejected"))))


@bp.get("/verification")
def verification_queue():
    """Seller uploads waiting for verification, oldest first (or those decided, latest first)."""
    form = VerificationFilterForm(request.args)
    valid = form.validate()
    state = form.state.data if valid else "pending"
    return render_template("admin/verification.html", form=form, state=state,
                           uploads=verification.queue(state, page_arg()),
                           counts=verification.counts()), 200 if valid else 400


def _upload_page(policy_id: int, reject_form=None, status: int = 200):
    """One upload's page, with the reject form (and its errors)."""
    detail = verification.upload_detail(policy_id)
    return render_template("admin/verification_upload.html", detail=detail, action_form=ActionForm(),
                           reject_form=reject_form or RejectUploadForm(formdata=None),
                           confirmation=confirmations.of_policy(policy_id),
                           document_url=DOCUMENT_PATH.format(policy_id=policy_id)), status


@bp.get("/verification/<int:policy_id>")
def show_upload(policy_id: int):
    """One upload: the certificate beside what was read from it and what the seller entered; verify or reject."""
    return _upload_page(policy_id)


def _after_decision(policy_id: int, detail_next: int | None):
    """Go on with the queue: the next pending upload, or the queue when none is left."""
    if detail_next:
        return redirect(url_for("admin.show_upload", policy_id=detail_next))
    return redirect(url_for("admin.verification_queue"))


@bp.post("/verification/<int:policy_id>/verify")
def verify_upload(policy_id: int):
    """Verify the upload: it now counts as a verified policy for coverage and compliance."""
    try:
        policy = verification.verify(_actor(), policy_id)
    except Conflict as exc:
        flash(exc.message, "warning")
        return redirect(url_for("admin.show_upload", policy_id=policy_id))
    flash(f"Policy {policy.policy_number} of {policy.seller_id} is verified.", "success")
    return _after_decision(policy_id, verification.upload_detail(policy_id).next_id)


@bp.post("/verification/<int:policy_id>/reject")
def reject_upload(policy_id: int):
    """Reject the upload with a reason the seller sees."""
    verification.upload_detail(policy_id)  # 404 before reading the form
    form = RejectUploadForm()
    if not form.validate_on_submit():
        return _upload_page(policy_id, form, 400)
    try:
        policy = verification.reject(_actor(), policy_id, form.reason.data)
    except Conflict as exc:
        flash(exc.message, "warning")
        return redirect(url_for("admin.show_upload", policy_id=policy_id))
    except DomainError as exc:
        show_domain_error(form, exc)
        return _upload_page(policy_id, form, exc.status)
    flash(f"Policy {policy.policy_number} of {policy.seller_id} is rejected; the seller sees why.", "success")
    return _after_decision(policy_id, verification.upload_detail(policy_id).next_id)

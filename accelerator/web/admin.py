"""The admin area: insurers (add, edit, approve, suspend, invite staff) and the audit log.

Every view is for admins only (see require_role): anonymous GETs are sent to log in, everything else
from anybody who is not an admin is a 403, before any form is read or any service called.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accelerator.domain.errors import DomainError
from accelerator.services import accounts, audit, insurers
from accelerator.services.audit import Actor
from accelerator.web.forms import (
    ActionForm,
    InsurerForm,
    InsurerStatusFilterForm,
    InviteStaffForm,
    NewInsurerForm,
    show_domain_error,
)
from accelerator.web.helpers import page_arg, require_role

bp = Blueprint("admin", __name__, url_prefix="/admin")
require_role(bp, "admin")

AUDIT_PER_PAGE = 50


def _actor() -> Actor:
    """The logged-in admin, as the audit log names them."""
    return Actor.of_user(current_user)


@bp.get("")
def index():
    """The admin's start page: insurers by status and those awaiting approval."""
    return render_template("admin/index.html", overview=insurers.admin_overview(), action_form=ActionForm())


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
            insurer = insurers.create_insurer(_actor(), form.to_data(), approve=form.approve.data)
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status
        else:
            flash(f"{insurer.name} was added ({insurer.status}).", "success")
            return redirect(url_for("admin.show_insurer", insurer_id=insurer.id))
    elif form.is_submitted():
        status = 400
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
    return render_template("admin/insurer_form.html", form=form, insurer=insurer), status


@bp.post("/insurers/<int:insurer_id>/approve")
def approve_insurer(insurer_id: int):
    """Approve an insurer: it shows in the directory and receives quote requests."""
    insurer = insurers.set_status(_actor(), insurer_id, "approved")
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
    """Invite a person to the insurer's staff; the link is shown this once (there is no email yet)."""
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
    return render_template("admin/audit.html", entries=audit.list_entries(page_arg(), AUDIT_PER_PAGE))

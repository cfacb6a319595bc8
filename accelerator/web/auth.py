"""Logging in and out, seller self-registration, and insurer staff accepting an invitation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from accelerator.domain.errors import DomainError, RateLimited
from accelerator.services import accounts
from accelerator.web.forms import AcceptInvitationForm, LoginForm, RegistrationForm, add_rule_errors, show_domain_error
from accelerator.web.helpers import home_url, safe_next, start_session

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in; repeated failures are refused with 429 for a while."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or home_url(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, request.remote_addr)
        except RateLimited as exc:
            return (render_template("auth/login.html", form=form, next_url=next_url, locked=exc.message),
                    429, {"Retry-After": str(exc.retry_after)})
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status
        else:
            start_session(user)
            flash("You are logged in.", "success")
            return redirect(next_url or home_url(user))
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form, next_url=next_url, locked=None), status


@bp.post("/logout")
def logout():
    """Log out: the user's session token is rotated, so an old copy of the cookie is dead too."""
    if current_user.is_authenticated:
        accounts.logout(current_user.id)
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("public.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """A seller creates their own account with their marketplace seller ID, then logs in; the answer
    is the same whether the email already had an account (its owner is emailed instead)."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = RegistrationForm()
    status = 200
    if form.validate_on_submit():
        try:
            email = accounts.register_seller(form.email.data, form.password.data, form.seller_id.data,
                                             form.legal_name.data)
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status
        else:
            flash(f"Check your email: we have sent a message to {email} that tells you how to log in. "
                  "A new account can log in right away with the password you chose.", "success")
            return redirect(url_for("auth.login"))
    elif form.is_submitted():
        status = 400
        # A seller ID already registered is said with the field errors, in the same answer.
        add_rule_errors(form, accounts.registration_clashes(form.seller_id.data))
    return render_template("auth/register.html", form=form), status


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Insurer staff accept an admin's invitation: name and password, then they are logged in."""
    invitation = accounts.find_invitation(token)
    form = AcceptInvitationForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(token, form.name.data, form.password.data)
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status
        else:
            start_session(user)
            flash(f"Welcome to the {invitation.insurer.name} team.", "success")
            return redirect(url_for("insurers.home"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/invitation.html", form=form, invitation=invitation), status

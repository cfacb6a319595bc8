"""The admins' sellers (blueprint `admin_sellers`): search by seller ID, legal name or email, one seller's
record, and a compliance reminder sent from it.

Every view is for admins only (see require_role): anonymous GETs are sent to log in, everything else
from anybody who is not an admin is a 403, before any form is read or any service called.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import Form, HiddenField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from accelerator.domain.errors import DomainError
from accelerator.services import seller_records
from accelerator.services.audit import Actor
from accelerator.web.forms import BaseForm
from accelerator.web.helpers import page_arg, require_role
from accelerator.web.reports import STATUS_LABELS

bp = Blueprint("admin_sellers", __name__, url_prefix="/admin/sellers")
require_role(bp, "admin")


class SellerSearchForm(Form):
    """One search box (a GET form: it changes nothing, so no CSRF token)."""

    q = StringField("Seller ID, legal name or email")


class ReminderForm(BaseForm):
    """The "Send a reminder" button: the CSRF token and this form's own token (one email per form)."""

    token = HiddenField(validators=[DataRequired(), Length(max=64), Regexp(r"^[A-Za-z0-9_-]+$")])


@bp.get("")
def search_sellers():
    """Sellers matching the search (every seller when it is empty), by seller ID, a page at a time."""
    form = SellerSearchForm(request.args)
    found = seller_records.search_sellers(request.args.get("q", ""), page_arg())
    form.q.data = found.query
    return render_template("admin_sellers/search_sellers.html", form=form, found=found,
                           max_query=seller_records.MAX_QUERY)


@bp.get("/<seller_id>")
def show_seller(seller_id: str):
    """One seller's record: profile, sales, compliance and its history, policies, uploads, requests,
    coverage checks (latest, a page at a time), claims paid, and the reminder button."""
    record = seller_records.seller_record(seller_id)
    checks = seller_records.coverage_checks(record.seller.seller_id, page_arg("checks_page"))
    form = ReminderForm(formdata=None, token=seller_records.new_reminder_token())
    return render_template("admin_sellers/show_seller.html", record=record, checks=checks, reminder_form=form,
                           labels=STATUS_LABELS, repeat_minutes=int(seller_records.REPEAT_WINDOW.total_seconds() // 60))


@bp.post("/<seller_id>/reminder")
def send_reminder(seller_id: str):
    """Queue one compliance reminder email to the seller (a repeated click of the same form queues none)."""
    record_url = url_for("admin_sellers.show_seller", seller_id=seller_id)
    seller = seller_records.find_seller(seller_id)  # 404 before reading the form
    form = ReminderForm()
    if not form.validate_on_submit():
        flash("This form had expired. Reload the page and try again.", "error")
        return redirect(record_url)
    try:
        outcome = seller_records.send_reminder(Actor.of_user(current_user), seller.seller_id, form.token.data)
    except DomainError as exc:
        flash(exc.message, "warning")
        return redirect(record_url)
    if outcome.queued:
        flash(f"A reminder to {outcome.to_address} is queued; it goes out with the next email run.", "success")
    else:
        flash(f"This reminder was already queued at {outcome.queued_at:%H:%M} UTC (to {outcome.to_address}); "
              "no second email was queued.", "info")
    return redirect(record_url)

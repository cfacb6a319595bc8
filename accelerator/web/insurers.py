"""The insurer portal: the requests routed to the staff member's insurer, quotes (one by one or from a CSV
file), its policies and the notices on them, its webhook endpoints and delivery log, and its API keys.

Every view is for insurer staff only (see require_role) and reads the insurer from the logged-in user,
never from the URL: an id of another insurer's request, endpoint or key is simply not found (404).
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accelerator import clock
from accelerator.domain.categories import CATEGORIES
from accelerator.domain.errors import Conflict, DomainError
from accelerator.domain.money import display_money
from accelerator.domain.warnings import UnconfirmedShortfalls
from accelerator.http import error_page
from accelerator.services import api_keys, policy_notices, portal, quote_csv, quotes, webhooks
from accelerator.services.audit import Actor
from accelerator.web.forms import ActionForm, confirmed_shortfalls, show_domain_error
from accelerator.web.helpers import page_arg, require_role
from accelerator.web.portal_forms import (
    CSV_MAX_KB,
    ApiKeyForm,
    CancellationNoticeForm,
    DeclineForm,
    InboxFilterForm,
    QuoteCsvForm,
    QuoteOfferForm,
    WebhookEndpointForm,
)

bp = Blueprint("insurers", __name__, url_prefix="/insurer")
require_role(bp, "insurer")

ROW_ERRORS_SHOWN = 200  # a file wrong on every row still answers a readable page


def _actor() -> Actor:
    """The logged-in staff member, as the audit log names them."""
    return Actor.of_user(current_user)


def _insurer_id() -> int:
    """The staff member's insurer: the only one whose data these pages show."""
    return current_user.insurer_id


# --- inbox and one request ------------------------------------------------------------------------


@bp.get("")
def home():
    """The inbox: requests routed to the insurer, filtered by status, sorted, a page at a time."""
    form = InboxFilterForm(request.args)
    valid = form.validate()
    status = form.status.data if not form.status.errors else ""
    sort = form.sort.data if not form.sort.errors else "newest"
    inbox = portal.inbox(_insurer_id(), status or None, sort or "newest", page_arg())
    return (render_template("insurers/home.html", inbox=inbox, form=form, labels=portal.STATUS_LABELS),
            200 if valid else 400)


def _request_page(request_id: int, *, offer_form=None, decline_form=None, shortfalls=(), status: int = 200):
    """The request page with its two forms (the one just sent keeps what was typed and its errors, and the
    offer's shortfalls to confirm)."""
    page = portal.request_page(_insurer_id(), request_id)
    offer_form = offer_form or QuoteOfferForm.suggested(page.request)
    decline_form = decline_form or DeclineForm(formdata=None)
    return render_template("insurers/request.html", page=page, offer_form=offer_form, decline_form=decline_form,
                           today=clock.today(), labels=portal.STATUS_LABELS, shortfalls=shortfalls), status


def _show_refusal(form, exc: DomainError) -> None:
    """A rule's refusal: a conflict with the request's state (closed, declined, quoted) is said at the top
    of the page, where it shows even when the form is no longer offered; field problems go at the fields."""
    if isinstance(exc, Conflict) and not exc.fields:
        flash(exc.message, "warning")
    else:
        show_domain_error(form, exc)


@bp.get("/requests/<int:request_id>")
def show_request(request_id: int):
    """One routed request: every field of the seller's application, the insurer's quotes, offer or decline."""
    return _request_page(request_id)


@bp.post("/requests/<int:request_id>/quote")
def offer_quote(request_id: int):
    """Offer a quote on the request (services.quotes.offer_quote checks the rules and records it)."""
    page = portal.request_page(_insurer_id(), request_id)  # 404 before reading the form
    form = QuoteOfferForm()
    if not form.validate_on_submit():
        return _request_page(request_id, offer_form=form, status=400)
    try:
        quote = quotes.offer_quote(_actor(), _insurer_id(), request_id, form.to_offer(),
                                   confirmed=confirmed_shortfalls())
    except UnconfirmedShortfalls as exc:  # nothing saved: say what falls short and ask to confirm
        return _request_page(request_id, offer_form=form, shortfalls=exc.shortfalls)
    except DomainError as exc:
        _show_refusal(form, exc)
        return _request_page(request_id, offer_form=form, status=exc.status)
    flash(f"Your quote of {display_money(quote.annual_premium)} a year was sent to {page.request.legal_name}.",
          "success")
    return redirect(url_for("insurers.show_request", request_id=request_id))


@bp.post("/requests/<int:request_id>/decline")
def decline_request(request_id: int):
    """Decline the request with a reason (services.quotes.decline)."""
    page = portal.request_page(_insurer_id(), request_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _request_page(request_id, decline_form=form, status=400)
    try:
        quotes.decline(_actor(), _insurer_id(), request_id, form.reason.data)
    except DomainError as exc:
        _show_refusal(form, exc)
        return _request_page(request_id, decline_form=form, status=exc.status)
    flash(f"You declined the request of {page.request.legal_name}.", "success")
    return redirect(url_for("insurers.show_request", request_id=request_id))


# --- quotes from a CSV file -----------------------------------------------------------------------


def _upload_page(form, *, rejected=None, status: int = 200):
    """The CSV upload page, with the form's errors or the row report of a refused file."""
    return render_template("insurers/upload.html", form=form, rejected=rejected, categories=CATEGORIES,
                           max_rows=quote_csv.MAX_ROWS, max_kb=CSV_MAX_KB, shown=ROW_ERRORS_SHOWN), status


@bp.route("/quotes/upload", methods=["GET", "POST"])
def upload_quotes():
    """Offer many quotes at once from a CSV file: all rows are applied, or none and a row-by-row report."""
    form = QuoteCsvForm()
    if not form.validate_on_submit():
        return _upload_page(form, status=400 if form.is_submitted() else 200)
    raw = form.file.data.read(quote_csv.MAX_BYTES + 1)
    try:
        result = quote_csv.upload_quotes(_actor(), _insurer_id(), raw)
    except quote_csv.QuoteCsvRejected as exc:
        return _upload_page(form, rejected=exc, status=400)
    except DomainError as exc:
        form.file.errors = [*form.file.errors, exc.fields.get("file", exc.message)]
        return _upload_page(form, status=exc.status)
    count = result.offered
    flash(f"{count} quote{'' if count == 1 else 's'} offered from the file.", "success")
    return redirect(url_for("insurers.home", status="quoted"))


@bp.get("/quotes/template.csv")
def quote_template():
    """The CSV template: the header and one example row, as a download."""
    return Response(quote_csv.template_csv(clock.today()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="quotes-template.csv"',
                             "Cache-Control": "no-store"})


@bp.errorhandler(413)
def too_large(_exc):
    """A body over the site's limit: on the upload page, say so there; elsewhere the usual 413 page."""
    if request.endpoint == "insurers.upload_quotes":
        form = QuoteCsvForm(formdata=None)
        form.file.errors = [f"The file is too large: a file of quotes may be at most {CSV_MAX_KB} KB. "
                            "Split it into smaller files."]
        return _upload_page(form, status=413)
    return error_page(413)


# --- policies ---------------------------------------------------------------------------------------


@bp.get("/policies")
def list_policies():
    """The insurer's policies: terms, claims paid and the aggregate remaining."""
    return render_template("insurers/policies.html", policies=portal.policies(_insurer_id(), page_arg()),
                           today=clock.today())


def _policy_page(policy_id: int, *, cancel_form=None, status: int = 200):
    """One policy with the notices the insurer can send on it (the form just sent keeps what was typed and its
    errors)."""
    policy = portal.policy(_insurer_id(), policy_id)
    return render_template("insurers/policy.html", policy=policy, today=clock.today(),
                           cancel_form=cancel_form or CancellationNoticeForm(formdata=None),
                           action_form=ActionForm()), status


@bp.get("/policies/<int:policy_id>")
def show_policy(policy_id: int):
    """One of the insurer's policies: its terms, its cancellation and renewal, and the notices to send."""
    return _policy_page(policy_id)


@bp.post("/policies/<int:policy_id>/notices/cancellation")
def notice_of_cancellation(policy_id: int):
    """Give notice of cancellation from a date to come, with a reason (services.policy_notices)."""
    policy = portal.policy(_insurer_id(), policy_id)  # 404 before reading the form
    form = CancellationNoticeForm()
    if not form.validate_on_submit():
        return _policy_page(policy_id, cancel_form=form, status=400)
    notice = policy_notices.Notice(policy_notices.CANCELLATION, form.cancellation_date.data, form.reason.data)
    try:
        policy_notices.send_notice(_actor(), _insurer_id(), policy.policy_number, notice)
    except DomainError as exc:
        _show_refusal(form, exc)
        return _policy_page(policy_id, cancel_form=form, status=exc.status)
    flash(f"Notice given: policy {policy.policy_number} will be cancelled from {form.cancellation_date.data:%B} "
          f"{form.cancellation_date.data.day}, {form.cancellation_date.data.year}. The seller and the marketplace "
          "were told.", "success")
    return redirect(url_for("insurers.show_policy", policy_id=policy_id))


def _plain_notice(policy_id: int, kind: str, done: str):
    """A notice without fields (reinstatement, non-renewal): a button with its CSRF token."""
    policy = portal.policy(_insurer_id(), policy_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash("The form expired: send the notice again.", "warning")
        return _policy_page(policy_id, status=400)
    try:
        policy_notices.send_notice(_actor(), _insurer_id(), policy.policy_number, policy_notices.Notice(kind))
    except DomainError as exc:
        flash(exc.message, "warning")
        return _policy_page(policy_id, status=exc.status)
    flash(done.format(number=policy.policy_number), "success")
    return redirect(url_for("insurers.show_policy", policy_id=policy_id))


@bp.post("/policies/<int:policy_id>/notices/reinstatement")
def reinstate_policy(policy_id: int):
    """Lift the policy's cancellation, pending or done."""
    return _plain_notice(policy_id, policy_notices.REINSTATEMENT,
                         "Policy {number} is reinstated: its cancellation is lifted and the seller was told.")


@bp.post("/policies/<int:policy_id>/notices/non-renewal")
def non_renewal(policy_id: int):
    """Give notice that the policy will not be renewed; the seller's reminder goes at once."""
    return _plain_notice(policy_id, policy_notices.NON_RENEWAL,
                         "Notice given: policy {number} will not be renewed. The seller was reminded to find cover.")


# --- webhooks ---------------------------------------------------------------------------------------


def _webhooks_page(form=None, status: int = 200):
    """The endpoints and delivery log, with the add-endpoint form (and its errors)."""
    return render_template("insurers/webhooks.html", view=portal.webhooks_page(_insurer_id(), page_arg()),
                           form=form or WebhookEndpointForm(formdata=None), action_form=ActionForm()), status


@bp.get("/webhooks")
def list_webhooks():
    """The insurer's webhook endpoints and the log of deliveries to them."""
    return _webhooks_page()


@bp.post("/webhooks")
def add_webhook():
    """Register an https endpoint; its signing secret is shown this once."""
    form = WebhookEndpointForm()
    if not form.validate_on_submit():
        return _webhooks_page(form, 400)
    try:
        endpoint, secret = webhooks.register_endpoint(_actor(), _insurer_id(), form.url.data)
    except DomainError as exc:
        show_domain_error(form, exc)
        return _webhooks_page(form, exc.status)
    return render_template("insurers/webhook_created.html", endpoint=endpoint, secret=secret)


@bp.post("/webhooks/<int:endpoint_id>/remove")
def remove_webhook(endpoint_id: int):
    """Stop sending events to one of the insurer's endpoints (its log stays)."""
    webhooks.remove_endpoint(_actor(), _insurer_id(), endpoint_id)
    flash("The endpoint was removed: no more events are sent to it.", "success")
    return redirect(url_for("insurers.list_webhooks"))


# --- API keys ---------------------------------------------------------------------------------------


def _keys_page(form=None, status: int = 200):
    """The key list, with the create-key form (and its errors)."""
    return render_template("insurers/api_keys.html", keys=portal.api_keys(_insurer_id()),
                           form=form or ApiKeyForm(formdata=None), action_form=ActionForm()), status


@bp.get("/api-keys")
def list_api_keys():
    """The insurer's API keys: name, prefix, when made, last use, state."""
    return _keys_page()


@bp.post("/api-keys")
def create_api_key():
    """Make a key for the insurer's systems; the key is shown this once."""
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return _keys_page(form, 400)
    try:
        key, raw = api_keys.create_key(_actor(), "insurer", form.name.data, _insurer_id())
    except DomainError as exc:
        show_domain_error(form, exc)
        return _keys_page(form, exc.status)
    return render_template("insurers/api_key_created.html", key=key, raw=raw)


@bp.post("/api-keys/<prefix>/revoke")
def revoke_api_key(prefix: str):
    """Revoke one of the insurer's keys (another insurer's prefix is not found); refused from its next use."""
    key = api_keys.revoke_key(_actor(), prefix[:40], insurer_id=_insurer_id())
    flash(f"The key {key.name} ({key.prefix}…) is revoked.", "success")
    return redirect(url_for("insurers.list_api_keys"))

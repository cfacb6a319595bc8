"""The seller's own pages: dashboard, business profile, quote requests (ask once, compare, buy), policies
with their certificates, renewing a policy that expires soon, and uploading a policy bought elsewhere.

Every view is for sellers only (require_role): anonymous GETs go to the login page, anybody else gets
403 before a form is read. Another seller's request, quote or policy is a 404, decided by the services.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from accelerator import clock
from accelerator.domain.errors import DomainError, ValidationError
from accelerator.domain.warnings import UnconfirmedShortfalls
from accelerator.services import (
    certificates,
    claim_cases,
    claim_evidence,
    confirmations,
    insurers,
    purchase,
    quotes,
    renewal_rule,
    renewals,
    sellers,
    upload_reading,
    uploads,
)
from accelerator.services.audit import Actor
from accelerator.web.documents import send_evidence
from accelerator.web.forms import ActionForm, confirmed_shortfalls, show_domain_error
from accelerator.web.helpers import require_role
from accelerator.web.seller_forms import (
    DisputeForm,
    NewCertificateForm,
    ProfileForm,
    QuoteRequestForm,
    UploadPolicyForm,
)
from accelerator.web.template_filters import long_date

bp = Blueprint("sellers", __name__)
require_role(bp, "seller")

# A new request's start date, to begin with: time for quotes to arrive and to choose.
DEFAULT_START_IN_DAYS = 14
# Room for the upload form's other fields on top of the largest certificate accepted.
UPLOAD_FORM_ALLOWANCE = 1024 * 1024


@bp.url_value_preprocessor
def _upload_size_limit(endpoint, values):
    """Let the upload form carry a certificate, and a claim's dispute its files of evidence, larger than the
    site's usual body limit.

    This runs before any before_request function, so the CSRF check, which reads the form, already
    parses it with this limit; past it the body is refused with 413.
    """
    if endpoint == "sellers.upload_policy" and request.method == "POST":
        request.max_content_length = 2 * uploads.max_bytes() + UPLOAD_FORM_ALLOWANCE
    elif endpoint == "sellers.read_upload" and request.method == "POST":
        request.max_content_length = uploads.max_bytes()  # the body is the file alone
    elif endpoint == "sellers.dispute_claim" and request.method == "POST":
        # One file more than allowed still arrives, so that too many files is said at the field.
        request.max_content_length = (claim_evidence.MAX_FILES + 1) * uploads.max_bytes() + UPLOAD_FORM_ALLOWANCE


def _seller_id() -> str:
    """The logged-in seller's seller ID."""
    return current_user.seller_id


def _actor() -> Actor:
    """The logged-in seller, as the audit log names them."""
    return Actor.of_user(current_user)


@bp.get("/seller")
def home():
    """The dashboard: policies by standing, quote requests with their quotes, and the compliance snapshot."""
    waiting = [view for view in claim_cases.seller_cases(_seller_id()) if claim_cases.waits_for_seller(view.case)]
    return render_template("sellers/home.html", dashboard=sellers.dashboard(_seller_id()), waiting_claims=waiting,
                           time_left=time_left)


@bp.route("/seller/profile", methods=["GET", "POST"])
def profile():
    """The business profile: legal name, state, categories sold and recent monthly gross sales."""
    seller = sellers.get_seller(_seller_id())
    form = ProfileForm(obj=seller)
    status = 200
    if form.validate_on_submit():
        first = seller.profile_completed_at is None
        try:
            sellers.update_profile(_actor(), seller.seller_id, form.to_data())
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status
        else:
            if first:
                flash("Your business profile is complete. Next: ask insurers for quotes.", "success")
                return redirect(url_for("sellers.new_request"))
            flash("Your business profile was saved.", "success")
            return redirect(url_for("sellers.home"))
    elif form.is_submitted():
        status = 400
    return render_template("sellers/profile.html", form=form, seller=seller), status


@bp.route("/seller/requests/new", methods=["GET", "POST"])
def new_request():
    """Ask once: one quote request goes to every approved insurer whose appetite fits it."""
    seller = sellers.get_seller(_seller_id())
    form = QuoteRequestForm()
    if request.method == "GET":
        # Start from the business profile, so the seller types only what is new.
        form.legal_name.data = seller.legal_name
        form.state.data = seller.state or ""
        form.categories.data = list(seller.categories or [])
        if seller.monthly_gross_sales:
            form.annual_revenue.data = seller.monthly_gross_sales * 12
        form.desired_start_date.data = form.today + timedelta(days=DEFAULT_START_IN_DAYS)
    status = 200
    shortfalls = []
    if form.validate_on_submit():
        try:
            quote_request, routed = quotes.submit_quote_request(seller.seller_id, form.to_data(),
                                                                confirmed=confirmed_shortfalls())
        except UnconfirmedShortfalls as exc:
            shortfalls = exc.shortfalls  # nothing saved: the page says what falls short and asks to confirm
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status
        else:
            if routed:
                count = len(routed)
                flash(f"Your request went to {count} insurer{'s' if count != 1 else ''}. Their quotes appear "
                      "here as they arrive.", "success")
            else:
                flash("No approved insurer covers this request, so nobody received it. See why below.", "warning")
            return redirect(url_for("sellers.show_request", request_id=quote_request.id))
    elif form.is_submitted():
        status = 400
    return render_template("sellers/request_form.html", form=form, seller=seller, shortfalls=shortfalls), status


@bp.get("/seller/requests/<int:request_id>")
def show_request(request_id: int):
    """A quote request and its quotes side by side, sorted by premium or by limit."""
    detail = sellers.get_request(_seller_id(), request_id, request.args.get("sort", "premium"))
    return render_template("sellers/request.html", detail=detail, form=ActionForm())


@bp.post("/seller/requests/<int:request_id>/withdraw")
def withdraw_request(request_id: int):
    """Withdraw an open request: it takes no more quotes, and its insurers see it withdrawn."""
    try:
        result = quotes.withdraw_quote_request(_actor(), _seller_id(), request_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for("sellers.show_request", request_id=request_id))
    if result.withdrawn:
        flash("You withdrew this request. Insurers can no longer quote on it.", "success")
    else:
        flash("You had already withdrawn this request.", "info")
    return redirect(url_for("sellers.show_request", request_id=request_id))


@bp.post("/seller/requests/<int:request_id>/quotes/<int:quote_id>/ask-again")
def ask_again(request_id: int, quote_id: int):
    """An expired quote's insurer asked again: a new request with the same answers, to that insurer only."""
    try:
        asked = quotes.ask_again(_seller_id(), request_id, quote_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for("sellers.show_request", request_id=request_id))
    if asked.created:
        name = asked.request.routings[0].insurer.name
        flash(f"You asked {name} again. Its new quote appears here when it arrives.", "success")
    else:
        flash("You had already asked this insurer again: here is that request.", "info")
    return redirect(url_for("sellers.show_request", request_id=asked.request.id))


@bp.get("/seller/requests/<int:request_id>/quotes/<int:quote_id>/buy")
def confirm_purchase(request_id: int, quote_id: int):
    """The confirm step before buying: the quote's terms, the policy it becomes, and the button."""
    preview = purchase.preview(_seller_id(), request_id, quote_id)
    return (render_template("sellers/confirm_purchase.html", preview=preview, form=ActionForm()),
            409 if preview.problem else 200)


@bp.post("/seller/requests/<int:request_id>/quotes/<int:quote_id>/buy")
def buy_quote(request_id: int, quote_id: int):
    """Buy the quote: one transaction records the policy and closes the request (exactly one policy)."""
    try:
        bought = purchase.buy_quote(_actor(), _seller_id(), request_id, quote_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for("sellers.show_request", request_id=request_id))
    if bought.created:
        flash(f"You bought policy {bought.policy.policy_number}. Your certificate of insurance is below.", "success")
    else:
        flash(f"You had already bought this quote: policy {bought.policy.policy_number}.", "info")
    return redirect(url_for("sellers.show_policy", policy_id=bought.policy.id))


@bp.get("/seller/policies/<int:policy_id>")
def show_policy(policy_id: int):
    """A policy and its newest certificate of insurance (printable), with the PDF, the verification link and
    QR code, every certificate issued and the button for a new one; and its renewal: the Renew button when
    it expires soon, the renewal quotes beside it once asked."""
    view = renewals.policy_page(_seller_id(), policy_id)
    page = view.page
    verify_url = (url_for("verify.certificate", token=page.certificate.verification_token, _external=True)
                  if page.certificate else None)
    new_form = NewCertificateForm(superseding=page.certificate.number if page.certificate else None)
    return render_template("sellers/policy.html", page=page, policy=page.policy, cert=page.certificate,
                           verify_url=verify_url, verify_qr=certificates.qr_svg_data_uri(verify_url) if verify_url
                           else None, renewal=view.renewal, notice=view.notice, form=ActionForm(), new_form=new_form,
                           confirmation=confirmations.of_policy(policy_id))


@bp.post("/seller/policies/<int:policy_id>/certificates")
def issue_certificate(policy_id: int):
    """Ask for a new certificate, stating the business profile as it is today (a second click makes none)."""
    form = NewCertificateForm()
    superseding = form.superseding.data if form.validate() else None
    try:
        reissue = certificates.issue_certificate(_actor(), _seller_id(), policy_id, superseding)
    except DomainError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for("sellers.show_policy", policy_id=policy_id))
    cert = reissue.certificate
    if reissue.created:
        flash(f"Certificate {cert.number} was issued on {long_date(cert.issued_on)}, naming {cert.insured_name}. "
              "The earlier certificates stay valid and listed.", "success")
    else:
        flash(f"That certificate had already been replaced: certificate {cert.number} is the newest.", "info")
    return redirect(url_for("sellers.show_policy", policy_id=policy_id))


@bp.post("/seller/policies/<int:policy_id>/renew")
def start_renewal(policy_id: int):
    """The Renew button: the renewal request form, prefilled; or the renewal request already open."""
    state = renewal_rule.state_of(_seller_id(), policy_id)
    if state.open_request_id is not None:
        flash("You already asked for renewal quotes for this policy: here is that request.", "info")
        return redirect(url_for("sellers.show_request", request_id=state.open_request_id))
    if state.problem:
        flash(state.problem, "error")
        return redirect(url_for("sellers.show_policy", policy_id=policy_id))
    return redirect(url_for("sellers.new_renewal", policy_id=policy_id))


@bp.route("/seller/policies/<int:policy_id>/renewal/new", methods=["GET", "POST"])
def new_renewal(policy_id: int):
    """The renewal request, prefilled from the policy and the profile: adjust it and send it."""
    form = QuoteRequestForm()
    status = 200
    shortfalls = []
    if form.validate_on_submit():
        try:
            sent = renewals.submit_renewal(_seller_id(), policy_id, form.to_data(), confirmed=confirmed_shortfalls())
        except UnconfirmedShortfalls as exc:
            shortfalls = exc.shortfalls
        except DomainError as exc:
            if exc.status == 404:
                raise
            if exc.status == 409:
                flash(exc.message, "error")
                return redirect(url_for("sellers.show_policy", policy_id=policy_id))
            show_domain_error(form, exc)
            status = exc.status
        else:
            if not sent.created:
                flash("You had already asked for renewal quotes for this policy: here is that request.", "info")
            elif sent.routed:
                count = len(sent.routed)
                flash(f"Your renewal request went to {count} insurer{'s' if count != 1 else ''}. Their quotes "
                      "appear here, beside your current policy, as they arrive.", "success")
            else:
                flash("No approved insurer covers this request, so nobody received it. See why below.", "warning")
            return redirect(url_for("sellers.show_request", request_id=sent.request.id))
    elif form.is_submitted():
        status = 400
    draft = renewals.draft(_seller_id(), policy_id)
    if draft.state.open_request_id is not None:
        flash("You already asked for renewal quotes for this policy: here is that request.", "info")
        return redirect(url_for("sellers.show_request", request_id=draft.state.open_request_id))
    if draft.state.problem:
        flash(draft.state.problem, "error")
        return redirect(url_for("sellers.show_policy", policy_id=policy_id))
    if not form.is_submitted():
        form.fill(draft.prefill)
    return render_template("sellers/renewal_form.html", form=form, draft=draft, policy=draft.policy,
                           shortfalls=shortfalls), status


@bp.get("/seller/policies/<int:policy_id>/certificate.pdf")
def certificate_pdf(policy_id: int):
    """The newest certificate of insurance as a PDF download."""
    return _certificate_download(certificates.certificate(_seller_id(), policy_id))


@bp.get("/seller/policies/<int:policy_id>/certificates/<int:number>.pdf")
def issued_certificate_pdf(policy_id: int, number: int):
    """One of the policy's certificates, newest or earlier, as a PDF download."""
    return _certificate_download(certificates.certificate(_seller_id(), policy_id, number))


def _certificate_download(cert: certificates.CertificateOfInsurance) -> Response:
    """A certificate's PDF, sent as an attachment that no cache keeps."""
    verify_url = url_for("verify.certificate", token=cert.verification_token, _external=True)
    body = certificates.certificate_pdf(cert, verify_url)
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{certificates.certificate_filename(cert)}"',
        "Cache-Control": "private, no-store",
    })


@bp.route("/seller/policies/upload", methods=["GET", "POST"])
def upload_policy():
    """Upload a policy bought elsewhere with its certificate PDF; it waits for the marketplace to verify it."""
    approved = insurers.list_insurers("approved")
    status = 200
    form = UploadPolicyForm()
    form.set_insurers(approved)
    if form.validate_on_submit():
        try:
            policy = uploads.upload_policy(_actor(), _seller_id(), form.to_data(), form.certificate.data.stream)
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status
        else:
            flash(f"Policy {policy.policy_number} was uploaded. The marketplace will verify it; you will see the "
                  "outcome on your dashboard.", "success")
            found = uploads.upload_shortfalls(form.to_data())
            if found:
                flash("As entered, it will not meet the marketplace's requirement: "
                      + " ".join(s.message for s in found), "warning")
            return redirect(url_for("sellers.show_policy", policy_id=policy.id))
    elif form.is_submitted():
        status = 400
    shortfalls = uploads.upload_shortfalls(form.to_data()) if form.is_submitted() else []
    return render_template("sellers/upload.html", form=form, max_size=uploads.size_words(uploads.max_bytes()),
                           max_bytes=uploads.max_bytes(), samples=_samples(),
                           rules=[rule.as_json() for rule in uploads.upload_rules()], shortfalls=shortfalls), status


@dataclass(frozen=True)
class Sample:
    """A demo certificate the upload page offers to try (static/samples/, made by scripts/sample_certificates.py)."""

    title: str
    filename: str

    @property
    def path(self) -> str:
        """Its path under the static folder."""
        return f"samples/{self.filename}"

    @property
    def size(self) -> str:
        """Its size in words (`348 KB`)."""
        return uploads.size_words(os.path.getsize(os.path.join(current_app.static_folder, self.path)))


SAMPLES = (Sample("An ACORD 25 grid", "certificate-grid.pdf"), Sample("A letter of evidence", "certificate-letter.pdf"),
           Sample("A scanned certificate (read by OCR: a few seconds)", "certificate-scan.pdf"))


def _samples() -> tuple[Sample, ...]:
    """The samples whose files are there (a checkout without them offers none)."""
    return tuple(s for s in SAMPLES if os.path.isfile(os.path.join(current_app.static_folder, s.path)))


@bp.post("/seller/policies/upload/read")
def read_upload():
    """Read the certificate dropped on the upload page (the body is the file; the CSRF token comes in the
    X-CSRFToken header) and answer, as JSON, the form's values with their evidence and the requirement's
    rules met or failed; stores nothing. A refused file: `{"error": {"code", "message"}}` with its status."""
    try:
        reading = upload_reading.read_for_upload(request.stream)
    except DomainError as exc:
        return _no_store(jsonify(error={"code": exc.code, "message": exc.message}), exc.status)
    return _no_store(jsonify(reading.as_json()))


def _no_store(response: Response, status: int = 200) -> Response:
    """A JSON answer about the seller's own file, which no cache keeps."""
    response.status_code = status
    response.headers["Cache-Control"] = "private, no-store"
    return response


def time_left(deadline: datetime | None) -> str:
    """The time left to answer in words, from the clock: `3 days 4 hours left, until December 1, 2026 18:00 UTC`."""
    if deadline is None:
        return ""
    until = f"{long_date(deadline.date())} {deadline:%H:%M} UTC"
    seconds = (deadline - clock.now()).total_seconds()
    if seconds <= 0:
        return f"The time to answer ended on {until}"
    left = timedelta(minutes=math.ceil(seconds / 60))  # whole minutes, rounded up: never less than is left
    days, hours, minutes = left.days, left.seconds // 3600, left.seconds % 3600 // 60
    parts = [f"{days} day{'' if days == 1 else 's'}"] if days else []
    if hours:
        parts.append(f"{hours} hour{'' if hours == 1 else 's'}")
    if not days and (minutes or not hours):
        parts.append(f"{minutes} minute{'' if minutes == 1 else 's'}")
    return f"{' '.join(parts)} left, until {until}"


@bp.get("/seller/claims")
def list_claims():
    """The seller's claim cases: those waiting for the seller's answer first, then newest first."""
    views = claim_cases.seller_cases(_seller_id())
    return render_template("sellers/claims.html", views=views, waits=claim_cases.waits_for_seller,
                           time_left=time_left)


@bp.get("/seller/claims/<case_id>")
def show_claim(case_id: str):
    """One claim case: what happened, who pays, its history, and the seller's answers while it waits for them."""
    return _claim_page(claim_cases.seller_case(case_id, _seller_id()), DisputeForm())


def _claim_page(view: claim_cases.CaseView, dispute_form: DisputeForm, status: int = 200):
    """Render the case page with the dispute form given."""
    return render_template("sellers/claim.html", view=view, case=view.case, check=view.check,
                           waits=claim_cases.waits_for_seller(view.case), time_left=time_left(view.case.respond_by),
                           form=ActionForm(formdata=None), dispute_form=dispute_form,
                           max_files=claim_evidence.MAX_FILES, max_size=uploads.size_words(uploads.max_bytes())), status


@bp.post("/seller/claims/<case_id>/accept")
def accept_claim(case_id: str):
    """The seller accepts the claim: they owe the payment by the new deadline. Sent twice, it accepts once."""
    before = claim_cases.seller_case(case_id, _seller_id()).case.state
    return _answer_claim(case_id, before, lambda: claim_cases.seller_accept(_actor(), case_id, _seller_id()),
                         "You had already accepted this claim.",
                         "You accepted this claim. Pay the customer by the date shown below.")


@bp.post("/seller/claims/<case_id>/dispute")
def dispute_claim(case_id: str):
    """The seller disputes the claim with a reason and files of evidence: the marketplace takes it up. Sent
    twice, it disputes once and keeps the files once; a refused file is said at its field and changes nothing."""
    view = claim_cases.seller_case(case_id, _seller_id())
    form = DisputeForm()
    files = form.uploads()
    if not form.validate_on_submit():
        if not claim_cases.waits_for_seller(view.case):
            flash("This claim no longer waits for your answer (see its state below), so nothing was changed.", "error")
            return redirect(url_for("sellers.show_claim", case_id=case_id))
        try:
            claim_evidence.check(files)  # every error at once: the files' too
        except ValidationError as exc:
            show_domain_error(form, exc)
        return _claim_page(view, form, 400)

    def refused_files(exc: DomainError):
        """The files' problems at their field, on the page again (while the case still waits)."""
        if not claim_cases.waits_for_seller(view.case):
            flash("This claim no longer waits for your answer (see its state below), so nothing was changed.", "error")
            return redirect(url_for("sellers.show_claim", case_id=case_id))
        show_domain_error(form, exc)
        return _claim_page(view, form, 400)

    return _answer_claim(case_id, view.case.state,
                         lambda: claim_evidence.seller_dispute(_actor(), case_id, _seller_id(), form.reason.data,
                                                               files),
                         "You had already disputed this claim.",
                         "You disputed this claim. The marketplace will look at it and let you know.",
                         on_fields=refused_files)


@bp.errorhandler(413)
def too_large(_exc):
    """A dispute whose files are far over the limits: said at the files' field (nothing was read or changed);
    elsewhere the usual 413 page."""
    from accelerator.http import error_page

    if request.endpoint == "sellers.read_upload":  # the page's reader shows the message (it reveals nothing)
        return _no_store(jsonify(error={"code": "too_large", "message": upload_reading.too_large_message()}), 413)
    # The body is refused while the CSRF check reads it, before the role guard: check the role here.
    if request.endpoint != "sellers.dispute_claim" or getattr(current_user, "role", None) != "seller":
        return error_page(413)
    try:
        view = claim_cases.seller_case(request.view_args["case_id"], _seller_id())
    except DomainError:
        return error_page(413)
    form = DisputeForm(formdata=None)
    form.evidence.errors = [f"These files are too large together. Attach at most {claim_evidence.MAX_FILES} "
                            f"files of at most {uploads.size_words(uploads.max_bytes())} each."]
    return _claim_page(view, form, 413)


@bp.get("/seller/claims/<case_id>/evidence/<int:evidence_id>")
def claim_evidence_file(case_id: str, evidence_id: int):
    """A file of evidence on the seller's own case, as a download (another seller's: 404)."""
    return send_evidence(claim_evidence.document(case_id, evidence_id, seller_id=_seller_id()))


def _answer_claim(case_id: str, before: str, answer, already: str, done: str, on_fields=None):
    """Give the seller's answer (a call of the claim_cases service returning the case's view) and say
    what happened: refused, already given (the state did not move), or done; back to the case. A refusal
    with field messages goes to `on_fields(exc)` when given."""
    try:
        view = answer()
    except DomainError as exc:
        if exc.status == 404:
            raise
        if on_fields is not None and exc.fields:
            return on_fields(exc)
        flash(_refused(exc), "error")
        return redirect(url_for("sellers.show_claim", case_id=case_id))
    if before == view.case.state:
        flash(already, "info")
    else:
        flash(done, "success")
    return redirect(url_for("sellers.show_claim", case_id=case_id))


def _refused(exc: DomainError) -> str:
    """A refused answer in plain words: the case no longer waits for the seller."""
    if exc.code == "invalid_transition":
        return "This claim no longer waits for your answer (see its state below), so nothing was changed."
    return exc.message

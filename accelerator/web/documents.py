"""Uploaded policy documents: a seller's certificate PDF, sent only to that seller and to admins, always
as an attachment (never rendered inline by the browser); and the sending of claim cases' files of evidence,
whose pages decide who may have them.

Anonymous visitors are sent to log in; insurer staff get 403; another seller gets 404, so the ids of
other sellers' documents are not even confirmed to exist.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, flash, redirect, request, send_file, url_for
from flask_login import current_user

from accelerator.services import claim_evidence, uploads

bp = Blueprint("documents", __name__, url_prefix="/documents")


@bp.before_request
def _sellers_and_admins_only():
    """Only sellers (their own documents) and admins (any) may ask for a document."""
    if not current_user.is_authenticated:
        flash("Log in to see that page.", "info")
        return redirect(url_for("auth.login", next=request.path))
    if current_user.role not in ("seller", "admin"):
        abort(403)
    return None


@bp.get("/policies/<int:policy_id>")
def policy_document(policy_id: int):
    """The certificate PDF uploaded with a policy, as a download; `?view=inline` shows it in a frame of the
    site's own pages (the admin's verification page sets it beside what was read)."""
    is_admin = current_user.role == "admin"
    document = uploads.policy_document(policy_id, seller_id=None if is_admin else current_user.seller_id,
                                       admin=is_admin)
    response = _attachment(document.path, "application/pdf", document.download_name)
    if request.args.get("view") == "inline":
        return _framed_by_the_site(response, document.download_name)
    return response


def _framed_by_the_site(response: Response, download_name: str) -> Response:
    """A PDF answer shown inline, in a frame of this site's pages alone; still sandboxed, never sniffed.

    The file was checked for active content when it was stored; the sandbox keeps any script of it away from
    the site's origin all the same, and the browser's own viewer shows it.
    """
    response.headers["Content-Disposition"] = f'inline; filename="{download_name}"'
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; frame-ancestors 'self'"
    return response


def send_certificate(document: uploads.Document) -> Response:
    """An uploaded certificate (the caller decided who may have it), as a PDF download."""
    return _attachment(document.path, "application/pdf", document.download_name)


def send_evidence(document: claim_evidence.EvidenceDocument) -> Response:
    """A file of evidence on a claim case (the caller decided who may have it), as a download."""
    return _attachment(document.path, document.content_type, document.download_name)


def _attachment(path: Path, mimetype: str, download_name: str) -> Response:
    """A stored upload sent as an attachment of its checked type, never sniffed, never cached."""
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=download_name, max_age=0,
                         conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it anyway, it gets no script and no access to the site's origin.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response

"""Uploaded policy documents: a seller's certificate PDF, sent only to that seller and to admins, always
as an attachment (never rendered inline by the browser).

Anonymous visitors are sent to log in; insurer staff get 403; another seller gets 404, so the ids of
other sellers' documents are not even confirmed to exist.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_login import current_user

from accelerator.services import uploads

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
    """The certificate PDF uploaded with a policy, as a download."""
    is_admin = current_user.role == "admin"
    document = uploads.policy_document(policy_id, seller_id=None if is_admin else current_user.seller_id,
                                       admin=is_admin)
    response = send_file(document.path, mimetype="application/pdf", as_attachment=True,
                         download_name=document.download_name, max_age=0, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it anyway, it gets no script and no access to the site's origin.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response

"""The public verification of a certificate of insurance: anybody with the link, logged in or not, sees
whether the policy is in force today, and nothing else about the seller."""

from __future__ import annotations

from flask import Blueprint, render_template

from accelerator.services import certificates

bp = Blueprint("verify", __name__)


@bp.get("/verify/<token>")
def certificate(token: str):
    """Whether the policy behind a certificate's verification link is in force today."""
    result = certificates.verify(token)
    html = render_template("documents/verify.html", result=result)
    # The token is in the URL: keep it out of Referer headers and out of search engines.
    return html, 200, {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}

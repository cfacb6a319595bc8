"""The seller's own pages: their seller record, policies and quote requests."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from accelerator.services import accounts
from accelerator.web.helpers import require_role

bp = Blueprint("sellers", __name__)
require_role(bp, "seller")


@bp.get("/seller")
def home():
    """The seller's home: seller ID, legal name, policies and quote requests."""
    return render_template("sellers/home.html", overview=accounts.seller_overview(current_user.seller_id))

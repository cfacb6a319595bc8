"""Insurer staff's pages: their insurer and the quote requests routed to it."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from accelerator.services import insurers
from accelerator.web.helpers import page_arg, require_role

bp = Blueprint("insurers", __name__)
require_role(bp, "insurer")


@bp.get("/insurer")
def home():
    """The insurer staff's home: the insurer's name and status, and the quote requests routed to it."""
    return render_template("insurers/home.html", home=insurers.staff_home(current_user.insurer_id, page_arg()))

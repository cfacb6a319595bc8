"""Public pages: the programme explained, and the directory of approved insurers."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from accelerator.services import insurers
from accelerator.web.forms import DirectoryFilterForm

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    """The home page: the requirement, the guarantee, and how asking once works."""
    return render_template(
        "public/home.html",
        requirement=current_app.config["REQUIREMENT"],
        guarantee_limit=current_app.config["MARKETPLACE_GUARANTEE_LIMIT"],
        legal_name=current_app.config["MARKETPLACE_LEGAL_NAME"],
    )


@bp.get("/insurers")
def list_insurers():
    """The directory of approved insurers, filtered by product category and state."""
    form = DirectoryFilterForm(request.args)
    valid = form.validate()
    category = form.category.data if not form.category.errors else ""
    state = form.state.data if not form.state.errors else ""
    found = insurers.directory(category=category or None, state=state or None)
    return render_template("public/insurers.html", form=form, insurers=found,
                           filtered=bool(category or state)), 200 if valid else 400


@bp.get("/insurers/<int:insurer_id>")
def show_insurer(insurer_id: int):
    """One approved insurer's page; pending and suspended insurers are not found."""
    return render_template("public/insurer.html", insurer=insurers.public_insurer(insurer_id))

"""Public pages: the programme explained, and the directory of approved insurers."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    """The home page: the requirement, the guarantee, and how asking once works."""
    return render_template("public/home.html")

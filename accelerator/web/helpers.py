"""Small helpers shared by the site's views: who may enter, where to go next, which page to show."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_login import current_user, login_user

from accelerator.models import User

# A page number past this is answered as the last page would be (the services clamp it too).
MAX_PAGE = 100_000
_UNSAFE_NEXT = re.compile(r"[\x00-\x1f\x7f\\]")


def home_url(user: User) -> str:
    """Where a user starts after logging in: their role's home page."""
    return url_for({"seller": "sellers.home", "insurer": "insurers.home", "admin": "admin.index"}[user.role])


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site (`/seller?x=1`), else None: never another host."""
    if not target or len(target) > 2000 or _UNSAFE_NEXT.search(target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def start_session(user: User) -> None:
    """Log a user in on a fresh session, so nothing from before the login carries over (no fixation)."""
    session.clear()
    login_user(user)


def page_arg(name: str = "page") -> int:
    """A page number from the query string; anything that is not a whole number from 1 up is page 1."""
    raw = request.args.get(name, "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 7:
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


def require_role(bp: Blueprint, role: str) -> None:
    """Guard every view of `bp`: anonymous GETs go to the login page, anything else not of `role` is 403.

    The guard runs before the view, so a POST from anybody else never reaches a service.
    """

    @bp.before_request
    def _only_role():
        """Refuse the request unless the current user has the blueprint's role."""
        if not current_user.is_authenticated:
            if request.method in ("GET", "HEAD"):
                flash("Log in to see that page.", "info")
                return redirect(url_for("auth.login", next=_current_path()))
            abort(403)
        if current_user.role != role:
            abort(403)
        return None


def _current_path() -> str:
    """The path and query of this request, as a `next` value."""
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")

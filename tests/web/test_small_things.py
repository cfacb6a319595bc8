"""Small things seen on the pages' HTML: the decline banner's punctuation, insurers named in the audit log,
checkbox groups tied to their error, and "Error: " in the title of a page sent back with form errors."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.conftest import login_as


@pytest.fixture()
def harbor(db):
    """An approved insurer."""
    return factories.make_insurer(name="Harbor Mutual")


@pytest.fixture()
def staff(app, harbor):
    """A client logged in as Harbor's staff."""
    client = app.test_client()
    login_as(client, factories.make_insurer_user(insurer=harbor))
    return client


def _notice(html: str) -> str:
    """The text of the page's first notice."""
    paragraph = re.search(r'<div class="notice"><p>(.*?)</p></div>', html, re.S)
    assert paragraph, "no notice on the page"
    return re.sub(r"\s+", " ", paragraph.group(1)).strip()


@pytest.mark.parametrize(("reason", "banner"), [
    ("Outside our appetite", "You declined this request: “Outside our appetite”."),
    ("Outside our appetite.", "You declined this request: “Outside our appetite.”"),
    ("Outside our appetite!  ", "You declined this request: “Outside our appetite!”"),
    ("Is this a toy?", "You declined this request: “Is this a toy?”"),
    ("We said “no.”", "You declined this request: “We said “no.””"),
    ("Too many claims (3 in 2025)", "You declined this request: “Too many claims (3 in 2025)”."),
    (None, "You declined this request."),
    ("", "You declined this request."),
])
def test_the_decline_banner_ends_with_one_full_stop(staff, harbor, reason, banner):
    request = factories.make_quote_request()
    factories.make_routing(request, harbor, status="declined", decline_reason=reason)
    html = staff.get(f"/insurer/requests/{request.id}").get_data(as_text=True)
    assert _notice(html) == banner

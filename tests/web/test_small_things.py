"""Small things seen on the pages' HTML: the decline banner's punctuation, insurers named in the audit log,
checkbox groups tied to their error, and "Error: " in the title of a page sent back with form errors."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from accelerator.models import AuditEntry
from accelerator.services import audit, quotes
from tests import factories
from tests.conftest import login_as
from tests.factories import TODAY


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


def _request_data() -> quotes.QuoteRequestData:
    """A seller's request for toys in California."""
    return quotes.QuoteRequestData(
        legal_name="Blocks & Co LLC", state="CA", categories=("toys",), annual_revenue=Decimal("250000.00"),
        per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
        deductible=Decimal("1000.00"), desired_start_date=TODAY + timedelta(days=14))


def _details_row(html: str, action: str, object_label: str) -> str:
    """The details cell of the audit row with this action and object, its tags kept, its spaces squeezed."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        if f">{action}</span>" in row and object_label in row:
            cell = re.search(r'<td data-label="Details">(.*?)</td>', row, re.S).group(1)
            return re.sub(r"\s+", " ", cell).strip()
    raise AssertionError(f"no {action} row for {object_label}")


def test_the_audit_log_names_the_insurers_a_request_was_routed_to(admin_client, db):
    harbor = factories.make_insurer(name="Harbor Mutual")
    keystone = factories.make_insurer(name="Keystone & Sons")
    request, routed = quotes.submit_quote_request("SELLERA001", _request_data())
    assert routed == [harbor.id, keystone.id]
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "submit")).scalar_one()
    assert entry.details == {"routed_to": [{"id": harbor.id, "name": "Harbor Mutual"},
                                           {"id": keystone.id, "name": "Keystone & Sons"}]}
    harbor.name = "Harbor Mutual Holdings"  # a later rename leaves the record as it was
    db.session.commit()

    cell = _details_row(admin_client.get("/admin/audit").get_data(as_text=True), "submit",
                        f"quote request {request.id}")
    assert cell == (f'<ul class="details-list"> <li><span class="details-list__key">routed to</span> '
                    f'<a href="/admin/insurers/{harbor.id}">Harbor Mutual</a>, '
                    f'<a href="/admin/insurers/{keystone.id}">Keystone &amp; Sons</a></li> </ul>')


def test_older_entries_routed_by_id_show_the_insurers_names(admin_client, db):
    harbor = factories.make_insurer(name="Harbor Mutual")
    keystone = factories.make_insurer(name="Keystone Casualty")
    gone = keystone.id + 100  # an id no insurer has (nothing is ever deleted, but the page must not break)
    audit.record(audit.Actor("seller SELLERA001"), "submit", "quote_request", 41,
                 routed_to=[harbor.id, keystone.id, gone])
    audit.record(audit.Actor("seller SELLERA001"), "submit", "quote_request", 42, routed_to=[])
    audit.record(audit.Actor.cli(), "create", "api_key", "acc_abc", role="insurer", insurer=harbor.id, name="k")
    audit.record(audit.Actor.cli(), "upload", "policy", 7, insurer="Elsewhere Insurance Co")
    db.session.commit()

    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert f"{harbor.id}, {keystone.id}" not in html  # the ids alone, as the log used to show them
    assert _details_row(html, "submit", "quote request 41").endswith(
        f'routed to</span> <a href="/admin/insurers/{harbor.id}">Harbor Mutual</a>, '
        f'<a href="/admin/insurers/{keystone.id}">Keystone Casualty</a>, '
        f'<a href="/admin/insurers/{gone}">insurer {gone}</a></li> </ul>')
    assert "routed to</span> no insurer</li>" in _details_row(html, "submit", "quote request 42")
    assert (f'insurer</span> <a href="/admin/insurers/{harbor.id}">Harbor Mutual</a></li>'
            in _details_row(html, "create", "api key acc_abc"))
    assert "insurer</span> Elsewhere Insurance Co</li>" in _details_row(html, "upload", "policy 7")

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
from tests.conftest import TEST_PASSWORD, login_as, post_form
from tests.factories import TODAY
from tests.web.conftest import error_for


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


def _title(html: str) -> str:
    """The page's <title>."""
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


INSURER = {"name": "Harbor Mutual", "naic_code": "12345", "am_best_rating": "A", "licensed_states": ["OR"],
           "categories": ["toys"], "policy_prefix": "hm"}


def test_checkboxes_of_a_group_in_error_are_described_by_its_error(admin_client, db):
    html = admin_client.get("/admin/insurers/new").get_data(as_text=True)
    assert 'aria-describedby="categories-error"' not in html  # no error, nothing to point at
    sent = post_form(admin_client, "/admin/insurers/new", {**INSURER, "categories": ["toys", "weapons"]})
    html = sent.get_data(as_text=True)
    assert sent.status_code == 400
    assert "valid choice" in error_for(html, "categories")  # the first checkbox, as error_for reads it
    boxes = re.findall(r'<input class="checkbox__input" type="checkbox" name="categories"[^>]*>', html)
    assert len(boxes) > 3
    assert all('aria-invalid="true" aria-describedby="categories-error"' in box for box in boxes)
    states = re.findall(r'<input class="checkbox__input" type="checkbox" name="licensed_states"[^>]*>', html)
    assert states and not any("aria-describedby" in box for box in states)  # that group has no error


@pytest.mark.parametrize(("url", "data", "title"), [
    ("/login", {"email": "nobody@example.com", "password": "wrong"}, "Log in"),
    ("/register", {"email": "not an email"}, "Register as a seller"),
    ("/admin/insurers/new", {**INSURER, "naic_code": "12"}, "Add an insurer"),
    ("/insurer/api-keys", {"name": ""}, "API keys"),
])
def test_a_page_sent_back_with_form_errors_says_error_first_in_its_title(app, db, url, data, title):
    client = app.test_client()
    if url.startswith("/admin"):
        login_as(client, factories.make_user(role="admin"))
    elif url.startswith("/insurer"):
        login_as(client, factories.make_insurer_user())
    suffix = f" · {app.config['MARKETPLACE_NAME']} Insurance Accelerator"
    assert _title(client.get(url).get_data(as_text=True)) == title + suffix
    sent = post_form(client, url, data)
    assert sent.status_code in (400, 401, 422), sent.status_code
    assert _title(sent.get_data(as_text=True)) == "Error: " + title + suffix


def test_a_page_without_form_errors_keeps_its_title(app, db, client):
    user = factories.make_seller_user()
    response = post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Error" not in _title(html)
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and not _title(missing.get_data(as_text=True)).startswith("Error: ")

"""The admins' sellers through the Flask client: who may enter, the search (partial, case-insensitive, on
either database), one seller's record, the reminder that queues exactly one outbox email per click, the
admin home's needs-action figures, the compliance list's links and deadline filter, and the staff
invitation's email."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, select

from accelerator import clock
from accelerator.extensions import db as _db
from accelerator.models import AuditEntry, Claim, EmailMessage, Invitation
from accelerator.services import seller_records
from accelerator.services.mail import send_pending
from accelerator.services.seller_records import record as record_module
from accelerator.services.seller_records import search as search_module
from tests import factories
from tests.conftest import TEST_PASSWORD, csrf_token, post_form
from tests.factories import NOW
from tests.web.conftest import parse_page
from tests.web.reports_helpers import table_rows

OVER = "50000.00"  # gross proceeds over the default 10,000.00 threshold


def _emails(kind: str | None = None) -> list[EmailMessage]:
    """The outbox, oldest first (optionally of one kind)."""
    query = select(EmailMessage).order_by(EmailMessage.id)
    if kind:
        query = query.where(EmailMessage.kind == kind)
    _db.session.rollback()  # a fresh snapshot: the live server writes through its own connections
    return list(_db.session.execute(query).scalars())


def _count(model) -> int:
    """How many rows the model's table holds."""
    return _db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture()
def mail_folder(app, tmp_path, monkeypatch):
    """Mail goes to a fresh folder as .eml files."""
    folder = tmp_path / "mail"
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_FOLDER", str(folder))
    return folder


def _sent(folder) -> list[str]:
    """The text of each .eml file the sender wrote."""
    return [path.read_text() for path in sorted(folder.glob("*.eml"))] if folder.exists() else []


@pytest.fixture()
def sellers(db):
    """On 2026-11-24: one seller overdue (over in September: deadline October 30), one due (over in October:
    deadline November 30), one compliant (over in September, a verified policy in force), one not required."""
    overdue = factories.make_seller(seller_id="OVERDUE001", legal_name="Late Toys LLC",
                                    contact_email="late@toys.example", categories=["toys", "baby"])
    factories.make_monthly_sales(overdue.seller_id, date(2026, 9, 1), OVER)
    factories.make_seller_user(seller=overdue, email="owner@late-toys.example")
    due = factories.make_seller(seller_id="DUESOON002", legal_name="Acme Blocks Inc", contact_email="ops@acme.example")
    factories.make_monthly_sales(due.seller_id, date(2026, 10, 1), OVER)
    compliant = factories.make_seller(seller_id="COVERED003", legal_name="Covered Crafts LLC")
    factories.make_monthly_sales(compliant.seller_id, date(2026, 9, 1), OVER)
    factories.make_policy(seller_id=compliant.seller_id, policy_number="HX-0001")
    small = factories.make_seller(seller_id="SMALL00004", legal_name="Small_Shop %Percent",
                                  contact_email="small@tiny.example")
    factories.make_monthly_sales(small.seller_id, date(2026, 9, 1), "900.00")
    return {"overdue": overdue, "due": due, "compliant": compliant, "small": small}


# --- who may enter --------------------------------------------------------------------------------------

def test_only_admins_see_sellers_and_send_reminders(client, seller_client, insurer_client, admin_client, sellers):
    for path in ("/admin/sellers", "/admin/sellers/OVERDUE001", "/admin/sellers?q=late"):
        assert client.get(path).status_code == 302, path
        assert "/login" in client.get(path).headers["Location"]
        assert seller_client.get(path).status_code == 403, path
        assert insurer_client.get(path).status_code == 403, path
        assert admin_client.get(path).status_code == 200, path
    for other, page in ((seller_client, "/seller/profile"), (insurer_client, "/insurer/keys"), (client, "/login")):
        response = other.post("/admin/sellers/OVERDUE001/reminder",
                              data={"csrf_token": csrf_token(other, page), "token": "a" * 24})
        assert response.status_code == 403, page
    assert _emails() == []


def test_unknown_or_malformed_seller_ids_are_404(admin_client, db):
    for path in ("/admin/sellers/NOSUCH0001", "/admin/sellers/bad-id", "/admin/sellers/" + "A" * 40,
                 "/admin/sellers/%C3%A9cole01"):
        assert admin_client.get(path).status_code == 404, path
    token = csrf_token(admin_client, "/admin/sellers")
    assert admin_client.post("/admin/sellers/NOSUCH0001/reminder",
                             data={"csrf_token": token, "token": "a" * 24}).status_code == 404


# --- search ----------------------------------------------------------------------------------------------

def _found(admin_client, q, **params) -> list[str]:
    """The seller IDs the search page lists for `q`."""
    response = admin_client.get("/admin/sellers", query_string={"q": q, **params})
    assert response.status_code == 200, q
    html = response.get_data(as_text=True)
    if "<table" not in html:
        return []
    return [row[0] for row in table_rows(html[html.index("<table"):])[1:]]


@pytest.mark.parametrize(("q", "expected"), [
    ("overdue", ["OVERDUE001"]),  # part of a seller ID, another case
    ("  dueSOON  ", ["DUESOON002"]),
    ("acme", ["DUESOON002"]),  # part of a legal name
    ("CRAFTS", ["COVERED003"]),
    ("@TINY.example", ["SMALL00004"]),  # part of the contact email
    ("owner@late", ["OVERDUE001"]),  # part of the account email
    ("llc", ["COVERED003", "OVERDUE001"]),  # by seller ID
    ("_", ["SMALL00004"]),  # LIKE's wildcards match themselves only
    ("%", ["SMALL00004"]),
    ("nothing-like-this", []),
])
def test_search_matches_part_of_an_id_a_name_or_an_email_in_any_case(admin_client, sellers, q, expected):
    assert _found(admin_client, q) == expected


def test_an_empty_search_lists_every_seller_and_odd_input_is_no_error(admin_client, sellers):
    assert _found(admin_client, "") == ["COVERED003", "DUESOON002", "OVERDUE001", "SMALL00004"]
    assert _found(admin_client, "   ") == ["COVERED003", "DUESOON002", "OVERDUE001", "SMALL00004"]
    assert _found(admin_client, "\x00\x1f") == ["COVERED003", "DUESOON002", "OVERDUE001", "SMALL00004"]
    assert _found(admin_client, "late\x00toys") == ["OVERDUE001"]  # a control character is a space: "late toys"
    for odd in ("'; drop table sellers; --", "é" * 500, "\\", "[a-z]*", "🙂", "a" * 5000):
        assert _found(admin_client, odd) == [], odd
    html = admin_client.get("/admin/sellers", query_string={"q": "x" * 5000}).get_data(as_text=True)
    assert "x" * seller_records.MAX_QUERY in html and "x" * (seller_records.MAX_QUERY + 1) not in html
    assert admin_client.get("/admin/sellers?page=x").status_code == 200
    assert admin_client.get("/admin/sellers?q=llc&page=99999999999").status_code == 200


def test_search_results_are_paginated_and_link_to_the_record(admin_client, sellers, monkeypatch):
    monkeypatch.setattr(search_module, "PER_PAGE", 2)
    first = admin_client.get("/admin/sellers").get_data(as_text=True)
    assert [row[0] for row in table_rows(first[first.index("<table"):])[1:]] == ["COVERED003", "DUESOON002"]
    assert "4 sellers on record, page 1 of 2." in first
    assert 'href="/admin/sellers/COVERED003"' in first
    assert 'rel="next" href="/admin/sellers?page=2"' in first
    assert _found(admin_client, "", page=2) == ["OVERDUE001", "SMALL00004"]
    assert _found(admin_client, "o", page=2) == ["OVERDUE001", "SMALL00004"]  # the query is kept: o in all four
    second = admin_client.get("/admin/sellers?q=o&page=2").get_data(as_text=True)
    assert 'rel="prev" href="/admin/sellers?q=o&amp;page=1"' in second
    beyond = admin_client.get("/admin/sellers?page=7").get_data(as_text=True)
    assert "There is no seller on this page." in beyond


def test_the_search_form_is_labelled(admin_client, sellers):
    page = parse_page(admin_client.get("/admin/sellers?q=acme").get_data(as_text=True))
    control = next(c for c in page.controls if c.get("name") == "q")
    assert control["value"] == "acme" and control["id"] in page.label_for
    assert control["aria-describedby"] in page.ids


# --- the record ------------------------------------------------------------------------------------------

def _section(html: str, heading_id: str) -> str:
    """The HTML of the section labelled by `heading_id`."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_the_record_shows_profile_sales_compliance_and_every_dealing(admin_client, sellers, db):
    seller = sellers["overdue"]
    insurer = factories.make_insurer(name="Harbor Mutual")
    lapsed = factories.make_policy(seller_id=seller.seller_id, insurer=insurer, policy_number="HM-LAPSED",
                                   effective_date=date(2025, 1, 1), expiration_date=date(2025, 12, 31))
    upload = factories.make_policy(seller_id=seller.seller_id, source="seller_upload", verification="rejected",
                                   policy_number="UP-REJECTED", rejection_reason="Wrong name",
                                   per_occurrence_limit=Decimal("500000.00"))
    request = factories.make_quote_request(seller_id=seller.seller_id, routed_to=[insurer])
    factories.make_quote(request, insurer)
    db.session.add(Claim(claim_id="CLM-778899", policy_id=lapsed.id, seller_id=seller.seller_id,
                         incident_date=date(2025, 6, 1), amount_paid=Decimal("4200.00"),
                         aggregate_remaining=Decimal("1995800.00"), request_hash="x" * 64))
    db.session.commit()
    factories.make_coverage_check(seller_id=seller.seller_id, check_id="chk_recent0001",
                                  checked_at=NOW - timedelta(days=2), amount=Decimal("310.00"))
    factories.make_coverage_check(seller_id=seller.seller_id, check_id="chk_ancient001",
                                  checked_at=NOW - timedelta(days=400))
    factories.make_coverage_check(seller_id="DUESOON002", check_id="chk_other00001", checked_at=NOW)

    response = admin_client.get("/admin/sellers/overdue001")  # any case
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    profile = _section(html, "profile-title")
    assert "Late Toys LLC" in profile and "late@toys.example" in profile and "owner@late-toys.example" in profile
    assert "Toys" in profile and "Baby" in profile  # categories
    sales = _section(html, "sales-title")
    assert "September 2026" in sales and "$50,000.00" in sales
    compliance = _section(html, "compliance-title")
    assert "Overdue" in compliance and "September 2026" in compliance and "October 30, 2026" in compliance
    history = table_rows(_section(html, "history-title"))[1:]
    # Month ends from October (September's sales require insurance from October 1), then today.
    assert [row[0] for row in history] == ["November 24, 2026 (today)", "October 31, 2026"]
    assert [row[1] for row in history] == ["Overdue", "Overdue"]
    policies = _section(html, "policies-title")
    assert "HM-LAPSED" in policies and "Harbor Mutual" in policies and "UP-REJECTED" not in policies
    uploads = _section(html, "uploads-title")
    assert "UP-REJECTED" in uploads and f'href="/admin/verification/{upload.id}"' in uploads and "Rejected" in uploads
    requests = _section(html, "requests-title")
    assert f"#{request.id}" in requests and "1 quote; sent to 1 insurer" in requests
    checks = _section(html, "checks-title")
    assert "chk_recent0001" in checks and "$310.00" in checks
    assert "chk_ancient001" not in checks and "chk_other00001" not in checks  # too old; another seller's
    claims = _section(html, "claims-title")
    assert "CLM-778899" in claims and "$4,200.00" in claims and "HM-LAPSED" in claims


def test_the_history_follows_the_status_month_by_month(admin_client, db):
    seller = factories.make_seller(seller_id="HISTORY001")
    factories.make_monthly_sales(seller.seller_id, date(2026, 6, 1), OVER)  # required from July, deadline July 30
    factories.make_policy(seller_id=seller.seller_id, effective_date=date(2026, 9, 15),
                          expiration_date=date(2027, 9, 15))
    html = admin_client.get("/admin/sellers/HISTORY001").get_data(as_text=True)
    history = [(row[0], row[1]) for row in table_rows(_section(html, "history-title"))[1:]]
    assert history == [("November 24, 2026 (today)", "Compliant"), ("October 31, 2026", "Compliant"),
                       ("September 30, 2026", "Compliant"), ("August 31, 2026", "Overdue"),
                       ("July 31, 2026", "Overdue")]
    never = factories.make_seller(seller_id="NEVERREQ01")
    html = admin_client.get(f"/admin/sellers/{never.seller_id}").get_data(as_text=True)
    assert "insurance has never been required" in html


def test_coverage_checks_are_the_latest_a_page_at_a_time(admin_client, sellers, monkeypatch):
    monkeypatch.setattr(record_module, "CHECKS_PER_PAGE", 2)
    for n in range(5):
        factories.make_coverage_check(seller_id="DUESOON002", check_id=f"chk_page{n:08d}",
                                      checked_at=NOW - timedelta(hours=n))
    first = _section(admin_client.get("/admin/sellers/DUESOON002").get_data(as_text=True), "checks-title")
    assert re.findall(r"chk_page\d+", first) == ["chk_page00000000", "chk_page00000001"]
    assert 'href="/admin/sellers/DUESOON002?checks_page=2#checks"' in first and 'rel="prev"' not in first
    third = _section(admin_client.get("/admin/sellers/DUESOON002?checks_page=3").get_data(as_text=True),
                     "checks-title")
    assert re.findall(r"chk_page\d+", third) == ["chk_page00000004"] and 'rel="next"' not in third
    beyond = admin_client.get("/admin/sellers/DUESOON002?checks_page=50").get_data(as_text=True)
    assert "No check on this page." in beyond


# --- the reminder -------------------------------------------------------------------------------------

def _reminder_form(admin_client, seller_id: str) -> dict:
    """The reminder form's fields, as the record page renders them."""
    html = admin_client.get(f"/admin/sellers/{seller_id}").get_data(as_text=True)
    page = parse_page(html)
    fields = {c["name"]: c.get("value", "") for c in page.controls if c.get("name") in ("csrf_token", "token")}
    assert set(fields) == {"csrf_token", "token"}, "no reminder form on the record"
    return fields


def test_a_reminder_queues_exactly_one_email_even_on_a_double_click(admin_client, sellers, admin_user, mail_folder):
    form = _reminder_form(admin_client, "OVERDUE001")
    first = admin_client.post("/admin/sellers/OVERDUE001/reminder", data=form)
    second = admin_client.post("/admin/sellers/OVERDUE001/reminder", data=form)  # the same form again
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"].endswith("/admin/sellers/OVERDUE001")
    emails = _emails(seller_records.REMINDER_KIND)
    assert len(emails) == 1
    email = emails[0]
    assert email.to_address == "owner@late-toys.example"  # the account's email before the contact email
    assert email.status == "pending" and email.related_type == "seller" and email.related_id == "OVERDUE001"
    assert "overdue" in email.subject.lower() and "October 30, 2026" in email.text_body
    assert "http://" in email.text_body and "/seller" in email.text_body
    entries = _audit("send_reminder")
    assert len(entries) == 1 and entries[0].object_id == "OVERDUE001" and entries[0].actor == admin_user.email
    assert entries[0].details["email"] == email.id and entries[0].details["to"] == email.to_address
    page = admin_client.get("/admin/sellers/OVERDUE001").get_data(as_text=True)
    assert "A reminder to owner@late-toys.example is queued" in page
    assert "already queued" in page  # the second click was told, and queued nothing
    assert "Reminder: your marketplace insurance is overdue" in page  # listed among the emails
    # The sender sends it (no re-check drops it) to the account's address.
    assert send_pending(clock.now()).sent == 1
    [sent] = _sent(mail_folder)
    assert "To: owner@late-toys.example" in sent and "X-Accelerator-Kind: compliance_reminder" in sent


def _audit(action: str) -> list[AuditEntry]:
    """The audit entries of one action, oldest first."""
    _db.session.rollback()
    return list(_db.session.execute(select(AuditEntry).where(AuditEntry.action == action)
                                    .order_by(AuditEntry.id)).scalars())


def test_a_reminder_to_a_seller_who_got_covered_before_sending_is_cancelled(admin_client, sellers, mail_folder):
    admin_client.post("/admin/sellers/OVERDUE001/reminder", data=_reminder_form(admin_client, "OVERDUE001"))
    factories.make_policy(seller_id="OVERDUE001")  # verified, in force today: compliant
    report = send_pending(clock.now())
    assert (report.sent, report.cancelled) == (0, 1)
    [email] = _emails(seller_records.REMINDER_KIND)
    assert email.status == "cancelled" and "no longer due or overdue" in email.last_error
    assert _sent(mail_folder) == []


def test_another_form_within_the_window_queues_nothing_then_one_after_it(admin_client, sellers):
    assert admin_client.post("/admin/sellers/DUESOON002/reminder",
                             data=_reminder_form(admin_client, "DUESOON002")).status_code == 302
    again = _reminder_form(admin_client, "DUESOON002")  # a reload: a new form token
    admin_client.post("/admin/sellers/DUESOON002/reminder", data=again)
    emails = _emails(seller_records.REMINDER_KIND)
    assert len(emails) == 1 and emails[0].to_address == "ops@acme.example"
    assert "November 30, 2026" in emails[0].subject  # due: the deadline is in the subject
    page = admin_client.get("/admin/sellers/DUESOON002").get_data(as_text=True)
    assert "A reminder to this seller was queued at 12:00 UTC" in page
    clock.pin(NOW + seller_records.REPEAT_WINDOW + timedelta(minutes=1))
    admin_client.post("/admin/sellers/DUESOON002/reminder", data=_reminder_form(admin_client, "DUESOON002"))
    assert len(_emails(seller_records.REMINDER_KIND)) == 2
    assert len(_audit("send_reminder")) == 2


def test_no_reminder_for_a_seller_who_is_not_due_or_has_no_address(admin_client, sellers, db):
    html = admin_client.get("/admin/sellers/COVERED003").get_data(as_text=True)
    assert "Send a reminder" not in html and "Reminders are for sellers who are due or overdue." in html
    token = csrf_token(admin_client, "/admin/sellers/OVERDUE001")
    response = admin_client.post("/admin/sellers/COVERED003/reminder",
                                 data={"csrf_token": token, "token": "b" * 24}, follow_redirects=True)
    assert "Only a seller who is due or overdue can be reminded" in response.get_data(as_text=True)
    nobody = factories.make_seller(seller_id="NOADDRESS1", contact_email="")
    factories.make_monthly_sales(nobody.seller_id, date(2026, 9, 1), OVER)
    html = admin_client.get("/admin/sellers/NOADDRESS1").get_data(as_text=True)
    assert "no account and no contact email" in html and "Send a reminder" not in html
    response = admin_client.post("/admin/sellers/NOADDRESS1/reminder",
                                 data={"csrf_token": token, "token": "c" * 24}, follow_redirects=True)
    assert "no email address on record" in response.get_data(as_text=True)
    assert _emails() == [] and _audit("send_reminder") == []


def test_a_reminder_without_csrf_or_with_a_bad_token_queues_nothing(admin_client, sellers):
    form = _reminder_form(admin_client, "OVERDUE001")
    assert admin_client.post("/admin/sellers/OVERDUE001/reminder", data={"token": form["token"]}).status_code == 400
    for bad in ("", "short", "x" * 65, "not a token!"):
        response = admin_client.post("/admin/sellers/OVERDUE001/reminder",
                                     data={"csrf_token": form["csrf_token"], "token": bad}, follow_redirects=True)
        assert response.status_code == 200 and "This form had expired" in response.get_data(as_text=True), bad
    assert _emails() == []


# --- the admin home and the compliance list -------------------------------------------------------------

def _stat(html: str, label_start: str) -> tuple[str, str]:
    """(figure, link) of the home's stat whose label starts with `label_start`."""
    match = re.search(r'<a class="stat__link" href="([^"]+)">\s*<span class="stat__figure">(\d+)</span>\s*'
                      r'<span class="stat__label">' + re.escape(label_start), html)
    assert match, label_start
    return match.group(2), match.group(1).replace("&amp;", "&")


def test_the_admin_home_shows_what_needs_action(admin_client, sellers):
    factories.make_policy(seller_id="SMALL00004", source="seller_upload", verification="pending")
    factories.make_policy(seller_id="SMALL00004", source="seller_upload", verification="pending")
    html = admin_client.get("/admin").get_data(as_text=True)
    assert _stat(html, "Uploads waiting") == ("2", "/admin/verification")
    assert _stat(html, "Seller overdue") == ("1", "/admin/reports/compliance?status=overdue&on=2026-11-24")
    figure, link = _stat(html, "Seller due within 7 days")
    assert (figure, link) == ("1", "/admin/reports/compliance?status=due&on=2026-11-24&within=7")
    listed = admin_client.get(link).get_data(as_text=True)
    rows = table_rows(listed[listed.index("<table"):])[1:]
    assert [row[0].split()[0] for row in rows] == ["DUESOON002"]
    clock.pin(datetime(2026, 11, 5, 12, tzinfo=UTC))  # the October seller's deadline is then 25 days away
    html = admin_client.get("/admin").get_data(as_text=True)
    assert _stat(html, "Sellers due within 7 days")[0] == "0"
    assert _stat(html, "Seller overdue")[0] == "1"


def test_compliance_rows_link_to_the_record_and_filter_by_deadline(admin_client, sellers):
    html = admin_client.get("/admin/reports/compliance").get_data(as_text=True)
    for seller_id in ("OVERDUE001", "DUESOON002", "COVERED003", "SMALL00004"):
        assert f'href="/admin/sellers/{seller_id}"' in html
    within = admin_client.get("/admin/reports/compliance?on=2026-11-05&within=30").get_data(as_text=True)
    rows = table_rows(within[within.index("<table"):])[1:]
    # Deadlines by December 5: October 30 (the two September sellers) and November 30 (the October one).
    assert [row[0].split()[0] for row in rows] == ["COVERED003", "DUESOON002", "OVERDUE001"]
    near = admin_client.get("/admin/reports/compliance?on=2026-11-05&within=7&status=due").get_data(as_text=True)
    assert "No seller is due on November 5, 2026." in near
    for odd in ("-3", "7.5", "367", "9" * 5000, "٣"):
        bad = admin_client.get("/admin/reports/compliance", query_string={"within": odd})
        assert bad.status_code == 400 and "whole number of days" in bad.get_data(as_text=True), odd
    assert admin_client.get("/admin/reports/compliance.csv?within=x").status_code == 400
    csv = admin_client.get("/admin/reports/compliance.csv?status=due&within=7").get_data(as_text=True)
    assert csv.splitlines()[1:] and all(line.startswith("DUESOON002") for line in csv.splitlines()[1:])


# --- staff invitations ---------------------------------------------------------------------------------

def test_a_staff_invitation_is_emailed_with_the_link_shown_once(admin_client, db, mail_folder):
    insurer = factories.make_insurer(name="Harbor Mutual")
    response = post_form(admin_client, f"/admin/insurers/{insurer.id}/invite", {"email": "New.Staff@Harbor.example"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    link = re.search(r'id="invitation-link" type="text" value="([^"]+)"', html).group(1)
    assert "An email with this link" in html
    emails = _emails("staff_invitation")
    assert len(emails) == 1
    email = emails[0]
    invitation = db.session.execute(select(Invitation)).scalar_one()
    assert email.to_address == "new.staff@harbor.example" and email.status == "pending"
    assert email.related_type == "invitation" and email.related_id == str(invitation.id)
    assert "Harbor Mutual" in email.subject
    path = link[link.index("/invite/"):]
    assert path in email.text_body and path in email.html_body
    # The emailed link works.
    anonymous = admin_client.application.test_client()
    assert anonymous.get(path).status_code == 200
    # A refused invitation (an existing user's email) queues nothing.
    factories.make_user(email="taken@harbor.example")
    post_form(admin_client, f"/admin/insurers/{insurer.id}/invite", {"email": "taken@harbor.example"})
    assert len(_emails("staff_invitation")) == 1
    assert _count(Invitation) == 1
    # The email goes: the sender writes it, with the link, to the invited address.
    assert send_pending(clock.now()).sent == 1
    [sent] = _sent(mail_folder)
    assert "To: new.staff@harbor.example" in sent and path in sent.replace("=\n", "")


def test_two_clicks_at_the_same_moment_queue_one_reminder(live_server, sellers, admin_user):
    """The same form posted twice at once to the real server (threads, real HTTP): one email, one audit entry."""
    session = requests.Session()
    login_page = session.get(f"{live_server.url}/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    session.post(f"{live_server.url}/login", data={"csrf_token": token, "email": admin_user.email,
                                                   "password": TEST_PASSWORD}, timeout=30)
    record = session.get(f"{live_server.url}/admin/sellers/OVERDUE001", timeout=30)
    assert record.status_code == 200
    fields = {c["name"]: c.get("value", "") for c in parse_page(record.text).controls
              if c.get("name") in ("csrf_token", "token")}
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def click() -> None:
        """Post the form the moment the other thread does."""
        barrier.wait()
        statuses.append(session.post(f"{live_server.url}/admin/sellers/OVERDUE001/reminder", data=fields,
                                     allow_redirects=False, timeout=30).status_code)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302, 302]
    assert len(_emails(seller_records.REMINDER_KIND)) == 1
    assert len(_audit("send_reminder")) == 1

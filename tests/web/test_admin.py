"""The admin area: insurers added, edited, approved and suspended through forms, staff invited, and the
audit log that shows each change."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accelerator.models import AuditEntry, Insurer, Invitation, User
from tests import factories
from tests.conftest import TEST_PASSWORD, csrf_token, post_form
from tests.web.conftest import error_for, field_control, parse_page

NEW = {
    "name": "Harbor Mutual",
    "naic_code": "12345",
    "am_best_rating": "A",
    "licensed_states": ["OR", "WA"],
    "categories": ["toys", "baby"],
    "min_revenue": "50,000",
    "max_revenue": "$5,000,000.00",
    "contact_name": "Dana Reyes",
    "contact_email": "dana@harbor.example",
    "contact_phone": "+1 503 555 0100",
    "website": "https://harbor.example",
    "description": "Mutual insurer of makers.",
    "policy_prefix": "hm",
}


def _insurer(db, name: str) -> Insurer:
    """The insurer of this name, as the database holds it now."""
    db.session.expire_all()
    return db.session.execute(select(Insurer).where(Insurer.name == name)).scalar_one()


def _audit_page(client) -> str:
    """The first page of the audit log."""
    return client.get("/admin/audit").get_data(as_text=True)


def test_add_an_insurer_with_every_field(admin_client, db):
    response = post_form(admin_client, "/admin/insurers/new", NEW)
    assert response.status_code == 302
    insurer = _insurer(db, "Harbor Mutual")
    assert response.headers["Location"] == f"/admin/insurers/{insurer.id}"
    assert insurer.status == "pending"
    assert insurer.naic_code == "12345" and insurer.am_best_rating == "A"
    assert insurer.licensed_states == ["OR", "WA"] and insurer.categories == ["baby", "toys"]
    assert insurer.min_revenue == Decimal("50000.00") and insurer.max_revenue == Decimal("5000000.00")
    assert (insurer.contact_name, insurer.contact_email, insurer.contact_phone) == (
        "Dana Reyes", "dana@harbor.example", "+1 503 555 0100")
    assert insurer.website == "https://harbor.example" and insurer.description == "Mutual insurer of makers."
    assert insurer.policy_prefix == "HM"
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Harbor Mutual was added (pending)." in page
    audit = _audit_page(admin_client)
    assert "create" in audit and f"insurer {insurer.id}" in audit and "admin@example.com" in audit


def test_add_an_insurer_approved_at_once_shows_in_the_directory(admin_client, client, db):
    post_form(admin_client, "/admin/insurers/new", {**NEW, "approve": "y"})
    assert _insurer(db, "Harbor Mutual").status == "approved"
    assert "Harbor Mutual" in client.get("/insurers?category=toys&state=OR").get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("naic_code", "1234", "five digits"),
    ("name", "", "Enter the insurer"),
    ("am_best_rating", "Z", "Not a valid choice"),
    ("licensed_states", ["ZZ"], "valid choice"),
    ("categories", ["weapons"], "valid choice"),
    ("min_revenue", "-5", "negative"),
    ("max_revenue", "1e6", "plain decimal"),
    ("max_revenue", "10000000000", "at most"),
    ("website", "javascript:alert(1)", "https://"),
    ("contact_email", "not an email", "valid email"),
    ("policy_prefix", "H1", "letters"),
    ("description", "x" * 5001, "5000"),
    ("contact_phone", "1" * 41, "40"),
])
def test_add_refuses_bad_input_at_the_field_and_saves_nothing(admin_client, db, field, value, message):
    response = post_form(admin_client, "/admin/insurers/new", {**NEW, field: value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    name = field
    if isinstance(value, list):
        assert message in html  # checkbox groups carry their error on the fieldset
    else:
        assert message in error_for(html, name)
    assert "There is a problem" in html
    assert db.session.execute(select(func.count(Insurer.id))).scalar_one() == 0
    assert db.session.execute(select(func.count(AuditEntry.id))).scalar_one() == 0


def test_service_rules_come_back_at_the_fields(admin_client, db):
    factories.make_insurer(name="Harbor Mutual", naic_code="12345", policy_prefix="HM")
    response = post_form(admin_client, "/admin/insurers/new", {**NEW, "name": "harbor mutual"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "already exists" in error_for(html, "name")
    assert "already exists" in error_for(html, "naic_code")
    assert "Another insurer uses this prefix" in error_for(html, "policy_prefix")
    response = post_form(admin_client, "/admin/insurers/new",
                         {**NEW, "name": "Other", "naic_code": "99999", "policy_prefix": "OTH",
                          "min_revenue": "9000000", "max_revenue": "1000"})
    assert response.status_code == 400
    assert "below its bottom" in error_for(response.get_data(as_text=True), "max_revenue")
    assert db.session.execute(select(func.count(Insurer.id))).scalar_one() == 1


def test_edit_an_insurer_and_the_audit_log_shows_what_changed(admin_client, db):
    insurer = factories.make_insurer(name="Old Name Mutual", naic_code="11111", am_best_rating="A",
                                     licensed_states=["CA"], categories=["toys"], policy_prefix="OLD")
    form = admin_client.get(f"/admin/insurers/{insurer.id}/edit").get_data(as_text=True)
    assert field_control(form, "name")["value"] == "Old Name Mutual"
    boxes = {c["id"]: c for c in parse_page(form).controls if c.get("name") == "licensed_states"}
    assert "checked" in boxes["licensed_states-CA"] and "checked" not in boxes["licensed_states-NV"]
    response = post_form(admin_client, f"/admin/insurers/{insurer.id}/edit",
                         {**NEW, "name": "New Name Mutual", "naic_code": "11111", "am_best_rating": "A+",
                          "licensed_states": ["CA", "NV"], "categories": ["toys"], "policy_prefix": "OLD",
                          "min_revenue": "", "max_revenue": "2500000"})
    assert response.status_code == 302
    edited = _insurer(db, "New Name Mutual")
    assert edited.am_best_rating == "A+" and edited.licensed_states == ["CA", "NV"]
    assert edited.min_revenue is None and edited.max_revenue == Decimal("2500000.00")
    audit = _audit_page(admin_client)
    assert "update" in audit
    assert "Old Name Mutual" in audit and "New Name Mutual" in audit
    assert "am best rating" in audit


def test_edit_can_clear_every_checkbox(admin_client, db):
    insurer = factories.make_insurer(name="Clear Mutual", naic_code="22222", policy_prefix="CLR")
    data = {k: v for k, v in NEW.items() if k not in ("licensed_states", "categories")}
    post_form(admin_client, f"/admin/insurers/{insurer.id}/edit",
              {**data, "name": "Clear Mutual", "naic_code": "22222", "policy_prefix": "CLR"})
    edited = _insurer(db, "Clear Mutual")
    assert edited.licensed_states == [] and edited.categories == []


def test_approve_and_suspend_and_the_audit_log_shows_each(admin_client, client, db):
    insurer = factories.make_insurer(name="Status Mutual", status="pending")
    assert client.get(f"/insurers/{insurer.id}").status_code == 404

    response = post_form(admin_client, f"/admin/insurers/{insurer.id}/approve", {},
                         token_from=f"/admin/insurers/{insurer.id}")
    assert response.status_code == 302
    assert _insurer(db, "Status Mutual").status == "approved"
    assert client.get(f"/insurers/{insurer.id}").status_code == 200

    response = post_form(admin_client, f"/admin/insurers/{insurer.id}/suspend", {},
                         token_from=f"/admin/insurers/{insurer.id}")
    assert response.status_code == 302
    assert _insurer(db, "Status Mutual").status == "suspended"
    assert client.get(f"/insurers/{insurer.id}").status_code == 404

    audit = _audit_page(admin_client)
    assert audit.index("suspend") < audit.index("approve")  # newest first
    assert "pending" in audit and "approved" in audit and "suspended" in audit


def test_status_buttons_need_post_and_csrf(admin_client, db):
    insurer = factories.make_insurer(status="pending")
    assert admin_client.get(f"/admin/insurers/{insurer.id}/approve").status_code == 405
    assert admin_client.post(f"/admin/insurers/{insurer.id}/approve").status_code == 400
    assert _insurer(db, insurer.name).status == "pending"


def test_actions_on_an_unknown_insurer_are_404(admin_client, db):
    for path in ("/admin/insurers/999999", "/admin/insurers/999999/edit", "/admin/insurers/999999/invite",
                 "/admin/insurers/99999999999999999999999"):
        assert admin_client.get(path).status_code == 404, path
    token = csrf_token(admin_client, "/")
    assert admin_client.post("/admin/insurers/999999/approve", data={"csrf_token": token}).status_code == 404


def test_insurer_list_filters_by_status(admin_client, db):
    factories.make_insurer(name="Approved One")
    factories.make_insurer(name="Pending One", status="pending")
    factories.make_insurer(name="Suspended One", status="suspended")
    everything = admin_client.get("/admin/insurers").get_data(as_text=True)
    assert all(n in everything for n in ("Approved One", "Pending One", "Suspended One"))
    pending = admin_client.get("/admin/insurers?status=pending").get_data(as_text=True)
    assert "Pending One" in pending and "Approved One" not in pending and "Suspended One" not in pending
    response = admin_client.get("/admin/insurers?status=bogus")
    assert response.status_code == 400 and "Approved One" in response.get_data(as_text=True)


def test_dashboard_counts_insurers_and_lists_pending(admin_client, db):
    factories.make_insurer(name="Waiting Mutual", status="pending")
    factories.make_insurer(name="Live Mutual")
    html = admin_client.get("/admin").get_data(as_text=True)
    assert "Waiting Mutual" in html and "Live Mutual" not in html
    assert re.search(r'1</span>\s*<span class="stat__label">Pending insurer<', html)
    assert re.search(r'1</span>\s*<span class="stat__label">Approved insurer<', html)


# --- invitations -------------------------------------------------------------------------------------

def _invite(admin_client, insurer, email="new.staff@harbor.example") -> str:
    """Invite through the admin form; returns the path of the link shown once."""
    response = post_form(admin_client, f"/admin/insurers/{insurer.id}/invite", {"email": email})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    start = html.index('id="invitation-link" type="text" value="') + len('id="invitation-link" type="text" value="')
    link = html[start:html.index('"', start)]
    assert "/invite/" in link
    return link[link.index("/invite/"):]


def test_invitation_flow(admin_client, app, db):
    insurer = factories.make_insurer(name="Harbor Mutual")
    path = _invite(admin_client, insurer)
    invitation = db.session.execute(select(Invitation)).scalar_one()
    assert path.rsplit("/", 1)[1] not in invitation.token_hash  # only a hash is kept
    assert "invite staff" in _audit_page(admin_client)
    assert "new.staff@harbor.example" in admin_client.get(f"/admin/insurers/{insurer.id}").get_data(as_text=True)

    newcomer = app.test_client()
    page = newcomer.get(path).get_data(as_text=True)
    assert "Join Harbor Mutual" in page and "new.staff@harbor.example" in page
    response = post_form(newcomer, path, {"name": "Sam Lee", "password": "a long staff password",
                                          "confirm": "a long staff password"})
    assert response.status_code == 302 and response.headers["Location"] == "/insurer"
    user = db.session.execute(select(User).where(User.email == "new.staff@harbor.example")).scalar_one()
    assert user.role == "insurer" and user.insurer_id == insurer.id and user.name == "Sam Lee"
    home = newcomer.get("/insurer")
    assert home.status_code == 200 and "Harbor Mutual" in home.get_data(as_text=True)

    # The link works once.
    assert app.test_client().get(path).status_code == 404
    # And the new account logs in with its password.
    again = app.test_client()
    response = post_form(again, "/login", {"email": "new.staff@harbor.example", "password": "a long staff password"})
    assert response.headers["Location"] == "/insurer"


def test_invitation_with_mismatched_passwords_creates_nothing(admin_client, app, db):
    path = _invite(admin_client, factories.make_insurer())
    newcomer = app.test_client()
    response = post_form(newcomer, path, {"name": "Sam Lee", "password": "a long staff password",
                                          "confirm": "something else entirely"})
    assert response.status_code == 400
    assert "not the same" in error_for(response.get_data(as_text=True), "confirm")
    assert db.session.execute(select(func.count(User.id)).where(User.role == "insurer")).scalar_one() == 0
    assert newcomer.get(path).status_code == 200  # still usable


def test_unknown_invitation_token_is_404(client):
    assert client.get("/invite/not-a-real-token").status_code == 404
    assert client.get("/invite/" + "x" * 3000).status_code == 404


def test_invite_an_existing_user_is_refused_at_the_field(admin_client, db):
    insurer = factories.make_insurer()
    response = post_form(admin_client, f"/admin/insurers/{insurer.id}/invite", {"email": "admin@example.com"})
    assert response.status_code == 409
    assert "Already has an account" in error_for(response.get_data(as_text=True), "email")
    assert db.session.execute(select(func.count(Invitation.id))).scalar_one() == 0


# --- audit log ---------------------------------------------------------------------------------------

def test_audit_log_is_paginated_newest_first(admin_client, db):
    from accelerator.services import audit

    for n in range(60):
        audit.record(audit.Actor("cli"), "test_action", "thing", n, number=n)
    db.session.commit()
    first = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "thing 59" in first and "thing 10" in first and "thing 9<" not in first
    assert 'href="/admin/audit?page=2"' in first
    second = admin_client.get("/admin/audit?page=2").get_data(as_text=True)
    assert "thing 9<" in second and "thing 0<" in second and "thing 59" not in second
    for page in ("0", "-3", "abc", "99999999999999999999", "1.5", "%00"):
        assert admin_client.get(f"/admin/audit?page={page}").status_code == 200, page


def test_admin_can_log_in_and_out(client, db):
    admin = factories.make_user(role="admin", email="boss@example.com")
    response = post_form(client, "/login", {"email": admin.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/admin"
    assert client.get("/admin").status_code == 200
    post_form(client, "/logout", {}, token_from="/admin")
    assert client.get("/admin").status_code == 302

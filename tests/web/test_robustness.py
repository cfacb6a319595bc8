"""No input makes the site fail: odd, overlong or hostile values in every form and query string answer
a page (400, 404, 409 or 429 at worst), never a 500, and are shown escaped."""

from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import csrf_token

NASTY = [
    "",
    "   ",
    "\x00",
    "nul\x00inside",
    "x" * 20_000,
    "💥🛡️ émoji",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00%2e%2e/",
    "9" * 400,
    "-1",
    "1e309",
    "NaN",
    "\r\nSet-Cookie: x=1",
]


@pytest.mark.parametrize("value", NASTY)
def test_public_forms_never_fail(client, db, value):
    token = csrf_token(client, "/register")
    for path, fields in (("/register", ("email", "password", "confirm", "seller_id", "legal_name")),
                         ("/login", ("email", "password"))):
        response = client.post(path, data={"csrf_token": token, **dict.fromkeys(fields, value)})
        assert response.status_code in (400, 409, 429), (path, response.status_code)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("value", NASTY)
def test_admin_forms_never_fail(admin_client, db, value):
    insurer = factories.make_insurer()
    token = csrf_token(admin_client, "/admin/insurers/new")
    fields = ("name", "naic_code", "am_best_rating", "licensed_states", "categories", "min_revenue", "max_revenue",
              "contact_name", "contact_email", "contact_phone", "website", "description", "policy_prefix", "email")
    for path in ("/admin/insurers/new", f"/admin/insurers/{insurer.id}/edit", f"/admin/insurers/{insurer.id}/invite"):
        response = admin_client.post(path, data={"csrf_token": token, **dict.fromkeys(fields, value)})
        assert response.status_code in (400, 409), (path, response.status_code)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("value", NASTY)
def test_invitation_form_never_fails(admin_client, app, db, value):
    from accelerator.services import accounts
    from accelerator.services.audit import Actor

    _invitation, raw = accounts.invite_staff(Actor.cli(), factories.make_insurer().id, "someone@example.com")
    newcomer = app.test_client()
    token = csrf_token(newcomer, f"/invite/{raw}")
    response = newcomer.post(f"/invite/{raw}", data={"csrf_token": token, "name": value, "password": value,
                                                     "confirm": value})
    # Values that are a fine name and a long enough password make an account; nothing else does.
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        page = newcomer.get("/insurer").get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page


@pytest.mark.parametrize("value", ["%00", "x" * 5000, "%F0%9F%92%A5", "-1", "99999999999999999999", "%FF%FE",
                                   "<b>", "1;DROP TABLE insurers"])
def test_query_strings_never_fail(admin_client, client, db, value):
    for who, path in ((client, f"/insurers?category={value}&state={value}"),
                      (client, f"/login?next={value}"),
                      (client, f"/invite/{value}"),
                      (admin_client, f"/admin/insurers?status={value}"),
                      (admin_client, f"/admin/audit?page={value}")):
        response = who.get(path)
        assert response.status_code < 500, (path, response.status_code)


def test_a_body_over_the_limit_is_413_in_the_layout(client, db):
    token = csrf_token(client, "/register")
    response = client.post("/register", data={"csrf_token": token, "legal_name": "x" * (1024 * 1024 + 10)})
    assert response.status_code == 413
    assert "site-footer" in response.get_data(as_text=True)

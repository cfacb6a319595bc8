"""Registration, login (session renewal, throttling, safe redirects), logout, and CSRF."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from accelerator.models import AuditEntry, EmailMessage, Seller, User
from tests import factories
from tests.conftest import TEST_PASSWORD, csrf_token, post_form
from tests.web.conftest import error_for, parse_page

GOOD = {
    "email": "Owner@Shop.example",
    "password": "a long enough password",
    "confirm": "a long enough password",
    "seller_id": "  ab12cd34ef ",
    "legal_name": "Blocks & Co LLC",
}


def _email_is_invalid(html: str) -> bool:
    """Whether the page marks its email field as having an error."""
    return any(c.get("name") == "email" and c.get("aria-invalid") == "true" for c in parse_page(html).controls)


def _count(db, model) -> int:
    """How many rows a table holds."""
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _logged_in_as(client) -> str | None:
    """The email shown in the header of the seller's home page, or None when not logged in."""
    response = client.get("/seller")
    if response.status_code != 200:
        return None
    html = response.get_data(as_text=True)
    start = html.index('class="site-nav__who">') + len('class="site-nav__who">')
    return html[start:html.index("<", start)]


# --- registration ------------------------------------------------------------------------------------

def _outbox(db) -> list[EmailMessage]:
    """The queued emails, oldest first."""
    return list(db.session.execute(select(EmailMessage).order_by(EmailMessage.id)).scalars())


def test_register_creates_the_seller_upper_cases_the_id_and_says_to_check_the_email(client, db):
    response = post_form(client, "/register", GOOD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"  # as for an address that has an account
    user = db.session.execute(select(User)).scalar_one()
    assert user.email == "owner@shop.example"
    assert user.role == "seller" and user.seller_id == "AB12CD34EF"
    seller = db.session.execute(select(Seller)).scalar_one()
    assert seller.seller_id == "AB12CD34EF" and seller.legal_name == "Blocks & Co LLC"
    assert db.session.execute(select(AuditEntry.action)).scalar_one() == "register"
    [message] = _outbox(db)
    assert (message.kind, message.to_address, message.status) == ("account_created", "owner@shop.example", "pending")
    assert "AB12CD34EF" in message.text_body and "/login" in message.text_body
    page = client.get("/login").get_data(as_text=True)
    assert "Check your email: we have sent a message to owner@shop.example" in page
    assert _logged_in_as(client) is None
    # The new account logs in with the password it chose.
    assert post_form(client, "/login", {"email": GOOD["email"], "password": GOOD["password"]}).status_code == 302
    assert _logged_in_as(client) == "owner@shop.example"


def _answer(client, data: dict) -> tuple[int, str | None, str]:
    """What a registration answers: status, redirect, and the page the browser then shows."""
    response = post_form(client, "/register", data)
    return response.status_code, response.headers.get("Location"), client.get("/login").get_data(as_text=True)


def _without_tokens(html: str) -> str:
    """A page with its per-session CSRF token taken out, to compare two pages."""
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)


def test_register_with_a_taken_email_answers_as_a_new_one_and_emails_the_owner(app, db):
    owner = factories.make_seller_user(email="owner@shop.example", seller=factories.make_seller(seller_id="ZZ99ZZ99"))
    before = (owner.password_hash, owner.session_token)
    new = _answer(app.test_client(), {**GOOD, "email": "somebody.new@shop.example", "seller_id": "CD34EF56"})
    taken = _answer(app.test_client(), GOOD)
    assert taken[:2] == new[:2] == (302, "/login")
    assert _without_tokens(taken[2]).replace("owner@shop.example", "X") == \
        _without_tokens(new[2]).replace("somebody.new@shop.example", "X")
    assert _count(db, User) == 2  # the owner and the new account; nothing for the taken address
    assert db.session.execute(select(Seller.seller_id).order_by(Seller.seller_id)).scalars().all() == [
        "CD34EF56", "ZZ99ZZ99"]  # the taken address claimed no seller ID
    db.session.expire_all()
    owner = db.session.get(User, owner.id)
    assert (owner.password_hash, owner.session_token, owner.seller_id) == (*before, "ZZ99ZZ99")
    messages = [(m.kind, m.to_address) for m in _outbox(db)]
    assert messages == [("account_created", "somebody.new@shop.example"),
                        ("registration_attempt", "owner@shop.example")]
    attempt = _outbox(db)[1]
    assert "You already have an account" in attempt.text_body and "/login" in attempt.text_body
    # Trying again the same day answers the same and does not flood the owner's mailbox.
    assert _answer(app.test_client(), {**GOOD, "seller_id": "EF56AB12"})[:2] == (302, "/login")
    assert len(_outbox(db)) == 2


def test_register_with_a_taken_email_in_any_case_is_not_said_at_the_field(client, db):
    factories.make_seller_user(email="owner@shop.example")
    response = post_form(client, "/register", {**GOOD, "email": "OWNER@shop.example", "confirm": "other"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "not the same" in error_for(html, "confirm")
    assert not _email_is_invalid(html) and "already exists" not in html
    assert _count(db, User) == 1


@pytest.mark.parametrize("typed", ["AB12CD34EF", "ab12cd34ef", "Ab12Cd34eF"])
def test_register_with_a_taken_seller_id_in_any_case_is_refused(client, db, typed):
    factories.make_seller_user(seller=factories.make_seller(seller_id="AB12CD34EF"))
    response = post_form(client, "/register", {**GOOD, "seller_id": typed})
    assert response.status_code == 409
    assert "already registered" in error_for(response.get_data(as_text=True), "seller_id")
    assert _count(db, User) == 1


@pytest.mark.parametrize("bad", ["abc", "AB-12CD34", "A" * 21, "ÄB12CD34EF", "AB12 CD34EF", ""])
def test_register_with_a_bad_seller_id_saves_nothing(client, db, bad):
    response = post_form(client, "/register", {**GOOD, "seller_id": bad})
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), "seller_id")
    assert _count(db, User) == 0 and _count(db, Seller) == 0


def test_register_with_different_passwords_saves_nothing(client, db):
    response = post_form(client, "/register", {**GOOD, "confirm": "another long password"})
    assert response.status_code == 400
    assert "not the same" in error_for(response.get_data(as_text=True), "confirm")
    assert _count(db, User) == 0 and _count(db, Seller) == 0


@pytest.mark.parametrize("field, value, expected", [
    ("password", "short", "10 to 128"),
    ("email", "not-an-email", "valid email"),
    ("legal_name", "", "legal business name"),
    ("legal_name", "x" * 201, "200"),
    ("email", "a" * 300 + "@example.com", "254"),
    ("legal_name", "Nul\x00Byte LLC", "control characters"),
])
def test_register_refuses_malformed_fields(client, db, field, value, expected):
    data = {**GOOD, field: value}
    if field == "password":
        data["confirm"] = value
    response = post_form(client, "/register", data)
    assert response.status_code == 400
    assert expected in error_for(response.get_data(as_text=True), field)
    assert _count(db, User) == 0


def test_register_claims_an_existing_seller_record_without_an_account(client, db):
    factories.make_seller(seller_id="AB12CD34EF", legal_name="Known From Sales Inc")
    response = post_form(client, "/register", GOOD)
    assert response.status_code == 302
    assert db.session.execute(select(User.seller_id)).scalar_one() == "AB12CD34EF"
    assert _count(db, Seller) == 1


def test_post_without_csrf_token_is_refused_and_creates_nothing(client, db):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert _count(db, User) == 0 and _count(db, Seller) == 0


def test_post_with_a_token_of_another_session_is_refused(client, app, db):
    other = app.test_client()
    token = csrf_token(other, "/register")
    response = client.post("/register", data={**GOOD, "csrf_token": token})
    assert response.status_code == 400
    assert _count(db, User) == 0


# --- login -------------------------------------------------------------------------------------------

def test_login_success_renews_the_session(client, db):
    user = factories.make_seller_user()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before login"
        old_csrf = session.get("csrf_token")
    assert old_csrf
    response = post_form(client, "/login", {"email": user.email.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/seller"
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != old_csrf
        assert session["_user_id"] == user.get_id()
    assert _logged_in_as(client) == user.email
    assert db.session.get(User, user.id).last_login_at is not None


def test_login_sends_each_role_to_its_home(client, db):
    staff = factories.make_insurer_user()
    admin = factories.make_user(role="admin")
    for user, home in ((staff, "/insurer"), (admin, "/admin")):
        c = client.application.test_client()
        response = post_form(c, "/login", {"email": user.email, "password": TEST_PASSWORD})
        assert response.headers["Location"] == home


def test_login_failure_says_so_at_the_field_and_does_not_log_in(client, db):
    user = factories.make_seller_user()
    response = post_form(client, "/login", {"email": user.email, "password": "wrong password here"})
    assert response.status_code == 400
    assert "not right" in error_for(response.get_data(as_text=True), "password")
    assert _logged_in_as(client) is None


def test_login_of_unknown_email_fails_the_same_way(client, db):
    response = post_form(client, "/login", {"email": "nobody@example.com", "password": "whatever it is"})
    assert response.status_code == 400
    assert "Email or password is not right." in response.get_data(as_text=True)


def test_repeated_failures_are_throttled_with_429(client, app, db):
    user = factories.make_seller_user()
    limit = app.config["LOGIN_MAX_FAILURES"]
    for attempt in range(1, limit):
        response = post_form(client, "/login", {"email": user.email, "password": f"wrong password {attempt}"})
        assert response.status_code == 400, attempt
    response = post_form(client, "/login", {"email": user.email, "password": "wrong once more"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many" in response.get_data(as_text=True)
    # Locked: even the right password is refused until the lock ends.
    response = post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert response.headers["Retry-After"]
    assert _logged_in_as(client) is None


@pytest.mark.parametrize("target, expected", [
    ("/admin/audit?page=2", "/admin/audit?page=2"),
    ("https://evil.example/", "/admin"),
    ("//evil.example/", "/admin"),
    ("/\\evil.example", "/admin"),
    ("javascript:alert(1)", "/admin"),
    ("admin", "/admin"),
])
def test_login_follows_only_safe_next_paths(client, db, target, expected):
    admin = factories.make_user(role="admin")
    response = post_form(client, f"/login?next={target}", {"email": admin.email, "password": TEST_PASSWORD},
                         token_from="/login")
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_anonymous_visit_to_a_page_comes_back_after_login(client, db):
    admin = factories.make_user(role="admin")
    response = client.get("/admin/audit?page=1")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/login?next=")
    response = post_form(client, login_url, {"email": admin.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/admin/audit?page=1"


def test_logged_in_user_visiting_login_goes_home(seller_client):
    response = seller_client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/seller"


def test_staff_of_a_suspended_insurer_cannot_log_in(client, db):
    staff = factories.make_insurer_user(insurer=factories.make_insurer(status="suspended"))
    response = post_form(client, "/login", {"email": staff.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert client.get("/insurer").status_code == 302  # still anonymous: sent to log in


# --- logout ------------------------------------------------------------------------------------------

def test_logout_kills_the_old_cookie(client, app, db):
    user = factories.make_seller_user()
    post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD})
    assert _logged_in_as(client) == user.email
    old_cookie = client.get_cookie("session").value

    response = post_form(client, "/logout", {}, token_from="/seller")
    assert response.status_code == 302
    assert _logged_in_as(client) is None

    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert _logged_in_as(replay) is None
    assert replay.get("/seller").status_code == 302


def test_logout_needs_post(seller_client):
    assert seller_client.get("/logout").status_code == 405
    assert _logged_in_as(seller_client) is not None


def test_logout_without_csrf_token_is_refused(seller_client):
    response = seller_client.post("/logout")
    assert response.status_code == 400
    assert _logged_in_as(seller_client) is not None

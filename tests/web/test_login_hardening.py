"""Login hardening: a throttle that holds under concurrent attempts (a real threaded server), no
account oracle in login or registration (counted hash computations), and no address-wide lockout."""

from __future__ import annotations

import hashlib
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from accelerator.models import EmailMessage, LoginThrottle, User
from tests import factories
from tests.conftest import TEST_PASSWORD, post_form

BURST = 50
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture()
def hashes(monkeypatch):
    """Counts PBKDF2 computations (what a password check costs), in every thread of this process."""
    calls = {"n": 0}
    lock = threading.Lock()
    real = hashlib.pbkdf2_hmac

    def counting(*args, **kwargs):
        with lock:
            calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", counting)
    return calls


def _session_with_token(base: str) -> tuple[requests.Session, str]:
    """A browser-like session that has opened the login page, and its CSRF token."""
    session = requests.Session()
    token = _TOKEN.search(session.get(f"{base}/login", timeout=30).text).group(1)
    return session, token


def _failures(db, key: str) -> int | None:
    """A throttle key's counter, as stored."""
    db.session.rollback()
    return db.session.execute(select(LoginThrottle.failures).where(LoginThrottle.key == key)).scalar()


@pytest.mark.parametrize("known", [True, False], ids=["known email", "unknown email"])
def test_fifty_concurrent_wrong_passwords_check_at_most_the_limit(live_server, live_app, db, hashes, known):
    email = "target@shop.example"
    if known:
        factories.make_seller_user(email=email)
    limit = live_app.config["LOGIN_MAX_FAILURES"]
    sessions = [_session_with_token(live_server.url) for _ in range(BURST)]
    if not known:  # the dummy hash for unknown emails is made once per process: make it before counting
        warm_up = sessions[0][0].post(f"{live_server.url}/login", timeout=30, data={
            "csrf_token": sessions[0][1], "email": "warm.up@shop.example", "password": "not the password"})
        assert warm_up.status_code == 400
    start = threading.Barrier(BURST)

    def attempt(i: int) -> int:
        session, token = sessions[i]
        start.wait(timeout=60)
        answer = session.post(f"{live_server.url}/login", timeout=120,
                              data={"csrf_token": token, "email": email, "password": f"wrong guess {i}"})
        return answer.status_code

    hashes["n"] = 0
    with ThreadPoolExecutor(max_workers=BURST) as pool:
        statuses = list(pool.map(attempt, range(BURST)))
    # Every password check is one PBKDF2 computation: no more than the limit were made.
    assert hashes["n"] == limit
    assert _failures(db, f"acct:{email}") == limit  # no lost update: the counter is the number of failures
    assert sorted(statuses) == [400] * (limit - 1) + [429] * (BURST - limit + 1)
    for session, _token in sessions:
        session.close()


def test_concurrent_wrong_passwords_then_the_right_one_resets_the_count(live_server, live_app, db):
    user = factories.make_seller_user()
    email = user.email
    limit = live_app.config["LOGIN_MAX_FAILURES"]
    sessions = [_session_with_token(live_server.url) for _ in range(limit - 1)]
    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        statuses = list(pool.map(lambda st: st[0].post(f"{live_server.url}/login", timeout=60, data={
            "csrf_token": st[1], "email": email, "password": "wrong guess"}).status_code, sessions))
    assert statuses == [400] * (limit - 1)
    assert _failures(db, f"acct:{email}") == limit - 1
    session, token = sessions[0]
    answer = session.post(f"{live_server.url}/login", timeout=60, allow_redirects=False,
                          data={"csrf_token": token, "email": email, "password": TEST_PASSWORD})
    assert answer.status_code == 302
    assert _failures(db, f"acct:{email}") is None
    for session, _token in sessions:
        session.close()


def _login(client, email: str, password: str):
    """POST the login form."""
    return post_form(client, "/login", {"email": email, "password": password})


def test_wrong_passwords_of_a_known_and_an_unknown_email_cost_one_hash_each(client, db, hashes):
    user = factories.make_seller_user()
    _login(client, "warm.up@shop.example", "not the password")  # the dummy hash, made once per process
    counts = {}
    for label, email in (("known", user.email), ("unknown", "nobody@shop.example")):
        hashes["n"] = 0
        response = _login(client, email, "not the password")
        assert response.status_code == 400
        counts[label] = hashes["n"]
    assert counts == {"known": 1, "unknown": 1}
    hashes["n"] = 0
    assert _login(client, user.email, TEST_PASSWORD).status_code == 302
    assert hashes["n"] == 1


def test_unknown_emails_are_throttled_like_known_ones(client, app, db):
    user = factories.make_seller_user()
    limit = app.config["LOGIN_MAX_FAILURES"]
    answers = {}
    for email in (user.email, "nobody@shop.example"):
        answers[email] = [_login(client, email, f"wrong guess {i}").status_code for i in range(limit + 1)]
    assert answers[user.email] == answers["nobody@shop.example"] == [400] * (limit - 1) + [429, 429]


def test_registration_costs_one_hash_whether_the_email_is_taken_or_not(app, db, hashes):
    factories.make_seller_user(email="owner@shop.example")
    base = {"password": "a long enough password", "confirm": "a long enough password", "legal_name": "Blocks LLC"}
    counts = {}
    for label, email, seller_id in (("new", "new@shop.example", "AB12CD34EF"),
                                    ("taken", "owner@shop.example", "CD34EF56AB")):
        client = app.test_client()
        hashes["n"] = 0
        response = post_form(client, "/register", {**base, "email": email, "seller_id": seller_id})
        assert (response.status_code, response.headers["Location"]) == (302, "/login")
        counts[label] = hashes["n"]
    assert counts == {"new": 1, "taken": 1}
    queued = db.session.execute(select(EmailMessage.kind, EmailMessage.to_address).order_by(EmailMessage.id)).all()
    assert queued == [("account_created", "new@shop.example"), ("registration_attempt", "owner@shop.example")]


def _from(app, address: str):
    """A client whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_failures_over_many_emails_from_one_address_do_not_lock_out_an_account_that_has_not_failed(app, db):
    guesser = _from(app, "203.0.113.7")
    many = app.config["LOGIN_ADDRESS_MAX_FAILURES"] + 5
    for i in range(many):  # one wrong guess each for many emails, all from one address
        assert _login(guesser, f"someone{i}@shop.example", "a guessed password").status_code == 400
    assert _failures(db, "addr:203.0.113.7") == many
    # A colleague behind the same address, whose account has not failed, logs in with the right password.
    colleague = factories.make_seller_user(email="colleague@shop.example")
    same_address = _from(app, "203.0.113.7")
    response = _login(same_address, colleague.email, TEST_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/seller"


def test_a_busy_address_gets_one_guess_per_account(app, db):
    address_limit = app.config["LOGIN_ADDRESS_MAX_FAILURES"]
    target = factories.make_seller_user(email="target@shop.example")
    guesser = _from(app, "203.0.113.7")
    for i in range(address_limit):
        assert _login(guesser, f"someone{i}@shop.example", "a guessed password").status_code == 400
    # The address is busy: a first guess at an account is checked, a second is refused with 429.
    assert _login(guesser, target.email, "first guess").status_code == 400
    refused = _login(guesser, target.email, "second guess")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert _failures(db, f"acct:{target.email}") == 1  # the refused guess was not checked
    # From another address the owner still has the rest of the account's allowance.
    owner = _from(app, "198.51.100.20")
    assert _login(owner, target.email, TEST_PASSWORD).status_code == 302
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 1

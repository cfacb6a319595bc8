"""Fixtures: the app on a real database (SQLite, or PostgreSQL via TEST_DATABASE_URL), clients per role,
and a real HTTP server on a loopback port."""

from __future__ import annotations

import os
import re
import threading

import pytest
from flask import g, request_started
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from accelerator import clock, create_app
from accelerator.extensions import db as _db
from accelerator.observability.request_ids import serving
from tests import factories

TEST_PASSWORD = factories.TEST_PASSWORD


@pytest.fixture(autouse=True)
def pinned_clock():
    """Every test starts on the same day, whatever the machine's date (`factories.NOW`).

    The clock then runs on in real time, so code that waits or measures still sees time pass; a test
    that needs another day pins it again (`clock.pin(...)`).
    """
    clock.pin(factories.NOW)
    yield clock
    clock.pin(factories.NOW)


@pytest.fixture(autouse=True)
def serving_no_request():
    """Every test starts outside any request: the request id is cleared when an answer is closed (PEP 3333's
    close(), which every WSGI server calls), and a test client that never closes one (schemathesis' calls in
    process) would leave its id to the next test's events and emails."""
    serving(None)
    yield
    serving(None)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _reset_database(url: str) -> None:
    """Start from an empty database: the schema is then made by the migrations alone."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def test_config(url: str, instance_path: str, **overrides) -> dict:
    """The settings every test app uses (a cheap password hash keeps the suite fast)."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "UPLOAD_FOLDER": os.path.join(instance_path, "uploads"),
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


class ClosingClient(FlaskClient):
    """The test client, closing every answer and request body at the end of the test, as a WSGI server
    closes them after each request.

    Flask's client leaves a streamed answer (a file served with `send_file`, say) and a large spooled
    request body open, and they would show up later as ResourceWarnings, which fail the suite.
    """

    opened: list = []

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        ClosingClient.opened.extend((*response.history, response))
        return response

    @classmethod
    def close_all(cls) -> None:
        """Close what the test's requests left open."""
        while cls.opened:
            answer = cls.opened.pop()
            answer.close()
            stream = answer.request.environ.get("wsgi.input")
            if stream is not None and hasattr(stream, "close"):
                stream.close()


@pytest.fixture(autouse=True)
def _close_answers():
    """Close every answer the test client gave during the test."""
    yield
    ClosingClient.close_all()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database, made empty and then migrated to head once per session."""
    url = _database_url(tmp_path_factory)
    _reset_database(url)
    return url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The application, its schema made by `db upgrade` (the migrations), as in production."""
    instance = str(tmp_path_factory.mktemp("instance"))
    # The test code's own app begins SQLite transactions DEFERRED, so a test that merely reads does
    # not hold the write lock while the live server (which keeps BEGIN IMMEDIATE) serves requests.
    application = create_app(test_config(database_url, instance, SQLITE_BEGIN_IMMEDIATE=False))
    application.test_client_class = ClosingClient
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield application
    with application.app_context():  # close the pooled connections (PostgreSQL's warn of them at exit)
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _per_request_globals(app):
    """Give every request its own `g`, as in production.

    The `db` fixture keeps one app context open for the whole test, and Flask reuses it for each
    request, so `g` (where Flask-Login caches the user and Flask-WTF the CSRF token) would otherwise
    carry one request's user into the next, even across clients.
    """

    def forget(sender, **extra):
        """Drop what the previous request left in `g`."""
        for name in ("_login_user", app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")):
            g.pop(name, None)

    request_started.connect(forget, app)
    yield
    request_started.disconnect(forget, app)


@pytest.fixture()
def db(app):
    """The database inside an app context; every table is emptied after the test."""
    ctx = app.app_context()
    ctx.push()
    try:
        yield _db
    finally:
        _db.session.remove()
        _truncate_all()
        ctx.pop()


def _truncate_all() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    engine = _db.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture()
def client(app, db):
    """A Flask test client with an empty database."""
    return app.test_client()


def login_as(client, user) -> None:
    """Put a user's login into the client's session, as Flask-Login would after a real login."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture()
def seller_user(db):
    """A seller account (with its seller record)."""
    return factories.make_seller_user()


@pytest.fixture()
def insurer_user(db):
    """Staff of an approved insurer."""
    return factories.make_insurer_user()


@pytest.fixture()
def admin_user(db):
    """An admin."""
    return factories.make_user(role="admin", email="admin@example.com")


@pytest.fixture()
def seller_client(app, seller_user):
    """A client logged in as a seller."""
    c = app.test_client()
    login_as(c, seller_user)
    return c


@pytest.fixture()
def insurer_client(app, insurer_user):
    """A client logged in as insurer staff."""
    c = app.test_client()
    login_as(c, insurer_user)
    return c


@pytest.fixture()
def admin_client(app, admin_user):
    """A client logged in as an admin."""
    c = app.test_client()
    login_as(c, admin_user)
    return c


_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """GET a page and return the CSRF token of its form."""
    response = client.get(url)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {response.status_code})"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, *, token_from: str | None = None, **kwargs):
    """POST a form the way a browser does: with the CSRF token of the page that shows it."""
    payload = dict(data)
    payload["csrf_token"] = csrf_token(client, token_from or url)
    return client.post(url, data=payload, **kwargs)


class LiveServer:
    """The app served by a real threaded HTTP server on a loopback port."""

    def __init__(self, application):
        self.server = make_server("127.0.0.1", 0, application, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_app(database_url, tmp_path_factory, app):
    """A second app object on the same database, for the live server (it allows loopback webhooks)."""
    instance = str(tmp_path_factory.mktemp("live-instance"))
    application = create_app(test_config(database_url, instance, WEBHOOK_ALLOW_LOOPBACK=True))
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="session")
def _live_server(live_app):
    server = LiveServer(live_app).start()
    yield server
    server.stop()
    with live_app.app_context():  # close the server's pooled connections (PostgreSQL warns of them at exit)
        _db.engine.dispose()


@pytest.fixture()
def live_server(_live_server, db):
    """A real HTTP server on 127.0.0.1 serving the app, with an empty database per test."""
    return _live_server

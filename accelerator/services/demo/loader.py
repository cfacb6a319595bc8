"""load_demo: the refusal checks, the single transaction it writes in, the whole load, and DemoResult."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from accelerator import clock
from accelerator.domain.errors import Conflict
from accelerator.extensions import db
from accelerator.models import Insurer, Policy, Seller, User
from accelerator.services import accounts, api_keys, audit
from accelerator.services.demo.certificates import load_certificates
from accelerator.services.demo.claim_cases import load_claim_cases
from accelerator.services.demo.helpers import at_hour
from accelerator.services.demo.history import load_check_history, load_claims
from accelerator.services.demo.insurers import insurer_specs, load_insurers
from accelerator.services.demo.quotes_and_policies import load_quotes_and_policies
from accelerator.services.demo.sellers import SELLERS, load_sellers

DEMO_PASSWORD = "accelerator-demo"  # noqa: S105 - published: printed by `flask demo`
ADMIN_EMAIL = "admin@demo.example"


@dataclass
class DemoResult:
    """What `flask demo` prints: whether it wrote, the shared password, logins, the key, the URL."""

    created: bool
    password: str
    logins: list[tuple[str, str]]
    marketplace_key: str | None
    url: str


@contextmanager
def _single_transaction() -> Iterator[None]:
    """Make everything below one database transaction, although the services commit as they go.

    For this app context, db.session becomes a session joined to an outer transaction on one
    connection ("create_savepoint"), so a service's commit only releases a savepoint: a failure, or a
    concurrent run that wins the demo admin's unique email, leaves the database as it was. On SQLite
    the app's BEGIN IMMEDIATE (SQLITE_BEGIN_IMMEDIATE, on wherever `flask` runs) also queues a second
    run behind the first.
    """
    registry = db.session.registry
    previous = registry() if registry.has() else None
    connection = db.engine.connect()
    outer = connection.begin()
    registry.set(Session(bind=connection, join_transaction_mode="create_savepoint"))
    try:
        yield
        outer.commit()
    finally:
        registry().close()
        if outer.is_active:
            outer.rollback()
        connection.close()
        if previous is None:
            registry.clear()
        else:
            registry.set(previous)


def _demo_present() -> bool:
    """Whether the demo admin exists, as the current session sees it."""
    return db.session.execute(select(User.id).where(User.email == ADMIN_EMAIL)).first() is not None


def _demo_committed() -> bool:
    """Whether the demo admin is in the database, asked on a connection of its own."""
    with db.engine.connect() as conn:
        return conn.execute(select(User.id).where(User.email == ADMIN_EMAIL)).first() is not None


def _refuse_unless_empty() -> None:
    """Conflict when people, insurers, sellers or policies exist: the demo must not mix with real data."""
    for model in (User, Insurer, Seller, Policy):
        if db.session.execute(select(func.count()).select_from(model)).scalar_one():
            raise Conflict("The database already holds data; demo data goes only into an empty database.")


def _logins() -> list[tuple[str, str]]:
    """(role, email) of every demo account."""
    staff = [("insurer", spec[1][0]) for spec in insurer_specs() if spec[1]]
    sellers = [("seller", f"seller{i}@demo.example") for i, s in enumerate(SELLERS, 1) if s[6]]
    return [("admin", ADMIN_EMAIL), *staff, *sellers]


def _login_url() -> str:
    """The site's login page, from SITE_URL."""
    site = current_app.config["SITE_URL"].rstrip("/")
    try:
        return site + current_app.url_map.bind("localhost").build("auth.login")
    except BuildError:  # the site has no login page registered: point at its home page
        return site + "/"


def load_demo() -> DemoResult:
    """Fill an empty database with demo data; when the demo is already there, change nothing.

    It writes on a connection of its own, so call it with no transaction open in this app context.
    """
    result = DemoResult(created=False, password=DEMO_PASSWORD, logins=_logins(), marketplace_key=None,
                        url=_login_url())
    if _demo_committed():
        return result
    # One published password for every demo user: hash it once, outside the transaction, since each
    # hash costs 600,000 PBKDF2 rounds by default.
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    try:
        with _single_transaction():
            if _demo_present():  # asked again under the transaction: another run may have just finished
                return result
            _refuse_unless_empty()
            result.marketplace_key = _load(password_hash, clock.today())
    except IntegrityError:
        if not _demo_committed():  # not a lost race for the demo admin's email: a real failure
            raise
        result.marketplace_key = None
        return result
    result.created = True
    load_check_history(clock.today())
    load_claim_cases()
    return result


def _load(password_hash: str, today: date) -> str:
    """Write the whole demo; returns the marketplace API key."""
    admin = User(email=ADMIN_EMAIL, password_hash=password_hash, role="admin", name="Avery Morgan",
                 last_login_at=at_hour(today - timedelta(days=1), 16))
    db.session.add(admin)
    db.session.flush()  # the unique email makes a concurrent second run fail here
    actor = audit.Actor.of_user(admin)
    audit.record(actor, "create_admin", "user", admin.id, email=admin.email)

    by_prefix = load_insurers(actor, password_hash)
    sellers = load_sellers(password_hash, today)
    policies = load_quotes_and_policies(admin, by_prefix, sellers, today)
    load_certificates(by_prefix, sellers, today)
    key, raw = api_keys.create_key(actor, "marketplace", "Marketplace claims service (demo)")
    load_claims(audit.Actor.api_key(key.prefix), policies["claims"], today)
    audit.record(actor, "load_demo", "database", "demo", insurers=len(by_prefix), sellers=len(sellers))
    db.session.commit()
    return raw

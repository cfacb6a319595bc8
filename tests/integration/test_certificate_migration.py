"""The migration that freezes certificates (c3e7a91f04d2) on a database of its own: a certificate shown before
it gets its row, stating the seller's name and state as they were and keeping its verification link; a
policy whose certificate was never shown gets none (its first is issued when shown); and back down."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, MetaData, Table, create_engine, inspect, make_url, text

from accelerator import clock, create_app
from accelerator.extensions import db as _db
from accelerator.models import Policy, Seller
from tests.conftest import test_config as app_config
from tests.factories import POLICY_END, POLICY_START, TODAY

BEFORE = "ba617dce0188"
REVISION = "c3e7a91f04d2"
TOKEN = "T0ken-of-a-certificate-shown-before-the-migration"


@pytest.fixture()
def scratch_url(database_url, tmp_path):
    """An empty database beside the test one: a SQLite file, or a PostgreSQL database made for this test."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migration.sqlite3'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_migration"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture()
def scratch_app(scratch_url, tmp_path):
    """The app on the scratch database, inside its app context."""
    app = create_app(app_config(scratch_url, str(tmp_path), SQLITE_BEGIN_IMMEDIATE=False))
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


def _policy(seller_id: str, number: str) -> int:
    """A verified policy of the seller, bought elsewhere (no insurer row needed), written with the columns the
    table has at this revision (the model has grown since), through the model's own column types; its id."""
    present = {column["name"] for column in inspect(_db.engine).get_columns("policies")}
    table = Table("policies", MetaData(), *(Column(c.name, c.type, primary_key=c.primary_key)
                                            for c in Policy.__table__.columns if c.name in present))
    now = clock.now()
    values = dict(policy_number=number, seller_id=seller_id, insurer_id=None, insurer_name="Outside Casualty",
                  source="seller_upload", verification="verified", effective_date=POLICY_START,
                  expiration_date=POLICY_END, per_occurrence_limit=Decimal("1000000.00"),
                  aggregate_limit=Decimal("2000000.00"), deductible=Decimal("0.00"), claims_paid=Decimal("0.00"),
                  occurrence_based=True, additional_insured=False, excluded_categories=[], created_at=now,
                  updated_at=now)
    return _db.session.execute(table.insert().values(values).returning(table.c.id)).scalar_one()


def test_certificates_shown_before_keep_their_link_and_state_the_seller_as_it_was(scratch_app):
    upgrade(revision=BEFORE)
    _db.session.add_all([Seller(seller_id="SHOP000100", legal_name="Old Name LLC", state="WA"),
                         Seller(seller_id="SHOP000200", legal_name="", state=None)])
    _db.session.flush()
    ids = (_policy("SHOP000100", "OLD-1"), _policy("SHOP000200", "OLD-2"), _policy("SHOP000100", "OLD-3"))
    _db.session.commit()
    _db.session.execute(text("UPDATE policies SET certificate_token = :t WHERE id = :id"), {"t": TOKEN, "id": ids[0]})
    _db.session.execute(text("UPDATE policies SET certificate_token = :t WHERE id = :id"),
                        {"t": TOKEN[::-1], "id": ids[1]})
    _db.session.commit()
    _db.session.remove()

    upgrade(revision=REVISION)
    rows = _db.session.execute(text(
        "SELECT policy_id, number, issued_on, insured_name, insured_state, verification_token FROM certificates "
        "ORDER BY policy_id")).all()
    issued = [(r.policy_id, r.number, str(r.issued_on), r.insured_name, r.insured_state, r.verification_token)
              for r in rows]
    assert issued == [(ids[0], 1, TODAY.isoformat(), "Old Name LLC", "WA", TOKEN),
                      (ids[1], 1, TODAY.isoformat(), "SHOP000200", None, TOKEN[::-1])]
    assert "certificate_token" not in {c["name"] for c in inspect(_db.engine).get_columns("policies")}
    _db.session.remove()

    downgrade(revision=BEFORE)
    tokens = dict(_db.session.execute(text("SELECT id, certificate_token FROM policies")).all())
    assert tokens == {ids[0]: TOKEN, ids[1]: TOKEN[::-1], ids[2]: None}
    assert "certificates" not in inspect(_db.engine).get_table_names()
    _db.session.remove()
    upgrade(revision=REVISION)  # and up again
    assert _db.session.execute(text("SELECT count(*) FROM certificates")).scalar_one() == 2

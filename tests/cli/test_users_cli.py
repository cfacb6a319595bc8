"""`flask users create-admin`: a hashed, verifiable admin; duplicates and short passwords refused."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import check_password_hash

from accelerator.models import User
from tests.cli.support import assert_failed, assert_ok, invoke, last_line, row_counts

PASSWORD = "a long enough secret"


def _create(app, email: str = "Ops.Admin@Example.com", password: str = PASSWORD):
    return invoke(app, "users", "create-admin", "--email", email, "--password", password)


def test_create_admin_stores_a_hash_that_verifies(app, db):
    result = _create(app)

    assert_ok(result)
    assert last_line(result) == "Created admin ops.admin@example.com"
    user = db.session.execute(select(User).where(User.email == "ops.admin@example.com")).scalar_one()
    assert user.role == "admin"
    assert user.seller_id is None and user.insurer_id is None
    assert user.password_hash != PASSWORD
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    assert check_password_hash(user.password_hash, PASSWORD)
    assert not check_password_hash(user.password_hash, PASSWORD + "!")


def test_a_duplicate_email_is_refused(app, db):
    assert_ok(_create(app))

    result = _create(app, email="OPS.ADMIN@example.com", password="another long secret")

    assert_failed(result, "A user with this email already exists")
    assert row_counts()["users"] == 1


def test_a_short_password_is_refused(app, db):
    result = _create(app, password="123456789")

    assert_failed(result, "Choose a longer password", "at least 10 characters")
    assert row_counts()["users"] == 0


def test_a_bad_email_is_refused(app, db):
    result = _create(app, email="not-an-email")

    assert_failed(result, "Enter a valid email address")
    assert row_counts()["users"] == 0

"""Admin accounts: creating one (the first from the command line)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator.domain.errors import Conflict
from accelerator.extensions import db
from accelerator.models import User
from accelerator.services import audit
from accelerator.services.accounts.passwords import check_password_strength, hash_password
from accelerator.services.accounts.validation import normalize_email


def create_admin(email: str, password: str, actor: audit.Actor | None = None) -> User:
    """Create an admin account (the first one comes from the command line)."""
    email = normalize_email(email)
    check_password_strength(password)
    if db.session.execute(select(User.id).where(User.email == email)).first():
        raise Conflict("A user with this email already exists.", fields={"email": "Already taken."})
    user = User(email=email, password_hash=hash_password(password), role="admin", name="Administrator")
    db.session.add(user)
    db.session.flush()
    audit.record(actor or audit.Actor.cli(), "create_admin", "user", user.id, email=email)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("A user with this email already exists.", fields={"email": "Already taken."}) from exc
    return user


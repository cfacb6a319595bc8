"""People who log in (sellers, insurer staff, admins), their invitations and login throttling."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator import clock
from accelerator.extensions import db
from accelerator.models.insurer import Insurer
from accelerator.models.seller import Seller
from accelerator.models.types import UTCDateTime

ROLES = ("seller", "insurer", "admin")


def _session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """An account with exactly one role: a seller, staff of one insurer, or an admin."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('seller', 'insurer', 'admin')", name="role"),
        CheckConstraint(
            "(role = 'seller' AND seller_id IS NOT NULL AND insurer_id IS NULL)"
            " OR (role = 'insurer' AND insurer_id IS NOT NULL AND seller_id IS NULL)"
            " OR (role = 'admin' AND seller_id IS NULL AND insurer_id IS NULL)",
            name="role_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    seller_id: Mapped[str | None] = mapped_column(ForeignKey("sellers.seller_id"), unique=True)
    insurer_id: Mapped[int | None] = mapped_column(ForeignKey("insurers.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the login cookie's identity: rotating it logs every session of this user out.
    session_token: Mapped[str] = mapped_column(String(64), default=_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    seller: Mapped[Seller | None] = relationship(lazy="joined")
    insurer: Mapped[Insurer | None] = relationship(lazy="joined")

    def get_id(self) -> str:
        """Flask-Login identity: the id and the current session token."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        """Inactive users, and staff of an insurer that is not approved, cannot log in."""
        if not self.active:
            return False
        return not (self.role == "insurer" and self.insurer is not None and self.insurer.status == "suspended")

    def rotate_session(self) -> None:
        """Invalidate every existing login of this user."""
        self.session_token = _session_token()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class Invitation(db.Model):
    """An admin's invitation for a person to join an insurer's staff; the token is stored hashed."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    insurer: Mapped[Insurer] = relationship()


class LoginThrottle(db.Model):
    """Failed logins per key (an email, an address), shared by every app server through the database."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

"""Insurer staff: invitations (one-time tokens, stored hashed, emailed through the outbox), accepting them,
and an insurer's staff list."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator import clock
from accelerator.domain.errors import Conflict, NotFound
from accelerator.extensions import db
from accelerator.models import Insurer, Invitation, User
from accelerator.services import audit
from accelerator.services.accounts.passwords import check_password_strength, hash_password
from accelerator.services.accounts.validation import normalize_email, person_or_business_name
from accelerator.services.email_queue import queue_templated_email

INVITATION_DAYS = 7
INVITATION_EMAIL_KIND = "staff_invitation"


def _token_hash(token: str) -> str:
    """SHA-256 of an invitation token: only the hash is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def invitation_link(token: str) -> str:
    """The absolute link that accepts an invitation (SITE_URL + /invite/<token>)."""
    return current_app.config["SITE_URL"].rstrip("/") + f"/invite/{token}"


def _queue_invitation_email(invitation: Invitation, insurer: Insurer, token: str) -> None:
    """Queue the invitation's email (its one-time link) in the outbox, in the inviting transaction."""
    queue_templated_email(
        f"{INVITATION_EMAIL_KIND}:{invitation.id}", INVITATION_EMAIL_KIND, invitation.email,
        f"You are invited to join {insurer.name} on the Insurance Accelerator",
        {"insurer_name": insurer.name, "expires_at": invitation.expires_at},
        path=f"/invite/{token}", related=("invitation", str(invitation.id)))


def invite_staff(actor: audit.Actor, insurer_id: int, email: str) -> tuple[Invitation, str]:
    """Invite a person to an insurer's staff and email them the link; returns the invitation and its token."""
    insurer = db.session.get(Insurer, insurer_id)
    if insurer is None:
        raise NotFound("No such insurer.")
    email = normalize_email(email)
    if db.session.execute(select(User.id).where(User.email == email)).first():
        raise Conflict("A user with this email already exists.", fields={"email": "Already has an account."})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(email=email, insurer_id=insurer.id, token_hash=_token_hash(token),
                            invited_by_id=actor.user_id, expires_at=clock.now() + timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    db.session.flush()
    _queue_invitation_email(invitation, insurer, token)
    audit.record(actor, "invite_staff", "insurer", insurer.id, email=email, invitation=invitation.id,
                 emailed=True)
    db.session.commit()
    return invitation, token


def find_invitation(token: str) -> Invitation:
    """The open invitation for a token, or NotFound when unknown, used or expired."""
    invitation = db.session.execute(
        select(Invitation).where(Invitation.token_hash == _token_hash(token or ""))
    ).scalar_one_or_none()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at < clock.now():
        raise NotFound("This invitation link is not valid any more. Ask for a new one.")
    return invitation


def accept_invitation(token: str, name: str, password: str) -> User:
    """Turn an invitation into an insurer staff account."""
    invitation = find_invitation(token)
    check_password_strength(password)
    name = person_or_business_name(name, "name", "Enter your name.")
    if db.session.execute(select(User.id).where(User.email == invitation.email)).first():
        raise Conflict("A user with this email already exists.", fields={"email": "Already has an account."})
    user = User(email=invitation.email, password_hash=hash_password(password), role="insurer",
                insurer_id=invitation.insurer_id, name=name)
    db.session.add(user)
    invitation.accepted_at = clock.now()
    db.session.flush()
    audit.record(audit.Actor(user.email, user.id), "accept_invitation", "user", user.id,
                 insurer=invitation.insurer_id)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("This invitation was already used.") from exc
    return user


@dataclass(frozen=True)
class InsurerStaff:
    """The people of one insurer: accounts, and invitations still open."""

    users: list[User]
    open_invitations: list[Invitation]


def insurer_staff(insurer_id: int) -> InsurerStaff:
    """An insurer's staff accounts (by email) and its unaccepted, unexpired invitations (newest first)."""
    users = db.session.execute(
        select(User).where(User.insurer_id == insurer_id).order_by(User.email)
    ).scalars().all()
    invitations = db.session.execute(
        select(Invitation).where(Invitation.insurer_id == insurer_id, Invitation.accepted_at.is_(None),
                                 Invitation.expires_at > clock.now())
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).scalars().all()
    return InsurerStaff(users=list(users), open_invitations=list(invitations))

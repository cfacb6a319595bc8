"""Accounts: seller registration, login with throttling, admins, and insurer staff invitations."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from accelerator.domain.errors import Conflict, NotFound, RateLimited, ValidationError
from accelerator.domain.values import normalize_seller_id
from accelerator.extensions import db
from accelerator.models import Insurer, Invitation, LoginThrottle, Seller, User
from accelerator.models.types import utcnow
from accelerator.services import audit

MIN_PASSWORD = 10
MAX_PASSWORD = 128
INVITATION_DAYS = 7
# A hash of a random password, checked when the email is unknown so both paths cost the same.
_DUMMY_PASSWORD = secrets.token_urlsafe(16)


def normalize_email(value: str) -> str:
    """Validate an email address (syntax only, no DNS) and return it lower-cased."""
    try:
        result = validate_email((value or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError("Enter a valid email address.", fields={"email": str(exc)}) from exc
    return result.normalized.lower()


def check_password_strength(password: str, field: str = "password") -> None:
    """Passwords are 10 to 128 characters (ASVS: length over composition rules)."""
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError("Choose a longer password.",
                              fields={field: f"Use at least {MIN_PASSWORD} characters."})
    if len(password) > MAX_PASSWORD:
        raise ValidationError("Choose a shorter password.",
                              fields={field: f"Use at most {MAX_PASSWORD} characters."})


def hash_password(password: str) -> str:
    """Hash with the configured method (PBKDF2-SHA256, 600,000 iterations by default)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def register_seller(email: str, password: str, seller_id: str, legal_name: str) -> User:
    """Create a seller account (and its seller record, or claim an existing one without an account)."""
    email = normalize_email(email)
    check_password_strength(password)
    try:
        seller_id = normalize_seller_id(seller_id)
    except ValueError as exc:
        raise ValidationError("Check your seller ID.", fields={"seller_id": f"Seller ID {exc}."}) from exc
    legal_name = (legal_name or "").strip()
    if not legal_name:
        raise ValidationError("Enter your legal business name.", fields={"legal_name": "Required."})
    errors = {}
    if db.session.execute(select(User.id).where(User.email == email)).first():
        errors["email"] = "An account with this email already exists. Log in instead."
    if db.session.execute(select(User.id).where(User.seller_id == seller_id)).first():
        errors["seller_id"] = "This seller ID is already registered."
    if errors:
        raise Conflict("That account already exists.", fields=errors)
    password_hash = hash_password(password)
    try:
        seller = db.session.execute(select(Seller).where(Seller.seller_id == seller_id)).scalar_one_or_none()
        if seller is None:
            seller = Seller(seller_id=seller_id, legal_name=legal_name, contact_email=email)
            db.session.add(seller)
        else:
            seller.legal_name = seller.legal_name or legal_name
            seller.contact_email = seller.contact_email or email
        user = User(email=email, password_hash=password_hash, role="seller", seller_id=seller_id,
                    name=legal_name)
        db.session.add(user)
        db.session.flush()
        audit.record(audit.Actor(email, user.id), "register", "seller", seller_id)
        db.session.commit()
    except IntegrityError as exc:
        # A concurrent registration took the email or seller ID between our check and insert.
        db.session.rollback()
        raise Conflict("That account already exists.",
                       fields={"email": "An account with this email or seller ID already exists."}) from exc
    return user


def _throttle_keys(email: str, remote_addr: str) -> list[tuple[str, int]]:
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    return [(f"acct:{email}|{remote_addr}", limit), (f"addr:{remote_addr}", limit * 4)]


def _check_throttle(keys: list[tuple[str, int]]) -> None:
    now = utcnow()
    for key, _limit in keys:
        row = db.session.get(LoginThrottle, key)
        if row and row.locked_until and row.locked_until > now:
            retry = int((row.locked_until - now).total_seconds()) + 1
            raise RateLimited("Too many failed logins. Wait a few minutes and try again.", retry_after=retry)


def _record_failure(keys: list[tuple[str, int]]) -> None:
    now = utcnow()
    window = timedelta(seconds=current_app.config["LOGIN_LOCKOUT_SECONDS"])
    for key, limit in keys:
        row = db.session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, first_failure_at=now)
            db.session.add(row)
        if row.first_failure_at + window < now:
            row.failures, row.first_failure_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + window
    db.session.commit()


def authenticate(email: str, password: str, remote_addr: str) -> User:
    """Check a login; repeated failures from one address are refused (RateLimited) for a while."""
    email = (email or "").strip().lower()
    keys = _throttle_keys(email, remote_addr or "unknown")
    _check_throttle(keys)
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        check_password_hash(hash_password(_DUMMY_PASSWORD), password or "")
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password or "")
    if not ok or not user.is_active:
        _record_failure(keys)
        _check_throttle(keys)
        raise ValidationError("Email or password is not right.",
                              fields={"password": "Email or password is not right."})
    for key, _limit in keys[:1]:
        row = db.session.get(LoginThrottle, key)
        if row:
            db.session.delete(row)
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def load_user(identity: str) -> User | None:
    """Flask-Login's loader: `<id>:<session token>`, refused once the token was rotated."""
    user_id, _, token = (identity or "").partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def logout(user_id: int) -> None:
    """End every session of a user."""
    user = db.session.get(User, user_id)
    if user:
        user.rotate_session()
        db.session.commit()


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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_staff(actor: audit.Actor, insurer_id: int, email: str) -> tuple[Invitation, str]:
    """Invite a person to an insurer's staff; returns the invitation and its one-time token."""
    insurer = db.session.get(Insurer, insurer_id)
    if insurer is None:
        raise NotFound("No such insurer.")
    email = normalize_email(email)
    if db.session.execute(select(User.id).where(User.email == email)).first():
        raise Conflict("A user with this email already exists.", fields={"email": "Already has an account."})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(email=email, insurer_id=insurer.id, token_hash=_token_hash(token),
                            invited_by_id=actor.user_id, expires_at=utcnow() + timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    db.session.flush()
    audit.record(actor, "invite_staff", "insurer", insurer.id, email=email, invitation=invitation.id)
    db.session.commit()
    return invitation, token


def find_invitation(token: str) -> Invitation:
    """The open invitation for a token, or NotFound when unknown, used or expired."""
    invitation = db.session.execute(
        select(Invitation).where(Invitation.token_hash == _token_hash(token or ""))
    ).scalar_one_or_none()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at < utcnow():
        raise NotFound("This invitation link is not valid any more. Ask for a new one.")
    return invitation


def accept_invitation(token: str, name: str, password: str) -> User:
    """Turn an invitation into an insurer staff account."""
    invitation = find_invitation(token)
    check_password_strength(password)
    name = (name or "").strip()
    if not name:
        raise ValidationError("Enter your name.", fields={"name": "Required."})
    if db.session.execute(select(User.id).where(User.email == invitation.email)).first():
        raise Conflict("A user with this email already exists.", fields={"email": "Already has an account."})
    user = User(email=invitation.email, password_hash=hash_password(password), role="insurer",
                insurer_id=invitation.insurer_id, name=name)
    db.session.add(user)
    invitation.accepted_at = utcnow()
    db.session.flush()
    audit.record(audit.Actor(user.email, user.id), "accept_invitation", "user", user.id,
                 insurer=invitation.insurer_id)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("This invitation was already used.") from exc
    return user

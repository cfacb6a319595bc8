"""Accounts: seller registration, login with throttling, admins, insurer staff invitations, and what a
seller's account shows on its home page."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from accelerator.domain.errors import Conflict, NotFound, RateLimited, ValidationError
from accelerator.domain.values import normalize_seller_id
from accelerator.extensions import db
from accelerator.models import (
    Insurer,
    Invitation,
    LoginThrottle,
    Policy,
    Quote,
    QuoteRequest,
    QuoteRouting,
    Seller,
    User,
)
from accelerator.models.types import utcnow
from accelerator.services import audit

MIN_PASSWORD = 10
MAX_PASSWORD = 128
MAX_NAME = 200
MAX_EMAIL = 254
INVITATION_DAYS = 7
# Control characters (tabs and newlines aside): PostgreSQL refuses NUL in text, and none belongs in a name.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A hash of a random password, checked when the email is unknown so both paths cost the same.
_DUMMY_PASSWORD = secrets.token_urlsafe(16)


def has_control_characters(text: str | None) -> bool:
    """Whether text holds a control character other than tab, newline and carriage return."""
    return bool(text) and _CONTROL.search(text) is not None


def normalize_email(value: str) -> str:
    """Validate an email address (syntax only, no DNS) and return it lower-cased."""
    text = (value or "").strip()
    if len(text) > MAX_EMAIL or has_control_characters(text):
        raise ValidationError("Enter a valid email address.", fields={"email": "Enter a valid email address."})
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError("Enter a valid email address.", fields={"email": str(exc)}) from exc
    return result.normalized.lower()


def _person_or_business_name(value: str | None, field: str, missing: str) -> str:
    """A name as typed, trimmed: required, at most 200 characters, no control characters."""
    name = (value or "").strip()
    if not name:
        raise ValidationError(missing, fields={field: "Required."})
    if len(name) > MAX_NAME or has_control_characters(name):
        raise ValidationError(missing, fields={field: f"Use at most {MAX_NAME} ordinary characters."})
    return name


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
    legal_name = _person_or_business_name(legal_name, "legal_name", "Enter your legal business name.")
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
    """The throttle rows a login touches, with their limits: one per account and address, one per address."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    return [(f"acct:{email}|{remote_addr}", limit), (f"addr:{remote_addr}", limit * 4)]


def _check_throttle(keys: list[tuple[str, int]]) -> None:
    """Raise RateLimited while any of the keys is locked."""
    now = utcnow()
    for key, _limit in keys:
        row = db.session.get(LoginThrottle, key)
        if row and row.locked_until and row.locked_until > now:
            retry = int((row.locked_until - now).total_seconds()) + 1
            raise RateLimited("Too many failed logins. Wait a few minutes and try again.", retry_after=retry)


def _record_failure(keys: list[tuple[str, int]]) -> None:
    """Count a failed login on each key, locking a key that reaches its limit (committed at once)."""
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
    if len(email) > MAX_EMAIL or has_control_characters(email):
        email = ""  # no account has such an address; it still counts as a failure below
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
    """Flask-Login's loader: `<id>:<session token>`, refused once the token was rotated or the user
    became inactive (so suspending an insurer logs its staff out at their next request)."""
    user_id, _, token = (identity or "").partition(":")
    if not user_id.isdigit() or len(user_id) > 12:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not secrets.compare_digest(user.session_token.encode(), token.encode()):
        return None
    if not user.is_active:
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
    """SHA-256 of an invitation token: only the hash is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


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
    name = _person_or_business_name(name, "name", "Enter your name.")
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


@dataclass(frozen=True)
class QuoteRequestLine:
    """One of a seller's quote requests, with how many insurers it went to and how many quoted."""

    quote_request: QuoteRequest
    insurers_asked: int
    quotes_offered: int


@dataclass(frozen=True)
class PolicyLine:
    """One of a seller's policies and whether it is in force today."""

    policy: Policy
    in_force_today: bool


@dataclass(frozen=True)
class SellerOverview:
    """What a seller's home page shows: the seller, its policies and its quote requests."""

    seller: Seller
    policies: list[PolicyLine]
    quote_requests: list[QuoteRequestLine]


def seller_overview(seller_id: str, today: date | None = None) -> SellerOverview:
    """A seller's record with its policies (latest first) and quote requests (newest first)."""
    seller = db.session.execute(select(Seller).where(Seller.seller_id == seller_id)).scalar_one_or_none()
    if seller is None:
        raise NotFound("No such seller.")
    today = today or utcnow().date()
    policies = db.session.execute(
        select(Policy).where(Policy.seller_id == seller_id)
        .order_by(Policy.effective_date.desc(), Policy.policy_number)
    ).scalars().all()
    requests = db.session.execute(
        select(QuoteRequest).where(QuoteRequest.seller_id == seller_id)
        .order_by(QuoteRequest.created_at.desc(), QuoteRequest.id.desc())
    ).scalars().all()
    ids = [r.id for r in requests]
    asked: dict[int, int] = {}
    offered: dict[int, int] = {}
    if ids:
        asked = dict(db.session.execute(
            select(QuoteRouting.quote_request_id, func.count(QuoteRouting.id))
            .where(QuoteRouting.quote_request_id.in_(ids)).group_by(QuoteRouting.quote_request_id)
        ).tuples().all())
        offered = dict(db.session.execute(
            select(Quote.quote_request_id, func.count(Quote.id))
            .where(Quote.quote_request_id.in_(ids)).group_by(Quote.quote_request_id)
        ).tuples().all())
    return SellerOverview(
        seller=seller,
        policies=[PolicyLine(p, p.in_force_on(today)) for p in policies],
        quote_requests=[QuoteRequestLine(r, asked.get(r.id, 0), offered.get(r.id, 0)) for r in requests],
    )


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
                                 Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).scalars().all()
    return InsurerStaff(users=list(users), open_invitations=list(invitations))

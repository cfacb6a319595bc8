"""Seller registration: a seller account, with its seller record created or claimed.

Registration never tells whether an email address has an account: with a taken address it answers as
with a new one (same checks, one password hash, one email queued), creates nothing, and emails the
address's owner that someone tried to register with it. A taken seller ID is said at its field.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator import clock
from accelerator.domain.errors import Conflict, ValidationError
from accelerator.domain.values import normalize_seller_id
from accelerator.extensions import db
from accelerator.models import Seller, User
from accelerator.services import audit
from accelerator.services.accounts.passwords import check_password_strength, hash_password
from accelerator.services.accounts.validation import normalize_email, person_or_business_name
from accelerator.services.email_queue import queue_templated_email

SELLER_ID_TAKEN = "This seller ID is already registered."


def registration_clashes(seller_id: str | None) -> dict[str, str]:
    """Whether a seller ID already has an account (a value that is not one is not looked up); changes
    nothing. An email address is never looked up: saying it is taken would tell who has an account."""
    try:
        seller_id = normalize_seller_id(seller_id or "")
    except ValueError:
        return {}
    if db.session.execute(select(User.id).where(User.seller_id == seller_id)).first():
        return {"seller_id": SELLER_ID_TAKEN}
    return {}


def _tell_the_owner(owner: User) -> None:
    """Queue the email telling an account's owner that someone tried to register with its address (at
    most one a day per account, so the form cannot flood a mailbox)."""
    queue_templated_email(f"registration_attempt:{owner.id}:{clock.today().isoformat()}", "registration_attempt",
                     owner.email, "Someone tried to register with your email address",
                     {"seller_name": owner.name or owner.email}, path="/login", related=("user", str(owner.id)))


def register_seller(email: str, password: str, seller_id: str, legal_name: str) -> str:
    """Create a seller account (and its seller record, or claim an existing one without an account) and
    email its owner; with an email that has an account, create nothing and email that account's owner
    instead. Returns the normalised email address (where the email went, either way)."""
    email = normalize_email(email)
    check_password_strength(password)
    try:
        seller_id = normalize_seller_id(seller_id)
    except ValueError as exc:
        raise ValidationError("Check your seller ID.", fields={"seller_id": f"Seller ID {exc}."}) from exc
    legal_name = person_or_business_name(legal_name, "legal_name", "Enter your legal business name.")
    errors = registration_clashes(seller_id)
    if errors:
        raise Conflict("That account already exists.", fields=errors)
    password_hash = hash_password(password)  # on both paths, so a taken address costs the same
    owner = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if owner is not None:
        _tell_the_owner(owner)
        db.session.commit()
        return email
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
        queue_templated_email(f"account_created:{user.id}", "account_created", email,
                         "Your seller account is ready", {"seller_name": legal_name, "seller_id": seller_id},
                         path="/login", related=("user", str(user.id)))
        db.session.commit()
    except IntegrityError as exc:
        # A concurrent registration took the email or seller ID between our check and insert.
        db.session.rollback()
        owner = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if registration_clashes(seller_id) or owner is None:
            raise Conflict("That account already exists.", fields={"seller_id": SELLER_ID_TAKEN}) from exc
        _tell_the_owner(owner)
        db.session.commit()
    return email

"""Seller registration: a seller account, with its seller record created or claimed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator.domain.errors import Conflict, ValidationError
from accelerator.domain.values import normalize_seller_id
from accelerator.extensions import db
from accelerator.models import Seller, User
from accelerator.services import audit
from accelerator.services.accounts.passwords import check_password_strength, hash_password
from accelerator.services.accounts.validation import _person_or_business_name, normalize_email


def registration_clashes(email: str | None, seller_id: str | None) -> dict[str, str]:
    """Which of an email address and a seller ID already have an account (a value that is not one is
    not looked up); changes nothing."""
    errors = {}
    try:
        email = normalize_email(email or "")
    except ValidationError:
        email = None
    try:
        seller_id = normalize_seller_id(seller_id or "")
    except ValueError:
        seller_id = None
    if email and db.session.execute(select(User.id).where(User.email == email)).first():
        errors["email"] = "An account with this email already exists. Log in instead."
    if seller_id and db.session.execute(select(User.id).where(User.seller_id == seller_id)).first():
        errors["seller_id"] = "This seller ID is already registered."
    return errors


def register_seller(email: str, password: str, seller_id: str, legal_name: str) -> User:
    """Create a seller account (and its seller record, or claim an existing one without an account)."""
    email = normalize_email(email)
    check_password_strength(password)
    try:
        seller_id = normalize_seller_id(seller_id)
    except ValueError as exc:
        raise ValidationError("Check your seller ID.", fields={"seller_id": f"Seller ID {exc}."}) from exc
    legal_name = _person_or_business_name(legal_name, "legal_name", "Enter your legal business name.")
    errors = registration_clashes(email, seller_id)
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


"""A seller's business profile: the seller record, what is wrong with a profile, saving it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from accelerator import clock
from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.errors import NotFound, ValidationError
from accelerator.domain.states import STATE_CODES
from accelerator.extensions import db
from accelerator.models import Seller
from accelerator.services import audit
from accelerator.services.accounts import MAX_NAME, has_control_characters


@dataclass(frozen=True)
class ProfileData:
    """The business profile a seller keeps (parsed values)."""

    legal_name: str
    state: str
    categories: tuple[str, ...]
    monthly_gross_sales: Decimal


def get_seller(seller_id: str) -> Seller:
    """The seller record of a seller ID, or NotFound."""
    seller = db.session.execute(select(Seller).where(Seller.seller_id == seller_id)).scalar_one_or_none()
    if seller is None:
        raise NotFound("No such seller.")
    return seller


def profile_errors(data: ProfileData) -> dict[str, str]:
    """What is wrong with a profile, field by field."""
    errors: dict[str, str] = {}
    name = data.legal_name.strip()
    if not name or len(name) > MAX_NAME or has_control_characters(name):
        errors["legal_name"] = f"Give your legal business name (at most {MAX_NAME} ordinary characters)."
    if data.state not in STATE_CODES:
        errors["state"] = "Choose the state where your business is registered."
    if not data.categories or any(c not in CATEGORY_CODES for c in data.categories):
        errors["categories"] = "Choose one or more categories from the list."
    if data.monthly_gross_sales is None or data.monthly_gross_sales < 0:
        errors["monthly_gross_sales"] = "Give your gross sales of a recent month (0 or more)."
    return errors


def update_profile(actor: audit.Actor, seller_id: str, data: ProfileData) -> Seller:
    """Save a seller's business profile; the first save completes the profile."""
    seller = get_seller(seller_id)
    errors = profile_errors(data)
    if errors:
        raise ValidationError("Your profile was not saved: some fields are not right.", fields=errors)
    before = {"legal_name": seller.legal_name, "state": seller.state, "categories": list(seller.categories),
              "monthly_gross_sales": seller.monthly_gross_sales}
    seller.legal_name = data.legal_name.strip()
    seller.state = data.state
    seller.categories = sorted(set(data.categories))
    seller.monthly_gross_sales = data.monthly_gross_sales
    first = seller.profile_completed_at is None
    if first:
        seller.profile_completed_at = clock.now()
    after = {"legal_name": seller.legal_name, "state": seller.state, "categories": list(seller.categories),
             "monthly_gross_sales": seller.monthly_gross_sales}
    changed = {k: after[k] for k in after if after[k] != before[k]}
    audit.record(actor, "complete_profile" if first else "update_profile", "seller", seller_id, **changed)
    db.session.commit()
    return seller

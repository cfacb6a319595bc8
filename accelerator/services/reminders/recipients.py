"""Who a seller's reminders go to: the active account email, else the seller record's contact email."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from accelerator.extensions import db
from accelerator.models import Seller, User
from accelerator.services.reminders.kinds import chunks

# --- recipients ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str


def recipients_of(seller_ids: Iterable[str]) -> dict[str, Recipient]:
    """Each seller's address (account email, else contact email) and name; sellers with none are left out."""
    ids = sorted(set(seller_ids))
    found: dict[str, Recipient] = {}
    for part in chunks(ids):
        sellers = {s.seller_id: s for s in db.session.execute(
            select(Seller).where(Seller.seller_id.in_(part))).scalars()}
        accounts = dict(db.session.execute(
            select(User.seller_id, User.email)
            .where(User.role == "seller", User.active.is_(True), User.seller_id.in_(part))).all())
        for seller_id in part:
            seller = sellers.get(seller_id)
            address = accounts.get(seller_id) or (seller.contact_email.strip() if seller else "")
            if address:
                name = (seller.legal_name if seller else "") or seller_id
                found[seller_id] = Recipient(address, name)
    return found

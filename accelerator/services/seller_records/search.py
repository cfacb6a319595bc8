"""Finding a seller by seller ID, legal name or email: partial, case-insensitive, a page at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select

from accelerator.extensions import db
from accelerator.models import Seller, User

MAX_QUERY = 100  # characters of a search kept; a longer one is cut
MAX_PAGE = 100_000
PER_PAGE = 25
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class SellerHit:
    """One seller found: who it is and the addresses it can be reached at."""

    seller_id: str
    legal_name: str
    contact_email: str
    account_email: str | None


@dataclass(frozen=True)
class SellerSearch:
    """A page of sellers matching `query` ("" lists every seller), by seller ID."""

    query: str
    hits: list[SellerHit]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the matches fill (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def clean_query(text: object) -> str:
    """The search as typed, made safe to match: a string, no control characters, single spaces, bounded."""
    if not isinstance(text, str):
        return ""
    return " ".join(_CONTROL.sub(" ", text).split())[:MAX_QUERY]


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's own wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_sellers(text: object, page: int = 1, per_page: int | None = None) -> SellerSearch:
    """Sellers whose seller ID, legal name, contact email or account email contains `text`, ignoring case.

    Empty (or only white space) lists every seller. LIKE wildcards in the search are matched
    literally; PER_PAGE a page unless told. ILIKE on PostgreSQL, lower() LIKE lower() on SQLite
    (which folds ASCII letters only). A page past the end is empty, never an error.
    """
    query = clean_query(text)
    page = min(max(int(page), 1), MAX_PAGE)
    per_page = per_page or PER_PAGE
    statement = select(Seller.seller_id, Seller.legal_name, Seller.contact_email)
    if query:
        pattern = _like(query)
        account = exists().where(User.seller_id == Seller.seller_id, User.email.ilike(pattern, escape="\\"))
        statement = statement.where(or_(Seller.seller_id.ilike(pattern, escape="\\"),
                                        Seller.legal_name.ilike(pattern, escape="\\"),
                                        Seller.contact_email.ilike(pattern, escape="\\"), account))
    total = db.session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
    rows = []
    if (page - 1) * per_page < total:
        rows = db.session.execute(statement.order_by(Seller.seller_id).limit(per_page)
                                  .offset((page - 1) * per_page)).all()
    ids = [r.seller_id for r in rows]
    accounts = dict(db.session.execute(
        select(User.seller_id, User.email).where(User.role == "seller", User.seller_id.in_(ids))).all()) if ids else {}
    hits = [SellerHit(r.seller_id, r.legal_name, r.contact_email, accounts.get(r.seller_id)) for r in rows]
    return SellerSearch(query, hits, page, per_page, total)

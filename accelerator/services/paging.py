"""One page of an ordered query: the items and the total, as the contract's lists need them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import Select

from accelerator.extensions import db


@dataclass(frozen=True)
class Page:
    """Items of one page, its number and size, and how many items all pages hold."""

    items: list[Any]
    page: int
    per_page: int
    total: int


def fetch_page(query: Select, page: int, per_page: int, *, scalars: bool = True) -> Page:
    """Run an ordered select() for one page (a page past the end is empty, and costs no OFFSET)."""
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    offset = (page - 1) * per_page
    if offset >= total:
        items: list[Any] = []
    else:
        result = db.session.execute(query.limit(per_page).offset(offset))
        items = list(result.scalars() if scalars else result)
    return Page(items=items, page=page, per_page=per_page, total=total)

"""Sales and compliance: the marketplace reports monthly gross proceeds and the categories a seller
sells, and reads a seller's standing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from accelerator import clock
from accelerator.domain.categories import unknown_categories
from accelerator.domain.compliance import ComplianceResult, compliance_status
from accelerator.domain.errors import ValidationError
from accelerator.domain.money import format_money, parse_money
from accelerator.domain.values import format_month, normalize_seller_id, parse_date, parse_month
from accelerator.extensions import db
from accelerator.models import MonthlySales, Policy, Seller
from accelerator.services import audit


def _insert_for_dialect():
    """The dialect's INSERT that knows ON CONFLICT (SQLite and PostgreSQL both do)."""
    return pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def parse_seller_id(value: object) -> str:
    """A seller ID from a path or body, normalized, or a ValidationError naming the field."""
    try:
        return normalize_seller_id(value)
    except ValueError as exc:
        raise ValidationError("Check the seller ID.", fields={"seller_id": str(exc)}) from exc


def ensure_seller(seller: str) -> None:
    """Create the seller's record if it is new (an upsert, so two first reports racing never fail)."""
    db.session.execute(_insert_for_dialect()(Seller.__table__).values(
        seller_id=seller, legal_name="", contact_name="", contact_email="", contact_phone="", categories=[],
        created_at=clock.now()).on_conflict_do_nothing(index_elements=["seller_id"]))


def report_sales(actor: audit.Actor, seller_id: object, month: object, gross_proceeds: object) -> dict:
    """Record, or replace, a seller's gross proceeds for one month (creating the seller record if new)."""
    errors: dict[str, str] = {}
    parsed: dict[str, object] = {}
    for name, raw, parse in (("seller_id", seller_id, normalize_seller_id), ("month", month, parse_month),
                             ("gross_proceeds", gross_proceeds, lambda v: parse_money(v, allow_zero=True))):
        if raw is None:
            errors[name] = "is required"
            continue
        try:
            parsed[name] = parse(raw)
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError("Check the sales report.", fields=errors)
    seller, first_day, proceeds = parsed["seller_id"], parsed["month"], parsed["gross_proceeds"]
    insert = _insert_for_dialect()
    now = clock.now()
    # Upserts, so two reports racing for a new seller or the same month never fail on a unique index.
    ensure_seller(seller)
    upsert = insert(MonthlySales.__table__).values(seller_id=seller, month=first_day, gross_proceeds=proceeds,
                                                   updated_at=now)
    db.session.execute(upsert.on_conflict_do_update(
        index_elements=["seller_id", "month"],
        set_={"gross_proceeds": upsert.excluded.gross_proceeds, "updated_at": upsert.excluded.updated_at}))
    audit.record(actor, "report_sales", "seller", seller, month=format_month(first_day),
                 gross_proceeds=format_money(proceeds))
    db.session.commit()
    return {"seller_id": seller, "month": format_month(first_day), "gross_proceeds": format_money(proceeds)}


MAX_CATEGORIES = 50


def record_categories(actor: audit.Actor, seller_id: object, categories: object) -> dict:
    """Record, or replace, the product categories a seller sells (the same list the seller keeps in the
    profile), creating the seller record if new; repeats are ignored, the answer is sorted."""
    errors: dict[str, str] = {}
    seller = ""
    try:
        seller = normalize_seller_id(seller_id)
    except ValueError as exc:
        errors["seller_id"] = str(exc)
    codes: list[str] = []
    if not isinstance(categories, list | tuple) or not all(isinstance(c, str) for c in categories):
        errors["categories"] = "must be a list of category codes"
    elif len(categories) > MAX_CATEGORIES:
        errors["categories"] = f"must hold at most {MAX_CATEGORIES} codes"
    elif unknown := unknown_categories(categories):
        errors["categories"] = "unknown category code(s): " + ", ".join(repr(c[:40]) for c in unknown[:5])
    else:
        codes = sorted(set(categories))
    if errors:
        raise ValidationError("Check the seller's categories.", fields=errors)
    ensure_seller(seller)
    record = db.session.execute(select(Seller).where(Seller.seller_id == seller)).scalar_one()
    before = list(record.categories or [])
    record.categories = codes
    audit.record(actor, "record_categories", "seller", seller, before=before, categories=codes)
    db.session.commit()
    return {"seller_id": seller, "categories": codes}


@dataclass(frozen=True)
class SellerCompliance:
    """A seller's standing on one day, with the Policy row that makes it compliant (if any)."""

    seller_id: str
    on: date
    result: ComplianceResult
    policy: Policy | None


def seller_compliance(seller_id: object, on: object = None) -> SellerCompliance:
    """A seller's standing against the marketplace requirement on `on` (default: today, UTC)."""
    errors: dict[str, str] = {}
    seller = ""
    try:
        seller = normalize_seller_id(seller_id)
    except ValueError as exc:
        errors["seller_id"] = str(exc)
    day: date = clock.now().date()
    if on is not None:
        try:
            day = parse_date(on.isoformat() if isinstance(on, date) else on)
        except ValueError as exc:
            errors["on"] = str(exc)
    if errors:
        raise ValidationError("Check the compliance question.", fields=errors)
    policies = db.session.execute(select(Policy).where(Policy.seller_id == seller)).scalars().all()
    sales = {month: proceeds for month, proceeds in db.session.execute(
        select(MonthlySales.month, MonthlySales.gross_proceeds).where(MonthlySales.seller_id == seller))}
    sold = db.session.execute(select(Seller.categories).where(Seller.seller_id == seller)).scalar_one_or_none()
    by_key = {policy.id: policy for policy in policies}
    result = compliance_status([p.terms() for p in policies], sales, day, current_app.config["REQUIREMENT"],
                               frozenset(sold or ()))
    chosen = by_key[result.policy.key] if result.policy is not None else None
    return SellerCompliance(seller, day, result, chosen)

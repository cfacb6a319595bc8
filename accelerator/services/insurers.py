"""Insurers: the admin's add, edit, approve and suspend, the public directory, and what an insurer's
staff see on their home page."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from accelerator.domain.categories import CATEGORY_CODES
from accelerator.domain.errors import Conflict, NotFound, ValidationError
from accelerator.domain.states import STATE_CODES
from accelerator.domain.values import AM_BEST_RATINGS, rating_at_least
from accelerator.extensions import db
from accelerator.models import INSURER_STATUSES, Insurer, Invitation, QuoteRequest, QuoteRouting, User
from accelerator.services import audit
from accelerator.services.accounts import has_control_characters, insurer_staff

NAIC = re.compile(r"^[0-9]{5}$")
PREFIX = re.compile(r"^[A-Z]{2,6}$")
# Ids beyond a 32-bit integer name nothing (and would overflow the database's integer column).
MAX_ID = 2**31 - 1
# The longest value each free-text field may hold (the columns' sizes; a description is kept readable).
TEXT_LIMITS = {"contact_name": 200, "contact_email": 254, "contact_phone": 40, "website": 300,
               "description": 5000}
MAX_APPROVAL_REASON = 2000


@dataclass
class InsurerData:
    """What an admin enters about an insurer."""

    name: str
    naic_code: str
    am_best_rating: str
    licensed_states: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    min_revenue: Decimal | None = None
    max_revenue: Decimal | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    website: str = ""
    description: str = ""
    policy_prefix: str | None = None


def _validate(data: InsurerData, insurer_id: int | None) -> dict[str, str]:
    """Per-field messages for what is wrong with `data` (shape first, then clashes with other insurers)."""
    errors: dict[str, str] = {}
    data.name = (data.name or "").strip()
    if not data.name or len(data.name) > 200:
        errors["name"] = "Enter the insurer's name (at most 200 characters)."
    if not NAIC.match(data.naic_code or ""):
        errors["naic_code"] = "An NAIC code is five digits."
    if data.am_best_rating not in AM_BEST_RATINGS:
        errors["am_best_rating"] = "Choose an AM Best rating."
    bad_states = [s for s in data.licensed_states if s not in STATE_CODES]
    if bad_states:
        errors["licensed_states"] = "Unknown states: " + ", ".join(bad_states)
    bad_categories = [c for c in data.categories if c not in CATEGORY_CODES]
    if bad_categories:
        errors["categories"] = "Unknown categories: " + ", ".join(bad_categories)
    if data.min_revenue is not None and data.max_revenue is not None and data.min_revenue > data.max_revenue:
        errors["max_revenue"] = "The top of the revenue band must not be below its bottom."
    if data.policy_prefix is not None and not PREFIX.match(data.policy_prefix):
        errors["policy_prefix"] = "Two to six capital letters."
    if has_control_characters(data.name):
        errors["name"] = "Remove the control characters."
    errors.update(_check_contact(data))
    # Clashes with other insurers are judged for every field that is itself right, in the same pass.
    same_name = select(Insurer.id).where(func.lower(Insurer.name) == data.name.lower())
    same_naic = select(Insurer.id).where(Insurer.naic_code == data.naic_code)
    if insurer_id is not None:
        same_name = same_name.where(Insurer.id != insurer_id)
        same_naic = same_naic.where(Insurer.id != insurer_id)
    if "name" not in errors and db.session.execute(same_name).first():
        errors["name"] = "An insurer with this name already exists."
    if "naic_code" not in errors and db.session.execute(same_naic).first():
        errors["naic_code"] = "An insurer with this NAIC code already exists."
    if data.policy_prefix and "policy_prefix" not in errors:
        same_prefix = select(Insurer.id).where(Insurer.policy_prefix == data.policy_prefix)
        if insurer_id is not None:
            same_prefix = same_prefix.where(Insurer.id != insurer_id)
        if db.session.execute(same_prefix).first():
            errors["policy_prefix"] = "Another insurer uses this prefix."
    return errors


def insurer_errors(data: InsurerData, insurer_id: int | None = None) -> dict[str, str]:
    """Everything wrong with `data` for a new insurer (or for `insurer_id`), field by field; changes nothing."""
    return _validate(replace(data), insurer_id)


def _check_contact(data: InsurerData) -> dict[str, str]:
    """Contact details, website and description: trimmed, within their sizes, well formed."""
    errors: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        value = (getattr(data, name) or "").strip()
        setattr(data, name, value)
        if len(value) > limit:
            errors[name] = f"Use at most {limit} characters."
        elif name != "description" and has_control_characters(value):
            errors[name] = "Remove the control characters."
        elif name == "description" and "\x00" in value:
            errors[name] = "Remove the control characters."
    if data.contact_email and "contact_email" not in errors:
        try:
            data.contact_email = validate_email(data.contact_email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["contact_email"] = "Enter a valid email address."
    if data.website and "website" not in errors:
        parts = urlsplit(data.website)
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in data.website:
            errors["website"] = "Enter a web address starting with https://."
    return errors


def _free_prefix(name: str) -> str:
    """A policy-number prefix from the name's initials, made unique with a digit-free suffix."""
    words = re.findall(r"[A-Za-z]+", name.upper())
    base = "".join(w[0] for w in words)[:4] or "INS"
    if len(base) < 2:
        base = (words[0][:3] if words else "INS")
    taken = set(db.session.execute(select(Insurer.policy_prefix)).scalars())
    candidate, letters = base, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    i = 0
    while candidate in taken:
        candidate = (base + letters[i % 26] + (letters[i // 26] if i >= 26 else ""))[:6]
        i += 1
    return candidate


def min_rating() -> str:
    """The marketplace's minimum AM Best rating (REQUIREMENT_MIN_RATING)."""
    return current_app.config["REQUIREMENT"].min_rating


def rated_below_minimum(rating: str | None) -> bool:
    """Whether an insurer so rated is below the marketplace's minimum: approving it takes a reason."""
    return not rating_at_least(rating, min_rating())


def _approval(rating: str | None, reason: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """(errors, audit details) of approving an insurer so rated, for this reason.

    An insurer rated below the minimum is approved only with a reason, which the audit entry keeps
    with the rating and the minimum it falls short of; a reason given for any other is kept too.
    """
    reason = (reason or "").strip()
    below = rated_below_minimum(rating)
    if len(reason) > MAX_APPROVAL_REASON:
        return {"approval_reason": f"Write at most {MAX_APPROVAL_REASON:,} characters."}, {}
    if below and not reason:
        return {"approval_reason": f"{rating} is below the marketplace's minimum AM Best rating of {min_rating()}: "
                                   "say why you approve it anyway."}, {}
    details: dict[str, str] = {}
    if below:
        details.update(am_best_rating=rating or "not rated", minimum_rating=min_rating())
    if reason:
        details["reason"] = reason
    return {}, details


def create_insurer(actor: audit.Actor, data: InsurerData, *, approve: bool = False,
                   approval_reason: str | None = None) -> Insurer:
    """Add an insurer, pending unless approved at once (below the minimum rating, with a reason)."""
    errors = _validate(data, None)
    approval: dict[str, str] = {}
    if approve and "am_best_rating" not in errors:
        approval_errors, approval = _approval(data.am_best_rating, approval_reason)
        errors.update(approval_errors)
    if errors:
        raise ValidationError("Check the insurer's details.", fields=errors)
    values = asdict(data)
    values["policy_prefix"] = data.policy_prefix or _free_prefix(data.name)
    insurer = Insurer(**values, status="approved" if approve else "pending")
    db.session.add(insurer)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("An insurer with this name, NAIC code or prefix already exists.") from exc
    audit.record(actor, "create", "insurer", insurer.id, name=insurer.name, status=insurer.status, **approval)
    db.session.commit()
    return insurer


def update_insurer(actor: audit.Actor, insurer_id: int, data: InsurerData) -> Insurer:
    """Edit an insurer's details; the audit entry lists what changed."""
    insurer = get_insurer(insurer_id)
    errors = _validate(data, insurer_id)
    if errors:
        raise ValidationError("Check the insurer's details.", fields=errors)
    changes = {}
    for key, value in asdict(data).items():
        if key == "policy_prefix" and not value:
            continue
        old = getattr(insurer, key)
        if isinstance(old, list):
            old, value = sorted(old), sorted(set(value))
        if old != value:
            changes[key] = {"from": old, "to": value}
            setattr(insurer, key, value)
    if changes:
        audit.record(actor, "update", "insurer", insurer.id, changes=changes)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("An insurer with this name, NAIC code or prefix already exists.") from exc
    return insurer


def set_status(actor: audit.Actor, insurer_id: int, status: str, *, reason: str | None = None) -> Insurer:
    """Approve or suspend an insurer (suspension stops its routing and its API keys at once).

    Approving an insurer rated below the marketplace's minimum takes a reason (else ValidationError on
    `approval_reason` and nothing changes); the audit entry keeps it.
    """
    if status not in ("approved", "suspended", "pending"):
        raise ValidationError("Unknown status.", fields={"status": "Choose approved or suspended."})
    insurer = get_insurer(insurer_id)
    if insurer.status != status:
        details: dict[str, str] = {}
        if status == "approved":
            errors, details = _approval(insurer.am_best_rating, reason)
            if errors:
                raise ValidationError(f"{insurer.name} was not approved.", fields=errors)
        audit.record(actor, {"approved": "approve", "suspended": "suspend"}.get(status, "set_status"),
                     "insurer", insurer.id, status={"from": insurer.status, "to": status}, **details)
        insurer.status = status
    db.session.commit()
    return insurer


def _load(insurer_id: int) -> Insurer | None:
    """The insurer with this id, or None (also for ids no row can have)."""
    if not isinstance(insurer_id, int) or not 0 < insurer_id <= MAX_ID:
        return None
    return db.session.get(Insurer, insurer_id)


def get_insurer(insurer_id: int) -> Insurer:
    """Any insurer by id (admin view), or NotFound."""
    insurer = _load(insurer_id)
    if insurer is None:
        raise NotFound("No such insurer.")
    return insurer


def list_insurers(status: str | None = None) -> list[Insurer]:
    """Every insurer for the admin, by name, optionally of one status."""
    query = select(Insurer).order_by(Insurer.name)
    if status:
        query = query.where(Insurer.status == status)
    return list(db.session.execute(query).scalars())


@dataclass(frozen=True)
class AdminOverview:
    """The admin's start page: how many insurers are in each status, and those awaiting approval."""

    counts: dict[str, int]
    pending: list[Insurer]


def admin_overview() -> AdminOverview:
    """Insurer counts by status (every status present, zero included) and the pending insurers."""
    rows = db.session.execute(select(Insurer.status, func.count(Insurer.id)).group_by(Insurer.status)).tuples()
    counts = dict.fromkeys(INSURER_STATUSES, 0)
    counts.update(dict(rows.all()))
    return AdminOverview(counts=counts, pending=list_insurers("pending"))


@dataclass(frozen=True)
class InsurerDetail:
    """One insurer as the admin sees it: its record, staff accounts and open invitations."""

    insurer: Insurer
    staff: list[User]
    open_invitations: list[Invitation]


def insurer_detail(insurer_id: int) -> InsurerDetail:
    """An insurer with its staff and open invitations (admin view), or NotFound."""
    insurer = get_insurer(insurer_id)
    people = insurer_staff(insurer.id)
    return InsurerDetail(insurer=insurer, staff=people.users, open_invitations=people.open_invitations)


def directory(category: str | None = None, state: str | None = None) -> list[Insurer]:
    """Approved insurers for the public directory, filtered by appetite for a category and a state."""
    insurers = db.session.execute(
        select(Insurer).where(Insurer.status == "approved").order_by(Insurer.name)
    ).scalars()
    return [
        i for i in insurers
        if (not category or category in i.categories) and (not state or state in i.licensed_states)
    ]


def public_insurer(insurer_id: int) -> Insurer:
    """An approved insurer for its public page; pending and suspended ones do not exist publicly."""
    insurer = _load(insurer_id)
    if insurer is None or insurer.status != "approved":
        raise NotFound("No such insurer.")
    return insurer


@dataclass(frozen=True)
class StaffHome:
    """An insurer's staff home page: their insurer and a page of the quote requests routed to it."""

    insurer: Insurer
    routings: object  # a flask_sqlalchemy Pagination of QuoteRouting, each with its quote_request


def staff_home(insurer_id: int, page: int = 1, per_page: int = 25) -> StaffHome:
    """The insurer and the quote requests routed to it, newest first."""
    insurer = get_insurer(insurer_id)
    query = (
        select(QuoteRouting)
        .join(QuoteRequest, QuoteRouting.quote_request_id == QuoteRequest.id)
        .options(joinedload(QuoteRouting.quote_request))
        .where(QuoteRouting.insurer_id == insurer.id)
        .order_by(QuoteRouting.routed_at.desc(), QuoteRouting.id.desc())
    )
    page = min(max(page, 1), 100_000)
    return StaffHome(insurer=insurer, routings=db.paginate(query, page=page, per_page=per_page, error_out=False))

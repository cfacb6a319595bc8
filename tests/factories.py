"""Plain builder functions for test data: make_x(**overrides) adds, commits and returns a row."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from werkzeug.security import generate_password_hash

from accelerator import clock
from accelerator.domain.terms import PolicyTerms
from accelerator.extensions import db
from accelerator.models import Insurer, Policy, Quote, QuoteRequest, QuoteRouting, Seller, User
from accelerator.services import api_keys
from accelerator.services.audit import Actor

TEST_PASSWORD = "correct horse battery"

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
"""The moment every test starts at (conftest pins the app's clock here), whatever the machine's date."""
TODAY = NOW.date()
POLICY_START = date(TODAY.year, 1, 1)
"""Factory policies are in force for the whole calendar year of the pinned day."""
POLICY_END = date(TODAY.year + 1, 1, 1)
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _n() -> int:
    return next(_counter)


def password_hash(password: str = TEST_PASSWORD) -> str:
    """A (cheap, cached) hash for test users."""
    if password not in _hash_cache:
        _hash_cache[password] = generate_password_hash(password, method="pbkdf2:sha256:1000")
    return _hash_cache[password]


def make_terms(**overrides) -> PolicyTerms:
    """Pure-domain terms of a verified insurer-reported policy in force all the pinned year (no database)."""
    fields = {
        "policy_number": "HX-1",
        "insurer_id": 1,
        "insurer_rating": "A",
        "source": "insurer",
        "verification": "verified",
        "effective_date": POLICY_START,
        "expiration_date": POLICY_END,
        "cancellation_date": None,
        "per_occurrence_limit": Decimal("1000000.00"),
        "aggregate_limit": Decimal("2000000.00"),
        "aggregate_remaining": Decimal("2000000.00"),
        "deductible": Decimal("2500.00"),
        "occurrence_based": True,
        "additional_insured": True,
        "excluded_categories": frozenset(),
    }
    fields.update(overrides)
    return PolicyTerms(**fields)


def make_insurer(**overrides) -> Insurer:
    """An approved insurer with a broad appetite."""
    n = _n()
    values = dict(
        name=f"Test Mutual {n}",
        naic_code=f"{10000 + n:05d}"[-5:],
        am_best_rating="A",
        status="approved",
        policy_prefix=f"T{chr(65 + n % 26)}{chr(65 + (n // 26) % 26)}{chr(65 + (n // 676) % 26)}",
        licensed_states=["CA", "NY", "TX", "WA"],
        categories=["toys", "electronics", "home", "baby"],
        min_revenue=None,
        max_revenue=None,
        contact_email=f"underwriting{n}@insurer.example",
        description="A test insurer.",
    )
    values.update(overrides)
    insurer = Insurer(**values)
    db.session.add(insurer)
    db.session.commit()
    return insurer


def make_seller(**overrides) -> Seller:
    """A seller record (no account)."""
    n = _n()
    values = dict(seller_id=f"SELLER{n:06d}", legal_name=f"Seller {n} LLC", state="CA",
                  categories=["toys"], contact_email=f"seller{n}@shop.example")
    values.update(overrides)
    seller = Seller(**values)
    db.session.add(seller)
    db.session.commit()
    return seller


def make_user(**overrides) -> User:
    """A user of any role (an admin unless told otherwise)."""
    n = _n()
    password = overrides.pop("password", TEST_PASSWORD)
    values = dict(email=f"user{n}@example.com", password_hash=password_hash(password), role="admin",
                  name=f"User {n}")
    values.update(overrides)
    user = User(**values)
    db.session.add(user)
    db.session.commit()
    return user


def make_seller_user(**overrides) -> User:
    """A seller account with its seller record."""
    seller = overrides.pop("seller", None) or make_seller()
    values = dict(role="seller", seller_id=seller.seller_id, email=f"owner.{seller.seller_id.lower()}@shop.example")
    values.update(overrides)
    return make_user(**values)


def make_insurer_user(**overrides) -> User:
    """Staff of an (approved) insurer."""
    insurer = overrides.pop("insurer", None) or make_insurer()
    values = dict(role="insurer", insurer_id=insurer.id, email=f"staff{_n()}@insurer.example")
    values.update(overrides)
    return make_user(**values)


def make_policy(**overrides) -> Policy:
    """A verified policy reported by an insurer, in force all the calendar year of the pinned day."""
    insurer = overrides.pop("insurer", None)
    if insurer is None and "insurer_id" not in overrides and overrides.get("source") != "seller_upload":
        insurer = make_insurer()
    seller_id = overrides.pop("seller_id", None)
    if seller_id is None:
        seller_id = make_seller().seller_id
    n = _n()
    values = dict(
        policy_number=f"POL-{n:06d}",
        seller_id=seller_id,
        insurer_id=insurer.id if insurer else overrides.get("insurer_id"),
        insurer_name=insurer.name if insurer else "Outside Insurance Co",
        insurer_naic_code=insurer.naic_code if insurer else "99999",
        insurer_rating=insurer.am_best_rating if insurer else "A",
        source="insurer",
        verification="verified",
        effective_date=POLICY_START,
        expiration_date=POLICY_END,
        per_occurrence_limit=Decimal("1000000.00"),
        aggregate_limit=Decimal("2000000.00"),
        deductible=Decimal("2500.00"),
        occurrence_based=True,
        additional_insured=True,
        excluded_categories=[],
    )
    values.update(overrides)
    policy = Policy(**values)
    db.session.add(policy)
    db.session.commit()
    return policy


def make_quote_request(**overrides) -> QuoteRequest:
    """An open quote request, routed to the insurers given as `routed_to`."""
    routed_to = overrides.pop("routed_to", [])
    seller_id = overrides.pop("seller_id", None) or make_seller().seller_id
    values = dict(
        seller_id=seller_id, legal_name="Seller LLC", state="CA", categories=["toys"],
        annual_revenue=Decimal("250000.00"), top_products="Wooden blocks", states_shipped=["CA", "NY"],
        claims_last_3_years=0, per_occurrence_limit=Decimal("1000000.00"),
        aggregate_limit=Decimal("2000000.00"), deductible=Decimal("1000.00"),
        desired_start_date=clock.today() + timedelta(days=14),
    )
    values.update(overrides)
    request = QuoteRequest(**values)
    db.session.add(request)
    db.session.flush()
    for insurer in routed_to:
        db.session.add(QuoteRouting(quote_request_id=request.id, insurer_id=insurer.id))
    db.session.commit()
    return request


def make_quote(quote_request: QuoteRequest, insurer: Insurer, **overrides) -> Quote:
    """An offered quote that meets the default requirement."""
    values = dict(
        quote_request_id=quote_request.id, insurer_id=insurer.id, annual_premium=Decimal("1850.00"),
        per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
        deductible=Decimal("1000.00"), valid_until=clock.today() + timedelta(days=30),
        occurrence_based=True, additional_insured=True, excluded_categories=[],
    )
    values.update(overrides)
    quote = Quote(**values)
    db.session.add(quote)
    db.session.commit()
    return quote


def make_api_key(role: str = "insurer", insurer: Insurer | None = None, name: str = "test key") -> str:
    """A real API key (through the service); returns the raw key."""
    if role == "insurer" and insurer is None:
        insurer = make_insurer()
    _key, raw = api_keys.create_key(Actor.cli(), role, name, insurer.id if insurer else None)
    return raw


# Dashboards and exports (appended after the first factories, hence the late imports).
import json  # noqa: E402

from accelerator.models import CoverageCheck, MonthlySales  # noqa: E402


def make_monthly_sales(seller_id: str, month: date, gross_proceeds: Decimal | str) -> MonthlySales:
    """A seller's gross proceeds for one month (`month` any day of it; stored as the first)."""
    row = MonthlySales(seller_id=seller_id, month=month.replace(day=1), gross_proceeds=Decimal(gross_proceeds))
    db.session.add(row)
    db.session.commit()
    return row


def make_routing(quote_request: QuoteRequest, insurer: Insurer, **overrides) -> QuoteRouting:
    """A quote request routed to one more insurer (`routed_at` and `status` overridable)."""
    values = dict(quote_request_id=quote_request.id, insurer_id=insurer.id, status="open")
    values.update(overrides)
    routing = QuoteRouting(**values)
    db.session.add(routing)
    db.session.commit()
    return routing


def make_coverage_check(**overrides) -> CoverageCheck:
    """A recorded coverage check (a covered one paid by the marketplace unless told otherwise)."""
    n = _n()
    values = dict(
        check_id=f"chk_test{n:012d}", checked_at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC), seller_id="SELLER000001",
        incident_date=date(2026, 3, 1), amount=Decimal("250.00"), category="toys", status="covered",
        route="marketplace", covered_amount=Decimal("250.00"), policy_id=None, api_key_id=None,
    )
    values.update(overrides)
    values.setdefault("response", json.dumps({"check_id": values["check_id"]}))
    check = CoverageCheck(**values)
    db.session.add(check)
    db.session.commit()
    return check


# The email outbox (reminders).
from accelerator.models import EmailMessage  # noqa: E402


def make_email_message(**overrides) -> EmailMessage:
    """A pending outbox message of a kind the reminders do not re-check (`notice`), due since 2026-01-01."""
    n = _n()
    values = dict(
        dedupe_key=f"notice:{n}", kind="notice", to_address=f"reader{n}@shop.example",
        subject=f"Notice {n}", text_body=f"Notice {n}: see https://accelerator.example/seller\n",
        html_body=f"<p>Notice {n}: see <a href=\"https://accelerator.example/seller\">your page</a></p>",
        related_type=None, related_id=None, status="pending", attempts=0,
        next_attempt_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    values.update(overrides)
    message = EmailMessage(**values)
    db.session.add(message)
    db.session.commit()
    return message


# The seller journey: a real PDF to upload (fpdf2, the library the certificates use).
def make_pdf_bytes(text: str = "Certificate of insurance", pad_to: int = 0) -> bytes:
    """A small, valid one-page PDF with `text` on it; `pad_to` grows it (a PDF comment) to about that size."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, text)
    content = bytes(pdf.output())
    if pad_to > len(content):
        # Padding goes after the header line as a comment, so the file stays a valid PDF.
        head, rest = content.split(b"\n", 1)
        filler = b"%" + b"x" * (pad_to - len(content) - 2) + b"\n"
        content = head + b"\n" + filler + rest
    return content


# Claim cases as the figures read them: a row and its history, written directly (the service's rules are
# tested on their own; the figures only read what is stored).
from accelerator.models import ClaimCase, ClaimCaseEvent  # noqa: E402


def make_claim_case(opened_at: datetime, route: str = "insurer", state: str = "awaiting_insurer",
                    events: list[tuple] = (), **overrides) -> ClaimCase:
    """A claim case opened at `opened_at` with its `opened` entry and then `events` ((at, event, by[, note]))."""
    n = _n()
    values = dict(
        case_id=f"CC-{n}", request_hash="0" * 64, seller_id="SELLER000001", kind="property_damage",
        incident_date=opened_at.date(), amount_claimed=Decimal("2500.00"), description="A scorched desk.",
        opened_at=opened_at, check_id=f"chk_case{n:012d}", route=route, state=state, stepped_in=False,
        updated_at=opened_at,
    )
    values.update(overrides)
    case = ClaimCase(**values)
    case.events = [ClaimCaseEvent(at=opened_at, event="opened", by="marketplace")]
    case.events += [ClaimCaseEvent(at=e[0], event=e[1], by=e[2], note=e[3] if len(e) > 3 else None) for e in events]
    db.session.add(case)
    db.session.commit()
    return case

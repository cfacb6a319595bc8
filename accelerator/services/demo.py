"""Demo data: fills an empty database with a realistic, current marketplace, once, in one transaction."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from fpdf import FPDF
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from accelerator.domain.errors import Conflict
from accelerator.domain.money import display_money
from accelerator.domain.routing import InsurerAppetite, RequestProfile, route_quote_request
from accelerator.extensions import db
from accelerator.models import Insurer, MonthlySales, Policy, Quote, QuoteRequest, QuoteRouting, Seller, User
from accelerator.services import accounts, api_keys, audit, claims, insurers, uploads
from accelerator.services.insurers import InsurerData

DEMO_PASSWORD = "accelerator-demo"  # noqa: S105 - published: printed by `flask demo`
ADMIN_EMAIL = "admin@demo.example"
D = Decimal

WEST = ["AZ", "CA", "CO", "ID", "NV", "OR", "UT", "WA"]
SOUTH = ["AL", "FL", "GA", "LA", "NC", "SC", "TN", "TX"]
NORTHEAST = ["CT", "MA", "MD", "NJ", "NY", "PA", "VA"]
MIDWEST = ["IL", "IN", "MI", "MN", "MO", "OH", "WI"]
NATIONWIDE = WEST + SOUTH + NORTHEAST + MIDWEST + ["DC", "DE", "KY", "NH", "RI", "VT"]


@dataclass
class DemoResult:
    """What `flask demo` prints: whether it wrote, the shared password, logins, the key, the URL."""

    created: bool
    password: str
    logins: list[tuple[str, str]]
    marketplace_key: str | None
    url: str


def _insurer_specs() -> list[tuple[str, tuple[str, str] | None, InsurerData]]:
    """(status, staff (email, name) or None, details) of the twelve fictional carriers."""
    def data(name, naic, rating, prefix, categories, states, low, high, contact, domain, phone, text):
        return InsurerData(
            name=name, naic_code=naic, am_best_rating=rating, policy_prefix=prefix, categories=categories,
            licensed_states=states, min_revenue=low, max_revenue=high, contact_name=contact,
            contact_email=f"underwriting@{domain}", contact_phone=phone, website=f"https://www.{domain}",
            description=text)

    return [
        ("approved", ("harbor@demo.example", "Dana Whitfield"), data(
            "Harbor Mutual Insurance Company", "21457", "A+", "HMI", ["apparel", "baby", "home", "toys"],
            NATIONWIDE, None, D("5000000.00"), "Dana Whitfield", "harbormutual.example", "+1 555 0142",
            "A policyholder-owned carrier writing product liability for small consumer-goods sellers since "
            "1921. Occurrence forms, marketplace named as additional insured at no extra charge.")),
        ("approved", ("keystone@demo.example", "Marcus Oyelaran"), data(
            "Keystone Product Liability Co.", "33820", "A", "KPL",
            ["automotive", "electronics", "industrial", "tools"], NATIONWIDE, D("250000.00"), D("20000000.00"),
            "Marcus Oyelaran", "keystonepl.example", "+1 555 0178",
            "Specialist in electronics, batteries and power tools, with in-house engineers who review "
            "product testing reports so quotes come back within two business days.")),
        ("approved", None, data(
            "Bluewater Specialty Insurance", "40931", "A-", "BWS", ["beauty", "grocery", "health", "pet"],
            SOUTH + NORTHEAST, None, D("3000000.00"), "Renee Castillo", "bluewaterspecialty.example",
            "+1 555 0116", "Ingestibles, cosmetics and pet food: the categories other carriers decline. "
            "Loss-control guides for labelling and recalls are included with every policy.")),
        ("approved", None, data(
            "Prairie Shield Casualty", "17266", "B++", "PSC", ["automotive", "home", "outdoors", "pet", "tools"],
            MIDWEST + SOUTH + ["CO"], None, D("2000000.00"), "Tom Halvorsen", "prairieshield.example",
            "+1 555 0133", "Regional casualty company serving Midwest and Southern merchants. Low minimum "
            "premiums; note its AM Best rating is below the marketplace's A- requirement.")),
        ("approved", None, data(
            "Summit Ridge Assurance", "28593", "A++", "SRA", ["apparel", "outdoors", "tools", "toys"],
            NATIONWIDE, D("250000.00"), D("25000000.00"), "Elena Marchetti", "summitridge.example",
            "+1 555 0190", "Sporting goods, camping and climbing equipment, apparel. High limits "
            "available up to $5,000,000 per occurrence for established brands.")),
        ("approved", ("lantern@demo.example", "Priya Natarajan"), data(
            "Lantern General Insurance", "36104", "A", "LGI",
            ["baby", "beauty", "health", "home", "pet", "toys"], WEST + SOUTH + NORTHEAST, D("100000.00"),
            D("10000000.00"), "Priya Natarajan", "lanterngeneral.example", "+1 555 0124",
            "Broad appetite for household consumer products, quoted online. Monthly premium "
            "instalments for sellers in their first two years.")),
        ("approved", None, data(
            "Cedar & Pine Mutual", "19872", "B+", "CPM", ["baby", "grocery", "home", "pet", "toys"],
            WEST + MIDWEST, None, D("2000000.00"), "Glen Abernathy", "cedarpinemutual.example", "+1 555 0157",
            "Farmers' mutual that grew into small-business lines. Friendly to start-ups with no loss "
            "history; rated below A- by AM Best.")),
        ("approved", None, data(
            "Northgate Indemnity", "42318", "A-", "NGI",
            ["automotive", "beauty", "health", "home", "pet", "tools"], NATIONWIDE, None, D("1000000.00"),
            "Aisha Kamara", "northgateindemnity.example", "+1 555 0163",
            "Quick-issue product liability for sellers under $1M revenue: bind online the same day, "
            "certificates in minutes.")),
        ("approved", None, data(
            "Meridian Commerce Insurance", "25047", "A", "MCI",
            ["apparel", "automotive", "electronics", "health", "home", "outdoors", "pet", "tools", "toys"],
            NATIONWIDE, D("500000.00"), None, "Jonah Feldstein", "meridiancommerce.example", "+1 555 0186",
            "E-commerce programme for growing brands: product liability, product recall and "
            "cyber on one account.")),
        ("pending", None, data(
            "Copperfield Casualty", "31569", "B", "CFC", ["automotive", "industrial", "tools"], MIDWEST,
            None, D("1500000.00"), "Ray Dunmore", "copperfieldcasualty.example", "+1 555 0109",
            "Applied to join the Accelerator; awaiting review of its licences.")),
        ("pending", None, data(
            "Silverline Underwriters", "44726", "A-", "SLU", ["baby", "toys"], WEST + NORTHEAST, None,
            D("4000000.00"), "Mei Lin Okafor", "silverlineuw.example", "+1 555 0171",
            "Managing general agent for juvenile products, backed by an A- rated carrier. Applied "
            "to join; documents under review.")),
        ("suspended", None, data(
            "Redwood Coast Insurance Exchange", "38450", "A", "RCX", ["electronics", "home", "outdoors", "toys"],
            WEST, None, None, "Sam Whitaker", "redwoodcoast.example", "+1 555 0198",
            "Suspended from the Accelerator while a regulatory inquiry is open; its quotes and API access "
            "are paused.")),
    ]


# seller_id, legal name, contact, state, categories, last six months' sales (oldest first), has account.
_SELLERS = [
    ("A1TOYOAK7Q", "Little Oak Toy Co. LLC", "Hannah Brooks", "CA", ["baby", "toys"],
     ["14820.55", "16204.10", "12950.00", "18775.35", "21430.80", "19615.25"], True),
    ("A2BRTWIRE9", "Brightwire Electronics Inc.", "Luis Ortega", "TX", ["electronics"],
     ["38400.00", "41250.40", "36980.15", "44120.00", "47305.60", "52890.75"], True),
    ("A3GRNLEAF4", "Greenleaf Home Goods LLC", "Sofia Romano", "NY", ["home"],
     ["8450.00", "9870.25", "11240.60", "12905.10", "10480.00", "13720.45"], True),
    ("A4TRLHEAD2", "Trailhead Outfitters LLC", "Ben Carver", "CO", ["apparel", "outdoors"],
     ["22310.00", "25875.40", "19940.85", "17620.30", "24105.55", "28760.10"], True),
    ("A5PAWSOME8", "Pawsome Pet Supply Co.", "Grace Nguyen", "FL", ["health", "pet"],
     ["6210.40", "7385.00", "8940.25", "9655.80", "9980.10", "11742.30"], True),
    ("A6LUMENBL3", "Lumen Beauty Labs LLC", "Nadia Petrova", "WA", ["beauty"],
     ["2140.75", "2980.00", "3415.60", "3102.25", "4260.90", "4875.15"], True),
    ("A7NORTHWK5", "Northwind Kitchenware LLC", "", "IL", ["home"],
     ["5320.00", "6140.35", "7085.90", "6720.40", "7915.00", "8340.65"], False),
    ("A8IRNCLAD6", "Ironclad Auto Parts Inc.", "", "OH", ["automotive", "tools"],
     ["10850.20", "13240.00", "12115.75", "14060.30", "11985.45", "15410.80"], False),
]


def _at(day: date, hour: int = 10) -> datetime:
    """A UTC timestamp on a given day."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _month(today: date, back: int) -> date:
    """The first day of the month `back` months before this one."""
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


@contextmanager
def _single_transaction() -> Iterator[None]:
    """Make everything below one database transaction, although the services commit as they go.

    For this app context, db.session becomes a session joined to an outer transaction on one
    connection ("create_savepoint"), so a service's commit only releases a savepoint: a failure, or a
    concurrent run that wins the demo admin's unique email, leaves the database as it was. On SQLite
    the app's BEGIN IMMEDIATE (SQLITE_BEGIN_IMMEDIATE, on wherever `flask` runs) also queues a second
    run behind the first.
    """
    registry = db.session.registry
    previous = registry() if registry.has() else None
    connection = db.engine.connect()
    outer = connection.begin()
    registry.set(Session(bind=connection, join_transaction_mode="create_savepoint"))
    try:
        yield
        outer.commit()
    finally:
        registry().close()
        if outer.is_active:
            outer.rollback()
        connection.close()
        if previous is None:
            registry.clear()
        else:
            registry.set(previous)


def _demo_present() -> bool:
    """Whether the demo admin exists, as the current session sees it."""
    return db.session.execute(select(User.id).where(User.email == ADMIN_EMAIL)).first() is not None


def _demo_committed() -> bool:
    """Whether the demo admin is in the database, asked on a connection of its own."""
    with db.engine.connect() as conn:
        return conn.execute(select(User.id).where(User.email == ADMIN_EMAIL)).first() is not None


def _refuse_unless_empty() -> None:
    """Conflict when people, insurers, sellers or policies exist: the demo must not mix with real data."""
    for model in (User, Insurer, Seller, Policy):
        if db.session.execute(select(func.count()).select_from(model)).scalar_one():
            raise Conflict("The database already holds data; demo data goes only into an empty database.")


def _logins() -> list[tuple[str, str]]:
    """(role, email) of every demo account."""
    staff = [("insurer", spec[1][0]) for spec in _insurer_specs() if spec[1]]
    sellers = [("seller", f"seller{i}@demo.example") for i, s in enumerate(_SELLERS, 1) if s[6]]
    return [("admin", ADMIN_EMAIL), *staff, *sellers]


def _login_url() -> str:
    """The site's login page, from SITE_URL."""
    site = current_app.config["SITE_URL"].rstrip("/")
    try:
        return site + current_app.url_map.bind("localhost").build("auth.login")
    except BuildError:  # the site has no login page registered: point at its home page
        return site + "/"


def load_demo() -> DemoResult:
    """Fill an empty database with demo data; when the demo is already there, change nothing.

    It writes on a connection of its own, so call it with no transaction open in this app context.
    """
    result = DemoResult(created=False, password=DEMO_PASSWORD, logins=_logins(), marketplace_key=None,
                        url=_login_url())
    if _demo_committed():
        return result
    # One published password for every demo user: hash it once, outside the transaction, since each
    # hash costs 600,000 PBKDF2 rounds by default.
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    try:
        with _single_transaction():
            if _demo_present():  # asked again under the transaction: another run may have just finished
                return result
            _refuse_unless_empty()
            result.marketplace_key = _load(password_hash, date.today())
    except IntegrityError:
        if not _demo_committed():  # not a lost race for the demo admin's email: a real failure
            raise
        result.marketplace_key = None
        return result
    result.created = True
    _load_check_history(date.today())
    return result


CHECK_HISTORY_DAYS = 56


def _load_check_history(today: date) -> None:
    """Eight weeks of coverage checks, as the claims service would have made them, for the dashboards.

    Each is decided and recorded by the real coverage service (after the demo's transaction, since the
    service writes on connections of its own), then dated back across the weeks: the record's
    checked_at and the same field in its stored answer alike, so a replay still matches the record.
    """
    from accelerator.models import ApiKey, CoverageCheck
    from accelerator.services import coverage

    rng = random.Random(20261123)  # the same history on every machine
    key_id = db.session.execute(select(ApiKey.id).where(ApiKey.role == "marketplace")).scalar_one()
    sellers = [*db.session.execute(select(Seller.seller_id).order_by(Seller.seller_id)).scalars(), "ZZ0UNKNOWN77"]
    db.session.commit()
    amounts = ["85.00", "240.00", "610.00", "975.00", "1000.00", "1850.00", "4200.00", "12500.00", "48000.00"]
    questions = [
        coverage.parse_check(rng.choice(sellers), (today - timedelta(days=rng.randint(1, 150))).isoformat(),
                             rng.choice(amounts), rng.choice([None, None, "toys", "electronics", "apparel", "pet"]))
        for _ in range(240)
    ]
    answers = json.loads(coverage.check_batch_text(key_id, questions))["results"]
    for number, answer in enumerate(answers):
        moment = datetime.combine(today - timedelta(days=number % CHECK_HISTORY_DAYS),
                                  time(8 + number % 10, (7 * number) % 60), UTC)
        check = db.session.execute(
            select(CoverageCheck).where(CoverageCheck.check_id == answer["check_id"])).scalar_one()
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        check.response = check.response.replace(f'"checked_at":"{answer["checked_at"]}"', f'"checked_at":"{stamp}"', 1)
        check.checked_at = moment
    db.session.commit()


def _load(password_hash: str, today: date) -> str:
    """Write the whole demo; returns the marketplace API key."""
    admin = User(email=ADMIN_EMAIL, password_hash=password_hash, role="admin", name="Avery Morgan",
                 last_login_at=_at(today - timedelta(days=1), 16))
    db.session.add(admin)
    db.session.flush()  # the unique email makes a concurrent second run fail here
    actor = audit.Actor.of_user(admin)
    audit.record(actor, "create_admin", "user", admin.id, email=admin.email)

    by_prefix = _load_insurers(actor, password_hash)
    sellers = _load_sellers(password_hash, today)
    policies = _load_quotes_and_policies(admin, by_prefix, sellers, today)
    key, raw = api_keys.create_key(actor, "marketplace", "Marketplace claims service (demo)")
    _load_claims(audit.Actor.api_key(key.prefix), policies["claims"], today)
    audit.record(actor, "load_demo", "database", "demo", insurers=len(by_prefix), sellers=len(sellers))
    db.session.commit()
    return raw


def _load_insurers(actor: audit.Actor, password_hash: str) -> dict[str, Insurer]:
    """The carriers through the insurer service (audited), approved or suspended as listed; staff."""
    by_prefix = {}
    for status, staff, data in _insurer_specs():
        insurer = insurers.create_insurer(actor, data)
        if status != "pending":
            insurers.set_status(actor, insurer.id, "approved")
        if status == "suspended":
            insurers.set_status(actor, insurer.id, "suspended")
        if staff:
            user = User(email=staff[0], password_hash=password_hash, role="insurer", insurer_id=insurer.id,
                        name=staff[1])
            db.session.add(user)
            db.session.flush()
            audit.record(actor, "create_staff", "user", user.id, insurer=insurer.id, email=user.email)
        by_prefix[insurer.policy_prefix] = insurer
    db.session.commit()
    return by_prefix


def _load_sellers(password_hash: str, today: date) -> dict[str, Seller]:
    """Sellers (six with accounts, two known only from sales) and their last six months' sales."""
    sellers = {}
    for number, (seller_id, legal, contact, state, categories, sales, account) in enumerate(_SELLERS, 1):
        email = f"seller{number}@demo.example" if account else ""
        seller = Seller(
            seller_id=seller_id, legal_name=legal, contact_name=contact, contact_email=email,
            contact_phone=f"+1 555 01{number + 40:02d}" if account else "", state=state,
            categories=categories, monthly_gross_sales=D(sales[-1]) if account else None,
            profile_completed_at=_at(today - timedelta(days=240 - 20 * number)) if account else None,
            created_at=_at(today - timedelta(days=250 - 20 * number)))
        db.session.add(seller)
        db.session.flush()
        for back, amount in zip(range(len(sales), 0, -1), sales, strict=True):
            db.session.add(MonthlySales(seller_id=seller_id, month=_month(today, back), gross_proceeds=D(amount)))
        if account:
            user = User(email=email, password_hash=password_hash, role="seller", seller_id=seller_id, name=legal,
                        created_at=seller.created_at)
            db.session.add(user)
            db.session.flush()
            audit.record(audit.Actor(email, user.id), "register", "seller", seller_id)
        sellers[seller_id[:2]] = seller
    db.session.commit()
    return sellers


def _request(seller: Seller, by_prefix: dict[str, Insurer], today: date, *, days_ago: int, revenue: str,
             products: str, shipped: list[str], status: str = "open", renewal_of: Policy | None = None,
             **terms) -> QuoteRequest:
    """A quote request, routed by the routing rule to every insurer whose appetite fits."""
    request = QuoteRequest(
        seller_id=seller.seller_id, status=status, legal_name=seller.legal_name, state=seller.state,
        categories=seller.categories, annual_revenue=D(revenue), claims_last_3_years=terms.get("claims", 0),
        top_products=products, states_shipped=shipped,
        per_occurrence_limit=D(terms.get("limit", "1000000.00")),
        aggregate_limit=D(terms.get("aggregate", "2000000.00")), deductible=D(terms.get("deductible", "1000.00")),
        desired_start_date=renewal_of.expiration_date if renewal_of else today - timedelta(days=days_ago - 14),
        renewal_of_policy_id=renewal_of.id if renewal_of else None, created_at=_at(today - timedelta(days=days_ago)),
        closed_at=_at(today - timedelta(days=days_ago - 12)) if status == "closed" else None)
    db.session.add(request)
    db.session.flush()
    appetites = [
        InsurerAppetite(i.id, i.status, frozenset(i.categories), frozenset(i.licensed_states), i.min_revenue,
                        i.max_revenue)
        for i in by_prefix.values()
    ]
    profile = RequestProfile(frozenset(request.categories), request.state, request.annual_revenue)
    for insurer_id in route_quote_request(appetites, profile):
        db.session.add(QuoteRouting(quote_request_id=request.id, insurer_id=insurer_id,
                                    routed_at=request.created_at))
    db.session.flush()
    return request


def _respond(request: QuoteRequest, insurer: Insurer, today: date, *, days_after: int, premium: str | None = None,
             valid_days: int = 30, status: str = "offered", decline: str | None = None, **terms) -> Quote | None:
    """An insurer's answer to a request routed to it: a quote (valid_until relative to today) or a decline."""
    routing = db.session.execute(select(QuoteRouting).where(
        QuoteRouting.quote_request_id == request.id, QuoteRouting.insurer_id == insurer.id)).scalar_one()
    answered = request.created_at + timedelta(days=days_after, hours=3)
    routing.responded_at = answered
    if decline:
        routing.status, routing.decline_reason = "declined", decline
        return None
    routing.status = "quoted" if status != "closed" else "closed"
    quote = Quote(
        quote_request_id=request.id, insurer_id=insurer.id, status=status, annual_premium=D(premium),
        per_occurrence_limit=request.per_occurrence_limit, aggregate_limit=request.aggregate_limit,
        deductible=request.deductible, valid_until=answered.date() + timedelta(days=valid_days),
        occurrence_based=True, additional_insured=True, excluded_categories=terms.get("excluded", []),
        notes=terms.get("notes", ""), created_at=answered)
    db.session.add(quote)
    db.session.flush()
    return quote


def _uploaded_certificate(seller: Seller, fields: dict) -> bytes:
    """The certificate a seller would have uploaded with a policy bought elsewhere: a one-page PDF."""
    pdf = FPDF(format="letter")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(0, 10, "CERTIFICATE OF LIABILITY INSURANCE", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    lines = [
        f"Insurer: {fields['insurer_name']} (NAIC {fields['insurer_naic_code']}, AM Best {fields['insurer_rating']})",
        f"Insured: {seller.legal_name}",
        f"Policy number: {fields['policy_number']}",
        f"Policy period: {fields['effective_date'].isoformat()} to {fields['expiration_date'].isoformat()}",
        f"Each occurrence: {display_money(fields['per_occurrence_limit'])}",
        f"Products-completed operations aggregate: {display_money(fields['aggregate_limit'])}",
        f"Deductible: {display_money(fields['deductible'])}",
        "Occurrence basis" if fields["occurrence_based"] else "Claims-made basis",
        "Additional insured: " + ("the marketplace and its affiliates and assignees"
                                  if fields["additional_insured"] else "none"),
    ]
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _policy(seller: Seller, insurer: Insurer | None, number: str, effective: date, **values) -> Policy:
    """A policy; terms default to ones that meet the marketplace requirement."""
    fields = dict(
        policy_number=number, seller_id=seller.seller_id, insurer_id=insurer.id if insurer else None,
        insurer_name=insurer.name if insurer else values.pop("outside_name"),
        insurer_naic_code=insurer.naic_code if insurer else values.pop("outside_naic"),
        insurer_rating=insurer.am_best_rating if insurer else values.pop("outside_rating"),
        source="insurer", verification="verified", effective_date=effective,
        expiration_date=effective + timedelta(days=365), per_occurrence_limit=D("1000000.00"),
        aggregate_limit=D("2000000.00"), deductible=D("1000.00"), occurrence_based=True, additional_insured=True,
        excluded_categories=[], created_at=_at(effective - timedelta(days=3)))
    fields.update(values)
    if fields["source"] == "seller_upload":
        fields["certificate_path"] = uploads.store_pdf(_uploaded_certificate(seller, fields))
    policy = Policy(**fields)
    db.session.add(policy)
    db.session.flush()
    return policy


def _load_quotes_and_policies(admin: User, ins: dict[str, Insurer], sellers: dict[str, Seller],
                              today: date) -> dict[str, Policy]:
    """Quote requests with quotes (some expired) and the policies of every kind the site shows."""
    policies = {}
    # Little Oak asked once seven months ago, bought Harbor's quote, and has had claims paid since.
    oak = _request(sellers["A1"], ins, today, days_ago=215, revenue="380000.00", status="closed",
                   products="Wooden stacking blocks, plush animals, teething rings", shipped=["CA", "NV", "OR", "WA"])
    bought = _respond(oak, ins["HMI"], today, days_after=2, premium="2340.00", status="accepted")
    _respond(oak, ins["LGI"], today, days_after=3, premium="2610.00", status="closed")
    _respond(oak, ins["CPM"], today, days_after=1, decline="Teething products are outside our appetite this year.")
    start = oak.desired_start_date
    policies["claims"] = _policy(sellers["A1"], ins["HMI"], f"HMI-{start.year}-004817", start,
                                 source="marketplace", quote_id=bought.id, premium=bought.annual_premium)
    # Brightwire: last year's policy expired, this year's expires in 25 days (its 30-day reminder is due), the
    # renewal request is out with two quotes.
    start = today - timedelta(days=340)
    _policy(sellers["A2"], ins["KPL"], f"KPL-{(start - timedelta(days=365)).year}-118204", start - timedelta(days=365),
            expiration_date=start, per_occurrence_limit=D("2000000.00"), aggregate_limit=D("4000000.00"),
            deductible=D("5000.00"), premium=D("4180.00"))
    expiring = _policy(sellers["A2"], ins["KPL"], f"KPL-{start.year}-131577", start,
                       per_occurrence_limit=D("2000000.00"), aggregate_limit=D("4000000.00"),
                       deductible=D("5000.00"), premium=D("4420.00"))
    renewal = _request(sellers["A2"], ins, today, days_ago=5, revenue="1240000.00", renewal_of=expiring,
                       products="USB-C chargers, power banks, smart plugs", shipped=["CA", "FL", "NY", "TX"],
                       limit="2000000.00", aggregate="4000000.00", deductible="5000.00", claims=1)
    _respond(renewal, ins["KPL"], today, days_after=1, premium="4650.00", notes="Renewal at +5%: one claim in 3 years.")
    _respond(renewal, ins["MCI"], today, days_after=1, premium="5100.00", valid_days=3,
             notes="Includes product recall sublimit of $250,000.")
    # Greenleaf uploaded a policy from an insurer outside the Accelerator: waiting for verification.
    _policy(sellers["A3"], None, "ASC-PL-4471829", today - timedelta(days=20), source="seller_upload",
            verification="pending", outside_name="Atlantic Shoreline Casualty Company", outside_naic="31742",
            outside_rating="A", deductible=D("2500.00"), created_at=_at(today - timedelta(days=2)))
    # Trailhead switched carriers: Prairie Shield's policy was cancelled, Summit Ridge's excludes apparel.
    _policy(sellers["A4"], ins["PSC"], f"PSC-{(today - timedelta(days=150)).year}-020611",
            today - timedelta(days=150), cancellation_date=today - timedelta(days=96), premium=D("1720.00"))
    _policy(sellers["A4"], ins["SRA"], f"SRA-{(today - timedelta(days=96)).year}-077341", today - timedelta(days=96),
            excluded_categories=["apparel"], deductible=D("2500.00"), premium=D("2980.00"))
    # Pawsome's upload was rejected; its quote request is out, one quote already lapsed.
    _policy(sellers["A5"], None, "CKI-00938412", today - timedelta(days=40), source="seller_upload",
            verification="rejected", outside_name="Coastal Keys Insurance Company", outside_naic="12893",
            outside_rating="B", additional_insured=False, verified_by_id=admin.id,
            verified_at=_at(today - timedelta(days=12), 15), created_at=_at(today - timedelta(days=16)),
            rejection_reason="The certificate does not name the marketplace as additional insured, and the "
                             "insurer is rated B by AM Best (A- or better is required).")
    paws = _request(sellers["A5"], ins, today, days_ago=10, revenue="640000.00",
                    products="Grain-free dog treats, joint supplements, cat toys", shipped=["FL", "GA", "TX"])
    _respond(paws, ins["BWS"], today, days_after=2, premium="3120.00")
    _respond(paws, ins["LGI"], today, days_after=1, premium="2890.00", valid_days=7,
             notes="Supplements covered only with third-party lab certificates.")
    _respond(paws, ins["MCI"], today, days_after=3, premium="3450.00", excluded=["health"])
    _respond(paws, ins["NGI"], today, days_after=2, decline="Ingestible supplements need a specialist carrier.")
    # Lumen is under the threshold but shopping early; one answer so far.
    lumen = _request(sellers["A6"], ins, today, days_ago=2, revenue="180000.00",
                     products="Vitamin C serum, mineral sunscreen", shipped=["CA", "OR", "WA"])
    _respond(lumen, ins["LGI"], today, days_after=1, premium="1480.00")
    db.session.commit()
    return policies


def _load_claims(actor: audit.Actor, policy: Policy, today: date) -> None:
    """Claims the marketplace's claims service paid on a policy, through the claims service."""
    for number, (days_ago, amount) in enumerate([(150, "4250.00"), (90, "12800.00"), (30, "25700.00")], 1):
        incident = today - timedelta(days=days_ago)
        claims.record_claim(actor, claims.ClaimInput(
            claim_id=f"CLM-{incident.year}-{70310 + 17 * number}", seller_id=policy.seller_id,
            policy_number=policy.policy_number, insurer_id=None, incident_date=incident, amount_paid=D(amount)))

"""The twelve fictional carriers of the demo (regions, specs) and loading them with their staff."""

from __future__ import annotations

from accelerator.extensions import db
from accelerator.models import Insurer, User
from accelerator.services import audit, insurers
from accelerator.services.demo.helpers import D
from accelerator.services.insurers import InsurerData

WEST = ["AZ", "CA", "CO", "ID", "NV", "OR", "UT", "WA"]
SOUTH = ["AL", "FL", "GA", "LA", "NC", "SC", "TN", "TX"]
NORTHEAST = ["CT", "MA", "MD", "NJ", "NY", "PA", "VA"]
MIDWEST = ["IL", "IN", "MI", "MN", "MO", "OH", "WI"]
NATIONWIDE = WEST + SOUTH + NORTHEAST + MIDWEST + ["DC", "DE", "KY", "NH", "RI", "VT"]


def insurer_specs() -> list[tuple[str, tuple[str, str] | None, InsurerData]]:
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


def load_insurers(actor: audit.Actor, password_hash: str) -> dict[str, Insurer]:
    """The carriers through the insurer service (audited), approved or suspended as listed; staff."""
    by_prefix = {}
    for status, staff, data in insurer_specs():
        insurer = insurers.create_insurer(actor, data)
        if status != "pending":
            below = insurers.rated_below_minimum(data.am_best_rating)
            insurers.set_status(actor, insurer.id, "approved", reason="Demo data: a regional carrier accepted while "
                                "below the minimum rating, to show how sellers see one." if below else None)
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

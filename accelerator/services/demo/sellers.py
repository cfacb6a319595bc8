"""The demo sellers (with and without accounts), their monthly sales, and loading them."""

from __future__ import annotations

from datetime import date, timedelta

from accelerator.extensions import db
from accelerator.models import MonthlySales, Seller, User
from accelerator.services import audit
from accelerator.services.demo.helpers import D, at_hour, month_back

# seller_id, legal name, contact, state, categories, last six months' sales (oldest first), has account.
SELLERS = [
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
    # The sellers whose uploads were put to their insurers (services/demo/certificates.py).
    ("A9PINEMPL1", "Pine & Maple Toys LLC", "Owen Fairbanks", "CA", ["toys"],
     ["9120.00", "10485.30", "11760.95", "12030.40", "13655.10", "14210.75"], True),
    ("B1COPKETL5", "Copper Kettle Candles LLC", "Marta Lindqvist", "NY", ["home"],
     ["7605.25", "8830.00", "9415.60", "10950.85", "12470.30", "15990.40"], True),
    ("B2BLUHERN6", "Blue Heron Baby Co.", "Isaac Mendel", "WA", ["baby"],
     ["11240.00", "12875.45", "12390.10", "13985.70", "14620.25", "16105.90"], True),
]


def load_sellers(password_hash: str, today: date) -> dict[str, Seller]:
    """Sellers (nine with accounts, two known only from sales) and their last six months' sales."""
    sellers = {}
    for number, (seller_id, legal, contact, state, categories, sales, account) in enumerate(SELLERS, 1):
        email = f"seller{number}@demo.example" if account else ""
        seller = Seller(
            seller_id=seller_id, legal_name=legal, contact_name=contact, contact_email=email,
            contact_phone=f"+1 555 01{number + 40:02d}" if account else "", state=state,
            categories=categories, monthly_gross_sales=D(sales[-1]) if account else None,
            profile_completed_at=at_hour(today - timedelta(days=240 - 20 * number)) if account else None,
            created_at=at_hour(today - timedelta(days=250 - 20 * number)))
        db.session.add(seller)
        db.session.flush()
        for back, amount in zip(range(len(sales), 0, -1), sales, strict=True):
            db.session.add(MonthlySales(seller_id=seller_id, month=month_back(today, back), gross_proceeds=D(amount)))
        if account:
            user = User(email=email, password_hash=password_hash, role="seller", seller_id=seller_id, name=legal,
                        created_at=seller.created_at)
            db.session.add(user)
            db.session.flush()
            audit.record(audit.Actor(email, user.id), "register", "seller", seller_id)
        sellers[seller_id[:2]] = seller
    db.session.commit()
    return sellers

"""The demo quote requests (routed), insurers' quotes and declines, and policies of every kind."""

from __future__ import annotations

from datetime import date, timedelta

from fpdf import FPDF
from sqlalchemy import select

from accelerator.domain.money import display_money
from accelerator.domain.routing import InsurerAppetite, route_quote_request
from accelerator.extensions import db
from accelerator.models import Insurer, Policy, Quote, QuoteRequest, QuoteRouting, Seller, User
from accelerator.services import uploads
from accelerator.services.demo.helpers import D, at_hour
from accelerator.services.quotes import request_profile


def _request(seller: Seller, by_prefix: dict[str, Insurer], today: date, *, days_ago: int, revenue: str,
             products: str, shipped: list[str], status: str = "open", renewal_of: Policy | None = None,
             accepts_below_minimum_rating: bool = False, **terms) -> QuoteRequest:
    """A quote request, routed by the routing rule to every insurer whose appetite fits."""
    request = QuoteRequest(
        seller_id=seller.seller_id, status=status, legal_name=seller.legal_name, state=seller.state,
        categories=seller.categories, annual_revenue=D(revenue), claims_last_3_years=terms.get("claims", 0),
        top_products=products, states_shipped=shipped,
        per_occurrence_limit=D(terms.get("limit", "1000000.00")),
        aggregate_limit=D(terms.get("aggregate", "2000000.00")), deductible=D(terms.get("deductible", "1000.00")),
        desired_start_date=renewal_of.expiration_date if renewal_of else today - timedelta(days=days_ago - 14),
        renewal_of_policy_id=renewal_of.id if renewal_of else None,
        created_at=at_hour(today - timedelta(days=days_ago)),
        accepts_below_minimum_rating=accepts_below_minimum_rating,
        closed_at=at_hour(today - timedelta(days=days_ago - 12)) if status == "closed" else None)
    db.session.add(request)
    db.session.flush()
    appetites = [
        InsurerAppetite(i.id, i.status, frozenset(i.categories), frozenset(i.licensed_states), i.min_revenue,
                        i.max_revenue, i.am_best_rating)
        for i in by_prefix.values()
    ]
    profile = request_profile(request.categories, request.state, request.annual_revenue,
                              accepts_below_minimum_rating)
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
        excluded_categories=[], created_at=at_hour(effective - timedelta(days=3)))
    fields.update(values)
    if fields["source"] == "seller_upload":
        fields["certificate_path"] = uploads.store_pdf(_uploaded_certificate(seller, fields))
    policy = Policy(**fields)
    db.session.add(policy)
    db.session.flush()
    return policy


def load_quotes_and_policies(admin: User, ins: dict[str, Insurer], sellers: dict[str, Seller],
                              today: date) -> dict[str, Policy]:
    """Quote requests with quotes (some expired) and the policies of every kind the site shows."""
    policies = {}
    # Little Oak asked once seven months ago (insurers rated below the minimum too), bought Harbor's quote, and
    # has had claims paid since.
    oak = _request(sellers["A1"], ins, today, days_ago=215, revenue="380000.00", status="closed",
                   accepts_below_minimum_rating=True,
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
            outside_rating="A", deductible=D("2500.00"), created_at=at_hour(today - timedelta(days=2)))
    # Trailhead switched carriers: Prairie Shield's policy was cancelled, Summit Ridge's excludes apparel.
    _policy(sellers["A4"], ins["PSC"], f"PSC-{(today - timedelta(days=150)).year}-020611",
            today - timedelta(days=150), cancellation_date=today - timedelta(days=96), premium=D("1720.00"))
    _policy(sellers["A4"], ins["SRA"], f"SRA-{(today - timedelta(days=96)).year}-077341", today - timedelta(days=96),
            excluded_categories=["apparel"], deductible=D("2500.00"), premium=D("2980.00"))
    # Pawsome's upload was rejected; its quote request is out, one quote already lapsed.
    _policy(sellers["A5"], None, "CKI-00938412", today - timedelta(days=40), source="seller_upload",
            verification="rejected", outside_name="Coastal Keys Insurance Company", outside_naic="12893",
            outside_rating="B", additional_insured=False, verified_by_id=admin.id,
            verified_at=at_hour(today - timedelta(days=12), 15), created_at=at_hour(today - timedelta(days=16)),
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

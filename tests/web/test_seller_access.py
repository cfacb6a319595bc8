"""Who may enter the seller's pages: every route of the sellers blueprint (read from its url map, so a new
route is covered without touching this file) with each role, and with another seller's ids."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask import Flask, url_for
from sqlalchemy import func, select

from accelerator.models import AuditEntry, Certificate, ClaimCase, Policy, Quote, QuoteRequest, Seller
from accelerator.services import certificates, claim_cases
from accelerator.services.audit import Actor
from accelerator.web import sellers
from tests import factories
from tests.conftest import csrf_token, login_as


def _seller_routes() -> list[tuple[str, str]]:
    """(endpoint, method) for every rule of the sellers blueprint."""
    probe = Flask("probe")
    probe.register_blueprint(sellers.bp)
    return sorted((rule.endpoint, method) for rule in probe.url_map.iter_rules()
                  if rule.endpoint.startswith("sellers.")
                  for method in (rule.methods or set()) - {"HEAD", "OPTIONS"})


SELLER_ROUTES = _seller_routes()


def test_the_sellers_blueprint_has_the_journey_routes():
    endpoints = {e for e, _ in SELLER_ROUTES}
    assert {"sellers.home", "sellers.profile", "sellers.new_request", "sellers.show_request",
            "sellers.confirm_purchase", "sellers.buy_quote", "sellers.show_policy", "sellers.certificate_pdf",
            "sellers.issued_certificate_pdf", "sellers.issue_certificate", "sellers.upload_policy"} <= endpoints


@pytest.fixture()
def owned(db):
    """A seller with a request, a quote on it and a policy with its first certificate: the ids every route is
    called with."""
    insurer = factories.make_insurer()
    user = factories.make_seller_user()
    request = factories.make_quote_request(seller_id=user.seller_id, routed_to=[insurer])
    quote = factories.make_quote(request, insurer)
    policy = factories.make_policy(seller_id=user.seller_id, insurer=insurer)
    number = certificates.certificate(user.seller_id, policy.id).number
    case = claim_cases.open_case(Actor("claims service"), None, claim_cases.CaseInput(
        case_id="ACCESS-1", seller_id=user.seller_id, kind="bodily_injury", incident_date=date(2026, 6, 1),
        amount_claimed=Decimal("500.00"), category=None, order_id=None, description="A burn.", respond_by=None))[0]
    return {"user": user, "request_id": request.id, "quote_id": quote.id, "policy_id": policy.id, "number": number,
            "case_id": case.case.case_id, "evidence_id": 1}  # no file of evidence: the role guard refuses first


def _url(app, endpoint: str, ids: dict) -> str:
    """The endpoint's URL with its path arguments taken from `ids`."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{arg: ids[arg] for arg in rule.arguments})


def _state(db) -> tuple:
    """Everything a seller's action could change."""
    db.session.expire_all()
    counts = tuple(db.session.execute(select(func.count()).select_from(m)).scalar_one()
                   for m in (AuditEntry, Certificate, Policy, QuoteRequest))
    statuses = tuple(db.session.execute(select(Quote.status).order_by(Quote.id)).scalars())
    profiles = tuple(db.session.execute(select(Seller.profile_completed_at).order_by(Seller.id)).scalars())
    cases = tuple(db.session.execute(select(ClaimCase.state).order_by(ClaimCase.id)).scalars())
    return counts, statuses, profiles, cases


VALID = {"legal_name": "Intruder LLC", "state": "CA", "categories": ["toys"], "monthly_gross_sales": "100",
         "annual_revenue": "1000", "per_occurrence_limit": "1000000", "aggregate_limit": "1000000",
         "deductible": "0", "claims_last_3_years": "0", "desired_start_date": "2099-01-01"}


@pytest.mark.parametrize("who", ["anonymous", "insurer", "admin"])
@pytest.mark.parametrize("endpoint, method", SELLER_ROUTES)
def test_seller_routes_refuse_everybody_but_sellers(app, db, owned, who, endpoint, method):
    client = app.test_client()
    if who == "insurer":
        login_as(client, factories.make_insurer_user())
    elif who == "admin":
        login_as(client, factories.make_user(role="admin"))
    url = _url(app, endpoint, owned)
    # A real CSRF token of this client's own session, so the role guard itself is what refuses a POST.
    token = csrf_token(client, "/login" if who == "anonymous" else "/") if method == "POST" else None
    before = _state(db)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={**VALID, "csrf_token": token})
    if who == "anonymous" and method == "GET":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403, (endpoint, method, response.status_code)
    assert _state(db) == before


ID_ROUTES = [(e, m) for e, m in SELLER_ROUTES
             if e in ("sellers.show_request", "sellers.confirm_purchase", "sellers.buy_quote",
                      "sellers.show_policy", "sellers.certificate_pdf", "sellers.issued_certificate_pdf",
                      "sellers.issue_certificate", "sellers.show_claim")]


@pytest.mark.parametrize("endpoint, method", ID_ROUTES)
def test_another_sellers_ids_are_not_found(app, db, owned, endpoint, method):
    client = app.test_client()
    login_as(client, factories.make_seller_user())
    url = _url(app, endpoint, owned)
    before = _state(db)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client, "/seller/profile")})
    assert response.status_code == 404
    assert _state(db) == before


@pytest.mark.parametrize("endpoint, method", ID_ROUTES)
def test_the_owner_gets_through(app, db, owned, endpoint, method):
    client = app.test_client()
    login_as(client, owned["user"])
    url = _url(app, endpoint, owned)
    if method == "GET":
        assert client.get(url).status_code == 200
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client, "/seller/profile")})
        assert response.status_code == 302 and "/seller/policies/" in response.headers["Location"]


def test_documents_refuse_insurers_and_send_anonymous_to_log_in(client, insurer_client, db):
    policy = factories.make_policy()
    response = client.get(f"/documents/policies/{policy.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert insurer_client.get(f"/documents/policies/{policy.id}").status_code == 403

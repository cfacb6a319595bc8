"""The converted endpoints (coverage, sellers) read and answer through their declarations (accelerator/shapes)."""

from __future__ import annotations

import requests

from accelerator.models import CoverageCheck as CheckRow
from accelerator.shapes.coverage import CoverageCheck
from accelerator.shapes.sellers import Compliance, MonthlySales, SellerCategories
from tests import factories
from tests.api.conftest import count

URL = "/api/v1/coverage"


def test_every_answer_of_a_check_and_of_a_batch_reads_back_through_the_answer_declaration(
        live_server, marketplace_key, db):
    seller = factories.make_seller(seller_id="DECL000001").seller_id
    factories.make_policy(seller_id=seller, policy_number="DECL-1", excluded_categories=["toys"])
    headers = {"Authorization": f"Bearer {marketplace_key}"}
    single = requests.get(f"{live_server.url}{URL}", headers=headers, timeout=30, params={
        "seller_id": seller, "incident_date": "2026-06-01", "amount": "2500.00", "category": "toys"})
    batch = requests.post(f"{live_server.url}{URL}/batch", headers=headers, timeout=30, json={"checks": [
        {"seller_id": seller, "incident_date": "2026-06-01", "amount": 10},
        {"seller_id": "NEVERSEEN1", "incident_date": "2026-06-01", "amount": "10.5"},
        {"seller_id": "x", "incident_date": "2026-13-01", "amount": 0, "colour": "red"},
    ]})
    assert single.status_code == 200 and batch.status_code == 200
    assert CoverageCheck.model_validate_json(single.content).reasons[0].code == "category_excluded"
    results = batch.json()["results"]
    assert [CoverageCheck.model_validate(r).status for r in results[:2]] == ["covered", "not_covered"]
    assert results[2] == {"error": {"code": "invalid_request", "message": "Check this check's fields.", "fields": {
        "seller_id": "Must be 6 to 20 letters A-Z and digits 0-9.", "incident_date": "Is not a real calendar date.",
        "amount": "Must be greater than 0.", "colour": "Unknown field."}}}
    assert count(CheckRow) == 3


def test_a_wrong_single_check_names_every_wrong_parameter_at_once(live_server, marketplace_key, db):
    headers = {"Authorization": f"Bearer {marketplace_key}"}
    response = requests.get(f"{live_server.url}{URL}?seller_id=A1&seller_id=B2&amount=0&incident_date=0000-00-00"
                            "&category=socks&colour=red", headers=headers, timeout=30)
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid_request", "message": "Check the coverage question.",
                                         "fields": {"seller_id": "Give this parameter once.",
                                                    "incident_date": "Is not a real calendar date.",
                                                    "amount": "Must be greater than 0.",
                                                    "category": "Must be a category code from GET /api/v1/categories.",
                                                    "colour": "Unknown field."}}}
    assert count(CheckRow) == 0


def test_a_sales_report_names_the_wrong_path_parameters_and_body_fields_at_once(live_server, marketplace_key, db):
    headers = {"Authorization": f"Bearer {marketplace_key}"}
    response = requests.put(f"{live_server.url}/api/v1/sellers/x/sales/0000-00", headers=headers, timeout=30,
                            json={"gross_proceeds": "-1", "colour": "red"})
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid_request", "message": "Check the sales report.", "fields": {
        "gross_proceeds": "Must not be negative.", "colour": "Unknown field.",
        "seller_id": "Must be 6 to 20 letters A-Z and digits 0-9.", "month": "Is not a real month."}}


def test_the_sellers_answers_read_back_through_their_declarations(live_server, marketplace_key, db):
    headers = {"Authorization": f"Bearer {marketplace_key}"}
    base = f"{live_server.url}/api/v1/sellers/decl000002"
    sales = requests.put(f"{base}/sales/2026-05", headers=headers, timeout=30, json={"gross_proceeds": 0})
    categories = requests.put(f"{base}/categories", headers=headers, timeout=30,
                              json={"categories": ["toys", "baby", "toys"]})
    compliance = requests.get(f"{base}/compliance?on=2026-06-01", headers=headers, timeout=30)
    assert (sales.status_code, categories.status_code, compliance.status_code) == (200, 200, 200)
    assert MonthlySales.model_validate_json(sales.content).gross_proceeds == "0.00"
    assert SellerCategories.model_validate_json(categories.content).categories == ["baby", "toys"]
    assert Compliance.model_validate_json(compliance.content).status == "not_required"
    wrong = requests.get(f"{base}/compliance?on=2026-02-30&on=2026-01-01", headers=headers, timeout=30)
    assert wrong.status_code == 400 and wrong.json()["error"]["fields"] == {"on": "Give this parameter once."}

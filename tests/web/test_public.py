"""The public pages: the programme explained with the configured figures, and the insurer directory."""

from __future__ import annotations

from decimal import Decimal

from accelerator.domain.money import display_money
from tests import factories


def _whole(amount: Decimal) -> str:
    """A whole-dollar amount the way the site writes it: $1,000,000."""
    return f"${int(amount):,}"


def test_home_shows_the_requirement_figures_and_the_guarantee(client, app):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    req = app.config["REQUIREMENT"]
    for amount in (req.sales_threshold, req.min_per_occurrence, req.min_aggregate, req.max_deductible):
        assert _whole(amount) in html
    assert f"{req.grace_days} days" in html
    assert req.min_rating in html
    assert "occurrence-based" in html
    legal = app.config["MARKETPLACE_LEGAL_NAME"]
    assert f"{legal} and its affiliates and assignees" in html
    guarantee = app.config["MARKETPLACE_GUARANTEE_LIMIT"]
    assert f"The {_whole(guarantee)} guarantee" in html
    assert "at no cost to you" in html
    assert app.config["MARKETPLACE_NAME"] in html
    assert 'href="/register"' in html and 'href="/insurers"' in html


def test_home_follows_the_configured_figures(app, db):
    """Other figures in the config appear on the page (nothing is written into the template)."""
    from dataclasses import replace

    old_req, old_limit = app.config["REQUIREMENT"], app.config["MARKETPLACE_GUARANTEE_LIMIT"]
    app.config["REQUIREMENT"] = replace(old_req, sales_threshold=Decimal("25000.00"), grace_days=45,
                                        min_rating="A", max_deductible=Decimal("2500.50"))
    app.config["MARKETPLACE_GUARANTEE_LIMIT"] = Decimal("1500.00")
    try:
        html = app.test_client().get("/").get_data(as_text=True)
    finally:
        app.config["REQUIREMENT"], app.config["MARKETPLACE_GUARANTEE_LIMIT"] = old_req, old_limit
    assert "$25,000" in html and "45 days" in html and "$1,500" in html
    assert display_money(Decimal("2500.50")) in html
    assert "A</span> or better" in html


def test_directory_lists_approved_insurers_with_links(client):
    insurer = factories.make_insurer(name="Harbor Mutual")
    html = client.get("/insurers").get_data(as_text=True)
    assert "Harbor Mutual" in html
    assert f'href="/insurers/{insurer.id}"' in html


def test_directory_filters_by_category(client):
    factories.make_insurer(name="Toy Specialist", categories=["toys"])
    factories.make_insurer(name="Pet Specialist", categories=["pet"])
    html = client.get("/insurers?category=toys").get_data(as_text=True)
    assert "Toy Specialist" in html
    assert "Pet Specialist" not in html


def test_directory_filters_by_state(client):
    factories.make_insurer(name="Texas Only", licensed_states=["TX"])
    factories.make_insurer(name="Oregon Only", licensed_states=["OR"])
    html = client.get("/insurers?state=OR").get_data(as_text=True)
    assert "Oregon Only" in html
    assert "Texas Only" not in html


def test_directory_filters_by_category_and_state_together(client):
    factories.make_insurer(name="Both Fit", categories=["toys"], licensed_states=["OR"])
    factories.make_insurer(name="Category Only", categories=["toys"], licensed_states=["TX"])
    factories.make_insurer(name="State Only", categories=["pet"], licensed_states=["OR"])
    html = client.get("/insurers?category=toys&state=OR").get_data(as_text=True)
    assert "Both Fit" in html
    assert "Category Only" not in html and "State Only" not in html
    assert "1 insurer" in html


def test_pending_and_suspended_insurers_never_show(client):
    factories.make_insurer(name="Approved Co")
    pending = factories.make_insurer(name="Pending Co", status="pending")
    suspended = factories.make_insurer(name="Suspended Co", status="suspended")
    html = client.get("/insurers").get_data(as_text=True)
    assert "Approved Co" in html
    assert "Pending Co" not in html and "Suspended Co" not in html
    for insurer in (pending, suspended):
        response = client.get(f"/insurers/{insurer.id}")
        assert response.status_code == 404
        assert insurer.name not in response.get_data(as_text=True)


def test_insurer_page_shows_its_details(client):
    insurer = factories.make_insurer(
        name="Harbor Mutual", naic_code="12345", am_best_rating="A+", categories=["toys", "pet"],
        licensed_states=["OR", "WA"], min_revenue=Decimal("50000.00"), max_revenue=Decimal("5000000.00"),
        contact_name="Dana Reyes", contact_email="dana@harbor.example", contact_phone="+1 503 555 0100",
        website="https://harbor.example", description="Mutual insurer of makers.\nFounded 1921.")
    response = client.get(f"/insurers/{insurer.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("Harbor Mutual", "12345", "A+", "Toys &amp; Games", "Pet Supplies", "Oregon", "Washington",
                 "$50,000 to $5,000,000", "Dana Reyes", "dana@harbor.example", "+1 503 555 0100",
                 'href="https://harbor.example"', "<p>Mutual insurer of makers.</p>", "<p>Founded 1921.</p>"):
        assert text in html, text


def test_unknown_and_malformed_insurer_ids_are_404(client):
    for path in ("/insurers/999999", "/insurers/abc", "/insurers/-1", "/insurers/0",
                 "/insurers/99999999999999999999999999", "/insurers/1.5"):
        assert client.get(path).status_code == 404, path


def test_absurd_directory_filters_are_refused_without_error(client):
    factories.make_insurer(name="Still Listed")
    for query in ("category=nonsense", "state=ZZ", "category=" + "x" * 5000, "state=%00",
                  "category=toys&category=pet", "state=or"):
        response = client.get(f"/insurers?{query}")
        assert response.status_code in (200, 400), query
        assert "Still Listed" in response.get_data(as_text=True), query
    response = client.get("/insurers?category=nonsense")
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)

"""The seller's business profile and dashboard: policies by standing, quote requests, compliance snapshot."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from accelerator.models import AuditEntry, Seller
from tests import factories
from tests.conftest import login_as, post_form
from tests.factories import TODAY
from tests.web.conftest import error_for, field_control, parse_page

PROFILE = {"legal_name": "Wooden Toys LLC", "state": "WA", "categories": ["toys", "baby"],
           "monthly_gross_sales": "12,500.00"}


def _seller(db, seller_id):
    """The seller record, read afresh."""
    db.session.expire_all()
    return db.session.execute(select(Seller).where(Seller.seller_id == seller_id)).scalar_one()


def test_profile_shows_the_fixed_seller_id_and_labelled_fields(seller_client, seller_user):
    response = seller_client.get("/seller/profile")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert seller_user.seller_id in html
    page = parse_page(html)
    names = {c.get("name") for c in page.controls}
    assert "seller_id" not in names  # shown, not editable
    assert {"legal_name", "state", "categories", "monthly_gross_sales"} <= names
    for control in page.controls:
        if control.get("type") != "hidden":
            assert control.get("id") in page.label_for, control


def test_completing_the_profile_saves_it_and_leads_to_the_quote_request(seller_client, seller_user, db):
    assert _seller(db, seller_user.seller_id).profile_completed_at is None
    response = post_form(seller_client, "/seller/profile", PROFILE)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/seller/requests/new")
    seller = _seller(db, seller_user.seller_id)
    assert seller.legal_name == "Wooden Toys LLC"
    assert seller.state == "WA"
    assert seller.categories == ["baby", "toys"]
    assert seller.monthly_gross_sales == Decimal("12500.00")
    assert seller.profile_completed_at is not None
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "complete_profile")).scalar_one()
    assert entry.object_id == seller_user.seller_id
    # The quote request form starts from the profile.
    html = seller_client.get("/seller/requests/new").get_data(as_text=True)
    assert 'value="Wooden Toys LLC"' in html
    assert 'value="150,000.00"' in html  # twelve months of the recent monthly sales
    assert 'id="categories-toys" checked' in html and 'id="categories-baby" checked' in html


def test_a_second_save_goes_back_to_the_dashboard(seller_client, seller_user, db):
    post_form(seller_client, "/seller/profile", PROFILE)
    response = post_form(seller_client, "/seller/profile", {**PROFILE, "state": "CA"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/seller")
    assert _seller(db, seller_user.seller_id).state == "CA"


def test_bad_profile_input_re_renders_with_field_errors_and_saves_nothing(seller_client, seller_user, db):
    before = _seller(db, seller_user.seller_id)
    name, state = before.legal_name, before.state
    audits = db.session.execute(select(func.count(AuditEntry.id))).scalar_one()
    response = post_form(seller_client, "/seller/profile", {
        "legal_name": "", "state": "ZZ", "monthly_gross_sales": "-5", "categories": ["nonsense"]})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Enter your legal business name" in error_for(html, "legal_name")
    assert "not negative" in error_for(html, "monthly_gross_sales") or "negative" in html
    assert 'id="categories-error"' in html
    after = _seller(db, seller_user.seller_id)
    assert (after.legal_name, after.state, after.profile_completed_at) == (name, state, None)
    assert db.session.execute(select(func.count(AuditEntry.id))).scalar_one() == audits


def test_dashboard_asks_to_complete_the_profile_until_it_is(seller_client):
    html = seller_client.get("/seller").get_data(as_text=True)
    assert "Complete your business profile" in html
    post_form(seller_client, "/seller/profile", PROFILE)
    assert "Complete your business profile" not in seller_client.get("/seller").get_data(as_text=True)


def test_dashboard_groups_policies_by_standing(app, db):
    today = TODAY
    user = factories.make_seller_user()
    sid = user.seller_id
    insurer = factories.make_insurer(name="Harbor Mutual")

    def policy(number, start, end, **kw):
        """A policy of the seller from `start` to `end` days from today."""
        return factories.make_policy(seller_id=sid, insurer=insurer, policy_number=number,
                                     effective_date=today + timedelta(days=start),
                                     expiration_date=today + timedelta(days=end), **kw)

    policy("P-LONG", -30, 300)
    policy("P-SOON", -300, 42)
    policy("P-LATER", 10, 375)
    policy("P-OLD", -500, -135)
    policy("P-CANC", -100, 265, cancellation_date=today - timedelta(days=5))
    factories.make_policy(seller_id=sid, source="seller_upload", verification="pending", insurer_id=None,
                          policy_number="UP-WAIT", effective_date=today - timedelta(days=3),
                          expiration_date=today + timedelta(days=362))
    factories.make_policy(seller_id=sid, source="seller_upload", verification="rejected", insurer_id=None,
                          policy_number="UP-BAD", rejection_reason="The certificate shows another insured.",
                          effective_date=today - timedelta(days=3), expiration_date=today + timedelta(days=362))
    factories.make_policy(policy_number="NOT-MINE")
    client = app.test_client()
    login_as(client, user)
    html = client.get("/seller").get_data(as_text=True)

    order = ["In force", "Expiring within 60 days", "Starting later", "Pending verification", "Rejected",
             "Cancelled", "Expired"]
    positions = [html.index(f'">{title} <span class="muted">') for title in order]
    assert positions == sorted(positions)
    sections = {title: html[pos:(positions[i + 1] if i + 1 < len(positions) else len(html))]
                for i, (title, pos) in enumerate(zip(order, positions, strict=True))}
    assert "P-LONG" in sections["In force"] and "P-SOON" not in sections["In force"]
    assert "P-SOON" in sections["Expiring within 60 days"] and "expires in 42 days" in html
    assert "P-LATER" in sections["Starting later"]
    assert "UP-WAIT" in sections["Pending verification"]
    assert "UP-BAD" in sections["Rejected"] and "The certificate shows another insured." in sections["Rejected"]
    assert "P-CANC" in sections["Cancelled"]
    assert "P-OLD" in sections["Expired"]
    assert "NOT-MINE" not in html
    assert 'Policies in force today</dt><dd>2<' in html


def test_dashboard_lists_quote_requests_with_their_quote_counts_and_links(app, db):
    user = factories.make_seller_user()
    insurers = [factories.make_insurer(), factories.make_insurer()]
    request = factories.make_quote_request(seller_id=user.seller_id, routed_to=insurers)
    factories.make_quote(request, insurers[0])
    factories.make_quote(request, insurers[1], annual_premium=Decimal("2100.00"))
    lonely = factories.make_quote_request(seller_id=user.seller_id, routed_to=[])
    client = app.test_client()
    login_as(client, user)
    html = client.get("/seller").get_data(as_text=True)
    assert f'href="/seller/requests/{request.id}"' in html
    assert f'href="/seller/requests/{lonely.id}"' in html
    assert 'data-label="Insurers asked">2<' in html
    assert 'data-label="Quotes">2<' in html
    assert "No insurer matched" in html  # the request that reached nobody stays visible, marked


def test_compliance_snapshot_when_due_says_the_deadline_days_left_and_what_is_missing(app, db):
    user = factories.make_seller_user()
    today = TODAY
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    factories.make_monthly_sales(user.seller_id, last_month, "25000.00")
    factories.make_policy(seller_id=user.seller_id, policy_number="LOW-1", insurer=factories.make_insurer(),
                          per_occurrence_limit=Decimal("500000.00"), aggregate_limit=Decimal("500000.00"),
                          effective_date=today - timedelta(days=10), expiration_date=today + timedelta(days=355))
    client = app.test_client()
    login_as(client, user)
    html = client.get("/seller").get_data(as_text=True)
    deadline = today.replace(day=1) - timedelta(days=1) + timedelta(days=30)
    days_left = (deadline - today).days
    assert "badge--due" in html
    assert f"Insurance is required: {days_left} day" in html
    assert f"{deadline:%B} {deadline.day}, {deadline.year}" in html
    assert "What is missing" in html
    assert "Policy LOW-1: per-occurrence limit $500,000.00 is below the required $1,000,000.00" in html


def test_compliance_snapshot_without_any_policy_and_overdue(app, db):
    user = factories.make_seller_user()
    factories.make_monthly_sales(user.seller_id, date(2025, 1, 1), "25000.00")
    client = app.test_client()
    login_as(client, user)
    html = client.get("/seller").get_data(as_text=True)
    assert "badge--overdue" in html
    assert "Insurance is overdue by" in html
    assert "You have no policy on record" in html
    assert "March 2, 2025" in html  # January's last day plus 30 days


def test_compliance_snapshot_when_compliant_names_the_policy(app, db):
    user = factories.make_seller_user()
    today = TODAY
    factories.make_monthly_sales(user.seller_id, date(2025, 1, 1), "25000.00")
    policy = factories.make_policy(seller_id=user.seller_id, policy_number="GOOD-1",
                                   effective_date=today - timedelta(days=10),
                                   expiration_date=today + timedelta(days=355))
    client = app.test_client()
    login_as(client, user)
    html = client.get("/seller").get_data(as_text=True)
    assert "You meet the insurance requirement" in html
    assert f'href="/seller/policies/{policy.id}"' in html
    assert "What is missing" not in html


def test_compliance_snapshot_not_required_warns_when_the_profile_sales_are_over_the_threshold(seller_client):
    html = seller_client.get("/seller").get_data(as_text=True)
    assert "Insurance is not required yet" in html
    assert "Your profile says you sell more than" not in html
    post_form(seller_client, "/seller/profile", PROFILE)
    html = seller_client.get("/seller").get_data(as_text=True)
    assert "Your profile says you sell more than $10,000 a month" in html


def test_profile_form_state_is_a_select_of_states(seller_client):
    html = seller_client.get("/seller/profile").get_data(as_text=True)
    assert field_control(html, "state")["tag"] == "select"
    assert '<option value="WA">Washington</option>' in html

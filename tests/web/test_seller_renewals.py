"""Renewing a policy through the site: the Renew button (only where it applies), the prefilled request, the
one request a double click makes, field errors, another seller's policy, and the renewal quotes set
beside the current policy on the policy page and the request page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from accelerator.models import Policy, QuoteRequest
from tests import factories
from tests.conftest import csrf_token, login_as, post_form
from tests.factories import TODAY
from tests.web.conftest import error_for, field_control, parse_page


def _seller(app, **profile):
    """A logged-in seller with a completed profile (WA, toys, $20,000 a month unless told otherwise)."""
    values = dict(legal_name="Blue Kite Toys LLC", state="WA", categories=["toys"],
                  monthly_gross_sales=Decimal("20000.00"))
    values.update(profile)
    seller = factories.make_seller(**values)
    user = factories.make_seller_user(seller=seller)
    client = app.test_client()
    login_as(client, user)
    return client, user


def _policy(seller_id, insurer, days_left, number=None, **overrides):
    """A verified policy of the seller that started a year before and expires in `days_left` days."""
    ends = TODAY + timedelta(days=days_left)
    values = dict(seller_id=seller_id, insurer=insurer, effective_date=ends - timedelta(days=365),
                  expiration_date=ends, premium=Decimal("1850.00"))
    if number:
        values["policy_number"] = number
    values.update(overrides)
    return factories.make_policy(**values)


def _renew_action(policy) -> str:
    """The Renew button's form action for a policy."""
    return f'action="/seller/policies/{policy.id}/renew"'


def _form_of(policy, **changes) -> dict:
    """The renewal form as the prefilled page sends it, with `changes`."""
    data = {"legal_name": "Blue Kite Toys LLC", "state": "WA", "categories": ["toys"],
            "annual_revenue": "240,000.00", "claims_last_3_years": "0", "top_products": "Kites",
            "states_shipped": ["WA"], "per_occurrence_limit": "1,000,000.00", "aggregate_limit": "2,000,000.00",
            "deductible": "2,500.00", "desired_start_date": policy.expiration_date.isoformat()}
    data.update(changes)
    return data


def _requests(db):
    """Every quote request, read afresh."""
    db.session.expire_all()
    return db.session.execute(select(QuoteRequest).order_by(QuoteRequest.id)).scalars().all()


def test_renew_button_only_for_verified_in_force_policies_expiring_within_60_days(app, db):
    client, user = _seller(app)
    sid = user.seller_id
    insurer = factories.make_insurer(name="Harbor Mutual")
    soon = _policy(sid, insurer, 20, "SOON-1")
    pending = _policy(sid, None, 20, "UP-PENDING", source="seller_upload", verification="pending", insurer_id=None)
    cancelled = _policy(sid, insurer, 20, "CANC-1", cancellation_date=TODAY + timedelta(days=5))
    expired = _policy(sid, insurer, -3, "OLD-1")
    html = client.get("/seller").get_data(as_text=True)
    assert _renew_action(soon) in html
    page = client.get(f"/seller/policies/{soon.id}").get_data(as_text=True)
    assert _renew_action(soon) in page and "Ask for renewal quotes" in page
    assert "This policy expires in 20 days" in page
    for policy in (pending, cancelled, expired):
        assert _renew_action(policy) not in html, policy.policy_number
        page = client.get(f"/seller/policies/{policy.id}").get_data(as_text=True)
        assert _renew_action(policy) not in page, policy.policy_number

    # Too early: the policy page says from when.
    client, user = _seller(app)
    later = _policy(user.seller_id, insurer, 61, "LATER-61")
    assert _renew_action(later) not in client.get("/seller").get_data(as_text=True)
    page = client.get(f"/seller/policies/{later.id}").get_data(as_text=True)
    opens = later.expiration_date - timedelta(days=60)
    assert _renew_action(later) not in page
    assert f"You can ask for renewal quotes from {opens:%B} {opens.day}, {opens.year}" in page

    # Already continued by a policy that starts when it ends: no renewal, a link to the next policy.
    client, user = _seller(app)
    continued = _policy(user.seller_id, insurer, 30, "CONT-1")
    following = _policy(user.seller_id, insurer, 395, "NEXT-1", effective_date=continued.expiration_date)
    html = client.get("/seller").get_data(as_text=True)
    assert _renew_action(continued) not in html and _renew_action(following) not in html
    assert "Continued by" in html and f'href="/seller/policies/{following.id}"' in html
    page = client.get(f"/seller/policies/{continued.id}").get_data(as_text=True)
    assert _renew_action(continued) not in page
    assert "Your cover continues" in page and "NEXT-1" in page


def test_one_click_opens_the_request_prefilled_from_the_policy_and_the_profile(app, db):
    client, user = _seller(app)
    insurer = factories.make_insurer(name="Harbor Mutual")
    policy = _policy(user.seller_id, insurer, 20, "SOON-1", per_occurrence_limit=Decimal("1000000.00"),
                     aggregate_limit=Decimal("2000000.00"), deductible=Decimal("2500.00"))
    assert client.post(f"/seller/policies/{policy.id}/renew").status_code == 400  # no CSRF token: refused
    response = post_form(client, f"/seller/policies/{policy.id}/renew", {}, token_from=f"/seller/policies/{policy.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/seller/policies/{policy.id}/renewal/new"
    assert _requests(db) == []  # the click only opens the form

    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Renew policy" in html and "SOON-1" in html
    assert field_control(html, "legal_name")["value"] == "Blue Kite Toys LLC"
    assert 'option selected value="WA"' in html or '<option value="WA" selected>' in html
    assert 'id="categories-toys" checked' in html
    assert field_control(html, "annual_revenue")["value"] == "240,000.00"  # twelve months of the profile's sales
    assert field_control(html, "per_occurrence_limit")["value"] == "1,000,000.00"
    assert field_control(html, "aggregate_limit")["value"] == "2,000,000.00"
    assert field_control(html, "deductible")["value"] == "2,500.00"
    assert field_control(html, "desired_start_date")["value"] == policy.expiration_date.isoformat()
    page = parse_page(html)
    for control in page.controls:
        if control.get("type") != "hidden" and control.get("type") != "checkbox":
            assert control.get("id") in page.label_for, control


def test_categories_and_business_come_from_the_original_request_when_the_profile_lacks_them(app, db):
    client, user = _seller(app, legal_name="", state=None, categories=[], monthly_gross_sales=None)
    insurer = factories.make_insurer()
    original = factories.make_quote_request(seller_id=user.seller_id, legal_name="Original Name LLC", state="TX",
                                            categories=["electronics", "home"], annual_revenue=Decimal("99000.00"),
                                            top_products="Lamps", states_shipped=["TX"], status="closed")
    quote = factories.make_quote(original, insurer, status="accepted")
    policy = _policy(user.seller_id, insurer, 15, quote_id=quote.id, per_occurrence_limit=Decimal("500000.00"),
                     aggregate_limit=Decimal("500000.00"), deductible=Decimal("25000.00"))
    html = client.get(f"/seller/policies/{policy.id}/renewal/new").get_data(as_text=True)
    assert field_control(html, "legal_name")["value"] == "Original Name LLC"
    assert '<option selected value="TX">' in html or '<option value="TX" selected>' in html
    assert 'id="categories-electronics" checked' in html and 'id="categories-home" checked' in html
    assert 'id="categories-toys" checked' not in html
    assert field_control(html, "annual_revenue")["value"] == "99,000.00"
    assert "Lamps</textarea>" in html
    # The policy's terms fall short of the requirement: the request asks for what meets it, and says so.
    assert field_control(html, "per_occurrence_limit")["value"] == "1,000,000.00"
    assert field_control(html, "aggregate_limit")["value"] == "1,000,000.00"
    assert field_control(html, "deductible")["value"] == "10,000.00"
    assert "Changed to meet the marketplace" in html
    assert "The deductible was lowered from $25,000.00 to the allowed $10,000.00." in html


def test_sending_routes_the_renewal_and_a_double_click_makes_one_request(app, db):
    client, user = _seller(app)
    fits = factories.make_insurer(name="Harbor Mutual", licensed_states=["WA"], categories=["toys"])
    factories.make_insurer(name="Books Only", licensed_states=["WA"], categories=["books"])
    policy = _policy(user.seller_id, fits, 20, "SOON-1")
    url = f"/seller/policies/{policy.id}/renewal/new"
    first = post_form(client, url, _form_of(policy))
    assert first.status_code == 302
    [request] = _requests(db)
    assert first.headers["Location"] == f"/seller/requests/{request.id}"
    assert request.renewal_of_policy_id == policy.id
    assert request.desired_start_date == policy.expiration_date
    assert [r.insurer_id for r in request.routings] == [fits.id]

    # The same form again (a double click, a second tab): the open request, not another one.
    second = post_form(client, url, _form_of(policy), token_from=f"/seller/requests/{request.id}")
    assert second.status_code == 302 and second.headers["Location"] == f"/seller/requests/{request.id}"
    # The Renew button and the form page now lead to it as well.
    again = post_form(client, f"/seller/policies/{policy.id}/renew", {}, token_from="/seller")
    assert again.headers["Location"] == f"/seller/requests/{request.id}"
    assert client.get(url).headers["Location"] == f"/seller/requests/{request.id}"
    assert len(_requests(db)) == 1
    html = client.get("/seller").get_data(as_text=True)
    assert _renew_action(policy) not in html
    assert f'href="/seller/requests/{request.id}"' in html and "Renewal quotes" in html
    assert "chip--renewal" in html


def test_bad_input_re_renders_with_field_errors_and_sends_nothing(app, db):
    client, user = _seller(app)
    policy = _policy(user.seller_id, factories.make_insurer(), 20)
    url = f"/seller/policies/{policy.id}/renewal/new"
    response = post_form(client, url, _form_of(
        policy, legal_name="", annual_revenue="lots", aggregate_limit="500,000",
        desired_start_date=(TODAY - timedelta(days=1)).isoformat()))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Enter your legal business name" in error_for(html, "legal_name")
    assert error_for(html, "annual_revenue")
    assert "cannot be in the past" in error_for(html, "desired_start_date")
    assert field_control(html, "annual_revenue")["value"] == "lots"  # what was typed stays
    # The aggregate below the per-occurrence limit is the service's rule, put back at its field.
    response = post_form(client, url, _form_of(policy, aggregate_limit="500,000"))
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), "aggregate_limit")
    assert _requests(db) == []


def test_another_sellers_policy_is_a_404_everywhere_and_changes_nothing(app, db):
    client, _user = _seller(app)
    theirs = _policy(factories.make_seller().seller_id, factories.make_insurer(), 20)
    token = csrf_token(client, "/seller")
    assert client.post(f"/seller/policies/{theirs.id}/renew", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/seller/policies/{theirs.id}/renewal/new").status_code == 404
    response = client.post(f"/seller/policies/{theirs.id}/renewal/new", data={**_form_of(theirs), "csrf_token": token})
    assert response.status_code == 404
    assert client.post("/seller/policies/987654/renew", data={"csrf_token": token}).status_code == 404
    assert _requests(db) == []


def test_a_policy_that_cannot_be_renewed_says_why_and_sends_nothing(app, db):
    client, user = _seller(app)
    later = _policy(user.seller_id, factories.make_insurer(), 200, "LATER-1")
    response = post_form(client, f"/seller/policies/{later.id}/renew", {}, token_from="/seller")
    assert response.headers["Location"] == f"/seller/policies/{later.id}"
    assert "You can ask for renewal quotes from" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get(f"/seller/policies/{later.id}/renewal/new").headers["Location"] == f"/seller/policies/{later.id}"
    response = post_form(client, f"/seller/policies/{later.id}/renewal/new", _form_of(later), token_from="/seller")
    assert response.status_code == 302 and response.headers["Location"] == f"/seller/policies/{later.id}"
    assert _requests(db) == []


def test_renewal_quotes_sit_beside_the_current_policy_and_buying_one_continues_the_cover(app, db):
    client, user = _seller(app)
    harbor = factories.make_insurer(name="Harbor Mutual", licensed_states=["WA"], categories=["toys"],
                                    policy_prefix="HX")
    cove = factories.make_insurer(name="Cove Casualty", licensed_states=["WA"], categories=["toys"],
                                  am_best_rating="B+")
    policy = _policy(user.seller_id, harbor, 20, "SOON-1")
    post_form(client, f"/seller/policies/{policy.id}/renewal/new", _form_of(policy))
    [request] = _requests(db)
    good = factories.make_quote(request, harbor, annual_premium=Decimal("1990.00"),
                                per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"),
                                deductible=Decimal("1000.00"))
    factories.make_quote(request, cove, annual_premium=Decimal("1500.00"))

    for url in (f"/seller/policies/{policy.id}", f"/seller/requests/{request.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "Your current policy" in html and "SOON-1" in html, url
        assert "$1,850.00" in html, url  # the current premium, beside the quotes
        assert html.count('class="term-changes"') == 2, url
        assert "$140.00 more" in html and "$350.00 less" in html, url  # premiums against $1,850.00
        assert "$1,500.00 less" in html, url  # Harbor's deductible against the policy's $2,500.00
        assert "Meets the marketplace requirement" in html and "Does not meet the requirement" in html, url
        assert f'href="/seller/requests/{request.id}/quotes/{good.id}/buy"' in html, url
    assert "Renewal of policy" in client.get(f"/seller/requests/{request.id}").get_data(as_text=True)

    response = post_form(client, f"/seller/requests/{request.id}/quotes/{good.id}/buy", {})
    assert response.status_code == 302
    db.session.expire_all()
    renewed = db.session.execute(select(Policy).where(Policy.quote_id == good.id)).scalar_one()
    assert renewed.effective_date == policy.expiration_date  # cover goes on without a gap
    assert renewed.expiration_date == policy.expiration_date.replace(year=policy.expiration_date.year + 1)
    html = client.get(f"/seller/policies/{policy.id}").get_data(as_text=True)
    assert "Your cover continues" in html and renewed.policy_number in html
    assert _renew_action(policy) not in client.get("/seller").get_data(as_text=True)


def test_dashboard_countdown_missing_reasons_and_next_steps_when_due(app, db):
    client, user = _seller(app)
    last_month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    factories.make_monthly_sales(user.seller_id, last_month, "25000.00")
    insurer = factories.make_insurer()
    request = factories.make_quote_request(seller_id=user.seller_id, routed_to=[insurer])
    factories.make_quote(request, insurer)
    html = client.get("/seller").get_data(as_text=True)
    deadline = TODAY.replace(day=1) - timedelta(days=1) + timedelta(days=30)
    days = (deadline - TODAY).days
    figure = re.search(r'countdown__number">(\d+)</span> <span class="countdown__words">([^<]+)<', html)
    assert figure and int(figure.group(1)) == days
    assert figure.group(2) == ("day left" if days == 1 else "days left")
    assert f"Deadline: <strong>{deadline:%B} {deadline.day}, {deadline.year}</strong>" in html
    assert "You have no policy on record" in html
    assert "What to do next" in html
    assert 'href="/seller/requests/new"' in html and 'href="/seller/policies/upload"' in html
    assert f'href="/seller/requests/{request.id}"' in html and "Compare the 1 quote on your request" in html


def test_dashboard_countdown_when_overdue_says_days_overdue(app, db):
    client, user = _seller(app)
    factories.make_monthly_sales(user.seller_id, date(2025, 1, 1), "25000.00")
    html = client.get("/seller").get_data(as_text=True)
    late = (TODAY - date(2025, 3, 2)).days
    assert f'countdown__number">{late}</span> <span class="countdown__words">days overdue<' in html
    assert "The deadline was: <strong>March 2, 2025</strong>" in html


def test_dashboard_shows_when_the_cover_ends_and_offers_the_renewal(app, db):
    client, user = _seller(app)
    factories.make_monthly_sales(user.seller_id, date(2025, 1, 1), "25000.00")
    policy = _policy(user.seller_id, factories.make_insurer(), 20, "SOON-1")
    html = client.get("/seller").get_data(as_text=True)
    assert "You meet the insurance requirement" in html
    assert 'countdown__number">20</span> <span class="countdown__words">days until your cover ends<' in html
    assert "Renew policy SOON-1: it expires in 20 days" in html
    assert html.count(_renew_action(policy)) == 2  # in "What to do next" and in the policy's row
    assert "What is missing" not in html
    assert db.session.execute(select(func.count(QuoteRequest.id))).scalar_one() == 0

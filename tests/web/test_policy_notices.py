"""Notices from insurers on the site: the insurer portal's policy page and its three forms (CSRF, errors at
the fields, another insurer's policy a 404), and what the seller then sees on its dashboard and policy page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from accelerator.extensions import db as _db
from accelerator.models import EmailMessage, Policy
from tests import factories
from tests.conftest import login_as, post_form
from tests.web.conftest import error_for

REASON = "Premium not paid after two notices."


@pytest.fixture()
def harbor(db):
    """An approved insurer."""
    return factories.make_insurer(name="Harbor Mutual")


@pytest.fixture()
def staff(app, harbor):
    """A client logged in as Harbor's staff."""
    client = app.test_client()
    login_as(client, factories.make_insurer_user(insurer=harbor))
    return client


@pytest.fixture()
def seller(db):
    """A seller account whose email is known."""
    return factories.make_seller_user(email="owner@acme.example")


@pytest.fixture()
def policy(harbor, seller):
    """Harbor's policy of the seller, 2026-01-01 to 2027-01-01 (the clock is pinned at 2026-11-24)."""
    return factories.make_policy(insurer=harbor, seller_id=seller.seller_id, policy_number="HX-77")


def _fresh(policy_id: int) -> Policy:
    """The policy as the database holds it now."""
    _db.session.expire_all()
    return _db.session.get(Policy, policy_id)


def _page(policy) -> str:
    """The portal page of a policy."""
    return f"/insurer/policies/{policy.id}"


def test_the_list_links_to_the_policy_page_with_its_three_notices(staff, policy):
    listing = staff.get("/insurer/policies").get_data(as_text=True)
    assert f'href="/insurer/policies/{policy.id}"' in listing
    html = staff.get(_page(policy)).get_data(as_text=True)
    assert "Notice of cancellation" in html and "Give notice of non-renewal" in html
    assert "Reinstate the policy" not in html  # nothing to reinstate
    assert 'name="csrf_token"' in html


def test_a_notice_of_cancellation_from_the_portal(staff, policy):
    response = post_form(staff, f"{_page(policy)}/notices/cancellation",
                         {"cancellation_date": "2026-12-15", "reason": REASON}, token_from=_page(policy))
    assert response.status_code == 302 and response.headers["Location"].endswith(_page(policy))
    row = _fresh(policy.id)
    assert row.cancellation_date == date(2026, 12, 15) and row.cancellation_reason == REASON
    html = staff.get(_page(policy)).get_data(as_text=True)
    assert "Cancelling from December 15, 2026" in html and "Reinstate the policy" in html
    assert "Send notice of cancellation" not in html
    sent = _db.session.execute(select(EmailMessage.to_address).where(
        EmailMessage.kind == "policy_cancellation_pending")).scalars().all()
    assert "owner@acme.example" in sent


@pytest.mark.parametrize(("form", "field", "says"), [
    ({"cancellation_date": "", "reason": REASON}, "cancellation_date", "Enter the day"),
    ({"cancellation_date": "2026-02-30", "reason": REASON}, "cancellation_date", "YYYY-MM-DD"),
    ({"cancellation_date": "2026-11-24", "reason": REASON}, "cancellation_date", "after today"),
    ({"cancellation_date": "2027-01-01", "reason": REASON}, "cancellation_date", "expiration date"),
    ({"cancellation_date": "2026-12-15", "reason": "  "}, "reason", "Say why"),
    ({"cancellation_date": "2026-12-15", "reason": "x" * 2001}, "reason", "at most 2,000"),
])
def test_a_wrong_notice_re_renders_with_the_error_at_its_field(staff, policy, form, field, says):
    response = post_form(staff, f"{_page(policy)}/notices/cancellation", form, token_from=_page(policy))
    assert response.status_code == 400
    assert says in error_for(response.get_data(as_text=True), field)
    assert _fresh(policy.id).cancellation_date is None


def test_without_the_csrf_token_nothing_changes(staff, policy):
    response = staff.post(f"{_page(policy)}/notices/cancellation",
                          data={"cancellation_date": "2026-12-15", "reason": REASON})
    assert response.status_code == 400
    assert staff.post(f"{_page(policy)}/notices/non-renewal").status_code == 400
    row = _fresh(policy.id)
    assert row.cancellation_date is None and row.renewal is None


def test_reinstatement_and_non_renewal_from_the_portal(staff, policy):
    post_form(staff, f"{_page(policy)}/notices/cancellation", {"cancellation_date": "2026-12-15", "reason": REASON},
              token_from=_page(policy))
    response = post_form(staff, f"{_page(policy)}/notices/reinstatement", {}, token_from=_page(policy))
    assert response.status_code == 302
    assert _fresh(policy.id).cancellation_date is None
    response = post_form(staff, f"{_page(policy)}/notices/non-renewal", {}, token_from=_page(policy))
    assert response.status_code == 302
    assert _fresh(policy.id).renewal == "not_offered"
    html = staff.get(_page(policy)).get_data(as_text=True)
    assert "will not be renewed" in html and "Give notice of non-renewal" not in html
    reminders = _db.session.execute(select(func.count()).select_from(EmailMessage).where(
        EmailMessage.kind == "policy_not_renewed")).scalar_one()
    assert reminders == 1


def test_another_insurers_policy_is_404_on_every_path(app, staff, seller):
    rival = factories.make_insurer(name="Rival Casualty")
    theirs = factories.make_policy(insurer=rival, seller_id=seller.seller_id)
    token_page = "/insurer/policies"
    assert staff.get(_page(theirs)).status_code == 404
    for path in ("cancellation", "reinstatement", "non-renewal"):
        response = post_form(staff, f"{_page(theirs)}/notices/{path}",
                             {"cancellation_date": "2026-12-15", "reason": REASON}, token_from=token_page)
        assert response.status_code == 404
    row = _fresh(theirs.id)
    assert row.cancellation_date is None and row.renewal is None


def test_a_seller_cannot_reach_the_portal_page(app, seller, policy):
    client = app.test_client()
    login_as(client, seller)
    assert client.get(_page(policy)).status_code in (403, 404)


def test_the_seller_sees_the_date_and_what_to_do(app, staff, seller, policy):
    post_form(staff, f"{_page(policy)}/notices/cancellation", {"cancellation_date": "2026-12-15", "reason": REASON},
              token_from=_page(policy))
    client = app.test_client()
    login_as(client, seller)
    home = client.get("/seller").get_data(as_text=True)
    assert "Harbor Mutual is cancelling policy HX-77 from December 15, 2026" in home
    assert REASON in home and "21 days from today" in home
    assert 'href="/seller/requests/new"' in home and 'href="/seller/policies/upload"' in home
    assert "cancelling from December 15, 2026" in home  # in the policies table: to come, not done
    page = client.get(f"/seller/policies/{policy.id}").get_data(as_text=True)
    assert "is cancelling policy HX-77 from December 15, 2026" in page


def test_the_seller_sees_a_non_renewal_and_nothing_once_another_policy_carries_on(app, staff, seller, policy, harbor):
    post_form(staff, f"{_page(policy)}/notices/non-renewal", {}, token_from=_page(policy))
    client = app.test_client()
    login_as(client, seller)
    home = client.get("/seller").get_data(as_text=True)
    assert "Harbor Mutual will not renew policy HX-77" in home and "January 1, 2027" in home
    factories.make_policy(insurer=harbor, seller_id=seller.seller_id, policy_number="NEXT-1",
                          effective_date=date(2027, 1, 1), expiration_date=date(2028, 1, 1))
    assert "will not renew policy HX-77" not in client.get("/seller").get_data(as_text=True)


def test_the_marketplace_sees_the_notice_on_the_seller_record(app, staff, seller, policy):
    post_form(staff, f"{_page(policy)}/notices/cancellation", {"cancellation_date": "2026-12-15", "reason": REASON},
              token_from=_page(policy))
    post_form(staff, f"{_page(policy)}/notices/non-renewal", {}, token_from=_page(policy))
    admin = app.test_client()
    login_as(admin, factories.make_user(role="admin"))
    html = admin.get(f"/admin/sellers/{seller.seller_id}").get_data(as_text=True)
    assert f"Insurer's notice: {REASON}" in html and "The insurer will not renew it" in html

"""The insurer portal's confirmation queue through the Flask client (list, the policy and its certificate, confirm,
deny with a note, CSRF, errors at the field), and what the admins and the seller see of the answer."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from accelerator import clock
from accelerator.extensions import db as _db
from accelerator.models import Policy
from accelerator.services import confirmations, uploads
from accelerator.services.audit import Actor
from tests import factories
from tests.conftest import login_as, post_form
from tests.factories import NOW, TODAY
from tests.web.conftest import error_for


@pytest.fixture()
def folder(app, tmp_path, monkeypatch):
    """A fresh upload folder for the test."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


@pytest.fixture()
def harbor(db):
    """An approved insurer on the Accelerator."""
    return factories.make_insurer(name="Harbor Mutual", naic_code="12345")


@pytest.fixture()
def seller(db):
    """A seller with an account."""
    return factories.make_seller_user(email="owner@shop.example")


def upload(seller_user, insurer, number: str = "HX-UP-1") -> int:
    """The seller uploads a policy naming `insurer`; its confirmation's id."""
    data = uploads.UploadedPolicy(
        policy_number=number, effective_date=TODAY, expiration_date=TODAY + timedelta(days=365),
        per_occurrence_limit=Decimal("1000000.00"), aggregate_limit=Decimal("2000000.00"), deductible=Decimal("0"),
        occurrence_based=True, additional_insured=True, insurer_id=insurer.id)
    policy = uploads.upload_policy(Actor(seller_user.email, seller_user.id), seller_user.seller_id, data,
                                   io.BytesIO(factories.make_pdf_bytes("Harbor certificate")))
    return confirmations.of_policy(policy.id).id


def client_of(app, user):
    """A client logged in as `user`."""
    client = app.test_client()
    login_as(client, user)
    return client


@pytest.fixture()
def staff(app, harbor):
    """A client logged in as Harbor's staff."""
    return client_of(app, factories.make_insurer_user(insurer=harbor, email="uw@harbor.example"))


def policy(number: str = "HX-UP-1") -> Policy:
    """The policy as it is now."""
    _db.session.expire_all()
    return _db.session.execute(select(Policy).where(Policy.policy_number == number)).scalar_one()


def test_the_queue_lists_pending_first_with_the_policy(staff, folder, harbor, seller):
    first = upload(seller, harbor, "HX-A")
    clock.pin(NOW + timedelta(hours=1))
    second = upload(seller, harbor, "HX-B")
    confirmations.answer(Actor("x"), harbor.id, first, "confirmed", None)
    html = staff.get("/insurer/confirmations").get_data(as_text=True)
    assert html.index("HX-B") < html.index("HX-A")
    assert f'href="/insurer/confirmations/{second}"' in html and "Waiting for you" in html
    assert 'aria-current="page"' in html and ">Confirmations</a>" in html  # the portal's nav marks it
    pending = staff.get("/insurer/confirmations?status=pending").get_data(as_text=True)
    assert "HX-B" in pending and "HX-A" not in pending
    assert staff.get("/insurer/confirmations?status=nonsense").status_code == 200


def test_the_page_shows_the_policy_and_its_certificate_to_that_insurers_staff_only(app, staff, folder, harbor,
                                                                                    seller):
    cid = upload(seller, harbor)
    html = staff.get(f"/insurer/confirmations/{cid}").get_data(as_text=True)
    assert "HX-UP-1" in html and "$1,000,000.00" in html and seller.seller_id in html
    assert 'name="csrf_token"' in html and "Confirm policy" in html and "Deny policy" in html
    document = staff.get(f"/insurer/confirmations/{cid}/certificate")
    assert document.status_code == 200 and document.mimetype == "application/pdf"
    assert document.data.startswith(b"%PDF-") and "attachment" in document.headers["Content-Disposition"]
    rival = client_of(app, factories.make_insurer_user(insurer=factories.make_insurer(name="Rival")))
    assert rival.get(f"/insurer/confirmations/{cid}").status_code == 404
    assert rival.get(f"/insurer/confirmations/{cid}/certificate").status_code == 404
    assert post_form(rival, f"/insurer/confirmations/{cid}/confirm", {},
                     token_from="/insurer/confirmations").status_code == 404
    assert policy().verification == "pending"


@pytest.mark.parametrize("role", ["seller", "admin", None])
def test_only_insurer_staff_reach_the_queue(app, seller, role):
    client = app.test_client()
    if role == "seller":
        login_as(client, seller)
    elif role == "admin":
        login_as(client, factories.make_user(role="admin"))
    answer = client.get("/insurer/confirmations")
    assert answer.status_code == (302 if role is None else 403)


def test_confirming_verifies_the_policy_and_shows_who(app, staff, folder, harbor, seller):
    cid = upload(seller, harbor)
    admin = client_of(app, factories.make_user(role="admin"))
    waiting = admin.get(f"/admin/verification/{policy().id}").get_data(as_text=True)
    assert "Put to Harbor Mutual to confirm" in waiting and "it has not answered yet" in waiting
    seller_page = client_of(app, seller).get(f"/seller/policies/{policy().id}").get_data(as_text=True)
    assert "Harbor Mutual, the insurer, has been asked to confirm it" in seller_page
    answer = post_form(staff, f"/insurer/confirmations/{cid}/confirm", {"confirm_note": "Matches."},
                       token_from=f"/insurer/confirmations/{cid}", follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "You confirmed this policy" in html
    assert "Confirmed by uw@harbor.example" in html and "Confirm policy</button>" not in html
    assert policy().verification == "verified"
    admin_page = admin.get(f"/admin/verification/{policy().id}").get_data(as_text=True)
    assert "Confirmed by the insurer, Harbor Mutual (uw@harbor.example)" in admin_page
    seller_page = client_of(app, seller).get(f"/seller/policies/{policy().id}").get_data(as_text=True)
    assert "confirmed by Harbor Mutual, the insurer" in seller_page


def test_a_denial_needs_a_note_said_at_the_field_and_nothing_changes(staff, folder, harbor, seller):
    cid = upload(seller, harbor)
    answer = post_form(staff, f"/insurer/confirmations/{cid}/deny", {"note": "   "})
    assert answer.status_code == 400
    assert "Say why you deny it" in error_for(answer.get_data(as_text=True), "note")
    answer = post_form(staff, f"/insurer/confirmations/{cid}/deny", {"note": "x" * 2001})
    assert "at most 2,000" in error_for(answer.get_data(as_text=True), "note")
    assert policy().verification == "pending"


def test_denying_rejects_with_the_note_and_the_seller_reads_it(app, staff, folder, harbor, seller):
    cid = upload(seller, harbor)
    answer = post_form(staff, f"/insurer/confirmations/{cid}/deny", {"note": "We never issued it."},
                       follow_redirects=True)
    assert "You denied this policy" in answer.get_data(as_text=True)
    assert (policy().verification, policy().rejection_reason) == ("rejected", "We never issued it.")
    seller_page = client_of(app, seller).get(f"/seller/policies/{policy().id}").get_data(as_text=True)
    assert "Harbor Mutual, the insurer, did not confirm this policy" in seller_page
    assert "We never issued it." in seller_page


def test_the_other_answer_after_one_is_refused_at_the_top(staff, folder, harbor, seller):
    cid = upload(seller, harbor)
    confirmations.answer(Actor("x"), harbor.id, cid, "confirmed", None)
    answer = post_form(staff, f"/insurer/confirmations/{cid}/deny", {"note": "Oops."},
                       token_from="/insurer/confirmations")
    assert answer.status_code == 409 and "already confirmed" in answer.get_data(as_text=True)
    assert policy().verification == "verified"


def test_a_post_without_its_csrf_token_changes_nothing(staff, folder, harbor, seller):
    cid = upload(seller, harbor)
    assert staff.post(f"/insurer/confirmations/{cid}/confirm").status_code == 400
    assert staff.post(f"/insurer/confirmations/{cid}/deny", data={"note": "no"}).status_code == 400
    assert policy().verification == "pending"


def test_admins_see_confirmations_waiting_longer_than_three_days(app, folder, harbor, seller):
    upload(seller, harbor, "HX-OLD")
    clock.pin(NOW + timedelta(days=2, hours=23))
    upload(seller, harbor, "HX-NEW")
    admin = client_of(app, factories.make_user(role="admin"))
    assert "HX-OLD" not in admin.get("/admin").get_data(as_text=True)  # not yet three days
    clock.pin(NOW + timedelta(days=5, hours=2))
    html = admin.get("/admin").get_data(as_text=True)
    assert "Confirmations waiting over 3 days" in html and "HX-OLD" in html and "5 days" in html
    assert "HX-NEW" not in html

"""Who may enter the admin, seller and insurer areas. The admin cases come from the admin blueprint's
url map, so a new admin route is covered without touching this file."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from accelerator.models import AuditEntry, Insurer, Invitation, User
from accelerator.web import admin
from tests import factories
from tests.conftest import csrf_token


def _admin_routes() -> list[tuple[str, str]]:
    """(endpoint, method) for every rule of the admin blueprint."""
    probe = Flask("probe")
    probe.register_blueprint(admin.bp)
    found = []
    for rule in probe.url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method))
    return found


ADMIN_ROUTES = _admin_routes()

# Valid input for any admin form: if a guard were missing, the POST would change something.
ANY_FORM = {
    "name": "Intruder Mutual", "naic_code": "54321", "am_best_rating": "A", "licensed_states": ["CA"],
    "categories": ["toys"], "email": "intruder@example.com", "approve": "y", "policy_prefix": "INTR",
}


def test_the_admin_blueprint_has_routes_to_check():
    endpoints = {e for e, _ in ADMIN_ROUTES}
    assert {"admin.index", "admin.list_insurers", "admin.new_insurer", "admin.edit_insurer",
            "admin.approve_insurer", "admin.suspend_insurer", "admin.invite_staff", "admin.audit_log"} <= endpoints
    assert any(m == "POST" for _, m in ADMIN_ROUTES)


def _url(app, endpoint: str, insurer_id: int) -> str:
    """The endpoint's URL, every path argument set to the insurer's id."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {arg: insurer_id for arg in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def _state(db) -> tuple:
    """Everything an admin action could change."""
    insurers = tuple(db.session.execute(select(Insurer.id, Insurer.name, Insurer.status).order_by(Insurer.id)))
    counts = tuple(db.session.execute(select(func.count()).select_from(m)).scalar_one()
                   for m in (AuditEntry, Invitation, User))
    return insurers, counts


@pytest.fixture()
def target(db):
    """A pending insurer: approving it, editing it or inviting to it would all show."""
    return factories.make_insurer(name="Target Mutual", status="pending")


@pytest.mark.parametrize("who", ["anonymous", "seller", "insurer"])
@pytest.mark.parametrize("endpoint, method", ADMIN_ROUTES)
def test_admin_routes_refuse_everybody_but_admins(app, db, target, who, endpoint, method):
    client = app.test_client()
    if who == "seller":
        from tests.conftest import login_as

        login_as(client, factories.make_seller_user())
    elif who == "insurer":
        from tests.conftest import login_as

        login_as(client, factories.make_insurer_user())
    url = _url(app, endpoint, target.id)
    before = _state(db)
    if method == "GET":
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302
            assert response.headers["Location"].startswith("/login?next=")
        else:
            assert response.status_code == 403
    else:
        token = csrf_token(client, "/login" if who == "anonymous" else "/")
        response = client.post(url, data={**ANY_FORM, "csrf_token": token})
        assert response.status_code == 403
        assert "Target Mutual" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert _state(db) == before


def _insurer_pages() -> list[str]:
    """Admin GET pages whose path names nothing or an insurer (the others are walked with their own data
    in tests/web/test_route_walk.py)."""
    probe = Flask("probe")
    probe.register_blueprint(admin.bp)
    return sorted({r.endpoint for r in probe.url_map.iter_rules()
                   if r.endpoint.startswith("admin.") and "GET" in (r.methods or ())
                   and set(r.arguments) <= {"insurer_id"}})


@pytest.mark.parametrize("endpoint", _insurer_pages())
def test_admin_pages_open_for_admins(admin_client, app, target, endpoint):
    response = admin_client.get(_url(app, endpoint, target.id))
    assert response.status_code == 200


def test_seller_home_is_for_sellers_only(client, insurer_client, admin_client):
    assert client.get("/seller").status_code == 302
    assert insurer_client.get("/seller").status_code == 403
    assert admin_client.get("/seller").status_code == 403


def test_insurer_home_is_for_insurer_staff_only(client, seller_client, admin_client):
    assert client.get("/insurer").status_code == 302
    assert seller_client.get("/insurer").status_code == 403
    assert admin_client.get("/insurer").status_code == 403


def test_suspending_an_insurer_logs_its_staff_out(insurer_client, insurer_user, db):
    assert insurer_client.get("/insurer").status_code == 200
    from accelerator.services import insurers
    from accelerator.services.audit import Actor

    insurers.set_status(Actor.cli(), insurer_user.insurer_id, "suspended")
    assert insurer_client.get("/insurer").status_code == 302

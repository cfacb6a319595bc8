"""Who may open the reports: every route of both report blueprints, walked with every role."""

from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import login_as

BLUEPRINTS = {"admin_reports": "admin", "insurer_reports": "insurer"}


def _routes(app, blueprint: str) -> list[str]:
    """The paths of a blueprint's routes (none takes a path argument)."""
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(blueprint + ".")]
    assert all(not r.arguments for r in rules)
    return sorted(r.rule for r in rules)


def test_the_blueprints_have_the_routes_of_the_reports(app):
    assert _routes(app, "admin_reports") == [
        "/admin/reports/", "/admin/reports/checks", "/admin/reports/checks-by-route.csv", "/admin/reports/checks.csv",
        "/admin/reports/claim-answer-times.csv", "/admin/reports/claim-cases",
        "/admin/reports/claim-cases-by-route.csv", "/admin/reports/claim-cases-by-state.csv",
        "/admin/reports/claim-escalations.csv",
        "/admin/reports/compliance", "/admin/reports/compliance-by-week.csv", "/admin/reports/compliance.csv",
        "/admin/reports/marketplace-money.csv", "/admin/reports/premiums-by-category.csv",
        "/admin/reports/quote-funnel.csv", "/admin/reports/time-to-quote.csv"]
    assert _routes(app, "insurer_reports") == [
        "/insurer/reports/", "/insurer/reports/bordereau", "/insurer/reports/bordereau.csv",
        "/insurer/reports/claims-against-aggregate.csv", "/insurer/reports/policies-in-force.csv",
        "/insurer/reports/requests-received.csv", "/insurer/reports/win-rate.csv"]


@pytest.mark.parametrize("blueprint", sorted(BLUEPRINTS))
def test_anonymous_visitors_are_sent_to_log_in(app, client, blueprint):
    for path in _routes(app, blueprint):
        response = client.get(path + "?start=2026-03-02&end=2026-03-15")
        assert response.status_code == 302, path
        # The login page sends them back to the report they asked for, with its range.
        assert response.headers["Location"] == f"/login?next={path}?start%3D2026-03-02%26end%3D2026-03-15", path
        assert client.head(path).status_code == 302


@pytest.mark.parametrize("blueprint", sorted(BLUEPRINTS))
@pytest.mark.parametrize("role", ["seller", "insurer", "admin"])
def test_every_other_role_is_refused_and_the_own_role_let_in(app, seller_user, insurer_user, admin_user, blueprint,
                                                             role):
    client = app.test_client()
    login_as(client, {"seller": seller_user, "insurer": insurer_user, "admin": admin_user}[role])
    for path in _routes(app, blueprint):
        response = client.get(path)
        if BLUEPRINTS[blueprint] == role:
            # With no parameter every page and download answers for the default range (a form page may redirect
            # only when asked to download).
            assert response.status_code == 200, path
        else:
            assert response.status_code == 403, path
            assert b"You may not see this page" in response.data
            assert response.mimetype == "text/html"
        response.close()


@pytest.mark.parametrize("blueprint", sorted(BLUEPRINTS))
def test_the_reports_change_nothing_and_take_no_posts(app, admin_client, insurer_client, blueprint):
    client = admin_client if blueprint == "admin_reports" else insurer_client
    for path in _routes(app, blueprint):
        assert client.post(path).status_code == 405, path


def test_staff_of_a_suspended_insurer_see_no_report(app, db):
    insurer = factories.make_insurer(status="suspended")
    client = app.test_client()
    login_as(client, factories.make_insurer_user(insurer=insurer))
    for path in _routes(app, "insurer_reports"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path

"""The layout, headers and cookies every page shares: security headers, error pages in the site's layout,
no inline script or style, nothing loaded from elsewhere, every input labelled."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.conftest import TEST_PASSWORD, post_form
from tests.web.conftest import parse_page


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp  # ASVS 5.0 3.4.3
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_security_headers_on_error_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_404_page_renders_in_the_layout(client, app):
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in html
    assert 'class="skip-link"' in html and 'id="main"' in html
    assert app.config["MARKETPLACE_NAME"] in html
    assert "site-footer" in html


def test_403_page_renders_in_the_layout(seller_client):
    response = seller_client.get("/admin/insurers")
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "You may not see this page" in html
    assert 'class="skip-link"' in html and "site-footer" in html
    assert "Log out" in html  # the header still knows who is logged in


def test_500_page_renders_in_the_layout_and_rolls_back(db, client, monkeypatch):
    """An unexpected error answers the friendly page; whatever the request had written is rolled back."""
    from sqlalchemy import func, select

    from accelerator.models import Seller
    from accelerator.services import insurers

    def broken_directory(**_filters):
        """Write something, then fail."""
        db.session.add(Seller(seller_id="BOOM000001", legal_name="Boom"))
        db.session.flush()
        raise RuntimeError("boom")

    monkeypatch.setattr(insurers, "directory", broken_directory)
    response = client.get("/insurers")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and "site-footer" in html
    assert db.session.execute(select(func.count(Seller.id))).scalar_one() == 0


def test_session_cookie_is_httponly_and_samesite_lax(client, db):
    user = factories.make_seller_user()
    response = post_form(client, "/login", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie was set"
    assert "HttpOnly" in cookies[0]
    assert "SameSite=Lax" in cookies[0]


PAGES_ANONYMOUS = ["/", "/insurers", "/login", "/register", "/no-such-page"]


def _all_pages(client, admin_client, seller_client, insurer_client):
    """(client, path) for every page of the site, each seen by a role that may see it."""
    insurer = factories.make_insurer(name="Layout Mutual")
    factories.make_insurer(name="Layout Pending", status="pending")
    pages = [(client, p) for p in PAGES_ANONYMOUS]
    pages.append((client, f"/insurers/{insurer.id}"))
    pages += [(seller_client, "/seller"), (insurer_client, "/insurer")]
    pages += [(admin_client, p) for p in ("/admin", "/admin/insurers", "/admin/insurers/new",
                                          f"/admin/insurers/{insurer.id}", f"/admin/insurers/{insurer.id}/edit",
                                          f"/admin/insurers/{insurer.id}/invite", "/admin/audit")]
    return pages


def test_no_inline_script_or_style_and_nothing_from_elsewhere(client, admin_client, seller_client, insurer_client):
    for who, path in _all_pages(client, admin_client, seller_client, insurer_client):
        html = who.get(path).get_data(as_text=True)
        page = parse_page(html)
        assert not page.inline_styles, f"inline style= on {path}: {page.inline_styles}"
        assert page.style_blocks == 0, f"<style> block on {path}"
        assert not page.inline_handlers, f"inline event handler on {path}"
        assert not page.script_text.strip(), f"inline script on {path}"
        for script in page.scripts:
            assert script.get("src", "").startswith("/static/"), f"{path}: {script}"
        for link in page.links:
            assert link.get("href", "").startswith("/static/"), f"{path}: {link}"
        assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="https://harbor', "")), path


def test_every_input_is_labelled(client, admin_client, seller_client, insurer_client):
    for who, path in _all_pages(client, admin_client, seller_client, insurer_client):
        html = who.get(path).get_data(as_text=True)
        page = parse_page(html)
        for control in page.controls:
            if control.get("type") in ("hidden", "submit", "button") or "hidden" in control:
                continue
            assert control.get("id") in page.label_for or control.get("aria-label"), f"{path}: {control}"


@pytest.mark.parametrize("path", ["/", "/insurers", "/login", "/register"])
def test_pages_have_one_main_landmark_a_skip_link_and_a_title(client, path):
    html = client.get(path).get_data(as_text=True)
    assert html.count("<main") == 1
    assert 'href="#main"' in html
    assert re.search(r"<title>[^<]+</title>", html)
    assert '<html lang="en">' in html


def test_navigation_depends_on_the_role(client, seller_client, insurer_client, admin_client):
    anonymous = client.get("/").get_data(as_text=True)
    assert 'href="/login"' in anonymous and 'href="/register"' in anonymous and "Log out" not in anonymous
    seller = seller_client.get("/").get_data(as_text=True)
    assert 'href="/seller"' in seller and 'href="/admin"' not in seller and "Log out" in seller
    staff = insurer_client.get("/").get_data(as_text=True)
    assert 'href="/insurer"' in staff and 'href="/admin"' not in staff
    admin = admin_client.get("/").get_data(as_text=True)
    assert 'href="/admin"' in admin and 'href="/admin/audit"' in admin


def test_static_files_are_served(client):
    for path in ("/static/css/site.css", "/static/js/site.js", "/static/img/logo.svg", "/static/img/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()

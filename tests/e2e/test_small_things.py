"""Small things seen in Chromium: a very long API key name keeps the pages to the screen's width, every main
navigation link is reachable on a phone, the dashboards' chart labels stay inside their SVG, and the focus
ring of a date field stays visible while its calendar button has the focus."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import no_horizontal_scroll

SHOTS = Path(os.environ.get("E2E_SHOTS", "/tmp/shots-small"))
# 200 characters (the most a key's name may have) and no place to break a line.
LONG_NAME = ("PolicyAdministrationSystemConnector" * 6)[:200]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _shot(pg, name: str) -> None:
    """A full-page screenshot to look at (outside the repository)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _login(pg, email: str, lands: str) -> None:
    """Log in through the login page and wait to land on `lands`."""
    pg.goto("/login")
    pg.get_by_label("Email address").fill(email)
    pg.get_by_label("Password").fill(TEST_PASSWORD)
    pg.get_by_role("button", name="Log in").click()
    pg.wait_for_url(f"**{lands}")


@pytest.fixture()
def context_at(browser, live_server):
    """Fresh browser contexts at a given viewport, closed after the test."""
    contexts = []

    def make(viewport: dict):
        """A new page at `viewport`, pointed at the live server."""
        context = browser.new_context(base_url=live_server.url, viewport=viewport,
                                      is_mobile=viewport["width"] < 500, has_touch=viewport["width"] < 500)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_a_200_character_api_key_name_keeps_the_pages_to_the_screen(context_at, db):
    harbor = factories.make_insurer(name="Harbor Mutual")
    staff = factories.make_insurer_user(insurer=harbor, email="dana@harbor.example")
    factories.make_api_key(insurer=harbor, name=LONG_NAME)
    factories.make_api_key(insurer=harbor, name="Policy admin system")
    admin = factories.make_user(role="admin", email="ada@marketplace.example")
    emails = staff.email, admin.email
    db.session.commit()

    for viewport in (DESKTOP, PHONE):
        width = viewport["width"]
        pg = context_at(viewport)
        _login(pg, emails[0], "/insurer")
        pg.goto("/insurer/api-keys")
        assert pg.get_by_role("rowheader", name=LONG_NAME).first.is_visible()
        _shot(pg, f"api-keys-{width}")
        assert no_horizontal_scroll(pg), f"API keys at {width} px"
        pg.get_by_label("Key name").fill(LONG_NAME)
        pg.get_by_role("button", name="Create key").click()
        pg.get_by_role("heading", name="API key created").wait_for()
        _shot(pg, f"api-key-created-{width}")
        assert no_horizontal_scroll(pg), f"API key created at {width} px"

        admin_pg = context_at(viewport)
        _login(admin_pg, emails[1], "/admin")
        admin_pg.goto("/admin/audit")
        assert admin_pg.get_by_text(LONG_NAME).first.is_visible()
        _shot(admin_pg, f"audit-{width}")
        assert no_horizontal_scroll(admin_pg), f"audit log at {width} px"


def _nav_links(pg) -> list[str]:
    """The names of the main navigation's links and buttons that a person can see and reach on screen."""
    return pg.evaluate(
        """() => Array.from(document.querySelectorAll('nav[aria-label="Main"] a, nav[aria-label="Main"] button'))
            .filter(el => {
                const box = el.getBoundingClientRect();
                const style = getComputedStyle(el);
                return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
                       && box.left >= 0 && box.right <= window.innerWidth + 1;
            })
            .map(el => el.textContent.trim())"""
    )


def test_every_main_navigation_link_is_reachable_on_a_phone(context_at, db):
    seller = factories.make_seller_user(email="sam@oak.example")
    staff = factories.make_insurer_user(email="dana@harbor.example")
    admin = factories.make_user(role="admin", email="ada@marketplace.example")
    people = [(None, "/"), (seller.email, "/seller"), (staff.email, "/insurer"), (admin.email, "/admin")]
    db.session.commit()

    for email, home in people:
        desktop, phone = context_at(DESKTOP), context_at(PHONE)
        for pg in (desktop, phone):
            if email:
                _login(pg, email, home)
            else:
                pg.goto(home)
        role = home.strip("/") or "anonymous"
        _shot(phone, f"nav-{role}-375")
        everything = _nav_links(desktop)
        assert len(everything) >= 4, everything
        assert _nav_links(phone) == everything, f"{role} at 375 px"
        assert no_horizontal_scroll(phone), role


def _texts_outside(pg) -> list[str]:
    """The visible charts' texts whose drawn box (real fonts) reaches past their SVG's viewBox."""
    return pg.evaluate(
        """() => Array.from(document.querySelectorAll('.report__chart svg.chart'))
            .filter(svg => svg.getBoundingClientRect().width > 0)
            .flatMap(svg => {
                const [x, y, w, h] = svg.getAttribute('viewBox').split(' ').map(Number);
                return Array.from(svg.querySelectorAll('text'))
                    .filter(t => !t.getAttribute('transform'))
                    .filter(t => { const b = t.getBBox(); return b.x < x || b.x + b.width > x + w; })
                    .map(t => svg.id || svg.querySelector('title').textContent + ': ' + t.textContent);
            })"""
    )


def test_the_coverage_chart_keeps_its_last_date_label_inside(context_at, db):
    start = datetime(2026, 3, 2, 12, tzinfo=UTC)
    for day in range(29):
        for route in ("marketplace", "insurer", "review", "seller")[: 1 + day % 4]:
            factories.make_coverage_check(checked_at=start + timedelta(days=day), route=route)
    admin = factories.make_user(role="admin", email="ada@marketplace.example")
    email = admin.email
    db.session.commit()

    for viewport in (DESKTOP, PHONE):
        pg = context_at(viewport)
        _login(pg, email, "/admin")
        pg.goto("/admin/reports/?start=2026-03-02&end=2026-03-30")
        chart = pg.locator("#checks-by-route .report__chart:visible svg.chart")
        dates = [t for t in chart.locator("text").all_text_contents() if t.startswith("2026-03-")]
        assert len(dates) >= 3 and dates[-1] >= "2026-03-25", dates  # labelled up to the range's end
        chart.screenshot(path=str(SHOTS / f"checks-by-route-{viewport['width']}.png"))
        assert _texts_outside(pg) == [], f"at {viewport['width']} px"
        card = pg.evaluate("getComputedStyle(document.querySelector('#checks-by-route')).backgroundColor")
        assert card == "rgb(255, 255, 255)"  # the background the series colours are measured against


def test_a_date_field_keeps_its_focus_ring_while_its_calendar_button_has_the_focus(context_at, db):
    admin = factories.make_user(role="admin", email="ada@marketplace.example")
    email = admin.email
    db.session.commit()
    pg = context_at(DESKTOP)
    _login(pg, email, "/admin")
    pg.goto("/admin/reports/")
    field = pg.get_by_label("Start date")
    field.focus()
    state = """() => { const el = document.activeElement; const s = getComputedStyle(el);
        return {id: el.id, visible: el.matches(':focus-visible'), outline: s.outlineStyle + ' ' + s.outlineWidth}; }"""
    seen = []
    # Tab through the field's parts (month, day, year) to its calendar button, where Chromium focuses the
    # input without :focus-visible.
    for _ in range(5):
        seen.append(pg.evaluate(state))
        if seen[-1]["id"] != "start" or not seen[-1]["visible"]:
            break
        pg.keyboard.press("Tab")
    assert seen[-1]["id"] == "start" and not seen[-1]["visible"], seen  # the calendar button has the focus
    box = field.bounding_box()
    pg.screenshot(path=str(SHOTS / "date-calendar-button-focus.png"),
                  clip={"x": box["x"] - 8, "y": box["y"] - 8, "width": box["width"] + 16, "height": box["height"] + 16})
    assert all(step["outline"] == "solid 3px" for step in seen), seen

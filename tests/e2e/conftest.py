"""Browser fixtures: Debian's Chromium driven by Playwright against the site on a loopback port."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (CI must have it; elsewhere the e2e tests skip)."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing at /usr/bin/chromium: scripts/browser.sh installs it")
        pytest.skip("Chromium is not installed (bash scripts/browser.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _is_real_error(msg) -> bool:
    """A console error that is a fault, not a form answered 4xx by design (re-rendered with errors)."""
    if msg.type != "error":
        return False
    return not msg.text.startswith("Failed to load resource: the server responded with a status of 4")


@pytest.fixture()
def page(browser, live_server):
    """A fresh browser context (no cookies) at desktop width, pointed at the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if _is_real_error(msg) else None)
    yield pg
    context.close()
    assert not errors, f"the page logged errors: {errors}"


@pytest.fixture()
def phone_page(browser, live_server):
    """A fresh browser context 375 px wide, as on a phone."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 812},
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


def no_horizontal_scroll(pg) -> bool:
    """Whether the page fits its viewport's width (nothing sticks out sideways)."""
    return pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def unlabelled_inputs(pg) -> list[str]:
    """Visible form controls that have no accessible label."""
    return pg.evaluate(
        """() => Array.from(document.querySelectorAll('input, select, textarea'))
            .filter(el => el.type !== 'hidden' && el.type !== 'submit' && el.offsetParent !== null)
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.getAttribute('aria-labelledby'))
            .map(el => el.name || el.id || el.outerHTML.slice(0, 80))"""
    )

"""A headless Debian chromium for the browser tests, and the live server's public address for gateway callbacks.

Never ``playwright install``: the browser is Debian's package (scripts/install.sh --dev installs it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from oms.common.tests.expected import unavailable

CHROMIUM = os.environ.get("OMS_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def browser(monkeypatch) -> Iterator:
    """One chromium per test. Playwright's sync API runs an event loop in this thread while it is open, so
    Django's async-safety guard is lifted for the test's own ORM calls, and only while the browser runs."""
    try:
        from playwright import sync_api
    except ImportError:
        unavailable("no playwright: it is in the dev extra (scripts/install.sh --dev)")
    if not Path(CHROMIUM).exists():
        unavailable(f"no chromium at {CHROMIUM}: scripts/install.sh --dev installs Debian's")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server(live_server, settings):
    """The live server, announced as the public base URL: the Alipay sandbox posts its notifications there."""
    settings.OMS_PUBLIC_BASE_URL = live_server.url
    return live_server


@pytest.fixture
def new_page(browser):
    """Pages in fresh contexts (separate cookies: a customer and a staff member side by side); dialogs accepted.
    ``javascript=False`` opens a page as a browser without JavaScript (or whose scripts failed) sees it."""
    contexts = []

    def open_page(*, width: int = 1280, height: int = 900, javascript: bool = True, locale: str = "en-US"):
        # The browser's locale is its Accept-Language: "zh-CN" opens the shop in Chinese.
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale=locale, java_script_enabled=javascript
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # the hx-confirm questions
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def shoot():
    """Save a full-page screenshot to artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save

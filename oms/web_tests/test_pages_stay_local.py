"""Every page loads only from this server, under its Content-Security-Policy, with nothing refused and nothing
missing: the API docs (Swagger UI from drf-spectacular-sidecar, really drawn), the shop, the login form, the
console with its charts, a missing page, the admin. An expired page tells the user to reload. All in a real
browser."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import pytest

from oms.accounts.tests.factories import StaffFactory
from oms.inventory.tests.factories import WarehouseFactory
from oms.shipping.tests.factories import stocked_sku

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Watcher:
    """Everything a page asked for, every error the browser reported (refused by the CSP, failed, 4xx/5xx)."""

    def __init__(self, page, origin: str) -> None:
        self.origin = origin
        self.foreign: list[str] = []
        self.problems: list[str] = []
        self.expected_status: dict[str, int] = {}
        page.on("request", self._request)
        page.on("requestfailed", lambda request: self.problems.append(f"failed: {request.url}"))
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def _request(self, request) -> None:
        split = urlsplit(request.url)
        if split.scheme in {"data", "blob"}:
            return
        if f"{split.scheme}://{split.netloc}" != self.origin:
            self.foreign.append(request.url)

    def _response(self, response) -> None:
        path = urlsplit(response.url).path
        if response.status >= 400 and self.expected_status.get(path) != response.status:
            self.problems.append(f"{response.status}: {response.url}")

    def _console(self, message) -> None:
        # The browser's "Failed to load resource: … status of 4xx" and htmx's "Response Status Error Code 4xx":
        # each such answer is judged in _response, by its URL.
        reported = ("Failed to load resource: the server responded", "Response Status Error Code")
        if message.type == "error" and not message.text.startswith(reported):
            self.problems.append(f"console: {message.text}")


@pytest.fixture
def product(db):
    sku = stocked_sku(WarehouseFactory(code="HZ-01"), on_hand=20, price="45.00")
    sku.product.name = "West Lake Longjing"
    sku.product.save()
    return sku.product


def test_pages_load_nothing_from_other_hosts(server, new_page, product, shoot):
    StaffFactory(username="ops", is_superuser=True)
    base = server.url
    page = new_page()
    watcher = Watcher(page, base)

    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".opblock", state="visible")  # Swagger UI drew the operations from our schema
    assert page.locator(".opblock").count() > 10
    shoot(page, "api-docs", full_page=False)

    for path in ["/", f"/products/{product.pk}/", "/login/"]:
        page.goto(f"{base}{path}", wait_until="networkidle")
    shoot(page, "shop-login")

    page.fill("#id_username", "ops")
    page.fill("#id_password", "secret-pass")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/console/")
    page.wait_for_load_state("networkidle")
    page.wait_for_function("!!window.Chart && !!window.htmx")
    shoot(page, "console-dashboard-csp")
    page.goto(f"{base}/console/reports/", wait_until="networkidle")
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length > 0 && !!window.Chart")
    assert page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]')).every((c) => !!window.Chart.getChart(c))"
    )

    watcher.expected_status["/no-such-page/"] = 404
    response = page.goto(f"{base}/no-such-page/", wait_until="networkidle")
    assert response.status == 404 and page.locator("h1").inner_text() == "Page not found"
    page.goto(f"{base}/admin/", wait_until="networkidle")
    assert page.locator("#site-name").is_visible()

    assert watcher.foreign == []
    assert watcher.problems == []


def stale_token(page, base: str) -> None:
    """As after logging in or out in another tab: the browser's CSRF cookie changed, the open page's token did not."""
    page.context.add_cookies([{"name": "csrftoken", "value": secrets.token_hex(16), "url": base}])


def test_an_expired_page_says_to_reload(server, new_page, product, shoot):
    base = server.url
    page = new_page()
    watcher = Watcher(page, base)
    watcher.expected_status["/cart/add/"] = 403
    page.goto(f"{base}/products/{product.pk}/")
    stale_token(page, base)
    banner = page.locator("#page-error")
    assert banner.is_hidden()
    page.click("button[data-sku]")  # "Add to cart" through htmx
    banner.wait_for(state="visible")
    assert "This page has expired" in banner.inner_text()
    shoot(page, "shop-expired-htmx")

    watcher.expected_status["/login/"] = 403
    page.goto(f"{base}/login/")
    stale_token(page, base)
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "whatever")
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1:text('This page has expired')")
    assert "Reload the page and try again." in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Reload the page").is_visible()
    shoot(page, "shop-expired-form")
    assert watcher.foreign == [] and watcher.problems == []

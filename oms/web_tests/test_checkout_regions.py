"""The checkout's province → city → district lists in a real browser: htmx fills each list when the one above
changes; without JavaScript the server does, one submit at a time."""

from __future__ import annotations

import pytest

from oms.accounts.tests.factories import UserFactory
from oms.inventory.tests.factories import WarehouseFactory
from oms.orders.models import Order
from oms.shipping.tests.factories import stocked_sku

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = {"name": "陈嘉禾", "phone": "139 0000 1111", "address": "龙井路18号", "postal_code": "310013"}
CHOSEN = {"province": "浙江省", "city": "杭州市", "district": "西湖区"}


@pytest.fixture
def tea(db):
    return stocked_sku(WarehouseFactory(code="HZ-01"), on_hand=20, price="45.00")


def at_checkout(page, base: str, tea) -> None:
    UserFactory(username="carol")
    page.goto(f"{base}/login/?next=/products/{tea.product_id}/")
    page.fill("#id_username", "carol")
    page.fill("#id_password", "secret-pass")
    page.press("#id_password", "Enter")
    page.click(f"button[data-sku='{tea.code}']")
    page.wait_for_selector("#cart-count:text('1')")  # swapped by htmx, or on the next page without it
    page.goto(f"{base}/checkout/")
    for field, value in TYPED.items():
        page.fill(f"#id_{field}", value)


def placed() -> dict[str, str]:
    return Order.objects.get(customer__username="carol").shipping_address


def test_htmx_fills_the_next_list(server, new_page, tea, shoot):
    page = new_page()
    at_checkout(page, server.url, tea)
    assert page.locator("#id_city option").count() == 1  # the placeholder, until a province is chosen

    for field, value in CHOSEN.items():
        page.wait_for_selector(f"#id_{field} option[value='{value}']", state="attached")
        page.select_option(f"#id_{field}", value)
    shoot(page, "shop-checkout-regions")
    # another province empties the lists below it
    page.select_option("#id_province", "北京市")
    page.wait_for_selector("#id_city option[value='北京市']", state="attached")
    page.wait_for_function("document.querySelectorAll('#id_district option').length === 1")
    page.select_option("#id_city", "北京市")
    page.wait_for_selector("#id_district option[value='朝阳区']", state="attached")
    page.select_option("#id_district", "朝阳区")
    page.fill("#id_postal_code", "100022")
    page.click("#place-order")
    page.wait_for_selector("form#pay")  # the sandbox cashier

    assert placed() == {**TYPED, "phone": "13900001111", "postal_code": "100022", "province": "北京市",
                        "city": "北京市", "district": "朝阳区"}  # fmt: skip


def test_without_javascript_the_server_fills_the_next_list(server, new_page, tea):
    page = new_page(javascript=False)
    at_checkout(page, server.url, tea)

    for field, value in CHOSEN.items():
        page.select_option(f"#id_{field}", value)
        page.click("#place-order")  # refused until every list is chosen, then placed
    page.wait_for_selector("form#pay")

    assert placed() == {**TYPED, **CHOSEN, "phone": "13900001111"}

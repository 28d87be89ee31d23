"""The API's address rules by country: a mainland address (country CN, or none) needs a mainland mobile and a
6-digit postal code; province, city and district stay free text (the README's example keeps working)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders.models import Order
from oms.orders.tests.test_api import ORDERS, assert_error, order_body, place

pytestmark = pytest.mark.django_db

README_EXAMPLE = {"name": "Alice", "phone": "13800138000", "province": "Shanghai", "city": "Shanghai",
                  "district": "Pudong", "address": "1 Century Avenue", "postal_code": "200120"}  # fmt: skip


@pytest.fixture
def sku(db):
    return stock_sku(warehouse=WarehouseFactory(code="SH1"), on_hand=50, code="TEA-GREEN", price=Decimal("19.90"))


def test_the_readme_example_is_placed_as_it_was(customer_client, sku):
    response = place(customer_client, order_body(README_EXAMPLE, (sku.code, 1)))

    assert response.status_code == 201, response.content
    assert response.json()["shipping_address"] == README_EXAMPLE  # no country added: none was given
    assert Order.objects.get().shipping_address == README_EXAMPLE


def test_a_mainland_mobile_written_with_prefix_and_dashes_is_stored_as_its_digits(customer_client, sku):
    address = {**README_EXAMPLE, "phone": "+86 138-0013-8000", "country": "cn"}

    response = place(customer_client, order_body(address, (sku.code, 1)))

    assert response.status_code == 201, response.content
    stored = Order.objects.get().shipping_address
    assert (stored["phone"], stored["country"]) == ("13800138000", "CN")


@pytest.mark.parametrize("country", [None, "CN"])
@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "021-64371234"), ("phone", "12345678901"), ("phone", "+1 415 555 0100"), ("postal_code", "20012"),
     ("postal_code", "SW1A 1AA")],
)  # fmt: skip
def test_a_mainland_address_refuses_other_phones_and_postal_codes(customer_client, sku, country, field, value):
    address = {**README_EXAMPLE, field: value, **({"country": country} if country else {})}

    body = assert_error(place(customer_client, order_body(address, (sku.code, 1))), 400, "validation_error")

    assert list(body["details"]["shipping_address"]) == [field]
    assert not Order.objects.exists()


def test_another_country_skips_the_mainland_rules(customer_client, sku):
    address = {**README_EXAMPLE, "country": "HK", "phone": "+852 2345 6789", "postal_code": "999077",
               "province": "Hong Kong", "city": "Hong Kong", "district": "Central"}  # fmt: skip

    response = place(customer_client, order_body(address, (sku.code, 1)))

    assert response.status_code == 201, response.content
    assert Order.objects.get().shipping_address["phone"] == "+852 2345 6789"


@pytest.mark.parametrize("country", ["CHN", "C", "1A", ""])
def test_a_country_is_two_letters(customer_client, sku, country):
    body = assert_error(
        place(customer_client, order_body({**README_EXAMPLE, "country": country}, (sku.code, 1))),
        400,
        "validation_error",
    )
    assert "country" in body["details"]["shipping_address"]


def test_the_same_bad_phone_gives_the_same_code_and_the_message_in_each_language(customer_client, sku):
    body = order_body({**README_EXAMPLE, "phone": "021-64371234"}, (sku.code, 1))
    answers = {
        language: customer_client.post(ORDERS, body, format="json", headers={"accept-language": language}).json()
        for language in ("en", "zh-CN")
    }
    assert answers["en"]["code"] == answers["zh-CN"]["code"] == "validation_error"
    assert answers["en"]["details"]["shipping_address"]["phone"] == [
        "Enter a mainland mobile number: 11 digits starting with 13 to 19, e.g. 13800138000."
    ]
    assert answers["zh-CN"]["details"]["shipping_address"]["phone"] == [
        "请输入中国大陆手机号：以 13 至 19 开头的 11 位数字，例如 13800138000。"
    ]

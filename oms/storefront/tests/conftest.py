from __future__ import annotations

import pytest
from django.test import Client

from oms.inventory.tests.factories import WarehouseFactory
from oms.shipping.tests.factories import stocked_sku


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.OMS_PUBLIC_BASE_URL = "http://testserver"


@pytest.fixture
def shopper(customer) -> Client:
    client = Client()
    client.force_login(customer)
    return client


@pytest.fixture
def tea(db):
    """A SKU with 10 units in one warehouse, priced so one unit pays the shipping fee."""
    return stocked_sku(WarehouseFactory(code="SH-01"), on_hand=10, price="30.00")


@pytest.fixture
def address() -> dict[str, str]:
    """The shop's form takes province, city and district from the lists (oms.regions), in their names."""
    return {
        "name": "李雷",
        "phone": "13800138000",
        "province": "上海市",
        "city": "上海市",
        "district": "浦东新区",
        "address": "世纪大道1号1001室",
        "postal_code": "200120",
    }

"""Console test data, made through the real services."""

from __future__ import annotations

import pytest
from django.test import Client

from oms.inventory.tests.factories import WarehouseFactory
from oms.orders.tests.factories import pending_order
from oms.payments.tests.factories import paid_order
from oms.shipping.tests.factories import stocked_sku


@pytest.fixture
def staff_browser(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def customer_browser(customer) -> Client:
    client = Client()
    client.force_login(customer)
    return client


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(code="SH-01")


@pytest.fixture
def make_paid(customer, staff, address, warehouse):
    def make(quantity: int = 1, price: str = "19.90"):
        return paid_order(
            customer=customer,
            staff=staff,
            address=address,
            lines=[(stocked_sku(warehouse, on_hand=10, price=price), quantity)],
        )

    return make


@pytest.fixture
def make_pending(customer, address, warehouse):
    def make(quantity: int = 1):
        sku = stocked_sku(warehouse, on_hand=10)
        return pending_order(customer, address, (sku, quantity))

    return make

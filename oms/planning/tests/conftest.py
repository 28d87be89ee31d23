from __future__ import annotations

from decimal import Decimal

import pytest

from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.purchasing.tests.factories import SupplierFactory


@pytest.fixture
def warehouse():
    return WarehouseFactory(code="SH-01")


@pytest.fixture
def supplier():
    return SupplierFactory(code="ACME", lead_days=5)


@pytest.fixture
def tea(warehouse):
    return stock_sku(warehouse=warehouse, on_hand=10, code="TEA", price=Decimal("50.00"))


@pytest.fixture
def cup(warehouse):
    return stock_sku(warehouse=warehouse, on_hand=4, code="CUP", price=Decimal("19.90"))

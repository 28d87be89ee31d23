from __future__ import annotations

import factory

from oms.catalog.tests.factories import SkuFactory
from oms.inventory.models import Stock, Warehouse


class WarehouseFactory(factory.django.DjangoModelFactory[Warehouse]):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"WH{n:02d}")
    name = factory.LazyAttribute(lambda w: f"Warehouse {w.code}")
    priority = factory.Sequence(lambda n: n + 1)
    region = "Shanghai"


def stock_sku(*, sku=None, warehouse=None, on_hand: int = 10, **sku_fields):
    """A SKU with ``on_hand`` units in a warehouse, set through the real service (so a movement row exists)."""
    from oms.inventory.services import set_stock_level

    sku = sku or SkuFactory(**sku_fields)
    warehouse = warehouse or WarehouseFactory()
    set_stock_level(sku=sku, warehouse=warehouse, on_hand=on_hand, actor=None, note="test stock")
    return sku


def stock_of(sku, warehouse) -> Stock:
    return Stock.objects.get(sku=sku, warehouse=warehouse)

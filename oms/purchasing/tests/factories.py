from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from oms.inventory.models import StockMovement
from oms.inventory.tests.factories import stock_of
from oms.purchasing import services
from oms.purchasing.models import PurchaseOrder, Supplier


class SupplierFactory(factory.django.DjangoModelFactory[Supplier]):
    class Meta:
        model = Supplier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SUP{n:02d}")
    name = factory.LazyAttribute(lambda s: f"Supplier {s.code}")
    lead_days = 5


def draft_po(*, supplier, warehouse, lines, actor=None) -> PurchaseOrder:
    """A draft PO through the real service; ``lines`` are (sku, quantity) or (sku, quantity, unit_cost)."""
    return services.create_purchase_order(
        supplier=supplier,
        warehouse=warehouse,
        lines=[services.PurchaseLineInput(line[0].code, *line[1:]) for line in lines],
        actor=actor,
    )


def ordered_po(*, supplier, warehouse, lines, actor=None) -> PurchaseOrder:
    po = draft_po(supplier=supplier, warehouse=warehouse, lines=lines, actor=actor)
    return services.submit_purchase_order(po=po, actor=actor)


def record_sales(sku, warehouse, *, units_per_day: list[int]) -> None:
    """Demand history for replenishment: one DEDUCT movement per day with sales, on the days before today.

    Only the movement history changes (stock counters stay): replenishment reads demand from movements alone.
    """
    stock = stock_of(sku, warehouse)
    now = timezone.now()
    for days_ago, units in enumerate(units_per_day, start=1):
        if units:
            movement = StockMovement.objects.create(stock=stock, kind=StockMovement.Kind.DEDUCT, on_hand_delta=-units)
            StockMovement.objects.filter(pk=movement.pk).update(created_at=now - timedelta(days=days_ago))

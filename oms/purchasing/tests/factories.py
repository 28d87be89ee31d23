from __future__ import annotations

import factory

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

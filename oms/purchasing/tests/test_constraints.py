"""The database refuses impossible purchase order rows, whatever the code above it does.

Each write goes straight to the ORM, in its own ``transaction.atomic()`` so that PostgreSQL's aborted-transaction
state stays inside the savepoint.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier
from oms.purchasing.tests.factories import SupplierFactory, draft_po

pytestmark = pytest.mark.django_db


@pytest.fixture
def po() -> PurchaseOrder:
    warehouse = WarehouseFactory()
    return draft_po(supplier=SupplierFactory(), warehouse=warehouse, lines=[(stock_sku(warehouse=warehouse), 5)])


def refused(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def test_lines_never_receive_more_than_ordered_nor_less_than_nothing(po):
    lines = PurchaseOrderLine.objects.filter(purchase_order=po)
    assert refused(lambda: lines.update(received_quantity=F("quantity") + 1))
    assert refused(lambda: lines.update(quantity=0))
    assert refused(lambda: lines.update(unit_cost=-1))
    assert not refused(lambda: lines.update(received_quantity=F("quantity")))


def test_one_line_per_sku(po):
    line = po.lines.get()
    assert refused(lambda: PurchaseOrderLine.objects.create(purchase_order=po, sku=line.sku, quantity=1, unit_cost=1))


def test_a_sent_po_has_its_dates_and_a_received_one_its_receipt_time(po):
    pos = PurchaseOrder.objects.filter(pk=po.pk)
    assert refused(lambda: pos.update(status="ordered"))  # no ordered_at, no expected_at
    assert refused(lambda: pos.update(total_cost=-1))
    assert refused(lambda: Supplier.objects.filter(pk=po.supplier_id).update(lead_days=0))

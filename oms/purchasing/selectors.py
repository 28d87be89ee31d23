"""Purchasing reads: suppliers, purchase orders with their lines and timeline, units on order per SKU."""

from __future__ import annotations

from django.db.models import F, QuerySet, Sum

from oms.purchasing.errors import PurchaseOrderNotFound, SupplierNotFound
from oms.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier
from oms.purchasing.states import OPEN


def supplier_list(*, active_only: bool = False) -> QuerySet[Supplier]:
    suppliers = Supplier.objects.all()
    return suppliers.filter(is_active=True) if active_only else suppliers


def supplier_by_code(code: str) -> Supplier:
    found = None if "\x00" in code else Supplier.objects.filter(code=code).first()
    if found is None:
        raise SupplierNotFound(f"No supplier {code}.", details={"supplier": code})
    return found


def purchase_order_list(
    *,
    status: str | None = None,
    supplier: str | None = None,
    warehouse: str | None = None,
    po_no: str | None = None,
) -> QuerySet[PurchaseOrder]:
    """POs newest first, with supplier, warehouse, lines, events and their units ordered and received so far.

    Filters: status, supplier and warehouse codes, the start of a PO number.
    """
    found = PurchaseOrder.objects.all()
    if status:
        found = found.filter(status=status)
    if supplier:
        found = found.filter(supplier__code=supplier)
    if warehouse:
        found = found.filter(warehouse__code=warehouse)
    if po_no:
        found = found.filter(po_no__startswith=po_no)
    return (
        found.select_related("supplier", "warehouse", "created_by")
        .prefetch_related("lines__sku", "events__actor")
        .annotate(units=Sum("lines__quantity"), received_units=Sum("lines__received_quantity"))
        .order_by("-created_at", "-id")
    )


def purchase_order_detail(*, po_no: str) -> PurchaseOrder:
    """The PO with lines and timeline, or PurchaseOrderNotFound."""
    found = None if "\x00" in po_no else purchase_order_list().filter(po_no=po_no).first()
    if found is None:
        raise PurchaseOrderNotFound(f"No purchase order {po_no}.")
    return found


def units_on_order(*, sku_ids: list[int] | None = None) -> dict[int, int]:
    """Units per SKU id on open POs (drafts included) not received yet: what is on its way or about to be.

    Cancelled and closed POs count nothing: their missing units will never arrive.
    """
    lines = PurchaseOrderLine.objects.filter(purchase_order__status__in=sorted(OPEN))
    if sku_ids is not None:
        lines = lines.filter(sku_id__in=sku_ids)
    rows = lines.values("sku_id").annotate(units=Sum(F("quantity") - F("received_quantity"))).order_by()
    return {row["sku_id"]: row["units"] for row in rows if row["units"]}

"""Purchasing reads: suppliers, purchase orders with their lines and timeline, units on order per SKU."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, QuerySet, Sum
from django.utils.translation import gettext as _

from oms.purchasing.errors import PurchaseOrderNotFound, SupplierNotFound
from oms.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier
from oms.purchasing.states import OPEN, TRANSITIONS, PurchaseOrderStatus, can_transition


def supplier_list(*, active_only: bool = False) -> QuerySet[Supplier]:
    suppliers = Supplier.objects.all()
    return suppliers.filter(is_active=True) if active_only else suppliers


def supplier_by_code(code: str) -> Supplier:
    found = None if "\x00" in code else Supplier.objects.filter(code=code).first()
    if found is None:
        raise SupplierNotFound(_("No supplier %(code)s.") % {"code": code}, details={"supplier": code})
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
        raise PurchaseOrderNotFound(_("No purchase order %(po_no)s.") % {"po_no": po_no})
    return found


def units_on_order(*, sku_ids: list[int] | None = None, warehouse_id: int | None = None) -> dict[int, int]:
    """Units per SKU id on open POs (drafts included) not received yet: what is on its way or about to be (to
    ``warehouse_id`` only, when given).

    Cancelled and closed POs count nothing: their missing units will never arrive.
    """
    lines = PurchaseOrderLine.objects.filter(purchase_order__status__in=sorted(OPEN))
    if sku_ids is not None:
        lines = lines.filter(sku_id__in=sku_ids)
    if warehouse_id is not None:
        lines = lines.filter(purchase_order__warehouse_id=warehouse_id)
    rows = lines.values("sku_id").annotate(units=Sum(F("quantity") - F("received_quantity"))).order_by()
    return {row["sku_id"]: row["units"] for row in rows if row["units"]}


@dataclass(frozen=True)
class PurchaseOrderOutlook:
    """What a PO page says about where a PO stands, decided here rather than by comparing statuses in a page."""

    awaits_sending: bool  # a draft: its expected date is set when it is sent
    finished: bool  # received, cancelled or closed: nothing more will happen to it
    cancelled: bool  # nothing came and nothing will
    closed_short: bool  # part came; the missing units will never come


def purchase_order_outlook(po: PurchaseOrder) -> PurchaseOrderOutlook:
    status = PurchaseOrderStatus(po.status)
    return PurchaseOrderOutlook(
        awaits_sending=can_transition(status, PurchaseOrderStatus.ORDERED),
        finished=not TRANSITIONS[status],
        cancelled=status == PurchaseOrderStatus.CANCELLED,
        closed_short=status == PurchaseOrderStatus.CLOSED,
    )

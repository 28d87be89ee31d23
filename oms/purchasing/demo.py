"""Demo purchasing for ``oms demo``: three suppliers and a purchase order in each state, through the real services.

Safe to run again: a supplier (by code) and each story's PO (by its note) are created only when missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from oms.catalog.models import Sku
from oms.inventory.ledger import backdate_movements
from oms.inventory.models import StockMovement, Warehouse
from oms.purchasing import services
from oms.purchasing.models import PurchaseOrder, PurchaseOrderEvent, Supplier
from oms.purchasing.numbers import redated_po_no
from oms.purchasing.states import PurchaseOrderStatus

P = PurchaseOrderStatus

# (code, name, contact, phone, lead days): a Chinese shop's suppliers, named as they name themselves.
SUPPLIERS = [
    ("FJ-TEA", "福建茶叶合作社", "陈静", "0591-8765-4321", 10),
    ("JDZ-CER", "景德镇陶瓷厂", "王磊", "0798-8222-1000", 14),
    ("SZ-ELEC", "深圳数码配件供应", "刘涛", "0755-2661-8888", 5),
]


@dataclass(frozen=True)
class Story:
    note: str  # also the key that makes the story run once
    supplier: str
    sku_prefix: str  # the first SKUs of this catalog section
    skus: int
    status: PurchaseOrderStatus
    days_ago: int
    warehouse: int = 0  # index among active warehouses by priority


STORIES = [
    Story("演示：龙井、铁观音春茶", "FJ-TEA", "TEA", 3, P.RECEIVED, 21),
    Story("演示：盖碗和茶壶补货", "JDZ-CER", "TW", 3, P.PARTIALLY_RECEIVED, 12, warehouse=1),
    Story("演示：节日促销的充电器和耳机", "SZ-ELEC", "EL", 2, P.ORDERED, 2),
    Story("演示：秋季促销的马克杯", "JDZ-CER", "CUP", 2, P.DRAFT, 0),
    Story("演示：误下两次的充电宝", "SZ-ELEC", "EL", 1, P.CANCELLED, 6),
    Story("演示：头春茶，已售罄", "FJ-TEA", "TEA", 2, P.CLOSED, 30, warehouse=2),
]


def ensure_demo_purchasing(*, actor: User | None, now: datetime | None = None) -> int:
    """Create the missing demo suppliers and purchase orders; return how many POs were created."""
    now = now or timezone.now()
    suppliers = {
        code: Supplier.objects.get_or_create(
            code=code, defaults={"name": name, "contact_name": contact, "phone": phone, "lead_days": lead_days}
        )[0]
        for code, name, contact, phone, lead_days in SUPPLIERS
    }
    warehouses = list(Warehouse.objects.filter(is_active=True).order_by("priority", "code"))
    have = set(PurchaseOrder.objects.filter(note__in=[s.note for s in STORIES]).values_list("note", flat=True))
    created = 0
    for story in STORIES:
        skus = list(
            Sku.objects.filter(code__startswith=f"{story.sku_prefix}-", is_active=True).order_by("code")[: story.skus]
        )
        if story.note in have or not skus or not warehouses or not suppliers[story.supplier].is_active:
            continue
        warehouse = warehouses[min(story.warehouse, len(warehouses) - 1)]
        po = _play(story, supplier=suppliers[story.supplier], warehouse=warehouse, skus=skus, actor=actor)
        _backdate(po, start=now - timedelta(days=story.days_ago), now=now)
        created += 1
    return created


def _play(
    story: Story, *, supplier: Supplier, warehouse: Warehouse, skus: list[Sku], actor: User | None
) -> PurchaseOrder:
    lines = [services.PurchaseLineInput(sku.code, 40 * (index + 1)) for index, sku in enumerate(skus)]
    po = services.create_purchase_order(
        supplier=supplier, warehouse=warehouse, lines=lines, actor=actor, note=story.note
    )
    if story.status == P.CANCELLED:
        return services.cancel_purchase_order(po=po, actor=actor, reason="与之前的采购单重复")
    if story.status == P.DRAFT:
        return po
    po = services.submit_purchase_order(po=po, actor=actor)
    if story.status in (P.PARTIALLY_RECEIVED, P.CLOSED):  # the first line came complete, the rest did not yet
        po = services.receive_purchase_order(po=po, quantities={skus[0].code: 40}, actor=actor, note="DN-1001")
    if story.status == P.CLOSED:
        return services.close_purchase_order(po=po, actor=actor, reason="供应商已售罄，剩余的货不会再来")
    if story.status == P.PARTIALLY_RECEIVED:
        return po
    if story.status == P.RECEIVED:
        everything: dict[int | str, int] = {line.sku: line.quantity for line in lines}
        return services.receive_purchase_order(po=po, quantities=everything, actor=actor, note="DN-0917")
    return po


def _backdate(po: PurchaseOrder, *, start: datetime, now: datetime) -> None:
    """Spread the story over its days: one step a day from ``start`` (never later than ``now``).

    The demo is the only code allowed to rewrite timestamps: services always stamp the real time.
    """
    if start >= now:
        return
    events = list(po.events.order_by("created_at", "id"))
    times = [min(start + timedelta(days=step), now) for step in range(len(events))]
    for event, at in zip(events, times, strict=True):
        PurchaseOrderEvent.objects.filter(pk=event.pk).update(created_at=at)
    # The number carries the day the PO was created: the backdated day, not today.
    po_no = redated_po_no(po.po_no, times[0])
    fields: dict[str, object] = {"created_at": times[0], "po_no": po_no}
    if po.ordered_at:
        fields["ordered_at"] = times[1]
        fields["expected_at"] = timezone.localdate(times[1]) + timedelta(days=po.supplier.lead_days)
    if po.received_at:
        fields["received_at"] = times[-1]
    PurchaseOrder.objects.filter(pk=po.pk).update(**fields)
    # Told apart by state, not by their text (written in the language the demo ran in).
    received = (P.PARTIALLY_RECEIVED, P.RECEIVED)
    receipts = [at for event, at in zip(events, times, strict=True) if event.to_status in received]
    if receipts:  # a story has at most one receipt
        backdate_movements(
            movements=StockMovement.objects.filter(note=services.receipt_note(po.po_no)),
            at=receipts[-1],
            note=services.receipt_note(po_no),
        )

"""Purchasing writes: suppliers, and purchase orders (POs) from draft to received (or cancelled, or closed short).

Every change of an existing PO is one transaction that locks the PO row first (oms.purchasing.transitions) and
writes a PO event. Receiving adds units on hand in the PO's warehouse through the stock ledger
(oms.inventory.ledger) — the stock rows locked in id order after the PO row — with one RECEIPT stock movement per
SKU naming the PO, so the movements of a stock row still sum to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.catalog.models import Sku
from oms.common.errors import Conflict, ValidationFailed
from oms.inventory import ledger
from oms.inventory.ledger import Movement
from oms.inventory.models import StockMovement, Warehouse
from oms.orders.pricing import money
from oms.purchasing.allowed import why_not_receive
from oms.purchasing.errors import OverReceipt
from oms.purchasing.models import MAX_LINE_QUANTITY, PurchaseOrder, PurchaseOrderLine, Supplier
from oms.purchasing.numbers import new_po_no
from oms.purchasing.states import PurchaseOrderStatus
from oms.purchasing.transitions import apply_po_transition, check_po_transition, lock_purchase_order, record_po_event

P = PurchaseOrderStatus
MAX_PO_LINES = 200
MAX_UNIT_COST = Decimal("9999999999.99")  # what the column holds
MAX_TOTAL_COST = Decimal("999999999999.99")
MAX_NUMBER_ATTEMPTS = 3


@dataclass(frozen=True)
class PurchaseLineInput:
    sku: str  # SKU code
    quantity: int
    unit_cost: Decimal | None = None  # None: default_unit_cost of the SKU's price


# --- Suppliers --------------------------------------------------------------------------------------------------


def create_supplier(
    *,
    code: str,
    name: str,
    lead_days: int | None = None,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
) -> Supplier:
    """A new active supplier; ``lead_days`` defaults to OMS_REPLENISH_LEAD_DAYS. Raises ValidationFailed, Conflict."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise ValidationFailed(_("A supplier needs a code and a name."), details={"code": code, "name": name})
    lead_days = settings.OMS_REPLENISH_LEAD_DAYS if lead_days is None else lead_days
    if lead_days < 1:
        raise ValidationFailed(_("Lead time is at least 1 day."), details={"lead_days": lead_days})
    taken = Conflict(
        _("Supplier %(code)s already exists; choose another code.") % {"code": code}, details={"code": code}
    )
    if Supplier.objects.filter(code=code).exists():
        raise taken
    try:
        with transaction.atomic():
            return Supplier.objects.create(
                code=code, name=name, lead_days=lead_days, contact_name=contact_name, phone=phone, email=email
            )
    except IntegrityError as exc:  # a concurrent create won the race
        raise taken from exc


# --- Drafts -----------------------------------------------------------------------------------------------------


def default_unit_cost(price: Decimal) -> Decimal:
    # No supplier price list exists yet: assume the supplier charges OMS_PURCHASE_COST_RATIO of our selling price
    # (0.6 by default), so a draft shows a plausible cost that staff correct when the supplier's invoice differs.
    return money(price * settings.OMS_PURCHASE_COST_RATIO)


def create_purchase_order(
    *,
    supplier: Supplier,
    warehouse: Warehouse,
    lines: list[PurchaseLineInput],
    actor: User | None,
    note: str = "",
    expected_at: date | None = None,
) -> PurchaseOrder:
    """A draft PO to ``supplier``, to be received into ``warehouse``.

    Lines: active SKUs, each once, 1 to 1,000,000 units, unit cost ≥ 0 (default: ``default_unit_cost``). The
    supplier and the warehouse must be active. Takes no lock: nothing shared changes until the PO is received.
    Raises ValidationFailed.
    """
    _check_parties(supplier, warehouse)
    _check_lines(lines)
    if expected_at is not None and expected_at < timezone.localdate():
        raise ValidationFailed(_("The expected date is in the past."), details={"expected_at": expected_at.isoformat()})
    priced = _priced_lines(lines)
    total = money(sum((cost * quantity for _, quantity, cost in priced), Decimal("0")))
    if total > MAX_TOTAL_COST:
        raise ValidationFailed(
            _("The purchase order's total is too large; split it."), details={"total_cost": str(total)}
        )
    now = timezone.now()
    for _attempt in range(MAX_NUMBER_ATTEMPTS):
        po_no = new_po_no(now)
        try:
            with transaction.atomic():
                po = PurchaseOrder.objects.create(
                    po_no=po_no,
                    supplier=supplier,
                    warehouse=warehouse,
                    total_cost=total,
                    note=note.strip()[:255],
                    created_by=actor,
                    expected_at=expected_at,
                    created_at=now,
                )
                PurchaseOrderLine.objects.bulk_create(
                    [
                        PurchaseOrderLine(purchase_order=po, sku=sku, quantity=quantity, unit_cost=cost)
                        for sku, quantity, cost in priced
                    ]
                )
                units = sum(quantity for _, quantity, _ in priced)
                record_po_event(
                    po=po,
                    from_status="",
                    actor=actor,
                    note=_("Drafted: %(skus)s SKU(s), %(units)s units") % {"skus": len(priced), "units": units},
                    at=now,
                )
            return po
        except IntegrityError:
            if PurchaseOrder.objects.filter(po_no=po_no).exists():
                continue  # a PO number collision (1 in 10^8 a day): draw another
            raise
    raise Conflict(_("Could not draw a free purchase order number; try again."))


def _check_parties(supplier: Supplier, warehouse: Warehouse) -> None:
    if not supplier.is_active:
        raise ValidationFailed(
            _("Supplier %(code)s is inactive.") % {"code": supplier.code}, details={"supplier": supplier.code}
        )
    if not warehouse.is_active:
        raise ValidationFailed(
            _("Warehouse %(code)s is inactive.") % {"code": warehouse.code}, details={"warehouse": warehouse.code}
        )


def _check_lines(lines: list[PurchaseLineInput]) -> None:
    if not lines:
        raise ValidationFailed(
            _("A purchase order needs at least one line."), details={"lines": [_("At least one line.")]}
        )
    if len(lines) > MAX_PO_LINES:
        raise ValidationFailed(
            _("At most %(count)s lines per purchase order.") % {"count": MAX_PO_LINES}, details={"lines": len(lines)}
        )
    codes = [line.sku for line in lines]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValidationFailed(_("Each SKU may appear on one line only."), details={"duplicate_skus": duplicates})
    bad_quantity = sorted(line.sku for line in lines if not 1 <= line.quantity <= MAX_LINE_QUANTITY)
    if bad_quantity:
        raise ValidationFailed(
            _("Quantities are whole units from 1 to %(max)s.") % {"max": f"{MAX_LINE_QUANTITY:,}"},
            details={"quantity": bad_quantity},
        )
    bad_cost = sorted(
        line.sku for line in lines if line.unit_cost is not None and not 0 <= line.unit_cost <= MAX_UNIT_COST
    )
    if bad_cost:
        raise ValidationFailed(_("Unit costs are 0 or more."), details={"unit_cost": bad_cost})


def _priced_lines(lines: list[PurchaseLineInput]) -> list[tuple[Sku, int, Decimal]]:
    """(SKU, quantity, unit cost) per line, the SKUs read in one query."""
    skus = _active_skus([line.sku for line in lines])
    return [
        (
            skus[line.sku],
            line.quantity,
            default_unit_cost(skus[line.sku].price) if line.unit_cost is None else money(line.unit_cost),
        )
        for line in lines
    ]


def _active_skus(codes: list[str]) -> dict[str, Sku]:
    skus = {sku.code: sku for sku in Sku.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in skus]
    if unknown:
        raise ValidationFailed(
            _("Unknown SKU(s): %(skus)s.") % {"skus": ", ".join(unknown)}, details={"unknown_skus": unknown}
        )
    inactive = [code for code in codes if not skus[code].is_active]
    if inactive:
        raise ValidationFailed(
            _("Discontinued SKU(s) cannot be ordered: %(skus)s.") % {"skus": ", ".join(inactive)},
            details={"inactive_skus": inactive},
        )
    return skus


# --- Submit, cancel -----------------------------------------------------------------------------------------------


def submit_purchase_order(
    *, po: PurchaseOrder, actor: User | None, expected_at: date | None = None, note: str = ""
) -> PurchaseOrder:
    """Draft → ordered: the PO goes to the supplier. Sets the order time and the expected date (``expected_at``,
    else the draft's if still ahead, else today + the supplier's lead days). Locks the PO row. Raises
    InvalidPurchaseTransition, ValidationFailed (inactive supplier or warehouse, expected date in the past).
    """
    today = timezone.localdate()
    if expected_at is not None and expected_at < today:
        raise ValidationFailed(_("The expected date is in the past."), details={"expected_at": expected_at.isoformat()})
    with transaction.atomic():
        po = lock_purchase_order(po.pk)
        check_po_transition(po, P.ORDERED)
        _check_parties(po.supplier, po.warehouse)
        planned = po.expected_at if po.expected_at and po.expected_at >= today else None
        po.expected_at = expected_at or planned or today + timedelta(days=po.supplier.lead_days)
        po.ordered_at = timezone.now()
        sent = {"supplier": po.supplier.code, "note": note}
        message = _("Sent to %(supplier)s: %(note)s") % sent if note else _("Sent to %(supplier)s") % sent
        return apply_po_transition(po=po, to=P.ORDERED, actor=actor, note=message, fields=("ordered_at", "expected_at"))


def cancel_purchase_order(*, po: PurchaseOrder, actor: User | None, reason: str = "") -> PurchaseOrder:
    """Draft or ordered (nothing received yet) → cancelled: its units stop counting as on order. Locks the PO
    row. Raises InvalidPurchaseTransition (also once any unit was received: that stock is booked).
    """
    with transaction.atomic():
        po = lock_purchase_order(po.pk)
        message = None
        if po.status in (P.PARTIALLY_RECEIVED, P.RECEIVED):
            message = _(
                "Purchase order %(po_no)s is %(status)s: units have arrived in %(warehouse)s, so it can no longer be "
                "cancelled."
            ) % {"po_no": po.po_no, "status": po.get_status_display().lower(), "warehouse": po.warehouse.code}
        check_po_transition(po, P.CANCELLED, message)
        return apply_po_transition(po=po, to=P.CANCELLED, actor=actor, note=reason.strip() or _("Cancelled"))


def close_purchase_order(*, po: PurchaseOrder, actor: User | None, reason: str) -> PurchaseOrder:
    """Partially received → closed (closed short): the units still expected will never come, so they stop counting
    as on order; what arrived stays in stock. ``reason`` is required: the timeline says why the rest was given up.
    Locks the PO row. Raises ValidationFailed (no reason), InvalidPurchaseTransition (nothing received yet: cancel
    instead; fully received, cancelled or closed already).
    """
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Say why the rest of the purchase order will not come."), details={"reason": reason})
    with transaction.atomic():
        po = lock_purchase_order(po.pk)
        check_po_transition(po, P.CLOSED, _not_closable(po))
        missing = sum(line.remaining for line in po.lines.all())  # read under the lock: no receipt races it
        note = _("Closed short, %(missing)s unit(s) not delivered: %(reason)s") % {"missing": missing, "reason": reason}
        return apply_po_transition(po=po, to=P.CLOSED, actor=actor, note=note)


def _not_closable(po: PurchaseOrder) -> str | None:
    if po.status in (P.DRAFT, P.ORDERED):
        return _("Nothing has arrived on purchase order %(po_no)s yet: cancel it instead of closing it.") % {
            "po_no": po.po_no
        }
    if po.status == P.RECEIVED:
        return _("Purchase order %(po_no)s is fully received: nothing is missing, so there is nothing to close.") % {
            "po_no": po.po_no
        }
    return None


# --- Receive ------------------------------------------------------------------------------------------------------


def receive_purchase_order(
    *,
    po: PurchaseOrder,
    quantities: Mapping[int | str, int],
    actor: User | None,
    note: str = "",
) -> PurchaseOrder:
    """Book a delivery: ``quantities`` maps a line (its id, or its SKU code) to the units that arrived.

    All or nothing: a line given more than it still expects refuses the whole receipt (OverReceipt). The units go
    on hand in the PO's warehouse with a RECEIPT movement each; the PO becomes partially_received, or received
    once every line is complete, with an event either way. Locks the PO row, then the stock rows in id order.
    Raises InvalidPurchaseTransition (not ordered yet, cancelled, or already received), ValidationFailed,
    OverReceipt.
    """
    with transaction.atomic():
        po = lock_purchase_order(po.pk)
        if (refused := why_not_receive(po)) is not None:
            raise refused
        lines = list(po.lines.select_related("sku"))  # read under the lock: received quantities are current
        wanted = _receipt(po, lines, quantities)
        complete = all(line.received_quantity + wanted.get(line.pk, 0) == line.quantity for line in lines)
        target = P.RECEIVED if complete else P.PARTIALLY_RECEIVED
        check_po_transition(po, target)
        by_id = {line.pk: line for line in lines}
        _add_to_stock(po=po, units={by_id[pk].sku_id: units for pk, units in wanted.items()}, actor=actor)
        for pk, units in wanted.items():
            PurchaseOrderLine.objects.filter(pk=pk).update(received_quantity=F("received_quantity") + units)
        summary = ", ".join(f"{units} × {by_id[pk].sku.code}" for pk, units in wanted.items())
        fields: tuple[str, ...] = ()
        if complete:
            po.received_at = timezone.now()
            fields = ("received_at",)
        got = {"lines": summary, "note": note.strip()}
        message = _("Received %(lines)s: %(note)s") % got if got["note"] else _("Received %(lines)s") % got
        return apply_po_transition(po=po, to=target, actor=actor, note=message, fields=fields)


def _receipt(po: PurchaseOrder, lines: list[PurchaseOrderLine], quantities: Mapping[int | str, int]) -> dict[int, int]:
    """Line id → units arriving (zeros dropped), or the error for the whole receipt."""
    by_key: dict[int | str, PurchaseOrderLine] = {line.pk: line for line in lines}
    by_key.update({line.sku.code: line for line in lines})
    unknown = sorted(str(key) for key in quantities if key not in by_key)
    if unknown:
        raise ValidationFailed(
            _("Purchase order %(po_no)s has no line for: %(lines)s.")
            % {"po_no": po.po_no, "lines": ", ".join(unknown)},
            details={"unknown_lines": unknown},
        )
    wanted: dict[int, int] = {}
    for key, units in quantities.items():
        line = by_key[key]
        if isinstance(units, bool) or not isinstance(units, int) or units < 0:
            raise ValidationFailed(_("Received quantities are whole units, 0 or more."), details={"sku": line.sku.code})
        if line.pk in wanted:
            raise ValidationFailed(
                _("%(sku)s is given twice.") % {"sku": line.sku.code}, details={"duplicate_skus": [line.sku.code]}
            )
        wanted[line.pk] = units
    wanted = {pk: units for pk, units in wanted.items() if units}
    if not wanted:
        raise ValidationFailed(_("Enter the units that arrived on at least one line."), details={"lines": []})
    over = [
        {"sku": line.sku.code, "remaining": line.remaining, "requested": wanted[line.pk]}
        for line in lines
        if wanted.get(line.pk, 0) > line.remaining
    ]
    if over:
        detail = "; ".join(_("%(sku)s: %(requested)s arrived, %(remaining)s still expected") % o for o in over)
        raise OverReceipt(
            _("More units than purchase order %(po_no)s still expects (%(lines)s). Nothing was received.")
            % {"po_no": po.po_no, "lines": detail},
            details={"lines": over},
        )
    return wanted


def receipt_note(po_no: str) -> str:
    """The note of the stock movements a receipt of PO ``po_no`` writes, in the active language."""
    return _("PO %(po_no)s") % {"po_no": po_no}


def _add_to_stock(*, po: PurchaseOrder, units: dict[int, int], actor: User | None) -> None:
    """Units per SKU id on hand in the PO's warehouse, with a RECEIPT movement each. Inside the PO's transaction."""
    movements = [
        Movement(
            kind=StockMovement.Kind.RECEIPT,
            sku_id=sku_id,
            warehouse_id=po.warehouse_id,
            on_hand_delta=count,
            note=receipt_note(po.po_no),
        )
        for sku_id, count in sorted(units.items())
    ]
    ledger.post_movements(movements=movements, actor=actor)

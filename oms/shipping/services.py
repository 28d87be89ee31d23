"""Fulfilment writes: confirm, ship, track, receipt, auto-completion and reshipping.

Order status changes go through oms.orders.transitions.transition_order. Every write locks the order row first and
its shipment rows after it (always in that order, so a webhook and a staff action cannot deadlock), and writes
the order event in the same transaction.

Shipment status only moves forward (the table is oms.shipping.states, applied by oms.shipping.transitions):
pending < picked_up < in_transit < out_for_delivery < delivered. ``exception`` and ``returned`` may follow any
status before ``delivered``; those three end the parcel's journey, and later carrier events are kept on its
timeline without changing it. A failed parcel is resolved by staff: reship it
(``reship_order``) or refund the order (oms.payments.refunds.refund_order, shipment_failed -> refunding).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.common.errors import ValidationFailed
from oms.common.statemachine import apply_transition
from oms.inventory.models import Allocation
from oms.orders.errors import InvalidTransition
from oms.orders.models import Order
from oms.orders.rollups import record_delivered
from oms.orders.states import OrderStatus
from oms.orders.transitions import note_order, transition_order
from oms.shipping.allowed import (
    RECEIPT_FROM,
    unresolved_failures,
    why_not_confirm,
    why_not_reship,
    why_not_ship,
)
from oms.shipping.carriers import carrier_codes
from oms.shipping.errors import NotOrderCustomer, ShipmentNotPending, TrackingNoTaken, UnknownShipment
from oms.shipping.models import Shipment, ShipmentLine, TrackingEvent
from oms.shipping.states import FAILED, TRANSITIONS, ShipmentStatus, state_in_message
from oms.shipping.stock import deduct_reserved_for_shipment, deduct_reship_stock
from oms.shipping.transitions import SHIPMENT

S = ShipmentStatus


def _lock_order(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


# --- Confirm --------------------------------------------------------------------------------------------------


def confirm_order(*, order: Order, actor: User) -> Order:
    """Staff confirm a paid order: one pending shipment per warehouse its stock came from, -> awaiting_shipment.

    Locks the order row. Confirming again (or concurrently) finds the shipments and changes nothing, so shipments
    are never created twice. Raises InvalidTransition for an order that is neither paid nor already confirmed.
    """
    with transaction.atomic():
        order = _lock_order(order.pk)
        has_shipments = order.shipments.exists()
        if order.status == OrderStatus.AWAITING_SHIPMENT and has_shipments:
            return order
        if (refused := why_not_confirm(order)) is not None:
            raise refused
        shipments = [] if has_shipments else _create_shipments(order=order)
        codes = ", ".join(shipment.warehouse.code for shipment in shipments)
        return transition_order(
            order_id=order.pk,
            to=OrderStatus.AWAITING_SHIPMENT,
            actor=actor,
            reason=_("Confirmed for shipping: %(count)s shipment(s) from %(warehouses)s")
            % {"count": len(shipments), "warehouses": codes}
            if shipments
            else _("Confirmed for shipping"),
        )


def _create_shipments(*, order: Order, keep: dict[int, Shipment] | None = None) -> list[Shipment]:
    """Lines grouped by the warehouse each allocation took its units from (a split SKU ships from each).

    ``keep`` (by warehouse id) are existing line-less shipments to reuse for their warehouse instead of new ones.
    """
    allocations = (
        Allocation.objects.filter(order=order)
        .exclude(status=Allocation.Status.RELEASED)
        .select_related("stock__sku", "stock__warehouse")
        .order_by("stock__warehouse__priority", "stock__warehouse_id", "stock__sku_id")
    )
    by_warehouse: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    warehouses, skus = {}, {}
    for allocation in allocations:
        stock = allocation.stock
        warehouses[stock.warehouse_id], skus[stock.sku_id] = stock.warehouse, stock.sku
        by_warehouse[stock.warehouse_id][stock.sku_id] += allocation.quantity
    now = timezone.now()
    shipments, lines = [], []
    for warehouse_id, quantities in by_warehouse.items():
        shipment = (keep or {}).get(warehouse_id) or Shipment.objects.create(
            order=order, warehouse=warehouses[warehouse_id], created_at=now
        )
        shipments.append(shipment)
        lines += [
            ShipmentLine(shipment=shipment, sku=skus[sku_id], sku_code=skus[sku_id].code, quantity=quantity)
            for sku_id, quantity in quantities.items()
        ]
    ShipmentLine.objects.bulk_create(lines)
    return shipments


def regenerate_pending_shipments(*, order: Order) -> list[Shipment]:
    """Re-derive a confirmed order's parcels from its allocations, after its units moved (a re-allocation).

    A pending shipment whose warehouse still ships keeps its id, with its lines rewritten; one whose warehouse no
    longer ships is deleted; a newly used warehouse gets a new pending shipment. The caller holds the order row
    lock in a transaction; this locks the order's shipment rows. Raises ShipmentNotPending (nothing changed) if
    any shipment of the order has left.
    """
    shipments = list(Shipment.objects.select_for_update().filter(order=order).order_by("pk"))
    left = [s for s in shipments if s.status != S.PENDING]
    if left:
        raise ShipmentNotPending(
            _("Shipment %(shipment)s of order %(order_no)s already left; its parcels can no longer change.")
            % {"shipment": left[0].pk, "order_no": order.order_no},
            details={"shipments": [s.pk for s in left]},
        )
    ShipmentLine.objects.filter(shipment__in=shipments).delete()
    regenerated = _create_shipments(order=order, keep={s.warehouse_id: s for s in shipments})
    kept = {s.pk for s in regenerated}
    Shipment.objects.filter(pk__in=[s.pk for s in shipments if s.pk not in kept]).delete()
    return regenerated


# --- Ship -----------------------------------------------------------------------------------------------------


def ship_shipment(
    *,
    shipment: Shipment,
    carrier: str,
    tracking_no: str,
    actor: User | None,
    now: datetime | None = None,
) -> Shipment:
    """The parcel left the warehouse with ``carrier``: it becomes ``picked_up`` with its tracking number.

    When no shipment of the order is left pending, the order becomes ``shipped`` (and ``shipment_failed`` at once
    if an earlier parcel of it already failed and was not reshipped); until then it stays awaiting_shipment.
    Stock was deducted at payment; an allocation still reserved is deducted here (oms.shipping.stock). Shipping
    the same parcel again with the same carrier and number returns it unchanged (a retried request).
    Locks the order row, then the shipment row. Raises ValidationFailed, InvalidTransition (order not awaiting
    shipment), ShipmentNotPending, TrackingNoTaken.
    """
    carrier, tracking_no = _valid_carrier(carrier), _valid_tracking_no(tracking_no)
    with transaction.atomic():
        order = _lock_order(shipment.order_id)
        shipment = Shipment.objects.select_for_update().select_related("warehouse").get(pk=shipment.pk)
        if shipment.status != S.PENDING and (shipment.carrier, shipment.tracking_no) == (carrier, tracking_no):
            return shipment
        if (refused := why_not_ship(shipment=shipment, order=order)) is not None:
            raise refused
        if Shipment.objects.filter(carrier=carrier, tracking_no=tracking_no).exists():
            raise _tracking_no_taken(carrier, tracking_no)
        deduct_reserved_for_shipment(shipment=shipment, actor=actor)
        shipment.carrier, shipment.tracking_no, shipment.shipped_by = carrier, tracking_no, actor
        shipment.shipped_at = now or timezone.now()
        try:
            with transaction.atomic():
                apply_transition(
                    SHIPMENT,
                    shipment,
                    to=S.PICKED_UP,
                    actor=actor,
                    reason=_("Left %(warehouse)s with %(carrier)s %(tracking_no)s")
                    % {"warehouse": shipment.warehouse.code, "carrier": carrier, "tracking_no": tracking_no},
                    fields=("carrier", "tracking_no", "shipped_by", "shipped_at"),
                )
        except IntegrityError as exc:  # the same number recorded concurrently for another parcel
            raise _tracking_no_taken(carrier, tracking_no) from exc
        _after_shipment_left(order=order, shipment=shipment, actor=actor)
    return shipment


def _valid_carrier(carrier: str) -> str:
    if carrier not in carrier_codes():
        raise ValidationFailed(
            _("Unknown carrier %(carrier)s.") % {"carrier": repr(carrier)},
            details={"carrier": [_("One of: %(carriers)s.") % {"carriers": ", ".join(carrier_codes())}]},
        )
    return carrier


def _valid_tracking_no(tracking_no: str) -> str:
    tracking_no = tracking_no.strip()
    if not tracking_no or len(tracking_no) > 64 or "\x00" in tracking_no:
        raise ValidationFailed(
            _("Enter the carrier's tracking number."), details={"tracking_no": [_("1 to 64 characters.")]}
        )
    return tracking_no


def _tracking_no_taken(carrier: str, tracking_no: str) -> TrackingNoTaken:
    return TrackingNoTaken(
        _("Tracking number %(tracking_no)s of %(carrier)s is already on another shipment.")
        % {"tracking_no": tracking_no, "carrier": carrier},
        details={"carrier": carrier, "tracking_no": tracking_no},
    )


def _after_shipment_left(*, order: Order, shipment: Shipment, actor: User | None) -> None:
    label = _("shipment %(shipment)s from %(warehouse)s (%(carrier)s %(tracking_no)s)") % {
        "shipment": shipment.pk,
        "warehouse": shipment.warehouse.code,
        "carrier": shipment.carrier,
        "tracking_no": shipment.tracking_no,
    }
    pending = order.shipments.filter(status=S.PENDING).count()
    if pending:
        partly = _("Partly shipped: %(label)s; %(pending)s shipment(s) still to ship")
        note_order(order=order, actor=actor, reason=partly % {"label": label, "pending": pending})
        return
    shipped = _("Shipped: %(label)s") % {"label": label}
    transition_order(order_id=order.pk, to=OrderStatus.SHIPPED, actor=actor, reason=shipped)
    failed = unresolved_failures(order).first()
    if failed is not None:
        transition_order(
            order_id=order.pk,
            to=OrderStatus.SHIPMENT_FAILED,
            actor=None,
            reason=_("Shipment %(shipment)s (%(carrier)s %(tracking_no)s) is %(status)s")
            % {
                "shipment": failed.pk,
                "carrier": failed.carrier,
                "tracking_no": failed.tracking_no,
                "status": state_in_message(failed.status),
            },
        )


# --- Tracking -------------------------------------------------------------------------------------------------


def record_tracking_event(
    *,
    carrier: str,
    event_id: str,
    tracking_no: str,
    status: str,
    occurred_at: datetime,
    location: str = "",
    description: str = "",
) -> str:
    """Store one carrier event and move the parcel forward if it is news. Returns what happened:

    ``duplicate`` (this event id was already stored: nothing changes), ``applied`` (the shipment moved), or
    ``recorded`` (kept on the timeline only: an older status arriving late, or the journey already ended).
    ``delivered`` sets delivered_at; ``exception``/``returned`` move a shipped order to ``shipment_failed``
    (in any other order state they are noted on the order's timeline for staff). Locks the order row, then the
    shipment row; the unique (carrier, event id) index makes concurrent repeats collapse into one.
    Raises UnknownShipment when the carrier has no shipped parcel of that number with us.
    """
    found = Shipment.objects.filter(carrier=carrier, tracking_no=tracking_no).values_list("pk", "order_id").first()
    if found is None:
        raise UnknownShipment(
            _("No shipment with tracking number %(tracking_no)s of carrier %(carrier)s.")
            % {"tracking_no": tracking_no, "carrier": carrier},
            details={"carrier": carrier, "tracking_no": tracking_no},
        )
    shipment_id, order_id = found
    if TrackingEvent.objects.filter(carrier=carrier, carrier_event_id=event_id).exists():
        return "duplicate"
    with transaction.atomic():
        order = _lock_order(order_id)
        shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
        try:
            with transaction.atomic():
                event = TrackingEvent.objects.create(
                    shipment=shipment,
                    carrier=carrier,
                    carrier_event_id=event_id,
                    status=status,
                    occurred_at=occurred_at,
                    location=location[:200],
                    description=description[:500],
                    received_at=timezone.now(),
                )
        except IntegrityError:
            return "duplicate"
        if not moves_forward(shipment.status, status):
            return "recorded"
        TrackingEvent.objects.filter(pk=event.pk).update(applied=True)
        fields = []
        if status == S.DELIVERED:
            shipment.delivered_at = occurred_at
            fields.append("delivered_at")
        apply_transition(
            SHIPMENT,
            shipment,
            to=status,
            actor=None,
            reason=_("Carrier event %(event)s") % {"event": event_id},
            fields=fields,
        )
        if status == S.DELIVERED and shipment.shipped_at is not None:
            record_delivered(order=order, shipped_at=shipment.shipped_at, delivered_at=occurred_at)
        if status in FAILED:
            _shipment_failed(order=order, shipment=shipment, event=event)
    return "applied"


def moves_forward(current: str, reported: str) -> bool:
    """Whether a carrier reporting ``reported`` moves a parcel now ``current`` (never one still in the warehouse)."""
    return current != S.PENDING and TRANSITIONS.allows(current, reported)


def _shipment_failed(*, order: Order, shipment: Shipment, event: TrackingEvent) -> None:
    reason = _("Shipment %(shipment)s (%(carrier)s %(tracking_no)s) %(status)s") % {
        "shipment": shipment.pk,
        "carrier": shipment.carrier,
        "tracking_no": shipment.tracking_no,
        "status": state_in_message(event.status),
    }
    details = " – ".join(part for part in (event.description, event.location) if part)
    reason = _("%(what)s: %(details)s") % {"what": reason, "details": details} if details else reason
    if order.status == OrderStatus.SHIPPED:
        transition_order(order_id=order.pk, to=OrderStatus.SHIPMENT_FAILED, actor=None, reason=reason)
    else:
        # Awaiting shipment: the order fails once its last parcel leaves (_after_shipment_left). Already
        # failed, refunding or completed: staff see the note.
        note_order(order=order, actor=None, reason=reason)


# --- Receipt and completion -----------------------------------------------------------------------------------


def confirm_receipt(*, order: Order, customer: User) -> Order:
    """The customer confirms they received the order: shipped -> completed. Raises NotOrderCustomer,
    InvalidTransition (not shipped)."""
    if order.customer_id != customer.pk:
        raise NotOrderCustomer(_("Only the customer who placed an order confirms its receipt."))
    return transition_order(
        order_id=order.pk,
        to=OrderStatus.COMPLETED,
        actor=customer,
        reason=_("Receipt confirmed by the customer"),
        allowed_from=RECEIPT_FROM,
    )


def orders_due_for_completion(*, now: datetime, limit: int) -> list[int]:
    """Shipped orders whose every shipment left more than OMS_AUTO_COMPLETE_DAYS ago, longest-shipped first."""
    cutoff = now - timedelta(days=settings.OMS_AUTO_COMPLETE_DAYS)
    due = (
        Order.objects.filter(status=OrderStatus.SHIPPED)
        .annotate(
            last_shipped=Max("shipments__shipped_at"),
            unshipped=Count("shipments", filter=Q(shipments__shipped_at__isnull=True)),
        )
        .filter(last_shipped__lte=cutoff, unshipped=0)
        .order_by("last_shipped", "pk")
    )
    return list(due.values_list("pk", flat=True)[:limit])


def auto_complete_orders(*, now: datetime | None = None, limit: int = 500) -> int:
    """Complete shipped orders nobody confirmed within OMS_AUTO_COMPLETE_DAYS of shipping; returns how many.

    Orders with no shipment at all (moved to shipped by hand) are left alone. Each order is its own transaction;
    one that changed state meanwhile is skipped.
    """
    days = settings.OMS_AUTO_COMPLETE_DAYS
    completed = 0
    for order_id in orders_due_for_completion(now=now or timezone.now(), limit=limit):
        try:
            transition_order(
                order_id=order_id,
                to=OrderStatus.COMPLETED,
                actor=None,
                reason=_("Completed automatically %(days)s days after shipping") % {"days": days},
                allowed_from=frozenset({OrderStatus.SHIPPED}),
            )
            completed += 1
        except InvalidTransition:
            continue
    return completed


# --- Failure resolution ---------------------------------------------------------------------------------------


def reship_order(*, order: Order, actor: User) -> Order:
    """Send again what the carrier lost or returned: shipment_failed -> awaiting_shipment.

    Each failed shipment without a replacement gets a pending replacement with the same lines from the same
    warehouse, whose units are deducted from its stock now (the failed parcel's units are gone). Ship the
    replacements as usual. Locks the order row, then stock rows in id order. Raises InvalidTransition (order not
    in shipment_failed, or nothing to reship), InsufficientStock (the warehouse cannot cover it: nothing changes).
    """
    with transaction.atomic():
        order = _lock_order(order.pk)
        if (refused := why_not_reship(order)) is not None:
            raise refused
        failed = list(unresolved_failures(order).select_related("warehouse").prefetch_related("lines"))
        now = timezone.now()
        replacements = []
        for old in failed:
            new = Shipment.objects.create(order=order, warehouse=old.warehouse, replaces=old, created_at=now)
            ShipmentLine.objects.bulk_create(
                [
                    ShipmentLine(shipment=new, sku_id=line.sku_id, sku_code=line.sku_code, quantity=line.quantity)
                    for line in old.lines.all()
                ]
            )
            replacements.append(new)
        deduct_reship_stock(shipments=replacements, actor=actor)
        pairs = ", ".join(_("%(new)s for %(old)s") % {"new": new.pk, "old": new.replaces_id} for new in replacements)
        return transition_order(
            order_id=order.pk,
            to=OrderStatus.AWAITING_SHIPMENT,
            actor=actor,
            reason=_("Reshipping: new shipment %(pairs)s") % {"pairs": pairs},
        )

"""Return reads: who may see which return, and how many units of an order may still go back, until when.

When a unit was delivered: the ``delivered_at`` of the shipment that carried it, as the carrier reported it. A
parcel the carrier never reported delivered counts as delivered when the order was completed (the customer
confirmed receipt, or it was completed automatically). Failed parcels (lost, returned to sender) delivered
nothing. A unit may be returned until OMS_RETURN_WINDOW_DAYS after its delivery.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.aftersales.errors import ReturnNotFound
from oms.aftersales.models import ReturnLine, ReturnRequest
from oms.aftersales.states import CLAIMS_UNITS
from oms.orders.models import Order, OrderEvent
from oms.orders.selectors import sees_all_orders
from oms.orders.states import OrderStatus
from oms.payments.models import Refund
from oms.shipping.models import Shipment, ShipmentStatus

MAX_ID = 2**63 - 1
# Parcels that may still arrive: if the order was completed, the customer has them.
ON_ITS_WAY = (ShipmentStatus.PICKED_UP, ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY)
# The reason of every refund a return makes starts with this (and the return's id): the mark that tells a return's
# refund from staff's, even before the refund is linked to its return.
RETURN_REFUND_PREFIX = "Return #"


# --- Visibility -----------------------------------------------------------------------------------------------


def returns_visible_to(user: User) -> QuerySet[ReturnRequest]:
    """Staff who see every order see every return; a customer sees their own."""
    returns = ReturnRequest.objects.all()
    return returns if sees_all_orders(user) else returns.filter(customer=user)


def return_list(*, user: User, status: str | None = None, order_no: str | None = None) -> QuerySet[ReturnRequest]:
    returns = returns_visible_to(user)
    if status:
        returns = returns.filter(status=status)
    if order_no:
        returns = returns.filter(order__order_no=order_no)
    return (
        returns.select_related("order", "customer", "refund")
        .prefetch_related("lines__shipment__warehouse", "events__actor")
        .order_by("-created_at", "-id")
    )


def return_detail(*, user: User, return_id: int) -> ReturnRequest:
    """The return with lines and timeline, or ReturnNotFound — also for someone else's return (never 403)."""
    if not 0 < return_id <= MAX_ID:  # a bigger number is no id, and would overflow the database's integer
        raise ReturnNotFound(_("No return %(return_id)s.") % {"return_id": return_id})
    found = return_list(user=user).filter(pk=return_id).first()
    if found is None:
        raise ReturnNotFound(_("No return %(return_id)s among your returns.") % {"return_id": return_id})
    return found


# --- What may still be returned --------------------------------------------------------------------------------


@dataclass
class ParcelUnits:
    """Units of one SKU one delivered shipment brought, and how many of them returns already claim."""

    shipment_id: int
    warehouse_id: int
    delivered_at: datetime
    delivered: int
    claimed: int = 0

    @property
    def window_closes_at(self) -> datetime:
        return self.delivered_at + timedelta(days=settings.OMS_RETURN_WINDOW_DAYS)

    @property
    def unclaimed(self) -> int:
        return max(self.delivered - self.claimed, 0)


@dataclass
class ReturnableSku:
    sku_id: int
    sku_code: str
    name: str
    unit_price: Decimal
    bought: int
    # Units in returns that claim them (open or refunded), and units refunded by staff outside any return.
    in_returns: int = 0
    refunded_outside_returns: int = 0
    parcels: list[ParcelUnits] = field(default_factory=list)

    @property
    def not_yet_returned(self) -> int:
        """Bought, less every unit already returned, requested or refunded: the hard upper bound."""
        return max(self.bought - self.in_returns - self.refunded_outside_returns, 0)

    def delivered_unclaimed(self) -> int:
        return min(sum(p.unclaimed for p in self.parcels), self.not_yet_returned)

    def open_parcels(self, now: datetime) -> list[ParcelUnits]:
        return [p for p in self.parcels if p.unclaimed and now <= p.window_closes_at]

    def returnable(self, now: datetime) -> int:
        """What a request may ask for now: delivered, inside its window, and not yet returned or requested."""
        return min(sum(p.unclaimed for p in self.open_parcels(now)), self.not_yet_returned)

    def window_closes_at(self, now: datetime) -> datetime | None:
        """When the last of the units returnable now stops being returnable."""
        return max((p.window_closes_at for p in self.open_parcels(now)), default=None)


def returnable_units(*, order: Order) -> dict[str, ReturnableSku]:
    """Per SKU code of the order: bought, claimed, and the delivered parcels with their windows.

    Reads only; to act on the answer, hold the order row lock (oms.aftersales.services.request_return does), so
    that no concurrent request claims the same units between the read and the write.
    """
    skus = {
        item.sku_id: ReturnableSku(item.sku_id, item.sku_code, item.name, item.unit_price, item.quantity)
        for item in order.items.all()
    }
    for parcel_key, parcel in _delivered_parcels(order).items():
        if parcel_key[1] in skus:
            skus[parcel_key[1]].parcels.append(parcel)
    claimed = (
        ReturnLine.objects.filter(return_request__order=order, return_request__status__in=CLAIMS_UNITS)
        .values("shipment_id", "sku_id")
        .annotate(units=Sum("quantity"))
    )
    parcels = {(p.shipment_id, sku.sku_id): p for sku in skus.values() for p in sku.parcels}
    for row in claimed:
        if row["sku_id"] in skus:
            skus[row["sku_id"]].in_returns += row["units"]
        if (row["shipment_id"], row["sku_id"]) in parcels:
            parcels[(row["shipment_id"], row["sku_id"])].claimed += row["units"]
    for sku_id, units in refunded_outside_returns(order).items():
        if sku_id in skus:
            skus[sku_id].refunded_outside_returns = units
    return {sku.sku_code: sku for sku in skus.values()}


def _delivered_parcels(order: Order) -> dict[tuple[int, int], ParcelUnits]:
    completed_at = order_completed_at(order)
    delivered: dict[tuple[int, int], ParcelUnits] = {}
    shipments = Shipment.objects.filter(order=order).prefetch_related("lines").order_by("pk")
    for shipment in shipments:
        if shipment.status == ShipmentStatus.DELIVERED:
            when = shipment.delivered_at or completed_at or shipment.shipped_at
        elif shipment.status in ON_ITS_WAY and completed_at is not None:
            when = completed_at
        else:
            continue  # still in the warehouse, on its way to an open order, or failed: nothing delivered
        if when is None:  # a delivered parcel was shipped: not reached
            continue
        for line in shipment.lines.all():
            delivered[(shipment.pk, line.sku_id)] = ParcelUnits(shipment.pk, shipment.warehouse_id, when, line.quantity)
    return delivered


def order_completed_at(order: Order) -> datetime | None:
    """When the order first became completed (a later refund may bring it back to completed: not that one)."""
    event = (
        OrderEvent.objects.filter(order=order, from_status=OrderStatus.SHIPPED, to_status=OrderStatus.COMPLETED)
        .order_by("created_at", "pk")
        .first()
    )
    return event.created_at if event else None


def refunded_outside_returns(order: Order) -> dict[int, int]:
    """Units per SKU id that staff refunded by item (oms.payments) without a return: they cannot come back too."""
    units: dict[int, int] = defaultdict(int)
    refunds = Refund.objects.filter(
        order=order, status__in=[Refund.Status.PENDING, Refund.Status.SUCCEEDED], return_request__isnull=True
    ).exclude(reason__startswith=RETURN_REFUND_PREFIX)
    for refund in refunds:
        for line in refund.items or []:
            units[line["sku_id"]] += line["quantity"]
    return dict(units)


def return_refund_reason(request: ReturnRequest, reason: str) -> str:
    return f"{RETURN_REFUND_PREFIX}{request.pk}: {reason}"


def returnable_now(*, order: Order, now: datetime | None = None) -> list[dict[str, Any]]:
    """What the customer may still send back of ``order``, per SKU (for the API and the storefront)."""
    now = now or timezone.now()
    return [
        {
            "sku": sku.sku_code,
            "name": sku.name,
            "bought": sku.bought,
            "returnable": sku.returnable(now),
            "window_closes_at": sku.window_closes_at(now),
        }
        for sku in returnable_units(order=order).values()
    ]

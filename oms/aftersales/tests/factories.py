"""After-sales test data, made through the real services: orders shipped by the sim carrier and delivered."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from oms.aftersales import services
from oms.aftersales.models import ReturnRequest
from oms.aftersales.services import ReturnLineInput
from oms.orders.models import Order
from oms.payments.tests.factories import paid_order
from oms.shipping import services as shipping
from oms.shipping.models import ShipmentStatus

_tracking = iter(range(1, 10**9))


def ship_all(order: Order, *, staff) -> Order:
    """Confirm the paid order and hand every parcel to the ``sim`` carrier."""
    shipping.confirm_order(order=order, actor=staff)
    for shipment in order.shipments.filter(status=ShipmentStatus.PENDING).order_by("pk"):
        shipping.ship_shipment(shipment=shipment, carrier="sim", tracking_no=f"SIM{next(_tracking):08d}", actor=staff)
    order.refresh_from_db()
    return order


def deliver(shipment, *, at: datetime | None = None) -> None:
    """The carrier reports the parcel delivered (``at`` is when, default now)."""
    shipping.record_tracking_event(
        carrier=shipment.carrier,
        event_id=f"delivered-{shipment.pk}",
        tracking_no=shipment.tracking_no,
        status=ShipmentStatus.DELIVERED,
        occurred_at=at or timezone.now(),
    )


def delivered_order(*, customer, staff, address, lines, delivered_at: datetime | None = None) -> Order:
    """A paid (offline) order of ``lines`` [(sku, quantity)], shipped and delivered: the order stays ``shipped``."""
    order = ship_all(paid_order(customer=customer, staff=staff, address=address, lines=lines), staff=staff)
    for shipment in order.shipments.all():
        deliver(shipment, at=delivered_at)
    order.refresh_from_db()
    return order


def requested_return(order: Order, *lines: tuple[str, int], reason: str = "Does not fit") -> ReturnRequest:
    """A return request of ``lines`` [(sku code, quantity)] by the order's customer."""
    return services.request_return(
        order=order,
        customer=order.customer,
        items=[ReturnLineInput(sku, quantity) for sku, quantity in lines],
        reason=reason,
    )


def shipped_return(order: Order, *lines: tuple[str, int], staff, tracking_no: str = "SF1001") -> ReturnRequest:
    """A return requested, approved and sent back by the customer with carrier ``SF``."""
    request = requested_return(order, *lines)
    services.approve_return(return_request=request, actor=staff)
    return services.ship_return(
        return_request=request, actor=order.customer, carrier="SF", tracking_no=tracking_no, by_staff=False
    )

"""Shipment reads: who may see which parcel."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from oms.orders.selectors import orders_visible_to
from oms.shipping.errors import UnknownShipment
from oms.shipping.models import Shipment

MAX_ID = 2**63 - 1


def shipments_visible_to(user: User) -> QuerySet[Shipment]:
    """Staff who see every order see every shipment; a customer sees the shipments of their own orders."""
    return Shipment.objects.filter(order__in=orders_visible_to(user))


def shipment_detail(*, user: User, shipment_id: int) -> Shipment:
    """The shipment with its lines and tracking timeline, or UnknownShipment (also for someone else's: never 403)."""
    if not 0 < shipment_id <= MAX_ID:  # a bigger number is no id, and would overflow the database's integer
        raise UnknownShipment(_("No shipment %(shipment)s.") % {"shipment": shipment_id})
    shipment = (
        shipments_visible_to(user)
        .select_related("warehouse", "order")
        .prefetch_related("lines", "tracking_events")
        .filter(pk=shipment_id)
        .first()
    )
    if shipment is None:
        raise UnknownShipment(_("No shipment %(shipment)s among your orders' shipments.") % {"shipment": shipment_id})
    return shipment

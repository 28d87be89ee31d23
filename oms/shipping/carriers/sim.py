"""``sim``: the local simulated carrier. It pushes through our webhook (oms.shipping.simulator) and can be polled.

It keeps no state of its own: a parcel's journey is a fixed timeline counted from the moment it was shipped, one
step every OMS_CARRIER_SIM_STEP_SECONDS, with event ids made from the tracking number and the step. So the same
step is always the same event, and a webhook that got lost is simply sent again. A tracking number containing
``LOST`` makes the parcel go missing after it left the sorting centre (an ``exception``), for trying the
failure flow.

Like a real carrier in China, it writes its locations and descriptions in one language, the shop's
(OMS_DEFAULT_LANGUAGE): they are the carrier's words, stored as sent and shown to everyone as they are.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oms.shipping.carriers.base import CarrierEvent, SignedJsonCarrier
from oms.shipping.models import Shipment, ShipmentStatus

S = ShipmentStatus
LOST_MARK = "LOST"


def sim_step() -> timedelta:
    return timedelta(seconds=settings.OMS_CARRIER_SIM_STEP_SECONDS)


def sim_timeline(shipment: Shipment) -> list[CarrierEvent]:
    """Every event of the parcel's simulated journey, with the time each one happens (or happened)."""
    tracking_no, shipped_at = shipment.tracking_no, shipment.shipped_at
    if tracking_no is None or shipped_at is None:
        raise ValueError(f"shipment {shipment.pk} is not shipped: it has no journey yet")
    warehouse = shipment.warehouse
    with translation.override(settings.LANGUAGE_CODE):
        city = str(shipment.order.shipping_address.get("city", "")) or gettext("the destination")
        sorting_centre = gettext("%(region)s sorting centre") % {"region": warehouse.region}
        steps = [
            (
                S.PICKED_UP,
                warehouse.name,
                gettext("Picked up from warehouse %(warehouse)s") % {"warehouse": warehouse.code},
            ),
            (S.IN_TRANSIT, sorting_centre, gettext("Departed the sorting centre")),
        ]
        if LOST_MARK in tracking_no.upper():
            steps.append((S.EXCEPTION, sorting_centre, gettext("Parcel lost in transit")))
        else:
            steps += [
                (S.OUT_FOR_DELIVERY, city, gettext("Out for delivery with the courier")),
                (S.DELIVERED, city, gettext("Delivered and signed for")),
            ]
    return [
        CarrierEvent(
            event_id=f"sim-{tracking_no}-{index}",
            tracking_no=tracking_no,
            status=status,
            occurred_at=shipped_at + index * sim_step(),
            location=location,
            description=description,
        )
        for index, (status, location, description) in enumerate(steps)
    ]


class SimCarrier(SignedJsonCarrier):
    display_name = _("Carrier simulator")

    def poll(self, tracking_no: str) -> list[CarrierEvent]:
        shipment = (
            Shipment.objects.filter(carrier=self.code, tracking_no=tracking_no)
            .select_related("warehouse", "order")
            .first()
        )
        if shipment is None:
            return []
        now = timezone.now()
        return [event for event in sim_timeline(shipment) if event.occurred_at <= now]

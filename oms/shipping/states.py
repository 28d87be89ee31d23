"""The shipment state machine: every legal move of a parcel, in one table.

A parcel leaves the warehouse (pending -> picked_up, by staff), then only moves forward on carrier events:
picked_up < in_transit < out_for_delivery < delivered, a carrier event may skip steps. ``exception`` and
``returned`` may follow any status before ``delivered``; those three end the parcel's journey.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oms.common.statemachine import TransitionTable


class ShipmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending (in the warehouse)")
    PICKED_UP = "picked_up", _("Picked up by the carrier")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception (lost, damaged, undeliverable)")
    RETURNED = "returned", _("Returned to sender")


S = ShipmentStatus

# How a message names a parcel's state: in English its code (as English messages always said), in Chinese its
# label: each code is translated in its own context.
STATE_IN_MESSAGE: dict[str, object] = {
    S.PENDING: pgettext_lazy("shipment state named in a message", "pending"),
    S.PICKED_UP: pgettext_lazy("shipment state named in a message", "picked_up"),
    S.IN_TRANSIT: pgettext_lazy("shipment state named in a message", "in_transit"),
    S.OUT_FOR_DELIVERY: pgettext_lazy("shipment state named in a message", "out_for_delivery"),
    S.DELIVERED: pgettext_lazy("shipment state named in a message", "delivered"),
    S.EXCEPTION: pgettext_lazy("shipment state named in a message", "exception"),
    S.RETURNED: pgettext_lazy("shipment state named in a message", "returned"),
}


def state_in_message(state: str) -> str:
    """``state`` as a message names it, in the active language (an unknown state as it is)."""
    named = STATE_IN_MESSAGE.get(state)
    return str(named) if named is not None else state


# On its way: carrier events may still move it.
ON_ITS_WAY = (S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY)
FAILED = (S.EXCEPTION, S.RETURNED)
JOURNEY_ENDED = (S.DELIVERED, *FAILED)

TRANSITIONS = TransitionTable(
    ShipmentStatus,
    {
        # Only staff shipping the parcel moves it out of pending; carrier events never do.
        S.PENDING: {S.PICKED_UP},
        S.PICKED_UP: {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, *FAILED},
        S.IN_TRANSIT: {S.OUT_FOR_DELIVERY, S.DELIVERED, *FAILED},
        S.OUT_FOR_DELIVERY: {S.DELIVERED, *FAILED},
        S.DELIVERED: set(),
        S.EXCEPTION: set(),
        S.RETURNED: set(),
    },
)

"""The return state machine: every legal move, in one table.

requested -> approved -> shipped (the customer's parcel is on its way back) -> received -> refunded, with
rejected (by staff, from requested) and cancelled (by the customer or staff, before the parcel ships) as dead ends.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.common.statemachine import TransitionTable


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved (waiting for the parcel)")
    SHIPPED = "shipped", _("Shipped back")
    RECEIVED = "received", _("Received (refund pending)")
    REFUNDED = "refunded", _("Refunded")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


R = ReturnStatus

TRANSITIONS = TransitionTable(
    ReturnStatus,
    {
        R.REQUESTED: frozenset({R.APPROVED, R.REJECTED, R.CANCELLED}),
        R.APPROVED: frozenset({R.SHIPPED, R.CANCELLED}),
        R.SHIPPED: frozenset({R.RECEIVED}),
        R.RECEIVED: frozenset({R.REFUNDED}),
        R.REFUNDED: frozenset(),
        R.REJECTED: frozenset(),
        R.CANCELLED: frozenset(),
    },
)

# Requests whose units are spoken for: they count against what may still be returned.
CLAIMS_UNITS = frozenset({R.REQUESTED, R.APPROVED, R.SHIPPED, R.RECEIVED, R.REFUNDED})
# Still waiting for someone (staff or customer) to act.
OPEN = frozenset({R.REQUESTED, R.APPROVED, R.SHIPPED, R.RECEIVED})
# The return parcel has left the customer: carrier and tracking number are known.
SHIPPED_BACK = frozenset({R.SHIPPED, R.RECEIVED, R.REFUNDED})


def can_transition(current: str, target: str) -> bool:
    return TRANSITIONS.allows(current, target)

"""The return state machine: every legal move, in one table.

requested -> approved -> shipped (the customer's parcel is on its way back) -> received -> refunded, with
rejected (by staff, from requested) and cancelled (by the customer or staff, before the parcel ships) as dead ends.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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

# How an error message names a return's state: in English its code (as the error's details carry it, and as English
# messages always said), in Chinese its status label: each code is translated in its own context.
STATE_IN_MESSAGE: dict[str, object] = {
    R.REQUESTED: pgettext_lazy("return state named in a message", "requested"),
    R.APPROVED: pgettext_lazy("return state named in a message", "approved"),
    R.SHIPPED: pgettext_lazy("return state named in a message", "shipped"),
    R.RECEIVED: pgettext_lazy("return state named in a message", "received"),
    R.REFUNDED: pgettext_lazy("return state named in a message", "refunded"),
    R.REJECTED: pgettext_lazy("return state named in a message", "rejected"),
    R.CANCELLED: pgettext_lazy("return state named in a message", "cancelled"),
}


def state_in_message(state: str) -> str:
    """``state`` as an error message names it, in the active language (an unknown state as it is)."""
    named = STATE_IN_MESSAGE.get(state)
    return str(named) if named is not None else state


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

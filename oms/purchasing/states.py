"""The purchase order state machine: every legal move, in one table.

draft -> ordered (sent to the supplier) -> partially_received -> received, with cancelled as a dead end for
drafts and for ordered POs of which nothing has arrived yet, and closed as the end of a partially received PO whose
missing units will never come (closed short).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oms.common.statemachine import TransitionTable


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ORDERED = "ordered", _("Ordered")
    PARTIALLY_RECEIVED = "partially_received", _("Partially received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")
    CLOSED = "closed", _("Closed short")


P = PurchaseOrderStatus

# How an error message names a state: in English its code (as the error's details carry it, and as English messages
# always said), in Chinese its status label: each code is translated in its own context.
STATE_IN_MESSAGE: dict[str, object] = {
    P.DRAFT: pgettext_lazy("purchase order state named in a message", "draft"),
    P.ORDERED: pgettext_lazy("purchase order state named in a message", "ordered"),
    P.PARTIALLY_RECEIVED: pgettext_lazy("purchase order state named in a message", "partially_received"),
    P.RECEIVED: pgettext_lazy("purchase order state named in a message", "received"),
    P.CANCELLED: pgettext_lazy("purchase order state named in a message", "cancelled"),
    P.CLOSED: pgettext_lazy("purchase order state named in a message", "closed"),
}


def state_in_message(state: str) -> str:
    """``state`` as an error message names it, in the active language (an unknown state as it is)."""
    named = STATE_IN_MESSAGE.get(state)
    return str(named) if named is not None else state


TRANSITIONS = TransitionTable(
    PurchaseOrderStatus,
    {
        P.DRAFT: frozenset({P.ORDERED, P.CANCELLED}),
        P.ORDERED: frozenset({P.PARTIALLY_RECEIVED, P.RECEIVED, P.CANCELLED}),
        # Another partial delivery keeps the state (the receipt still writes an event). Once units have arrived the
        # PO can no longer be cancelled: stock was booked against it. It can be closed short instead, giving up the
        # rest. An ordered PO with nothing received is cancelled, never closed: closed means part of it came.
        P.PARTIALLY_RECEIVED: frozenset({P.PARTIALLY_RECEIVED, P.RECEIVED, P.CLOSED}),
        P.RECEIVED: frozenset(),
        P.CANCELLED: frozenset(),
        P.CLOSED: frozenset(),
    },
)

# POs whose unreceived units count as on order (part of the inventory position). Drafts count too, so that a
# suggestion already turned into a draft is not suggested again; the missing units of a closed PO never come.
OPEN = frozenset({P.DRAFT, P.ORDERED, P.PARTIALLY_RECEIVED})
# POs sent to the supplier: they have an order date and an expected delivery date.
SENT = frozenset({P.ORDERED, P.PARTIALLY_RECEIVED, P.RECEIVED, P.CLOSED})
# POs that may take deliveries.
RECEIVABLE = frozenset({P.ORDERED, P.PARTIALLY_RECEIVED})


def can_transition(current: str, target: str) -> bool:
    return TRANSITIONS.allows(current, target)

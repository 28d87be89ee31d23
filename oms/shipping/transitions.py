"""The shipment state machine: the one place a shipment's status changes (check the table, save, event row).

The table is oms.shipping.states.TRANSITIONS; the kit is oms.common.statemachine. Callers hold the order row lock,
then the shipment row lock, inside their transaction (oms.shipping.services).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User

from oms.common.statemachine import StateMachine
from oms.shipping.models import Shipment, ShipmentEvent
from oms.shipping.states import TRANSITIONS


def _write_event(
    shipment: Shipment, *, from_status: str, actor: User | None, reason: str, at: datetime
) -> ShipmentEvent:
    return ShipmentEvent.objects.create(
        shipment=shipment,
        from_status=from_status,
        to_status=shipment.status,
        actor=actor,
        reason=reason[:255],
        created_at=at,
    )


def _refusal(shipment: Shipment, current: str, target: str) -> str:
    return f"Shipment {shipment.pk} is {current}: it cannot become {target}."


SHIPMENT = StateMachine(model=Shipment, table=TRANSITIONS, write_event=_write_event, describe=_refusal)

"""Carrier events coming in: pushed to our webhook, or fetched by polling carriers that cannot push.

Both end in oms.shipping.services.record_tracking_event, which stores each (carrier, event id) once, so an event
that arrives by push and by poll, or twice by push, counts once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from oms.shipping.carriers import carrier_codes, get_carrier
from oms.shipping.carriers.base import CarrierEvent
from oms.shipping.errors import UnknownShipment, WebhookRejected
from oms.shipping.models import Shipment
from oms.shipping.services import record_tracking_event
from oms.shipping.states import ON_ITS_WAY

logger = logging.getLogger(__name__)


def handle_carrier_webhook(*, carrier: str, headers: Mapping[str, str], body: bytes) -> str:
    """Verify the raw request, then parse and record its event. Returns the outcome (applied, recorded,
    duplicate). Raises UnknownCarrier (404), WebhookRejected (401), InvalidCarrierEvent (400) and
    UnknownShipment (404, so the carrier retries: an event that beat staff's "shipped" applies later); in each
    case nothing is stored.
    """
    backend = get_carrier(carrier)
    try:
        backend.verify_webhook(headers, body)
    except WebhookRejected as exc:
        logger.warning("carrier %s webhook rejected: %s", carrier, exc.message)
        raise
    return record_event(carrier=carrier, event=backend.parse_webhook(body))


def record_event(*, carrier: str, event: CarrierEvent) -> str:
    return record_tracking_event(
        carrier=carrier,
        event_id=event.event_id,
        tracking_no=event.tracking_no,
        status=event.status,
        occurred_at=event.occurred_at,
        location=event.location,
        description=event.description,
    )


def poll_carriers(*, carriers: list[str] | None = None, limit: int = 500) -> int:
    """Ask each polled carrier (or ``carriers``) about its parcels on their way; returns how many events were new.

    No transaction or lock is held while a carrier is asked. A carrier that fails is logged and skipped.
    """
    codes = carriers if carriers is not None else [c for c in carrier_codes() if get_carrier(c).polled]
    new = 0
    for code in codes:
        backend = get_carrier(code)
        parcels = Shipment.objects.filter(carrier=code, status__in=ON_ITS_WAY).order_by("shipped_at", "pk")
        for tracking_no in parcels.values_list("tracking_no", flat=True)[:limit]:
            if tracking_no is None:  # every parcel on its way has one
                continue
            try:
                events = backend.poll(tracking_no)
            except Exception:
                logger.exception("polling carrier %s for %s failed", code, tracking_no)
                continue
            for event in sorted(events, key=lambda e: e.occurred_at):
                try:
                    new += record_event(carrier=code, event=event) != "duplicate"
                except UnknownShipment:
                    logger.warning("carrier %s reported unknown parcel %s", code, event.tracking_no)
    return new

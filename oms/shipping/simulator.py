"""The local carrier simulator: moves each shipped ``sim`` parcel along by posting signed events to our webhook.

Like a real carrier it talks to us only over HTTP, to the running server (oms.common.local_server: the address
``oms serve`` recorded, or OMS_PUBLIC_BASE_URL), signed with the ``sim`` secret; tests hand it a ``post`` that
goes through Django's test client instead. Each pass sends, per parcel, the next step of its timeline
(oms.shipping.carriers.sim) whose time has come: picked_up at once, then in_transit, out_for_delivery and delivered
OMS_CARRIER_SIM_STEP_SECONDS apart; a hurried pass (``oms carrier_sim``) sends the next step now, due or not. It
reads which steps we already have from our tracking events, so an event we did not acknowledge is posted again on
the next pass, with the same event id. Run it from Celery beat (every 30 s) or ``oms carrier_sim --once`` /
``--watch SECONDS``.
"""

from __future__ import annotations

import dataclasses
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from oms.common.local_server import server_base_url
from oms.shipping.carriers.base import SIGNATURE_HEADER, CarrierEvent, sign_webhook
from oms.shipping.carriers.sim import sim_timeline
from oms.shipping.models import Shipment, TrackingEvent
from oms.shipping.states import ON_ITS_WAY

logger = logging.getLogger(__name__)

SIM_CARRIER = "sim"
# (url, body, headers) -> (HTTP status, response text)
Post = Callable[[str, bytes, dict[str, str]], tuple[int, str]]


def urllib_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own configured URL)
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def webhook_url() -> str:
    return f"{server_base_url()}{reverse('carrier-webhook', kwargs={'carrier': SIM_CARRIER})}"


def due_events(*, now: datetime, hurry: bool = False, limit: int = 500) -> list[CarrierEvent]:
    """For each sim parcel on its way, the next step we have not received yet, if its time has come.

    ``hurry``: the next step even if it is not due yet, happening ``now`` (never in the future, so the steps of a
    parcel stay in order whether they were hurried or not).
    """
    parcels = list(
        Shipment.objects.filter(carrier=SIM_CARRIER, status__in=ON_ITS_WAY)
        .select_related("warehouse", "order")
        .order_by("shipped_at", "pk")[:limit]
    )
    received = set(
        TrackingEvent.objects.filter(carrier=SIM_CARRIER, shipment__in=parcels).values_list(
            "carrier_event_id", flat=True
        )
    )
    due = []
    for parcel in parcels:
        upcoming = next((e for e in sim_timeline(parcel) if e.event_id not in received), None)
        if upcoming is None:
            continue
        if upcoming.occurred_at <= now:
            due.append(upcoming)
        elif hurry:
            due.append(dataclasses.replace(upcoming, occurred_at=now))
    return due


def advance_sim_parcels(*, now: datetime | None = None, post: Post | None = None, hurry: bool = False) -> int:
    """One pass: post each parcel's next due step (with ``hurry``, its next step). Returns how many were
    acknowledged (HTTP 200).

    Holds no transaction or lock while posting: our webhook handles the event in its own request.
    """
    post = post or urllib_post
    secret = settings.OMS_CARRIER_SECRETS.get(SIM_CARRIER, "")
    url = webhook_url()
    acknowledged = 0
    for event in due_events(now=now or timezone.now(), hurry=hurry):
        body = event.to_json()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign_webhook(secret=secret, body=body)}
        try:
            status, answer = post(url, body, headers)
        except Exception as exc:  # our server is down: the same step is posted again next pass
            status, answer = 0, f"{type(exc).__name__}: {exc}"
        if status == 200:
            acknowledged += 1
        else:
            logger.warning(
                "carrier sim: %s for %s not accepted (%s %s)", event.status, event.tracking_no, status, answer[:200]
            )
    return acknowledged

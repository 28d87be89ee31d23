"""Test plumbing: signed carrier webhooks, and the simulator's transport through Django's test client."""

from __future__ import annotations

import json
import time
from datetime import datetime

from django.test import Client
from django.utils import timezone

from oms.shipping.carriers.base import SIGNATURE_HEADER, sign_webhook

SIM_SECRET = "sim-secret"
WEBHOOK = "/api/v1/carriers/sim/webhook/"


def event_body(
    *,
    tracking_no: str,
    status: str,
    event_id: str,
    occurred_at: datetime | None = None,
    location: str = "Shanghai hub",
    description: str = "",
) -> bytes:
    return json.dumps(
        {
            "event_id": event_id,
            "tracking_no": tracking_no,
            "status": status,
            "occurred_at": (occurred_at or timezone.now()).isoformat(),
            "location": location,
            "description": description,
        }
    ).encode()


def post_webhook(
    body: bytes,
    *,
    secret: str = SIM_SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
    url: str = WEBHOOK,
):
    """POST ``body`` as the carrier would: signed with ``secret`` at ``timestamp`` (now), or with ``signature``."""
    header = signature if signature is not None else sign_webhook(secret=secret, body=body, timestamp=timestamp)
    headers = {SIGNATURE_HEADER: header} if header else {}
    return Client().post(url, data=body, content_type="application/json", headers=headers)


def send_event(**fields):
    return post_webhook(event_body(**fields))


def django_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """The simulator's ``post``, routed into our URLconf by Django's test client (a real request, no network)."""
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    response = Client().post(url, data=body, content_type="application/json", headers=headers)
    return response.status_code, response.content.decode()


def now_ts() -> int:
    return int(time.time())

"""The carrier backend interface, and the signed-JSON webhook most carriers (and our simulator) speak.

Webhook format: ``POST /api/v1/carriers/<code>/webhook/`` with header
``X-OMS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`` and a JSON body
``{"event_id", "tracking_no", "status", "occurred_at", "location", "description"}``. The signature is checked on
the raw bytes before the body is parsed; a timestamp more than OMS_CARRIER_WEBHOOK_TOLERANCE_SECONDS away from
now is refused, so a captured request cannot be replayed later (a replay inside the window is a duplicate
event and changes nothing).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import string
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.dateparse import parse_datetime

from oms.common.json_input import MalformedJSON, loads_untrusted
from oms.shipping.errors import InvalidCarrierEvent, MalformedCarrierEvent, WebhookRejected
from oms.shipping.models import ShipmentStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SIGNATURE_HEADER = "X-OMS-Signature"
# A tracking event is a few hundred bytes; a webhook body past this is refused before its signature is checked.
WEBHOOK_MAX_BYTES = 64 * 1024
# What a carrier may report; "pending" is ours (the parcel has not left), never a carrier's.
CARRIER_STATUSES = tuple(s.value for s in ShipmentStatus if s != ShipmentStatus.PENDING)


@dataclass(frozen=True)
class CarrierEvent:
    """A tracking event in carrier-neutral terms."""

    event_id: str
    tracking_no: str
    status: str
    occurred_at: datetime
    location: str = ""
    description: str = ""

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "event_id": self.event_id,
                "tracking_no": self.tracking_no,
                "status": self.status,
                "occurred_at": self.occurred_at.isoformat(),
                "location": self.location,
                "description": self.description,
            },
            ensure_ascii=False,
        ).encode()


class CarrierBackend(ABC):
    """One carrier. Carriers that push call our webhook; carriers that cannot are polled (``polled = True``)."""

    polled: bool = False
    # What people read (the ship form, parcel pages); the code when empty.
    display_name: StrOrPromise = ""

    def __init__(self, *, code: str) -> None:
        self.code = code

    @property
    def name(self) -> str:
        return str(self.display_name) or self.code

    @property
    def secret(self) -> str:
        return settings.OMS_CARRIER_SECRETS.get(self.code, "")

    @abstractmethod
    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        """Raise WebhookRejected unless the raw request was signed by this carrier just now."""

    @abstractmethod
    def parse_webhook(self, body: bytes) -> CarrierEvent:
        """The event of a verified body; raise InvalidCarrierEvent if it is not one."""

    def poll(self, tracking_no: str) -> list[CarrierEvent]:
        """Every event the carrier knows for a parcel (repeats are fine: events are deduplicated)."""
        raise NotImplementedError(f"carrier {self.code} pushes its events; it cannot be polled")


def sign_webhook(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The X-OMS-Signature header value for ``body`` (used by the simulator and by tests)."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


class SignedJsonCarrier(CarrierBackend):
    """The HMAC-signed JSON webhook described above."""

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> None:
        secret = self.secret
        if not secret:
            raise WebhookRejected(f"No webhook secret is configured for carrier {self.code}.")
        timestamp, signatures = _parse_signature_header(headers.get(SIGNATURE_HEADER, ""))
        tolerance = settings.OMS_CARRIER_WEBHOOK_TOLERANCE_SECONDS
        if abs((time.time() if now is None else now) - timestamp) > tolerance:
            raise WebhookRejected(
                f"The signature timestamp is more than {tolerance} seconds away from our clock.",
                details={"tolerance_seconds": tolerance},
            )
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        # Every candidate is compared (constant time each), so timing says nothing about which one was close.
        matches = [hmac.compare_digest(expected, candidate) for candidate in signatures]
        if not any(matches):
            raise WebhookRejected("The webhook signature does not match.")

    def parse_webhook(self, body: bytes) -> CarrierEvent:
        try:
            data = loads_untrusted(body, max_bytes=WEBHOOK_MAX_BYTES)
        except MalformedJSON as exc:
            raise MalformedCarrierEvent(f"The webhook body is not acceptable JSON: {exc}.") from exc
        if not isinstance(data, dict):
            raise InvalidCarrierEvent("The webhook body must be a JSON object.")
        errors: dict[str, str] = {}
        event_id = _text(data, "event_id", 128, errors, required=True)
        tracking_no = _text(data, "tracking_no", 64, errors, required=True)
        status = data.get("status")
        if status not in CARRIER_STATUSES:
            errors["status"] = f"One of: {', '.join(CARRIER_STATUSES)}."
        occurred_at = parse_datetime(data["occurred_at"]) if isinstance(data.get("occurred_at"), str) else None
        if occurred_at is None or occurred_at.tzinfo is None:
            errors["occurred_at"] = "An ISO 8601 time with its UTC offset."
        location = _text(data, "location", 200, errors)
        description = _text(data, "description", 500, errors)
        if errors:
            raise InvalidCarrierEvent("The webhook body is not a valid tracking event.", details=errors)
        if occurred_at is None:  # reported in errors above
            raise InvalidCarrierEvent("The webhook body is not a valid tracking event.", details=errors)
        return CarrierEvent(event_id, tracking_no, str(status), occurred_at, location, description)


def _parse_signature_header(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1" and value and all(c in string.hexdigits for c in value):
            signatures.append(value.lower())
    if timestamp is None or not signatures:
        raise WebhookRejected(f"Send the {SIGNATURE_HEADER} header as t=<unix seconds>,v1=<hex HMAC-SHA256>.")
    return timestamp, signatures


def _text(data: dict[str, Any], name: str, max_length: int, errors: dict[str, str], *, required: bool = False) -> str:
    value = data.get(name, "")
    if value is None and not required:
        return ""
    # PostgreSQL refuses NUL in text (a 500, not a 400), so it is refused here.
    if not isinstance(value, str) or len(value) > max_length or "\x00" in value or (required and not value.strip()):
        errors[name] = f"{'A non-empty' if required else 'A'} string of at most {max_length} characters."
        return ""
    return value.strip()

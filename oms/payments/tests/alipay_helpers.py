"""Driving the Alipay path against the local sandbox in tests: real API calls, real cashier, real signatures.

Nothing is mocked: orders are placed through services (oms.orders.tests.factories), the pay URL comes from our API, the buyer pays on the
sandbox cashier, and the notification the sandbox queued is posted to our notify endpoint by Django's test
client. Hand-made notifications are only for forged, tampered and mismatched cases, built from a real one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

from django.test import Client
from django.utils import timezone

from oms.inventory.models import Allocation, Stock, StockMovement
from oms.orders.models import Order
from oms.payments.alipay.signing import sign_notification

NOTIFY_PATH = "/api/v1/payments/alipay/notify/"
FORM_TYPE = "application/x-www-form-urlencoded"


def start_alipay(api_client, order_no: str, channel: str = "page") -> str:
    """POST /pay/ with method alipay as the customer; returns the pay URL."""
    response = api_client.post(
        f"/api/v1/orders/{order_no}/pay/", {"method": "alipay", "channel": channel}, format="json"
    )
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"pay_url"}
    return response.json()["pay_url"]


def open_cashier(pay_url: str):
    """The buyer's browser follows the pay URL to the sandbox cashier (opens the trade there)."""
    split = urlsplit(pay_url)
    return Client().get(f"{split.path}?{split.query}")


def press_pay(cashier_html: str):
    """Press "pay" on a cashier page already shown."""
    from oms.sandbox.tests.helpers import submit

    return submit(cashier_html, "pay")


def pay_in_cashier(pay_url: str):
    cashier = open_cashier(pay_url)
    assert cashier.status_code == 200, cashier.content
    paid = press_pay(cashier.content.decode())
    assert paid.status_code == 302, paid.content  # back to our return URL
    return paid


def pay_with_alipay(api_client, order: Order) -> str:
    """Start an Alipay payment and pay it on the sandbox cashier (the notification is queued, not delivered)."""
    pay_in_cashier(start_alipay(api_client, order.order_no))
    return order.order_no


def post_notification(params: Mapping[str, str], client: Client | None = None):
    """POST a notification form to our notify endpoint, as Alipay does (URL-encoded, no login, no CSRF)."""
    return (client or Client(enforce_csrf_checks=True)).post(
        NOTIFY_PATH, urlencode(dict(params)), content_type=FORM_TYPE
    )


class NotifyEndpoint:
    """The ``post`` for ``deliver_due_notifications``: our notify endpoint through Django's test client; records
    every answer."""

    def __init__(self) -> None:
        self.answers: list[tuple[dict[str, str], int, str]] = []

    def __call__(self, url: str, form: Mapping[str, str]) -> tuple[int, str]:
        assert urlsplit(url).path == NOTIFY_PATH
        response = post_notification(form)
        body = response.content.decode()
        self.answers.append((dict(form), response.status_code, body))
        return response.status_code, body


def deliver_notifications(now: datetime | None = None) -> NotifyEndpoint:
    """Let the sandbox deliver every due notification to us; returns what we answered."""
    from oms.sandbox.notifications import deliver_due_notifications

    endpoint = NotifyEndpoint()
    deliver_due_notifications(now=now or timezone.now() + timedelta(hours=1), post=endpoint)
    return endpoint


def queued_notifications(out_trade_no: str) -> list[dict[str, str]]:
    """The signed forms the sandbox queued for a trade, oldest first."""
    from oms.sandbox.models import SandboxNotification

    rows = SandboxNotification.objects.filter(trade__out_trade_no=out_trade_no).order_by("pk")
    return [dict(row.params) for row in rows]


def alipay_private_key() -> str:
    from oms.sandbox.keys import get_sandbox_keys

    return get_sandbox_keys().alipay_private_key_pem


def signed(params: Mapping[str, str], *, key_pem: str | None = None, **changes: str) -> dict[str, str]:
    """``params`` with ``changes`` applied and signed again (by the sandbox's Alipay key unless ``key_pem``)."""
    fields = {key: value for key, value in params.items() if key != "sign"}
    fields.update(changes)
    fields["sign"] = sign_notification(fields, key_pem or alipay_private_key())
    return fields


def stock_levels(sku) -> tuple[int, int]:
    """(on_hand, reserved) summed over the warehouses."""
    rows = Stock.objects.filter(sku=sku).values_list("on_hand", "reserved")
    return sum(r[0] for r in rows), sum(r[1] for r in rows)


def movement_count(order: Order, kind: str) -> int:
    return StockMovement.objects.filter(order=order, kind=kind).count()


def allocation_count(order: Order) -> int:
    return Allocation.objects.filter(order=order).count()


def sandbox_trade(out_trade_no: str):
    from oms.sandbox.models import SandboxTrade

    return SandboxTrade.objects.get(out_trade_no=out_trade_no)

"""Concurrent notifications for one trade, on real threads and committed transactions: the order is paid once."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from decimal import Decimal

import pytest
from django.db import connection

from oms.accounts.tests.factories import UserFactory
from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders.tests.factories import pending_order
from oms.payments.models import InboundNotification, Payment
from oms.payments.tests.alipay_helpers import (
    allocation_count,
    movement_count,
    pay_with_alipay,
    post_notification,
    queued_notifications,
    signed,
    stock_levels,
)

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.concurrency,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sandbox_keys"),
]
THREADS = 10


@pytest.fixture
def paid_at_sandbox(address):
    """An order over two warehouses (two allocations), paid on the sandbox cashier; notification not delivered."""
    from rest_framework.test import APIClient

    customer = UserFactory()
    client = APIClient()
    client.force_authenticate(customer)
    first = stock_sku(on_hand=4, warehouse=WarehouseFactory(), price=Decimal("40.00"))
    second = stock_sku(on_hand=4, warehouse=WarehouseFactory(), price=Decimal("40.00"))
    order = pending_order(customer, address, (first, 1), (second, 2))
    pay_with_alipay(client, order)
    return order, first, second


def _post_all_at_once(forms: list[Mapping[str, str]]) -> list[tuple[int, bytes]]:
    barrier = threading.Barrier(len(forms))
    answers: list[tuple[int, bytes]] = []
    errors: list[Exception] = []

    def deliver(form: Mapping[str, str]) -> None:
        try:
            barrier.wait()
            response = post_notification(form)
            answers.append((response.status_code, response.content))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return answers


def _assert_paid_once(order, first, second) -> None:
    order.refresh_from_db()
    assert order.status == "paid"
    assert Payment.objects.filter(order=order).count() == 1
    assert Payment.objects.get(order=order).status == Payment.Status.SUCCEEDED
    assert allocation_count(order) == 2
    assert movement_count(order, "deduct") == 2  # one per allocation, once
    assert (stock_levels(first), stock_levels(second)) == ((3, 0), (2, 0))
    assert list(order.events.filter(to_status="paid").values_list("to_status", flat=True)) == ["paid"]


def test_the_same_notification_delivered_ten_times_at_once(paid_at_sandbox):
    order, first, second = paid_at_sandbox
    [params] = queued_notifications(order.order_no)

    answers = _post_all_at_once([params] * THREADS)

    assert answers == [(200, b"success")] * THREADS
    _assert_paid_once(order, first, second)
    assert InboundNotification.objects.filter(notify_id=params["notify_id"]).count() == 1
    assert InboundNotification.objects.get(notify_id=params["notify_id"]).outcome == "paid"
    assert InboundNotification.objects.count() == 1


def test_distinct_notifications_for_one_trade_at_once(paid_at_sandbox):
    """Alipay may send TRADE_SUCCESS and later TRADE_FINISHED (distinct notify_ids) for one trade."""
    order, first, second = paid_at_sandbox
    [success] = queued_notifications(order.order_no)
    forms = [success] + [
        signed(
            success,
            notify_id=f"{success['notify_id']}-{n}",
            trade_status="TRADE_FINISHED" if n % 2 else "TRADE_SUCCESS",
        )
        for n in range(1, THREADS)
    ]

    answers = _post_all_at_once(forms)

    assert answers == [(200, b"success")] * THREADS
    _assert_paid_once(order, first, second)
    outcomes = sorted(InboundNotification.objects.values_list("outcome", flat=True))
    assert outcomes == ["already_settled"] * (THREADS - 1) + ["paid"]

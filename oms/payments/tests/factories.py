"""Payments test data, made through the real services: orders paid offline, from the balance or with Alipay."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from rest_framework.test import APIClient

from oms.accounts.tests.factories import StaffFactory
from oms.orders.models import Order
from oms.orders.tests.factories import Line, pending_order
from oms.payments import balance
from oms.payments.services import record_offline_payment
from oms.payments.tests.alipay_helpers import deliver_notifications, pay_with_alipay


def paid_order(*, customer: User, staff: User, address: dict[str, str], lines: list[Line]) -> Order:
    """Place ``lines`` and record an offline payment (stock is deducted on payment)."""
    order = pending_order(customer, address, *lines)
    return record_offline_payment(order=order, actor=staff, reference="bank transfer")


def funded(customer: User, amount: str, *, password: str = "123456", reason: str = "test funds") -> None:
    """Top the customer's balance up by ``amount`` (by a staff member) and set the payment password."""
    balance.top_up_balance(customer=customer, amount=Decimal(amount), actor=StaffFactory.create(), reason=reason)
    balance.set_payment_password(customer=customer, raw_password=password)


def alipay_paid_order(client: APIClient, customer: User, address: dict[str, str], *lines: Line) -> Order:
    """Place ``lines`` as ``customer`` (signed in on ``client``), pay on the Alipay sandbox's cashier and deliver
    the sandbox's notification to our notify endpoint. Needs the sandbox app and its keys."""
    order = pending_order(customer, address, *lines)
    pay_with_alipay(client, order)
    assert [body for _, _, body in deliver_notifications().answers] == ["success"]
    order.refresh_from_db()
    return order

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from oms.accounts.tests.factories import UserFactory
from oms.inventory.models import Stock
from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders.models import Order
from oms.orders.services import OrderLineInput, place_order
from oms.orders.tests.factories import pending_order
from oms.payments import balance
from oms.payments.errors import InsufficientBalance, PaymentPasswordInvalid, PaymentPasswordLocked
from oms.payments.models import BalanceAccount, BalanceEntry, Payment
from oms.payments.refunds import refund_order
from oms.payments.services import pay_with_balance
from oms.payments.tests.factories import funded


def _ledger_matches(customer) -> None:
    account = BalanceAccount.objects.get(customer=customer)
    total = sum((e.amount for e in account.entries.all()), Decimal("0"))
    assert account.balance == total
    assert account.balance >= 0


@pytest.mark.django_db
def test_paying_with_balance_debits_once_and_deducts_stock(customer, address):
    sku = stock_sku(on_hand=5, price=Decimal("120.00"))
    funded(customer, "500.00")
    order = pending_order(customer, address, (sku, 2))

    paid = pay_with_balance(order=order, customer=customer, payment_password="123456")

    assert paid.status == "paid"
    assert BalanceAccount.objects.get(customer=customer).balance == Decimal("260.00")
    assert Payment.objects.get(order=order).status == Payment.Status.SUCCEEDED
    stock = Stock.objects.get(sku=sku)
    assert (stock.on_hand, stock.reserved) == (3, 0)
    _ledger_matches(customer)


@pytest.mark.django_db
def test_insufficient_balance_changes_nothing(customer, address):
    sku = stock_sku(on_hand=5, price=Decimal("120.00"))
    funded(customer, "100.00")
    order = pending_order(customer, address, (sku, 1))
    with pytest.raises(InsufficientBalance):
        pay_with_balance(order=order, customer=customer, payment_password="123456")
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert not Payment.objects.filter(order=order).exists()
    assert BalanceAccount.objects.get(customer=customer).balance == Decimal("100.00")


@pytest.mark.django_db
def test_wrong_payment_password_is_counted_and_locks(customer, address):
    sku = stock_sku(on_hand=5)
    funded(customer, "100.00")
    order = pending_order(customer, address, (sku, 1))
    for _ in range(balance.MAX_PASSWORD_ATTEMPTS):
        with pytest.raises(PaymentPasswordInvalid):
            pay_with_balance(order=order, customer=customer, payment_password="000000")
    with pytest.raises(PaymentPasswordLocked):
        pay_with_balance(order=order, customer=customer, payment_password="123456")
    assert BalanceAccount.objects.get(customer=customer).balance == Decimal("100.00")


@pytest.mark.django_db
def test_balance_refund_partial_then_full(customer, address, staff):
    sku = stock_sku(on_hand=5, price=Decimal("50.00"))
    funded(customer, "200.00")
    order = pending_order(customer, address, (sku, 2))
    pay_with_balance(order=order, customer=customer, payment_password="123456")

    refund_order(order=order, amount=Decimal("30.00"), reason="damaged box", actor=staff)
    order.refresh_from_db()
    assert order.status == "paid"
    assert Payment.objects.get(order=order).status == Payment.Status.PARTIALLY_REFUNDED

    refund_order(
        order=order,
        items=[{"sku": sku.code, "quantity": 1}],
        reason="one returned",
        actor=staff,
        restock=True,
    )
    order.refresh_from_db()
    assert Stock.objects.get(sku=sku).on_hand == 4  # 5 - 2 paid + 1 returned
    assert order.status == "paid"
    refund_order(order=order, reason="rest", actor=staff)
    order.refresh_from_db()
    assert order.status == "refunded"
    assert BalanceAccount.objects.get(customer=customer).balance == Decimal("200.00")
    statuses = list(order.events.values_list("to_status", flat=True))
    assert statuses.count("refunding") == 3 and statuses[-1] == "refunded"
    _ledger_matches(customer)


@pytest.mark.django_db
def test_refund_beyond_paid_is_refused(customer, address, staff):
    from oms.payments.errors import RefundExceedsPaid

    sku = stock_sku(on_hand=5, price=Decimal("50.00"))
    funded(customer, "200.00")
    order = pending_order(customer, address, (sku, 1))
    pay_with_balance(order=order, customer=customer, payment_password="123456")
    with pytest.raises(RefundExceedsPaid):
        refund_order(order=order, amount=Decimal("60.01"), reason="too much", actor=staff)
    order.refresh_from_db()
    assert order.status == "paid"


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_balance_payments_never_go_negative(address):
    customer = UserFactory()
    warehouse = WarehouseFactory()
    sku = stock_sku(on_hand=50, warehouse=warehouse, price=Decimal("100.00"))
    funded(customer, "450.00")  # covers 4 orders of 100.00 (free shipping from 99.00), not 10
    orders = [pending_order(customer, address, (sku, 1)) for _ in range(10)]
    barrier = threading.Barrier(len(orders))
    outcomes: list[str] = []

    def pay(order: Order) -> None:
        try:
            barrier.wait()
            pay_with_balance(order=order, customer=customer, payment_password="123456")
            outcomes.append("paid")
        except InsufficientBalance:
            outcomes.append("insufficient")
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("paid") == 4
    assert outcomes.count("insufficient") == 6
    assert BalanceAccount.objects.get(customer=customer).balance == Decimal("50.00")
    assert BalanceEntry.objects.filter(kind="payment").count() == 4
    _ledger_matches(customer)


@pytest.mark.django_db
def test_replaying_a_balance_order_after_the_balance_is_spent_returns_the_first_order(customer, address):
    sku = stock_sku(on_hand=5, price=Decimal("120.00"))
    funded(customer, "120.00")
    line = [OrderLineInput(sku.code, 1)]
    first = place_order(customer=customer, items=line, address=address, idempotency_key="k", payment_method="balance")
    pay_with_balance(order=first.order, customer=customer, payment_password="123456")

    again = place_order(customer=customer, items=line, address=address, idempotency_key="k", payment_method="balance")

    assert (again.created, again.order.pk) == (False, first.order.pk)

"""The database itself refuses impossible rows: CHECK and UNIQUE constraints are the last line of defence.

Every write goes straight to the ORM (no service), so only the database stands between it and a bad row. Each
failing write runs in its own ``transaction.atomic()`` so that PostgreSQL's aborted-transaction state stays inside
the savepoint and the test can go on querying.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from oms.catalog.tests.factories import SkuFactory
from oms.inventory.models import Allocation, Stock
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku
from oms.orders.models import Order, OrderItem
from oms.orders.services import OrderLineInput, place_order
from oms.orders.states import OrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock() -> Stock:
    warehouse = WarehouseFactory()
    sku = stock_sku(warehouse=warehouse, on_hand=5)
    return stock_of(sku, warehouse)


def _user() -> User:
    # Not UserFactory: hashing a password per test would be most of the run time.
    return User.objects.create(username=f"user{User.objects.count()}")


def _order(customer, *, key: str | None = None, subtotal="19.90", shipping_fee="10.00", total=None) -> Order:
    now = timezone.now()
    subtotal, shipping_fee = Decimal(subtotal), Decimal(shipping_fee)
    return Order.objects.create(
        order_no=f"T{Order.objects.count():019d}",
        customer=customer,
        status=OrderStatus.PENDING_PAYMENT,
        subtotal=subtotal,
        shipping_fee=shipping_fee,
        total_amount=Decimal(total) if total is not None else subtotal + shipping_fee,
        shipping_address={"name": "Li Lei"},
        idempotency_key=key,
        created_at=now,
        expires_at=now + timedelta(minutes=30),
    )


def _refused(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def _numbers(stock: Stock) -> tuple[int, int]:
    stock.refresh_from_db()
    return stock.on_hand, stock.reserved


# --- Stock ----------------------------------------------------------------------------------------------------


def test_reserved_cannot_go_negative(stock):
    _refused(lambda: Stock.objects.filter(pk=stock.pk).update(reserved=-1))
    assert _numbers(stock) == (5, 0)


def test_reserved_cannot_exceed_on_hand(stock):
    _refused(lambda: Stock.objects.filter(pk=stock.pk).update(reserved=F("on_hand") + 1))
    assert _numbers(stock) == (5, 0)


def test_on_hand_cannot_drop_below_reserved(stock):
    Stock.objects.filter(pk=stock.pk).update(reserved=3)
    _refused(lambda: Stock.objects.filter(pk=stock.pk).update(on_hand=2))
    assert _numbers(stock) == (5, 3)


def test_reserved_may_equal_on_hand(stock):
    Stock.objects.filter(pk=stock.pk).update(reserved=F("on_hand"))
    assert _numbers(stock) == (5, 5)


def test_one_stock_row_per_sku_and_warehouse(stock):
    _refused(lambda: Stock.objects.create(sku_id=stock.sku_id, warehouse_id=stock.warehouse_id, on_hand=1))
    assert Stock.objects.filter(sku_id=stock.sku_id, warehouse_id=stock.warehouse_id).count() == 1


def test_same_sku_in_another_warehouse_is_allowed(stock):
    Stock.objects.create(sku_id=stock.sku_id, warehouse=WarehouseFactory(), on_hand=1)
    assert Stock.objects.filter(sku_id=stock.sku_id).count() == 2


def test_allocation_quantity_must_be_positive(stock):
    order = _order(_user())
    _refused(lambda: Allocation.objects.create(order=order, stock=stock, quantity=0))


def test_one_allocation_per_order_and_stock(stock):
    order = _order(_user())
    Allocation.objects.create(order=order, stock=stock, quantity=1)
    _refused(lambda: Allocation.objects.create(order=order, stock=stock, quantity=1))


# --- Orders ---------------------------------------------------------------------------------------------------


def test_one_order_per_customer_and_idempotency_key():
    customer = _user()
    _order(customer, key="key-1")
    _refused(lambda: _order(customer, key="key-1"))
    assert Order.objects.filter(customer=customer, idempotency_key="key-1").count() == 1


def test_idempotency_key_is_per_customer():
    _order(_user(), key="shared-key")
    _order(_user(), key="shared-key")
    assert Order.objects.filter(idempotency_key="shared-key").count() == 2


def test_orders_without_idempotency_key_do_not_collide():
    customer = _user()
    _order(customer, key=None)
    _order(customer, key=None)
    assert Order.objects.filter(customer=customer).count() == 2


@pytest.mark.parametrize("total", ["29.91", "29.89", "19.90", "0.00"])
def test_order_total_must_be_subtotal_plus_shipping(total):
    _refused(lambda: _order(_user(), subtotal="19.90", shipping_fee="10.00", total=total))
    assert not Order.objects.exists()


# Sums whose binary floating-point value differs from the decimal one (1.12 + 10 != 11.12 as doubles, which is
# how SQLite stores decimals): the check must not refuse a correctly priced order.
@pytest.mark.parametrize(
    ("subtotal", "shipping_fee"),
    [
        ("19.90", "10.00"),
        ("98.99", "10.00"),
        ("1.12", "10.00"),
        ("0.10", "0.20"),
        ("2.13", "10.00"),
    ],
)
def test_correct_order_total_is_accepted(subtotal, shipping_fee):
    order = _order(_user(), subtotal=subtotal, shipping_fee=shipping_fee)
    order.refresh_from_db()
    assert order.total_amount == Decimal(subtotal) + Decimal(shipping_fee)


def test_place_order_accepts_a_price_whose_float_sum_is_inexact(address):
    # Regression: SQLite keeps decimals as doubles; with an exact-equality CHECK it refused this insert, and
    # place_order read the IntegrityError as an order-number collision and answered insufficient_stock.
    sku = stock_sku(on_hand=5, price=Decimal("1.12"))
    placed = place_order(customer=_user(), items=[OrderLineInput(sku.code, 1)], address=address)
    assert placed.order.total_amount == Decimal("11.12")


def test_order_item_one_line_per_sku_and_positive_quantity():
    order = _order(_user())
    sku = SkuFactory()

    def item(quantity: int) -> OrderItem:
        return OrderItem.objects.create(
            order=order,
            sku=sku,
            sku_code=sku.code,
            name=sku.name,
            unit_price=sku.price,
            quantity=quantity,
            line_total=sku.price * quantity,
        )

    _refused(lambda: item(0))
    item(1)
    _refused(lambda: item(2))
    assert order.items.count() == 1

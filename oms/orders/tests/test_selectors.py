"""Order reads: who sees what, list filters, detail lookups."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from oms.accounts.tests.factories import UserFactory
from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders import selectors, services
from oms.orders.errors import OrderNotFound
from oms.orders.models import Order
from oms.orders.selectors import OrderFilters
from oms.orders.states import OrderStatus
from oms.orders.tests.factories import pending_order

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def skus(db):
    warehouse = WarehouseFactory()
    return stock_sku(warehouse=warehouse, on_hand=50, code="TEA"), stock_sku(
        warehouse=warehouse, on_hand=50, code="COFFEE"
    )


def make_order(customer, address, code: str, created_at: datetime) -> Order:
    order = pending_order(customer, address, (code, 1))
    Order.objects.filter(pk=order.pk).update(created_at=created_at)
    return order


@pytest.fixture
def orders(customer, bob, skus, address):
    """alice: tea late on 1 March, coffee (cancelled) at midnight 2 March; bob: tea on 5 March (Shanghai)."""
    alice_tea = make_order(customer, address, "TEA", datetime(2024, 3, 1, 23, 59, 59, tzinfo=SHANGHAI))
    alice_coffee = make_order(customer, address, "COFFEE", datetime(2024, 3, 2, 0, 0, tzinfo=SHANGHAI))
    services.cancel_order(order=alice_coffee, actor=customer, reason="", by_staff=False)
    bob_tea = make_order(bob, address, "TEA", datetime(2024, 3, 5, 12, 0, tzinfo=SHANGHAI))
    return alice_tea, alice_coffee, bob_tea


def listed(user, **filters) -> list[Order]:
    return list(selectors.order_list(user=user, filters=OrderFilters(**filters)))


def test_customers_see_their_own_orders(customer, bob, orders):
    alice_tea, alice_coffee, bob_tea = orders
    assert set(selectors.orders_visible_to(customer)) == {alice_tea, alice_coffee}
    assert set(selectors.orders_visible_to(bob)) == {bob_tea}


def test_staff_with_the_permission_see_all(staff, orders):
    assert selectors.sees_all_orders(staff)
    assert set(selectors.orders_visible_to(staff)) == set(orders)


def test_is_staff_alone_does_not_show_all_orders(orders):
    clerk = UserFactory(username="clerk", is_staff=True)
    assert not selectors.sees_all_orders(clerk)
    assert list(selectors.orders_visible_to(clerk)) == []


def test_a_permission_without_is_staff_does_not_show_all_orders(customer, orders):
    from django.contrib.auth.models import Permission

    customer.user_permissions.add(Permission.objects.get(codename="view_all_orders"))
    customer = type(customer).objects.get(pk=customer.pk)  # drop the permission cache
    assert not selectors.sees_all_orders(customer)


def test_list_is_newest_first(staff, orders):
    alice_tea, alice_coffee, bob_tea = orders
    assert listed(staff) == [bob_tea, alice_coffee, alice_tea]


def test_list_breaks_ties_by_newest_id(staff, customer, skus, address):
    same = datetime(2024, 1, 1, tzinfo=SHANGHAI)
    first, second = (make_order(customer, address, "TEA", same) for _ in range(2))
    assert listed(staff) == [second, first]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": OrderStatus.CANCELLED}, ["alice_coffee"]),
        ({"status": OrderStatus.PENDING_PAYMENT}, ["bob_tea", "alice_tea"]),
        ({"customer": "bob"}, ["bob_tea"]),
        ({"customer": "alice"}, ["alice_coffee", "alice_tea"]),
        ({"sku": "TEA"}, ["bob_tea", "alice_tea"]),
        ({"sku": "MISSING"}, []),
        ({"created_from": date(2024, 3, 2)}, ["bob_tea", "alice_coffee"]),
        ({"created_to": date(2024, 3, 1)}, ["alice_tea"]),
        ({"created_from": date(2024, 3, 1), "created_to": date(2024, 3, 1)}, ["alice_tea"]),
        ({"created_from": date(2024, 3, 2), "created_to": date(2024, 3, 4)}, ["alice_coffee"]),
        ({"sku": "TEA", "status": OrderStatus.PENDING_PAYMENT, "customer": "alice"}, ["alice_tea"]),
    ],
)
@pytest.mark.parametrize("rare_below", [5000, 1], ids=["rare sku: by id", "common sku: walked"])
def test_filters(staff, orders, filters, expected, rare_below, monkeypatch):
    # Both ways the SKU filter runs (selectors._with_sku) must find the same orders in the same order.
    monkeypatch.setattr(selectors, "RARE_SKU_ORDERS", rare_below)
    by_name = dict(zip(["alice_tea", "alice_coffee", "bob_tea"], orders, strict=True))
    assert listed(staff, **filters) == [by_name[name] for name in expected]


def test_order_no_filter(staff, orders):
    assert listed(staff, order_no=orders[0].order_no) == [orders[0]]


def test_filters_never_widen_what_a_customer_sees(customer, orders):
    assert listed(customer, customer="bob") == []
    assert listed(customer, order_no=orders[2].order_no) == []


def test_order_detail_has_items_and_events(customer, orders):
    order = selectors.order_detail(user=customer, order_no=orders[1].order_no)
    assert [i.sku_code for i in order.items.all()] == ["COFFEE"]
    assert [e.to_status for e in order.events.all()] == [OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED]


@pytest.mark.parametrize("lookup", [selectors.order_detail, selectors.order_for_action])
def test_another_customers_order_is_not_found(customer, staff, orders, lookup):
    bob_order_no = orders[2].order_no
    with pytest.raises(OrderNotFound):
        lookup(user=customer, order_no=bob_order_no)
    assert lookup(user=staff, order_no=bob_order_no) == orders[2]


@pytest.mark.parametrize("order_no", ["", "nope", "\x00", "1" * 400])
@pytest.mark.parametrize("lookup", [selectors.order_detail, selectors.order_for_action])
def test_unknown_order_is_not_found(staff, orders, lookup, order_no):
    with pytest.raises(OrderNotFound):
        lookup(user=staff, order_no=order_no)

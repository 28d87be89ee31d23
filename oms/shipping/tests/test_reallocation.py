"""Re-allocation: staff move an open order's units to the warehouses that fulfil it best now, before shipping."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from oms.inventory.errors import InsufficientStock
from oms.inventory.models import Allocation, Stock, StockMovement, Warehouse
from oms.inventory.services import set_stock_level
from oms.inventory.sourcing import StockSnapshot
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku
from oms.orders.models import Order, OrderEvent
from oms.orders.services import cancel_order
from oms.orders.states import OrderStatus
from oms.orders.tests.factories import pending_order
from oms.payments.refunds import refund_order
from oms.payments.services import record_offline_payment
from oms.shipping import reallocation
from oms.shipping import services as shipping
from oms.shipping.errors import ReallocationRefused
from oms.shipping.models import Shipment

pytestmark = pytest.mark.django_db
Kind = StockMovement.Kind


@pytest.fixture(autouse=True)
def _sim_carrier(settings):
    settings.OMS_CARRIERS = {"sim": "oms.shipping.carriers.sim.SimCarrier"}
    settings.OMS_CARRIER_SECRETS = {"sim": "sim-secret"}


@pytest.fixture
def beijing(db) -> Warehouse:
    return WarehouseFactory.create(code="BJ", priority=1, region="Beijing")


@pytest.fixture
def shanghai(db) -> Warehouse:
    return WarehouseFactory.create(code="SH", priority=5, region="Shanghai")


def pay(order: Order, staff) -> Order:
    return record_offline_payment(order=order, actor=staff, reference="bank transfer")


def held(order: Order) -> dict[tuple[str, str], tuple[int, str]]:
    """{(warehouse code, sku code): (units, status)} of the order's allocations."""
    rows = Allocation.objects.filter(order=order).select_related("stock__warehouse", "stock__sku")
    return {(a.stock.warehouse.code, a.stock.sku.code): (a.quantity, a.status) for a in rows}


def counters(sku, *warehouses) -> list[tuple[int, int]]:
    return [(s.on_hand, s.reserved) for s in (stock_of(sku, w) for w in warehouses)]


def reallocation_movements(order: Order) -> list[tuple[str, str, int, int]]:
    movements = StockMovement.objects.filter(order=order, note__startswith="Re-allocated").select_related(
        "stock__warehouse"
    )
    return sorted((m.stock.warehouse.code, m.kind, m.on_hand_delta, m.reserved_delta) for m in movements)


def assert_ledger() -> None:
    """Every stock row equals the sum of its movements, and its reserved units are the reservations held."""
    for stock in Stock.objects.all():
        history = StockMovement.objects.filter(stock=stock).aggregate(
            on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")
        )
        reserved = Allocation.objects.filter(stock=stock, status=Allocation.Status.RESERVED).aggregate(
            n=Sum("quantity")
        )["n"]
        assert (stock.on_hand, stock.reserved) == (history["on_hand"] or 0, history["reserved"] or 0), stock
        assert stock.reserved == (reserved or 0), stock


def notes(order: Order) -> list[tuple[str, str, str]]:
    events = OrderEvent.objects.filter(order=order, reason__startswith="Re-allocated")
    return [(e.from_status, e.to_status, e.reason) for e in events]


# --- unpaid orders: reservations move --------------------------------------------------------------------------


def test_an_unpaid_order_moves_its_reservation_to_the_region_warehouse(customer, staff, address, beijing, shanghai):
    tea = stock_sku(warehouse=beijing, on_hand=10)
    order = pending_order(customer, address, (tea, 3))  # Shanghai has no tea yet: reserved in Beijing
    set_stock_level(sku=tea, warehouse=shanghai, on_hand=10, actor=staff, note="delivery")

    returned = reallocation.reallocate_order(order=order, actor=staff)

    assert returned.status == OrderStatus.PENDING_PAYMENT
    assert counters(tea, beijing, shanghai) == [(10, 0), (10, 3)]
    assert held(order) == {("BJ", tea.code): (3, "released"), ("SH", tea.code): (3, "reserved")}
    assert reallocation_movements(order) == [("BJ", Kind.RELEASE, 0, -3), ("SH", Kind.RESERVE, 0, 3)]
    assert StockMovement.objects.filter(order=order, note__startswith="Re-allocated", actor=staff).count() == 2
    assert notes(order) == [("pending_payment", "pending_payment", "Re-allocated: from BJ to SH (1 -> 1 warehouse(s))")]
    assert_ledger()

    pay(order, staff)  # the deduction now comes from Shanghai
    assert counters(tea, beijing, shanghai) == [(10, 0), (7, 0)]
    assert held(order)[("SH", tea.code)] == (3, "deducted")
    assert_ledger()


def test_a_split_order_is_consolidated_into_one_warehouse(customer, staff, address):
    east, west, north = (WarehouseFactory(code=c, priority=p) for c, p in (("EAST", 1), ("WEST", 2), ("NORTH", 3)))
    tea, coffee = stock_sku(warehouse=east, on_hand=5), stock_sku(warehouse=west, on_hand=5)
    order = pending_order(customer, address, (tea, 2), (coffee, 1))
    assert set(held(order)) == {("EAST", tea.code), ("WEST", coffee.code)}
    stock_sku(sku=tea, warehouse=north, on_hand=5)
    stock_sku(sku=coffee, warehouse=north, on_hand=5)

    reallocation.reallocate_order(order=order, actor=staff)

    assert {key for key, (_, status) in held(order).items() if status == "reserved"} == {
        ("NORTH", tea.code),
        ("NORTH", coffee.code),
    }
    assert counters(tea, east, north) == [(5, 0), (5, 2)]
    assert counters(coffee, west, north) == [(5, 0), (5, 1)]
    assert notes(order)[0][2] == "Re-allocated: from EAST + WEST to NORTH (2 -> 1 warehouse(s))"
    assert_ledger()

    cancel_order(order=order, actor=staff, reason="", by_staff=True)  # releases where the units are now
    assert counters(tea, east, north) == [(5, 0), (5, 0)]
    assert counters(coffee, west, north) == [(5, 0), (5, 0)]
    assert_ledger()


def test_the_orders_own_units_count_as_available_to_it(customer, staff, address, beijing, shanghai):
    tea = stock_sku(warehouse=beijing, on_hand=4)
    stock_sku(sku=tea, warehouse=shanghai, on_hand=2)
    order = pending_order(customer, address, (tea, 4))  # every unit of Beijing: nothing is available there any more
    movements = StockMovement.objects.count()

    reallocation.reallocate_order(order=order, actor=staff)

    assert held(order) == {("BJ", tea.code): (4, "reserved")}
    assert StockMovement.objects.count() == movements
    assert notes(order) == [("pending_payment", "pending_payment", "Re-allocated: unchanged, from BJ")]
    assert_ledger()


def test_a_stale_snapshot_is_re_planned(customer, staff, address, monkeypatch):
    """Another order took the units the first plan counted on: the guarded update refuses, the retry re-plans."""
    first, second = WarehouseFactory(code="W1", priority=1), WarehouseFactory(code="W2", priority=2)
    tea = stock_sku(warehouse=second, on_hand=3)
    order = pending_order(customer, address, (tea, 3))
    stock_sku(sku=tea, warehouse=first, on_hand=0)
    real_snapshot = reallocation.read_stock_snapshot
    calls = []

    def snapshot(sku_ids):
        calls.append(sku_ids)
        if len(calls) == 1:  # W1 seemed to have units a moment ago
            return [StockSnapshot(stock_of(tea, first).pk, tea.pk, first.pk, 5, 1, "Shanghai"), *real_snapshot(sku_ids)]
        return real_snapshot(sku_ids)

    monkeypatch.setattr(reallocation, "read_stock_snapshot", snapshot)

    reallocation.reallocate_order(order=order, actor=staff)

    assert len(calls) == 2
    assert held(order) == {("W2", tea.code): (3, "reserved")}
    assert counters(tea, first, second) == [(0, 0), (3, 3)]
    assert not reallocation_movements(order)
    assert_ledger()


def test_units_leave_a_closed_warehouse_or_nothing_changes(customer, staff, address, beijing, shanghai):
    tea = stock_sku(warehouse=beijing, on_hand=5)
    order = pending_order(customer, address, (tea, 2))
    Warehouse.objects.filter(pk=beijing.pk).update(is_active=False)

    with pytest.raises(InsufficientStock):
        reallocation.reallocate_order(order=order, actor=staff)
    assert held(order) == {("BJ", tea.code): (2, "reserved")}
    assert notes(order) == []

    stock_sku(sku=tea, warehouse=shanghai, on_hand=5)
    reallocation.reallocate_order(order=order, actor=staff)
    assert counters(tea, beijing, shanghai) == [(5, 0), (5, 2)]
    assert_ledger()


# --- paid orders: deducted units move ---------------------------------------------------------------------------


def test_a_paid_order_puts_its_units_back_and_deducts_them_where_they_now_go(
    customer, staff, address, beijing, shanghai
):
    tea, coffee = stock_sku(warehouse=beijing, on_hand=10), stock_sku(warehouse=beijing, on_hand=10)
    order = pay(pending_order(customer, address, (tea, 3), (coffee, 1)), staff)
    assert counters(tea, beijing) == [(7, 0)]
    stock_sku(sku=tea, warehouse=shanghai, on_hand=10)
    stock_sku(sku=coffee, warehouse=shanghai, on_hand=10)

    reallocation.reallocate_order(order=order, actor=staff)

    assert counters(tea, beijing, shanghai) == [(10, 0), (7, 0)]
    assert counters(coffee, beijing, shanghai) == [(10, 0), (9, 0)]
    assert held(order) == {
        ("BJ", tea.code): (3, "released"),
        ("BJ", coffee.code): (1, "released"),
        ("SH", tea.code): (3, "deducted"),
        ("SH", coffee.code): (1, "deducted"),
    }
    assert reallocation_movements(order) == [
        ("BJ", Kind.DEDUCT, 1, 0),
        ("BJ", Kind.DEDUCT, 3, 0),
        ("SH", Kind.DEDUCT, -3, 0),
        ("SH", Kind.DEDUCT, -1, 0),
    ]
    # Units deducted per SKU (what replenishment counts as sold) are what the order took, once.
    deducted = StockMovement.objects.filter(order=order, kind=Kind.DEDUCT, stock__sku=tea).aggregate(
        s=Sum("on_hand_delta")
    )
    assert deducted["s"] == -3
    assert notes(order) == [("paid", "paid", "Re-allocated: from BJ to SH (1 -> 1 warehouse(s))")]
    assert_ledger()

    order = shipping.confirm_order(order=order, actor=staff)  # the parcel now leaves from Shanghai
    assert [
        (s.warehouse.code, sorted((line.sku_code, line.quantity) for line in s.lines.all()))
        for s in order.shipments.all()
    ] == [("SH", sorted([(tea.code, 3), (coffee.code, 1)]))]


def test_an_order_awaiting_shipment_gets_its_pending_shipments_regenerated(customer, staff, address):
    east, west = WarehouseFactory(code="EAST", priority=1), WarehouseFactory(code="WEST", priority=2)
    tea, coffee = stock_sku(warehouse=east, on_hand=5), stock_sku(warehouse=west, on_hand=5)
    order = shipping.confirm_order(
        order=pay(pending_order(customer, address, (tea, 2), (coffee, 1)), staff), actor=staff
    )
    east_parcel, west_parcel = order.shipments.order_by("warehouse__priority")
    stock_sku(sku=coffee, warehouse=east, on_hand=5)

    reallocation.reallocate_order(order=order, actor=staff)

    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_SHIPMENT
    shipments = list(Shipment.objects.filter(order=order))
    assert [s.pk for s in shipments] == [east_parcel.pk]  # the east parcel is kept, the west one is gone
    assert sorted((line.sku_code, line.quantity) for line in shipments[0].lines.all()) == sorted(
        [(tea.code, 2), (coffee.code, 1)]
    )
    assert counters(coffee, east, west) == [(4, 0), (5, 0)]
    assert notes(order) == [
        ("awaiting_shipment", "awaiting_shipment", "Re-allocated: from EAST + WEST to EAST (2 -> 1 warehouse(s))")
    ]
    assert_ledger()

    shipping.ship_shipment(shipment=shipments[0], carrier="sim", tracking_no="SIM-R1", actor=staff)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


# --- refusals ----------------------------------------------------------------------------------------------------


def snapshot_of_everything() -> tuple:
    return (
        sorted(Stock.objects.values_list("pk", "on_hand", "reserved")),
        sorted(Allocation.objects.values_list("pk", "stock_id", "quantity", "status")),
        StockMovement.objects.count(),
        OrderEvent.objects.count(),
        sorted(Shipment.objects.values_list("pk", "warehouse_id", "status")),
    )


def test_refused_once_a_shipment_has_left(customer, staff, address):
    east, west = WarehouseFactory(code="EAST", priority=1), WarehouseFactory(code="WEST", priority=2)
    tea, coffee = stock_sku(warehouse=east, on_hand=5), stock_sku(warehouse=west, on_hand=5)
    order = shipping.confirm_order(
        order=pay(pending_order(customer, address, (tea, 2), (coffee, 1)), staff), actor=staff
    )
    first = order.shipments.order_by("warehouse__priority").first()
    shipping.ship_shipment(shipment=first, carrier="sim", tracking_no="SIM-L1", actor=staff)
    stock_sku(sku=coffee, warehouse=east, on_hand=5)
    before = snapshot_of_everything()

    with pytest.raises(ReallocationRefused) as refused:
        reallocation.reallocate_order(order=order, actor=staff)

    assert (refused.value.status, refused.value.code) == (409, "invalid_transition")
    assert "already left" in refused.value.message
    assert refused.value.details == {"current_status": "awaiting_shipment", "shipments_left": [first.pk]}
    assert snapshot_of_everything() == before


@pytest.mark.parametrize("status", [OrderStatus.CANCELLED, OrderStatus.SHIPPED, OrderStatus.REFUNDING])
def test_refused_for_an_order_that_is_not_open(customer, staff, address, beijing, status):
    tea = stock_sku(warehouse=beijing, on_hand=5)
    order = pending_order(customer, address, (tea, 1))
    Order.objects.filter(pk=order.pk).update(status=status)
    before = snapshot_of_everything()

    with pytest.raises(ReallocationRefused) as refused:
        reallocation.reallocate_order(order=order, actor=staff)

    assert refused.value.details == {"current_status": status}
    assert snapshot_of_everything() == before


def test_refused_after_a_refund_put_units_back_on_hand(customer, staff, address, beijing, shanghai):
    tea = stock_sku(warehouse=beijing, on_hand=5)
    order = pay(pending_order(customer, address, (tea, 2)), staff)
    refund_order(order=order, reason="one broke", actor=staff, items=[{"sku": tea.code, "quantity": 1}], restock=True)
    stock_sku(sku=tea, warehouse=shanghai, on_hand=5)
    before = snapshot_of_everything()

    with pytest.raises(ReallocationRefused):
        reallocation.reallocate_order(order=order, actor=staff)
    assert snapshot_of_everything() == before


# --- API ---------------------------------------------------------------------------------------------------------


def test_staff_reallocate_through_the_api(staff_client, customer_client, customer, staff, address, beijing, shanghai):
    tea = stock_sku(warehouse=beijing, on_hand=5)
    order = pending_order(customer, address, (tea, 2))
    stock_sku(sku=tea, warehouse=shanghai, on_hand=5)
    url = f"/api/v1/orders/{order.order_no}/reallocate/"

    refused = customer_client.post(url)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    missing = staff_client.post("/api/v1/orders/NOPE/reallocate/")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    response = staff_client.post(url)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["order_no"], body["status"]) == (order.order_no, "pending_payment")
    assert body["events"][-1]["reason"] == "Re-allocated: from BJ to SH (1 -> 1 warehouse(s))"
    assert counters(tea, beijing, shanghai) == [(5, 0), (5, 2)]


def test_the_api_answers_409_once_a_parcel_left(staff_client, customer, staff, address):
    east, west = WarehouseFactory(code="EAST", priority=1), WarehouseFactory(code="WEST", priority=2)
    tea, coffee = stock_sku(warehouse=east, on_hand=5), stock_sku(warehouse=west, on_hand=5)
    order = shipping.confirm_order(
        order=pay(pending_order(customer, address, (tea, 2), (coffee, 1)), staff), actor=staff
    )
    first = order.shipments.order_by("warehouse__priority").first()
    shipping.ship_shipment(shipment=first, carrier="sim", tracking_no="SIM-A1", actor=staff)

    response = staff_client.post(f"/api/v1/orders/{order.order_no}/reallocate/")

    assert response.status_code == 409, response.content
    assert response.json() == {
        "code": "invalid_transition",
        "message": f"Shipment {first.pk} of order {order.order_no} already left the warehouse: "
        "its units can no longer move.",
        "details": {"current_status": "awaiting_shipment", "shipments_left": [first.pk]},
    }


# --- concurrency --------------------------------------------------------------------------------------------------


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_reallocations_racing_buyers_and_payments_neither_deadlock_nor_oversell(address):
    from oms.orders.tests.test_concurrency import assert_only, make_buyers, run_together

    far = [WarehouseFactory(code=f"FAR{i}", priority=i + 1, region="Beijing") for i in range(2)]
    near = WarehouseFactory(code="NEAR", priority=9, region="Shanghai")
    skus = [stock_sku(warehouse=far[0], on_hand=12) for _ in range(2)]
    for sku in skus:
        stock_sku(sku=sku, warehouse=far[1], on_hand=12)
    buyers = make_buyers(12, "realloc")
    orders = [pending_order(buyers[i], address, (skus[0], 1 + i % 2), (skus[1], 1)) for i in range(6)]
    for sku in skus:  # the customers' region warehouse is stocked only now: every order moves there
        stock_sku(sku=sku, warehouse=near, on_hand=20)  # enough for them and for the new buyers
    staff = make_buyers(1, "realloc-staff")[0]

    def reallocate(order):
        return lambda: reallocation.reallocate_order(order=order, actor=staff)

    def pay_order(order):
        return lambda: record_offline_payment(order=order, actor=staff, reference="race")

    def buy(buyer):
        return lambda: pending_order(buyer, address, (skus[1], 2), (skus[0], 1))

    workers = [reallocate(order) for order in orders] + [reallocate(order) for order in orders[:3]]
    workers += [pay_order(order) for order in orders[::2]] + [buy(buyer) for buyer in buyers[6:]]
    outcomes = run_together(workers)

    assert_only(outcomes, InsufficientStock)
    assert_ledger()
    for order in Order.objects.all():
        lines = dict(order.items.values_list("sku_id", "quantity"))
        active = Allocation.objects.filter(order=order).exclude(status=Allocation.Status.RELEASED)
        taken: dict[int, int] = {}
        for allocation in active.select_related("stock"):
            taken[allocation.stock.sku_id] = taken.get(allocation.stock.sku_id, 0) + allocation.quantity
            expected = "deducted" if order.status == OrderStatus.PAID else "reserved"
            assert allocation.status == expected, (order.status, allocation.status)
        assert taken == lines
    for stock in Stock.objects.all():
        assert 0 <= stock.reserved <= stock.on_hand
    still_far = Allocation.objects.filter(order__in=orders, stock__warehouse__in=far)
    assert not still_far.exclude(status=Allocation.Status.RELEASED).exists()

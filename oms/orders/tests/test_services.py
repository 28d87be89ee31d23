"""Order services: placement (pricing, idempotency, retries), cancellation, payment, expiry."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from oms.accounts.tests.factories import StaffFactory, UserFactory
from oms.catalog.tests.factories import SkuFactory
from oms.common.errors import ValidationFailed
from oms.inventory.errors import InsufficientStock
from oms.inventory.models import Allocation, Stock, StockMovement
from oms.inventory.sourcing import StockSnapshot
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku
from oms.orders import services
from oms.orders.errors import IdempotencyKeyReused, InvalidTransition, OrderExpired
from oms.orders.models import Order, OrderEvent, OrderItem
from oms.orders.states import CUSTOMER_CANCELLABLE, OrderStatus
from oms.orders.tests.factories import placed_order
from oms.payments import services as payment_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(code="SH1", priority=1)


@pytest.fixture
def sku(warehouse):
    return stock_sku(warehouse=warehouse, on_hand=10, code="TEA", price=Decimal("12.50"))


def written_state() -> tuple:
    return (
        Order.objects.count(),
        OrderItem.objects.count(),
        OrderEvent.objects.count(),
        Allocation.objects.count(),
        StockMovement.objects.count(),
        list(Stock.objects.order_by("pk").values_list("pk", "on_hand", "reserved")),
    )


def set_status(order: Order, status: OrderStatus) -> Order:
    """Put an order in a state directly, to test the moves out of it."""
    Order.objects.filter(pk=order.pk).update(status=status)
    order.refresh_from_db()
    return order


# --- place_order --------------------------------------------------------------------------------------------


def test_place_order_writes_order_items_event_allocation_and_movement(customer, sku, warehouse, address, settings):
    settings.OMS_SHIPPING_FEE = Decimal("10.00")
    settings.OMS_FREE_SHIPPING_THRESHOLD = Decimal("99.00")
    now = timezone.now()

    placed = placed_order(customer, address, ("TEA", 3), key="k1", now=now)

    order = placed.order
    assert placed.created
    assert (order.status, order.customer, order.idempotency_key) == (
        OrderStatus.PENDING_PAYMENT,
        customer,
        "k1",
    )
    assert (order.subtotal, order.shipping_fee, order.total_amount) == (
        Decimal("37.50"),
        Decimal("10.00"),
        Decimal("47.50"),
    )
    assert (order.created_at, order.expires_at) == (now, now + timedelta(minutes=30))
    assert len(order.order_no) == 20 and order.order_no.isdigit()
    item = order.items.get()
    assert (item.sku, item.sku_code, item.unit_price, item.quantity, item.line_total) == (
        sku,
        "TEA",
        Decimal("12.50"),
        3,
        Decimal("37.50"),
    )
    event = order.events.get()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        "",
        OrderStatus.PENDING_PAYMENT,
        customer,
        "Order placed",
    )
    allocation = Allocation.objects.get(order=order)
    assert (allocation.stock, allocation.quantity, allocation.status) == (
        stock_of(sku, warehouse),
        3,
        Allocation.Status.RESERVED,
    )
    movement = StockMovement.objects.get(order=order)
    assert (movement.kind, movement.reserved_delta, movement.on_hand_delta, movement.actor) == (
        StockMovement.Kind.RESERVE,
        3,
        0,
        customer,
    )
    assert stock_of(sku, warehouse).reserved == 3


def _rows_of(order: Order) -> dict:
    """Everything placement wrote for ``order``, without ids, numbers and times that differ between orders."""
    skip = {"id", "order_id", "order_no", "idempotency_key", "request_fingerprint", "created_at", "updated_at"}

    def strip(row: Mapping[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in row.items() if key not in skip}

    return {
        "order": strip(Order.objects.filter(pk=order.pk).values().get()),
        "items": [strip(row) for row in OrderItem.objects.filter(order=order).order_by("sku_code").values()],
        "events": [strip(row) for row in OrderEvent.objects.filter(order=order).values()],
        "allocations": [strip(row) for row in Allocation.objects.filter(order=order).order_by("stock").values()],
        "movements": [strip(row) for row in StockMovement.objects.filter(order=order).order_by("stock").values()],
    }


def test_one_statement_writer_writes_exactly_what_the_orm_path_writes(customer, warehouse, address, monkeypatch):
    # On PostgreSQL the first order goes through orders.placement_sql; the second is forced through the ORM.
    for code in ("TEA", "CUP"):
        stock_sku(warehouse=warehouse, on_hand=50, code=code, price=Decimal("3.30"))
    other = WarehouseFactory(code="BJ1", priority=2)
    stock_sku(warehouse=other, on_hand=50, code="POT", price=Decimal("99.00"))
    lines = (("TEA", 2), ("CUP", 5), ("POT", 1))

    now = timezone.now()
    first = placed_order(customer, address, *lines, key="fast", now=now).order
    monkeypatch.setattr(services, "ONE_STATEMENT_PLACEMENT_VENDORS", frozenset())
    second = placed_order(customer, address, *lines, key="orm", now=now).order

    assert first.order_no != second.order_no
    assert _rows_of(first) == _rows_of(second)
    assert len(_rows_of(first)["movements"]) == 3
    assert Stock.objects.filter(sku__code="TEA").get().reserved == 4


def test_payment_timeout_comes_from_settings(customer, sku, address, settings):
    settings.OMS_ORDER_PAYMENT_TIMEOUT = timedelta(minutes=5)
    order = placed_order(customer, address, ("TEA", 1)).order
    assert order.expires_at - order.created_at == timedelta(minutes=5)


def test_line_totals_round_half_up_to_cents(customer, warehouse, address, settings):
    settings.OMS_FREE_SHIPPING_THRESHOLD = None
    settings.OMS_SHIPPING_FEE = Decimal("0")
    cheap = stock_sku(warehouse=warehouse, on_hand=999, price=Decimal("0.01"))
    order = placed_order(customer, address, (cheap.code, 999)).order
    assert (order.subtotal, order.shipping_fee, order.total_amount) == (
        Decimal("9.99"),
        Decimal("0.00"),
        Decimal("9.99"),
    )


def test_replay_returns_the_first_order_and_reserves_nothing(customer, sku, address):
    first = placed_order(customer, address, ("TEA", 2), key="k")
    state = written_state()

    again = placed_order(customer, address, ("TEA", 2), key="k")

    assert (again.created, again.order.pk) == (False, first.order.pk)
    assert written_state() == state


def test_reused_key_with_other_content_raises(customer, sku, address):
    first = placed_order(customer, address, ("TEA", 2), key="k")
    state = written_state()
    with pytest.raises(IdempotencyKeyReused) as caught:
        placed_order(customer, address, ("TEA", 1), key="k")
    assert caught.value.details == {"order_no": first.order.order_no}
    assert caught.value.status == 422
    assert written_state() == state


def test_a_key_is_checked_before_the_skus(customer, sku, address):
    """A replay answers with the order even if the SKU has since been deactivated or sold out."""
    first = placed_order(customer, address, ("TEA", 2), key="k")
    sku.is_active = False
    sku.save()
    assert placed_order(customer, address, ("TEA", 2), key="k").order.pk == first.order.pk


def test_insufficient_stock_names_short_skus_and_writes_nothing(customer, sku, warehouse, address):
    scarce = stock_sku(warehouse=warehouse, on_hand=2, code="SCARCE")
    SkuFactory(code="UNSTOCKED")
    state = written_state()

    with pytest.raises(InsufficientStock) as caught:
        placed_order(customer, address, ("UNSTOCKED", 1), ("TEA", 1), (scarce.code, 3))

    assert caught.value.sku_codes == ["SCARCE", "UNSTOCKED"]
    assert caught.value.details == {"skus": ["SCARCE", "UNSTOCKED"]}
    assert written_state() == state


@pytest.mark.parametrize(
    ("lines", "details"),
    [
        ((("TEA", 1), ("TEA", 2)), {"duplicate_skus": ["TEA"]}),
        ((("TEA", 1), ("NOPE", 1)), {"unknown_skus": ["NOPE"]}),
        ((("INACTIVE", 1),), {"unknown_skus": ["INACTIVE"]}),
    ],
)
def test_bad_lines_raise_validation_failed(customer, sku, warehouse, address, lines, details):
    stock_sku(warehouse=warehouse, on_hand=5, code="INACTIVE", is_active=False)
    state = written_state()
    with pytest.raises(ValidationFailed) as caught:
        placed_order(customer, address, *lines)
    assert caught.value.details == details
    assert written_state() == state


def test_stale_snapshot_is_re_planned(customer, address, monkeypatch):
    """Another buyer took the units the first plan counted on: the retry plans from fresh numbers."""
    first = WarehouseFactory(code="W1", priority=1)
    second = WarehouseFactory(code="W2", priority=2)
    sku = stock_sku(warehouse=first, on_hand=0)
    stock_sku(sku=sku, warehouse=second, on_hand=5)
    real_read = services.read_skus_with_stock
    calls = []

    def stale_first_read(codes):
        calls.append(codes)
        skus, _ = real_read(codes)
        # what the stock looked like a moment ago: 5 units in the first warehouse
        return skus, [StockSnapshot(stock_of(sku, first).pk, sku.pk, first.pk, 5)]

    monkeypatch.setattr(services, "read_skus_with_stock", stale_first_read)

    placed = placed_order(customer, address, (sku.code, 3))

    assert len(calls) == 1  # the retry re-read the stock alone (read_stock_snapshot), with fresh numbers
    assert [(a.stock.warehouse, a.quantity) for a in placed.order.allocations.select_related("stock")] == [(second, 3)]
    assert (stock_of(sku, first).reserved, stock_of(sku, second).reserved) == (0, 3)
    assert Order.objects.count() == 1
    assert StockMovement.objects.filter(kind=StockMovement.Kind.RESERVE).count() == 1


def test_gives_up_with_insufficient_stock_when_the_snapshot_stays_stale(customer, sku, warehouse, address, monkeypatch):
    stale = [StockSnapshot(stock_of(sku, warehouse).pk, sku.pk, warehouse.pk, 100)]
    monkeypatch.setattr(services, "read_stock_snapshot", lambda sku_ids: stale)
    state = written_state()

    with pytest.raises(InsufficientStock):
        placed_order(customer, address, ("TEA", 50))

    assert written_state() == state


def test_order_number_collision_draws_another(customer, sku, address, monkeypatch):
    taken = placed_order(customer, address, ("TEA", 1)).order.order_no
    real_new_order_no = services.new_order_no
    numbers = iter([taken])
    monkeypatch.setattr(services, "new_order_no", lambda now: next(numbers, None) or real_new_order_no(now))

    order = placed_order(customer, address, ("TEA", 2)).order

    assert order.order_no != taken
    assert Order.objects.count() == 2
    assert Stock.objects.get().reserved == 3


def test_duplicate_key_collapses_into_the_first_order_through_the_unique_index(customer, sku, address):
    """There is no look-up before the insert: the unique (customer, key) index refuses the second order, whose
    transaction rolls back (its reservation with it), and the first order is returned."""
    first = placed_order(customer, address, ("TEA", 2), key="k").order
    state = written_state()

    again = placed_order(customer, address, ("TEA", 2), key="k")

    assert (again.created, again.order.pk) == (False, first.pk)
    assert written_state() == state


# --- cancel, pay, expire ------------------------------------------------------------------------------------


def test_customer_cancel_releases_stock_and_records_the_actor(customer, sku, warehouse, address):
    order = placed_order(customer, address, ("TEA", 4)).order

    services.cancel_order(order=order, actor=customer, reason="", by_staff=False)

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    event = order.events.last()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.CANCELLED,
        customer,
        "Cancelled by customer",
    )
    assert stock_of(sku, warehouse).reserved == 0
    assert Allocation.objects.get(order=order).status == Allocation.Status.RELEASED


@pytest.mark.parametrize("status", list(OrderStatus))
def test_customer_may_cancel_only_before_payment(customer, sku, warehouse, address, status):
    order = set_status(placed_order(customer, address, ("TEA", 1)).order, status)
    if status in CUSTOMER_CANCELLABLE:
        services.cancel_order(order=order, actor=customer, reason="", by_staff=False)
        order.refresh_from_db()
        assert order.status == OrderStatus.CANCELLED
        assert stock_of(sku, warehouse).reserved == 0
    else:
        with pytest.raises(InvalidTransition) as caught:
            services.cancel_order(order=order, actor=customer, reason="", by_staff=False)
        assert caught.value.details["current_status"] == status
        order.refresh_from_db()
        assert order.status == status


def test_staff_cannot_cancel_a_paid_order_either(customer, staff, sku, address):
    order = placed_order(customer, address, ("TEA", 1)).order
    payment_services.record_offline_payment(order=order, actor=staff, reference="")
    with pytest.raises(InvalidTransition):
        services.cancel_order(order=order, actor=staff, reason="", by_staff=True)


def test_mark_paid_deducts_stock(customer, staff, sku, warehouse, address):
    order = placed_order(customer, address, ("TEA", 3)).order

    payment_services.record_offline_payment(order=order, actor=staff, reference="REF-1")

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.paid_at is not None
    assert order.events.last().reason == "Offline payment recorded by staff; reference: REF-1"
    stock = stock_of(sku, warehouse)
    assert (stock.on_hand, stock.reserved) == (7, 0)
    assert Allocation.objects.get(order=order).status == Allocation.Status.DEDUCTED


def test_mark_paid_of_an_expired_order_raises_and_changes_nothing(customer, staff, sku, warehouse, address):
    order = placed_order(customer, address, ("TEA", 3)).order
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    state = written_state()

    with pytest.raises(OrderExpired):
        services.mark_order_paid(order=order, actor=staff, reason="late")

    order.refresh_from_db()
    assert (order.status, order.paid_at) == (OrderStatus.PENDING_PAYMENT, None)
    assert written_state() == state


def test_expire_overdue_orders_cancels_only_expired_pending_orders(customer, sku, warehouse, address):
    staff = StaffFactory()
    past = timezone.now() - timedelta(minutes=1)
    overdue = placed_order(customer, address, ("TEA", 1)).order
    fresh = placed_order(customer, address, ("TEA", 2)).order
    paid = placed_order(customer, address, ("TEA", 3)).order
    payment_services.record_offline_payment(order=paid, actor=staff, reference="")
    cancelled = placed_order(customer, address, ("TEA", 1)).order
    services.cancel_order(order=cancelled, actor=customer, reason="", by_staff=False)
    Order.objects.filter(pk__in=[overdue.pk, paid.pk, cancelled.pk]).update(expires_at=past)

    assert services.expire_overdue_orders() == 1

    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {
        overdue.pk: OrderStatus.CANCELLED,
        fresh.pk: OrderStatus.PENDING_PAYMENT,
        paid.pk: OrderStatus.PAID,
        cancelled.pk: OrderStatus.CANCELLED,
    }
    event = overdue.events.last()
    assert (event.actor, event.reason) == (None, "Payment window expired")
    stock = stock_of(sku, warehouse)
    assert (stock.on_hand, stock.reserved) == (7, 2)  # the paid 3 are gone, the fresh 2 still held
    assert services.expire_overdue_orders() == 0


def test_expire_overdue_orders_respects_now_and_limit(customer, sku, address):
    orders = [placed_order(customer, address, ("TEA", 1)).order for _ in range(3)]
    later = orders[0].expires_at + timedelta(seconds=1)

    assert services.expire_overdue_orders(now=orders[0].created_at) == 0
    assert services.expire_overdue_orders(now=later, limit=2) == 2
    assert services.expire_overdue_orders(now=later, limit=2) == 1
    assert Stock.objects.get().reserved == 0


def test_an_order_paid_meanwhile_is_skipped_by_expiry(customer, sku, address, monkeypatch):
    order = placed_order(customer, address, ("TEA", 1)).order
    real_transition = services.transition_order

    def paid_just_before(*, order_id, **kwargs):  # a payment lands between the scan and the transition
        Order.objects.filter(pk=order_id).update(status=OrderStatus.PAID)
        return real_transition(order_id=order_id, **kwargs)

    monkeypatch.setattr(services, "transition_order", paid_just_before)

    assert services.expire_overdue_orders(now=order.expires_at + timedelta(seconds=1)) == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_another_users_orders_are_separate(sku, address):
    alice, bob = UserFactory(username="a1"), UserFactory(username="b1")
    placed_order(alice, address, ("TEA", 1), key="same")
    placed_order(bob, address, ("TEA", 1), key="same")
    assert Order.objects.count() == 2

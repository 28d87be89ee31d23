"""Property: whatever sequence of order operations runs, legal or not, stock and history stay consistent.

Hypothesis draws a sequence of operations (place, cancel, pay, fail payment, retry, confirm, ship, complete,
expire, cancel-or-refund...). Each one runs through the real services against the real database; after every step the stock
counters, allocations, movements and event chains are checked against each other. An illegal operation must raise
the promised error and leave the database exactly as it was. Each example runs inside ``transaction.atomic()`` and
is rolled back, so examples do not see each other's rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from oms.catalog.models import Sku
from oms.catalog.tests.factories import SkuFactory
from oms.common.errors import ValidationFailed
from oms.inventory.errors import InsufficientStock
from oms.inventory.models import Allocation, Stock, StockMovement
from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders.errors import IdempotencyKeyReused, InvalidTransition, OrderExpired
from oms.orders.models import Order, OrderEvent, OrderItem
from oms.orders.services import (
    OrderLineInput,
    cancel_order,
    expire_overdue_orders,
    place_order,
)
from oms.orders.states import CUSTOMER_CANCELLABLE, HOLDS_RESERVATION, PAID_UNSHIPPED, TRANSITIONS, OrderStatus
from oms.orders.transitions import transition_order
from oms.payments.cancellation import cancel_or_refund_order
from oms.payments.services import record_offline_payment

S = OrderStatus
Status = Allocation.Status
SKU_PRICES = [Decimal("19.90"), Decimal("5.00"), Decimal("120.00")]
INACTIVE_ON_HAND = 5
ADDRESS = {
    "name": "Li Lei",
    "phone": "13800138000",
    "province": "Shanghai",
    "city": "Shanghai",
    "district": "Pudong",
    "address": "1 Century Avenue",
    "postal_code": "200120",
}

# Which allocation statuses an order may hold in each state.
ALLOCATIONS_IN = {
    S.PENDING_PAYMENT: Status.RESERVED,
    S.PAYMENT_FAILED: Status.RESERVED,
    S.CANCELLED: Status.RELEASED,
    **{
        state: Status.DEDUCTED
        for state in (S.PAID, S.AWAITING_SHIPMENT, S.SHIPPED, S.SHIPMENT_FAILED, S.COMPLETED)
        + (S.REFUNDING, S.REFUNDED)
    },
}


# --- Operations ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    lines: tuple[tuple[int, int], ...]  # (SKU index, quantity); may repeat a SKU (must be refused)
    key: str | None
    overdue: bool  # placed an hour ago, so its payment window has already passed


@dataclass(frozen=True)
class Move:
    action: str
    pick: int  # which of the placed orders, counted from the newest, modulo their number


@dataclass(frozen=True)
class Expire:
    minutes_ahead: int


# action -> (target status, the subset of states the caller may start from, or None for the whole table)
ACTIONS: dict[str, tuple[OrderStatus, frozenset[OrderStatus] | None]] = {
    "cancel_by_customer": (S.CANCELLED, CUSTOMER_CANCELLABLE),
    "cancel_by_staff": (S.CANCELLED, None),
    "pay": (S.PAID, None),
    "fail_payment": (S.PAYMENT_FAILED, None),
    "retry_payment": (S.PENDING_PAYMENT, None),
    "confirm": (S.AWAITING_SHIPMENT, None),
    "ship": (S.SHIPPED, None),
    "fail_shipment": (S.SHIPMENT_FAILED, None),
    "complete": (S.COMPLETED, None),
    # Unpaid → cancelled, paid and unshipped → refunded in full with every unit restocked (run_move decides).
    "cancel_or_refund": (S.CANCELLED, None),
}


def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """Pick a strategy with the given odds (``one_of`` treats repeated strategies as one)."""
    return st.sampled_from([strategy for weight, strategy in choices for _ in range(weight)]).flatmap(lambda s: s)


# Mostly distinct SKUs per order; now and then a repeated SKU, which must be refused.
distinct_lines = st.lists(
    st.tuples(st.integers(0, len(SKU_PRICES) - 1), st.integers(1, 4)),
    min_size=1,
    max_size=3,
    unique_by=lambda t: t[0],
)
repeated_lines = st.tuples(st.integers(0, len(SKU_PRICES) - 1), st.integers(1, 2)).map(lambda t: [t, t])
places = st.builds(
    Place,
    lines=weighted((9, distinct_lines), (1, repeated_lines)).map(tuple),
    key=st.sampled_from([None, None, "key-1", "key-2"]),
    overdue=st.sampled_from([False, False, False, True]),
)
# "advance" takes the order one step along the happy path (and, from a final state, tries an illegal move), so
# that sequences reach the later states instead of mostly bouncing off the table.
ADVANCE = {
    S.PENDING_PAYMENT: "pay",
    S.PAYMENT_FAILED: "pay",
    S.PAID: "confirm",
    S.AWAITING_SHIPMENT: "ship",
    S.SHIPPED: "complete",
    S.SHIPMENT_FAILED: "ship",
}
FORWARD = ["advance"] * 8
# Usually one of the newest orders, so that one order sees several moves in a row.
# cancel_or_refund drawn three times as often: it needs a paid order, which takes a few moves to reach.
moves = st.builds(
    Move,
    action=st.sampled_from(sorted(ACTIONS) + ["cancel_or_refund"] * 2 + FORWARD),
    pick=st.sampled_from([0, 0, 0, 1, 2, 5]),
)
expiries = st.builds(Expire, minutes_ahead=st.sampled_from([0, 31, 120]))
operations = st.lists(weighted((3, places), (6, moves), (1, expiries)), min_size=6, max_size=40)
stock_levels = st.lists(st.integers(0, 9), min_size=2 * len(SKU_PRICES), max_size=2 * len(SKU_PRICES))


# --- The world of one example and a snapshot of its rows -----------------------------------------------------


@dataclass
class World:
    skus: list[Sku]
    customer: User
    staff: User
    active_stock_ids: set[int]
    inactive_stock_ids: set[int]
    initial_on_hand: dict[int, int]  # by SKU id, active warehouses only
    orders: list[int] = field(default_factory=list)
    keys: dict[str, tuple[int, list[tuple[str, int]]]] = field(default_factory=dict)
    expected_status: dict[int, str] = field(default_factory=dict)


def build_world(levels: list[int]) -> World:
    warehouses = [WarehouseFactory.create(), WarehouseFactory.create()]
    closed = WarehouseFactory.create(is_active=False, priority=0)  # best priority, yet never used
    skus = [SkuFactory.create(price=price) for price in SKU_PRICES]
    for i, sku in enumerate(skus):
        for j, warehouse in enumerate(warehouses):
            stock_sku(sku=sku, warehouse=warehouse, on_hand=levels[2 * i + j])
        stock_sku(sku=sku, warehouse=closed, on_hand=INACTIVE_ON_HAND)
    stocks = list(Stock.objects.filter(sku__in=skus).values_list("pk", "warehouse_id", "sku_id", "on_hand"))
    initial: dict[int, int] = defaultdict(int)
    for _, warehouse_id, sku_id, on_hand in stocks:
        if warehouse_id != closed.pk:
            initial[sku_id] += on_hand
    return World(
        skus=skus,
        customer=User.objects.create(username="prop-customer"),
        staff=User.objects.create(username="prop-staff", is_staff=True),
        active_stock_ids={pk for pk, wh, _, _ in stocks if wh != closed.pk},
        inactive_stock_ids={pk for pk, wh, _, _ in stocks if wh == closed.pk},
        initial_on_hand=dict(initial),
    )


@dataclass(frozen=True)
class Snapshot:
    stocks: dict[int, tuple[int, int, int]]  # id -> (sku_id, on_hand, reserved)
    orders: dict[int, tuple[str, datetime, datetime | None]]  # id -> (status, expires_at, paid_at)
    allocations: tuple[tuple[int, int, int, int, str], ...]  # (id, order_id, stock_id, quantity, status)
    items: tuple[tuple[int, int, int], ...]  # (order_id, sku_id, quantity)
    events: tuple[tuple[int, int, str, str, datetime], ...]  # (id, order_id, from, to, created_at)
    movements: dict[int, tuple[int, int, int]]  # stock_id -> (count, sum on_hand_delta, sum reserved_delta)
    returned: dict[tuple[int, int], int]  # (order_id, sku_id) -> units put back on hand by refunds


def snapshot(world: World) -> Snapshot:
    stock_ids = world.active_stock_ids | world.inactive_stock_ids
    movements = {
        row["stock_id"]: (row["n"], row["on_hand"] or 0, row["reserved"] or 0)
        for row in StockMovement.objects.filter(stock_id__in=stock_ids)
        .values("stock_id")
        .annotate(n=Count("pk"), on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta"))
        .order_by()
    }
    return Snapshot(
        stocks={
            pk: (sku_id, on_hand, reserved)
            for pk, sku_id, on_hand, reserved in Stock.objects.filter(pk__in=stock_ids).values_list(
                "pk", "sku_id", "on_hand", "reserved"
            )
        },
        orders={
            pk: (st_, exp, paid)
            for pk, st_, exp, paid in Order.objects.values_list("pk", "status", "expires_at", "paid_at")
        },
        allocations=tuple(
            Allocation.objects.order_by("pk").values_list("pk", "order_id", "stock_id", "quantity", "status")
        ),
        items=tuple(OrderItem.objects.order_by("pk").values_list("order_id", "sku_id", "quantity")),
        events=tuple(
            OrderEvent.objects.order_by("pk").values_list("pk", "order_id", "from_status", "to_status", "created_at")
        ),
        movements={pk: movements.get(pk, (0, 0, 0)) for pk in stock_ids},
        returned={
            (row["order_id"], row["stock__sku_id"]): row["units"]
            for row in StockMovement.objects.filter(stock_id__in=stock_ids, kind=StockMovement.Kind.RETURN)
            .values("order_id", "stock__sku_id")
            .annotate(units=Sum("on_hand_delta"))
            .order_by()
        },
    )


# --- Invariants ----------------------------------------------------------------------------------------------


def check_invariants(world: World, snap: Snapshot) -> None:
    held: dict[int, int] = defaultdict(int)
    deducted_by_sku: dict[int, int] = defaultdict(int)
    allocated: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    statuses: dict[int, set[str]] = defaultdict(set)
    for _, order_id, stock_id, quantity, status in snap.allocations:
        sku_id = snap.stocks[stock_id][0]
        assert stock_id in world.active_stock_ids, "a closed warehouse's stock was allocated"
        held[stock_id] += quantity if status == Status.RESERVED else 0
        deducted_by_sku[sku_id] += quantity if status == Status.DEDUCTED else 0
        allocated[order_id][sku_id] += quantity
        statuses[order_id].add(status)

    on_hand_by_sku: dict[int, int] = defaultdict(int)
    for stock_id, (sku_id, on_hand, reserved) in snap.stocks.items():
        _, moved_on_hand, moved_reserved = snap.movements[stock_id]
        assert reserved == held[stock_id], f"stock {stock_id}: reserved {reserved} != held {held[stock_id]}"
        assert (on_hand, reserved) == (moved_on_hand, moved_reserved), f"stock {stock_id} disagrees with history"
        assert 0 <= reserved <= on_hand
        if stock_id in world.inactive_stock_ids:
            assert (on_hand, reserved) == (INACTIVE_ON_HAND, 0)
        else:
            on_hand_by_sku[sku_id] += on_hand
    returned_by_sku: dict[int, int] = defaultdict(int)
    for (_, sku_id), units in snap.returned.items():
        returned_by_sku[sku_id] += units
    for sku_id, initial in world.initial_on_hand.items():
        expected = initial - deducted_by_sku[sku_id] + returned_by_sku[sku_id]
        assert on_hand_by_sku[sku_id] == expected, "units vanished or appeared"

    wanted: dict[int, dict[int, int]] = defaultdict(dict)
    for order_id, sku_id, quantity in snap.items:
        wanted[order_id][sku_id] = quantity
    events: dict[int, list[tuple[str, str, datetime]]] = defaultdict(list)
    for _, order_id, from_status, to_status, created_at in snap.events:
        events[order_id].append((from_status, to_status, created_at))

    assert set(snap.orders) == set(world.expected_status)
    for order_id, (status, _, paid_at) in snap.orders.items():
        assert status == world.expected_status[order_id], f"order {order_id} changed state on its own"
        assert dict(allocated[order_id]) == wanted[order_id], f"order {order_id}: allocations != lines"
        # Only a cancel-and-refund puts units back here, and then all of them.
        returned = {sku_id: snap.returned.get((order_id, sku_id), 0) for sku_id in wanted[order_id]}
        assert returned == (wanted[order_id] if status == S.REFUNDED else dict.fromkeys(returned, 0))
        assert statuses[order_id] == {ALLOCATIONS_IN[S(status)]}, f"order {order_id} in {status}"
        assert (paid_at is not None) == (status not in HOLDS_RESERVATION | {S.CANCELLED})
        chain = events[order_id]
        assert chain[0][:2] == ("", S.PENDING_PAYMENT)
        for (_, previous_to, previous_at), (from_status, to_status, created_at) in pairwise(chain):
            assert from_status == previous_to, f"order {order_id}: broken event chain {chain}"
            assert S(to_status) in TRANSITIONS[S(from_status)], f"order {order_id}: {from_status}->{to_status}"
            assert created_at >= previous_at
        assert chain[-1][1] == status


# --- Running one operation -----------------------------------------------------------------------------------


def expect_unchanged(world: World, before: Snapshot, error: type[Exception], call) -> None:
    event(f"refused: {error.__name__}")
    with pytest.raises(error):
        call()
    assert snapshot(world) == before, f"a refused operation ({error.__name__}) changed the database"


def run_place(world: World, op: Place, before: Snapshot) -> None:
    lines = [OrderLineInput(world.skus[i].code, quantity) for i, quantity in op.lines]
    fingerprint = sorted((line.sku, line.quantity) for line in lines)
    placed_at = timezone.now() - timedelta(hours=1) if op.overdue else None

    def call():
        return place_order(customer=world.customer, items=lines, address=ADDRESS, idempotency_key=op.key, now=placed_at)

    if op.key in world.keys:
        order_id, first_fingerprint = world.keys[op.key]
        if fingerprint != first_fingerprint:
            return expect_unchanged(world, before, IdempotencyKeyReused, call)
        placed = call()
        event("replayed")
        assert (placed.created, placed.order.pk) == (False, order_id)
        assert snapshot(world) == before, "a replay changed the database"
        return None
    if len({i for i, _ in op.lines}) < len(op.lines):
        return expect_unchanged(world, before, ValidationFailed, call)
    available: dict[int, int] = defaultdict(int)
    for stock_id, (sku_id, on_hand, reserved) in before.stocks.items():
        if stock_id in world.active_stock_ids:
            available[sku_id] += on_hand - reserved
    if any(available[world.skus[i].pk] < quantity for i, quantity in op.lines):
        return expect_unchanged(world, before, InsufficientStock, call)
    placed = call()
    event(
        "placed (split over warehouses)"
        if len(op.lines) < Allocation.objects.filter(order=placed.order).count()
        else "placed"
    )
    assert placed.created and placed.order.status == S.PENDING_PAYMENT
    world.orders.append(placed.order.pk)
    world.expected_status[placed.order.pk] = S.PENDING_PAYMENT
    if op.key:
        world.keys[op.key] = (placed.order.pk, fingerprint)
    return None


def run_move(world: World, op: Move, before: Snapshot) -> None:
    if not world.orders:
        return
    order_id = world.orders[-1 - op.pick % len(world.orders)]
    order = Order.objects.get(pk=order_id)
    current = S(order.status)
    action = ADVANCE.get(current, "complete") if op.action == "advance" else op.action
    target, allowed_from = ACTIONS[action]
    calls: dict[str, Any] = {
        "cancel_by_customer": lambda: cancel_order(order=order, actor=world.customer, reason="", by_staff=False),
        "cancel_by_staff": lambda: cancel_order(order=order, actor=world.staff, reason="", by_staff=True),
        "pay": lambda: record_offline_payment(order=order, actor=world.staff, reference="prop"),
        "cancel_or_refund": lambda: cancel_or_refund_order(order=order, actor=world.staff, reason="", by_staff=True),
    }
    call = calls.get(action) or (
        lambda: transition_order(order_id=order_id, to=target, actor=world.staff, reason=action)
    )
    legal = target in TRANSITIONS[current] and (allowed_from is None or current in allowed_from)
    if action == "cancel_or_refund" and current in PAID_UNSHIPPED:
        target, legal = S.REFUNDED, True
    if not legal:
        return expect_unchanged(world, before, InvalidTransition, call)
    if target == S.PAID and current in HOLDS_RESERVATION and order.expires_at < timezone.now():
        return expect_unchanged(world, before, OrderExpired, call)
    assert call().status == target
    event(f"{current} -> {target}")
    world.expected_status[order_id] = target
    return None


def run_expire(world: World, op: Expire, before: Snapshot) -> None:
    # Every unpaid order past its window (pending or failed payment: both hold stock) is cancelled.
    now = timezone.now() + timedelta(minutes=op.minutes_ahead)
    due = [
        pk for pk, (status, expires_at, _) in before.orders.items() if status in HOLDS_RESERVATION and expires_at < now
    ]
    assert expire_overdue_orders(now=now) == len(due)
    event(f"expired {min(len(due), 2)}+ orders")
    for pk in due:
        world.expected_status[pk] = S.CANCELLED


RUNNERS = {Place: run_place, Move: run_move, Expire: run_expire}


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(levels=stock_levels, ops=operations)
# Always once: a paid order cancelled (refunded, restocked), and a confirmed one, next to an unpaid one.
@example(
    levels=[3] * (2 * len(SKU_PRICES)),
    ops=[
        Place(lines=((0, 2), (1, 1)), key=None, overdue=False),
        Move("pay", 0),
        Place(lines=((0, 4),), key=None, overdue=False),
        Move("pay", 0),
        Move("confirm", 0),
        Move("cancel_or_refund", 0),
        Move("cancel_or_refund", 1),
        Move("cancel_or_refund", 1),
        Place(lines=((2, 1),), key=None, overdue=False),
        Move("cancel_or_refund", 0),
    ],
)
def test_any_sequence_of_operations_keeps_stock_and_history_consistent(levels, ops):
    with transaction.atomic():
        world = build_world(levels)
        state = snapshot(world)
        check_invariants(world, state)
        for op in ops:
            RUNNERS[type(op)](world, op, state)
            state = snapshot(world)
            check_invariants(world, state)
        transaction.set_rollback(True)


def test_every_state_has_an_allocation_rule():
    assert set(ALLOCATIONS_IN) == set(OrderStatus)
    assert {ALLOCATIONS_IN[state] for state in HOLDS_RESERVATION} == {Status.RESERVED}

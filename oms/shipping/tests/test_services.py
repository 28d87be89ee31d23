"""Fulfilment services on the real database: confirm, (partial) shipping, tracking, receipt, auto-completion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.accounts.tests.factories import UserFactory
from oms.common.errors import ValidationFailed
from oms.inventory.errors import InsufficientStock
from oms.inventory.models import Allocation, Stock, StockMovement
from oms.inventory.services import set_stock_level
from oms.inventory.tests.factories import WarehouseFactory
from oms.orders.errors import InvalidTransition
from oms.orders.models import Order, OrderEvent
from oms.orders.states import OrderStatus
from oms.orders.tests.factories import pending_order
from oms.orders.transitions import transition_order
from oms.payments.refunds import refund_order
from oms.payments.tests.factories import paid_order
from oms.shipping import services
from oms.shipping.errors import NotOrderCustomer, ShipmentNotPending, TrackingNoTaken, UnknownShipment
from oms.shipping.models import Shipment, ShipmentStatus, TrackingEvent
from oms.shipping.tests.factories import confirmed_order, shipped_order, split_order, stocked_sku

pytestmark = pytest.mark.django_db
S = ShipmentStatus


def statuses(order: Order) -> list[str]:
    return list(order.events.values_list("to_status", flat=True))


def track(shipment: Shipment, status: str, event_id: str, minutes: int = 0, **fields) -> str:
    assert shipment.tracking_no is not None and shipment.shipped_at is not None
    return services.record_tracking_event(
        carrier=shipment.carrier,
        event_id=event_id,
        tracking_no=shipment.tracking_no,
        status=status,
        occurred_at=shipment.shipped_at + timedelta(minutes=minutes),
        location=fields.get("location", "Hub"),
        description=fields.get("description", ""),
    )


def stock_numbers() -> list[tuple[int, int, int]]:
    return list(Stock.objects.order_by("pk").values_list("pk", "on_hand", "reserved"))


# --- Confirm --------------------------------------------------------------------------------------------------


def test_confirm_creates_one_shipment_per_warehouse_once(customer, staff, address):
    order, (east, west) = split_order(customer=customer, staff=staff, address=address)

    services.confirm_order(order=order, actor=staff)
    services.confirm_order(order=order, actor=staff)  # again: nothing more

    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_SHIPMENT
    shipments = list(order.shipments.order_by("warehouse__priority"))
    assert [s.warehouse for s in shipments] == [east, west]
    assert [[(line.sku_code, line.quantity) for line in s.lines.all()] for s in shipments] == [
        [(order.items.get(sku__stocks__warehouse=east).sku_code, 2)],
        [(order.items.get(sku__stocks__warehouse=west).sku_code, 1)],
    ]
    assert all(s.status == S.PENDING and s.tracking_no is None and s.carrier == "" for s in shipments)
    assert statuses(order) == ["pending_payment", "paid", "awaiting_shipment"]
    assert "2 shipment(s)" in order.events.last().reason


def test_a_line_split_over_two_warehouses_ships_from_both(customer, staff, address):
    # Neither warehouse holds 4 alone, so sourcing splits the line: each parcel carries its part.
    east, west = WarehouseFactory(), WarehouseFactory()
    sku = stocked_sku(east, on_hand=2)
    set_stock_level(sku=sku, warehouse=west, on_hand=3, actor=None)
    order = paid_order(customer=customer, staff=staff, address=address, lines=[(sku, 4)])

    services.confirm_order(order=order, actor=staff)

    lines = {s.warehouse_id: [(ln.sku_code, ln.quantity) for ln in s.lines.all()] for s in order.shipments.all()}
    assert lines == {east.pk: [(sku.code, 2)], west.pk: [(sku.code, 2)]}


def test_confirm_refuses_an_unpaid_order_and_writes_nothing(customer, staff, address):
    sku = stocked_sku(WarehouseFactory())
    order = pending_order(customer, address, (sku, 1))

    with pytest.raises(InvalidTransition):
        services.confirm_order(order=order, actor=staff)
    assert not Shipment.objects.exists()
    assert statuses(order) == ["pending_payment"]


# --- Ship -----------------------------------------------------------------------------------------------------


def test_partial_shipment_keeps_the_order_awaiting_until_the_last_parcel_leaves(customer, staff, address):
    order = confirmed_order(customer=customer, staff=staff, address=address, warehouses=2)
    first, second = order.shipments.all()
    before = (StockMovement.objects.count(), stock_numbers())

    services.ship_shipment(shipment=first, carrier="sim", tracking_no="SIM-A", actor=staff)
    order.refresh_from_db()
    first.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_SHIPMENT
    assert (first.status, first.carrier, first.tracking_no) == (S.PICKED_UP, "sim", "SIM-A")
    assert first.shipped_at is not None and first.shipped_by == staff
    note = order.events.last()
    assert (note.from_status, note.to_status) == ("awaiting_shipment", "awaiting_shipment")
    assert "Partly shipped" in note.reason and "SIM-A" in note.reason

    services.ship_shipment(shipment=second, carrier="sim", tracking_no="SIM-B", actor=staff)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.events.last().reason.startswith("Shipped: shipment")
    # Stock was deducted at payment: shipping moves no stock.
    assert (StockMovement.objects.count(), stock_numbers()) == before


def test_shipping_is_idempotent_and_guards_the_tracking_number(customer, staff, address):
    order = confirmed_order(customer=customer, staff=staff, address=address, warehouses=2)
    first, second = order.shipments.all()
    services.ship_shipment(shipment=first, carrier="sim", tracking_no=" SIM-1 ", actor=staff)
    events = OrderEvent.objects.count()

    again = services.ship_shipment(shipment=first, carrier="sim", tracking_no="SIM-1", actor=staff)
    assert again.tracking_no == "SIM-1" and OrderEvent.objects.count() == events
    with pytest.raises(ShipmentNotPending):
        services.ship_shipment(shipment=first, carrier="sim", tracking_no="SIM-2", actor=staff)
    with pytest.raises(TrackingNoTaken):
        services.ship_shipment(shipment=second, carrier="sim", tracking_no="SIM-1", actor=staff)
    with pytest.raises(ValidationFailed):
        services.ship_shipment(shipment=second, carrier="pigeon", tracking_no="P1", actor=staff)
    with pytest.raises(ValidationFailed):
        services.ship_shipment(shipment=second, carrier="sim", tracking_no="  ", actor=staff)
    second.refresh_from_db()
    assert second.status == S.PENDING and OrderEvent.objects.count() == events


def test_a_refunded_order_does_not_ship(customer, staff, address):
    order = confirmed_order(customer=customer, staff=staff, address=address)
    refund_order(order=order, reason="customer changed their mind", actor=staff)
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED

    with pytest.raises(InvalidTransition) as refused:
        services.ship_shipment(shipment=order.shipments.get(), carrier="sim", tracking_no="X1", actor=staff)
    assert refused.value.status == 409 and refused.value.code == "invalid_transition"
    assert order.shipments.get().status == S.PENDING


def test_shipping_deducts_an_allocation_still_reserved(customer, staff, address):
    order = confirmed_order(customer=customer, staff=staff, address=address)
    allocation = Allocation.objects.get(order=order)
    # An order from before stock was deducted at payment: its units are still only reserved.
    Allocation.objects.filter(pk=allocation.pk).update(status=Allocation.Status.RESERVED)
    Stock.objects.filter(pk=allocation.stock_id).update(
        on_hand=allocation.stock.on_hand + allocation.quantity, reserved=allocation.quantity
    )
    shipment = order.shipments.get()

    services.ship_shipment(shipment=shipment, carrier="sim", tracking_no="SIM-R", actor=staff)

    allocation.refresh_from_db()
    stock = Stock.objects.get(pk=allocation.stock_id)
    assert allocation.status == Allocation.Status.DEDUCTED
    assert (stock.on_hand, stock.reserved) == (9, 0)
    movement = StockMovement.objects.filter(order=order).first()
    assert (movement.kind, movement.on_hand_delta, movement.reserved_delta) == ("deduct", -1, -1)
    assert f"Shipment {shipment.pk}" in movement.note


# --- Tracking -------------------------------------------------------------------------------------------------


def test_tracking_moves_forward_only_and_ignores_repeats(customer, staff, address):
    order, shipment = shipped_order(customer=customer, staff=staff, address=address)

    assert track(shipment, S.IN_TRANSIT, "e1", 10) == "applied"
    assert track(shipment, S.IN_TRANSIT, "e1", 10) == "duplicate"
    assert track(shipment, S.OUT_FOR_DELIVERY, "e3", 30) == "applied"
    assert track(shipment, S.IN_TRANSIT, "e2", 20) == "recorded"  # late: kept on the timeline only
    shipment.refresh_from_db()
    assert shipment.status == S.OUT_FOR_DELIVERY

    assert track(shipment, S.DELIVERED, "e4", 40) == "applied"
    assert track(shipment, S.EXCEPTION, "e5", 50) == "recorded"  # the journey has ended
    shipment.refresh_from_db()
    assert shipment.status == S.DELIVERED
    assert shipment.delivered_at == shipment.shipped_at + timedelta(minutes=40)
    timeline = list(shipment.tracking_events.values_list("carrier_event_id", "status", "applied"))
    assert timeline == [
        ("e1", "in_transit", True),
        ("e2", "in_transit", False),
        ("e3", "out_for_delivery", True),
        ("e4", "delivered", True),
        ("e5", "exception", False),
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_every_move_of_a_shipment_leaves_an_event_row(customer, staff, address):
    order, shipment = shipped_order(customer=customer, staff=staff, address=address)
    track(shipment, S.IN_TRANSIT, "e1", 10)
    track(shipment, S.PICKED_UP, "e0", 5)  # late: recorded on the tracking timeline, no move, no event
    track(shipment, S.DELIVERED, "e2", 20)

    events = list(shipment.events.values_list("from_status", "to_status", "actor", "reason"))
    assert events == [
        ("pending", "picked_up", staff.pk, f"Left {shipment.warehouse.code} with sim {shipment.tracking_no}"),
        ("picked_up", "in_transit", None, "Carrier event e1"),
        ("in_transit", "delivered", None, "Carrier event e2"),
    ]


def test_the_shipment_table_is_the_forward_only_rule():
    assert services.moves_forward(S.IN_TRANSIT, S.DELIVERED)
    assert services.moves_forward(S.OUT_FOR_DELIVERY, S.RETURNED)
    assert not services.moves_forward(S.PENDING, S.IN_TRANSIT)  # only staff shipping it moves a parcel out
    assert not services.moves_forward(S.OUT_FOR_DELIVERY, S.IN_TRANSIT)
    assert not services.moves_forward(S.DELIVERED, S.EXCEPTION)
    assert not services.moves_forward(S.IN_TRANSIT, S.IN_TRANSIT)


def test_an_unknown_tracking_number_stores_nothing(customer, staff, address):
    shipped_order(customer=customer, staff=staff, address=address)
    with pytest.raises(UnknownShipment):
        services.record_tracking_event(
            carrier="sim",
            event_id="x",
            tracking_no="NOPE",
            status=S.IN_TRANSIT,
            occurred_at=timezone.now(),
        )
    assert not TrackingEvent.objects.exists()


def test_exception_fails_the_order_and_reship_sends_new_units(customer, staff, address):
    order, lost = shipped_order(customer=customer, staff=staff, address=address)
    stock = Stock.objects.get(allocations__order=order)
    on_hand = stock.on_hand

    assert track(lost, S.EXCEPTION, "lost-1", 60, description="Parcel lost", location="Hub") == "applied"
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPMENT_FAILED
    assert order.events.last().reason == f"Shipment {lost.pk} (sim {lost.tracking_no}) exception: Parcel lost – Hub"

    services.reship_order(order=order, actor=staff)

    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_SHIPMENT
    replacement = order.shipments.get(replaces=lost)
    assert replacement.status == S.PENDING and replacement.warehouse_id == lost.warehouse_id
    assert [(ln.sku_code, ln.quantity) for ln in replacement.lines.all()] == [
        (ln.sku_code, ln.quantity) for ln in lost.lines.all()
    ]
    stock.refresh_from_db()
    assert stock.on_hand == on_hand - 1
    movement = StockMovement.objects.filter(stock=stock).first()
    assert (movement.kind, movement.on_hand_delta, movement.order_id) == ("deduct", -1, order.pk)
    assert f"shipment {replacement.pk} replaces failed shipment {lost.pk}" in movement.note
    with pytest.raises(InvalidTransition):  # nothing is left to reship
        services.reship_order(order=order, actor=staff)

    services.ship_shipment(shipment=replacement, carrier="sim", tracking_no="SIM-AGAIN", actor=staff)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert statuses(order)[-4:] == ["shipped", "shipment_failed", "awaiting_shipment", "shipped"]


def test_reship_needs_stock_in_the_same_warehouse(customer, staff, address):
    order, lost = shipped_order(customer=customer, staff=staff, address=address)
    track(lost, S.RETURNED, "back-1", 60)
    stock = Stock.objects.get(allocations__order=order)
    Stock.objects.filter(pk=stock.pk).update(on_hand=0)
    before = (Shipment.objects.count(), StockMovement.objects.count(), OrderEvent.objects.count())

    with pytest.raises(InsufficientStock):
        services.reship_order(order=order, actor=staff)
    assert (Shipment.objects.count(), StockMovement.objects.count(), OrderEvent.objects.count()) == before
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPMENT_FAILED


def test_a_failed_order_can_be_refunded_instead(customer, staff, address):
    order, lost = shipped_order(customer=customer, staff=staff, address=address)
    track(lost, S.EXCEPTION, "lost-1", 60)

    refund_order(order=order, reason="Parcel lost; refunded", actor=staff)

    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert statuses(order)[-3:] == ["shipment_failed", "refunding", "refunded"]


def test_an_exception_before_the_last_parcel_leaves_fails_the_order_once_it_has(customer, staff, address):
    order = confirmed_order(customer=customer, staff=staff, address=address, warehouses=2)
    first, second = order.shipments.all()
    services.ship_shipment(shipment=first, carrier="sim", tracking_no="SIM-1", actor=staff)
    first.refresh_from_db()

    track(first, S.EXCEPTION, "x1", 5, description="Damaged")
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_SHIPMENT
    assert "exception: Damaged" in order.events.last().reason

    services.ship_shipment(shipment=second, carrier="sim", tracking_no="SIM-2", actor=staff)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPMENT_FAILED
    assert statuses(order)[-2:] == ["shipped", "shipment_failed"]


# --- Receipt and completion -----------------------------------------------------------------------------------


def test_the_customer_confirms_receipt_of_a_shipped_order(customer, staff, address):
    order = confirmed_order(customer=customer, staff=staff, address=address)
    with pytest.raises(InvalidTransition):  # not shipped yet
        services.confirm_receipt(order=order, customer=customer)
    services.ship_shipment(shipment=order.shipments.get(), carrier="sim", tracking_no="SIM-1", actor=staff)
    with pytest.raises(NotOrderCustomer):
        services.confirm_receipt(order=order, customer=UserFactory())

    services.confirm_receipt(order=order, customer=customer)

    order.refresh_from_db()
    event = order.events.last()
    assert order.status == OrderStatus.COMPLETED
    assert (event.actor, event.reason) == (customer, "Receipt confirmed by the customer")


def test_auto_completion_after_the_configured_days(customer, staff, address, settings):
    old, old_parcel = shipped_order(customer=customer, staff=staff, address=address, tracking_prefix="OLD")
    recent, _ = shipped_order(customer=customer, staff=staff, address=address, tracking_prefix="NEW")
    by_hand = confirmed_order(customer=customer, staff=staff, address=address)
    by_hand.shipments.all().delete()
    transition_order(order_id=by_hand.pk, to=OrderStatus.SHIPPED, actor=staff)  # no shipment to date it by
    now = timezone.now()
    Shipment.objects.filter(pk=old_parcel.pk).update(shipped_at=now - timedelta(days=10, minutes=1))
    Shipment.objects.filter(order=recent).update(shipped_at=now - timedelta(days=9))

    assert services.auto_complete_orders(now=now) == 1
    assert services.auto_complete_orders(now=now) == 0

    statuses_now = dict(Order.objects.values_list("pk", "status"))
    assert statuses_now == {old.pk: "completed", recent.pk: "shipped", by_hand.pk: "shipped"}
    event = old.events.last()
    assert (event.actor, event.reason) == (None, "Completed automatically 10 days after shipping")

    settings.OMS_AUTO_COMPLETE_DAYS = 7
    assert services.auto_complete_orders(now=now) == 1
    assert recent.events.last().reason == "Completed automatically 7 days after shipping"


def test_auto_completion_waits_for_every_parcel(customer, staff, address):
    order = confirmed_order(customer=customer, staff=staff, address=address, warehouses=2)
    first, second = order.shipments.all()
    services.ship_shipment(shipment=first, carrier="sim", tracking_no="SIM-1", actor=staff)
    services.ship_shipment(shipment=second, carrier="sim", tracking_no="SIM-2", actor=staff)
    now = timezone.now()
    Shipment.objects.filter(pk=first.pk).update(shipped_at=now - timedelta(days=30))

    assert services.auto_complete_orders(now=now) == 0  # the second parcel left just now
    assert services.auto_complete_orders(now=now + timedelta(days=10, seconds=1)) == 1

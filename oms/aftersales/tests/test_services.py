"""Return services on a real database: the whole path, the window, quantities, transitions, restock and refunds."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from oms.aftersales import services
from oms.aftersales.errors import (
    InvalidReturnTransition,
    NotReturnCustomer,
    OrderNotReturnable,
    ReturnNotDelivered,
    ReturnQuantityExceeded,
    ReturnRefundInProgress,
    ReturnWindowClosed,
)
from oms.aftersales.models import ReturnRequest
from oms.aftersales.selectors import return_refund_reason
from oms.aftersales.services import ReturnLineInput
from oms.aftersales.tests.factories import (
    deliver,
    delivered_order,
    requested_return,
    ship_all,
    shipped_return,
)
from oms.common.errors import ValidationFailed
from oms.inventory.models import Stock, StockMovement
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku
from oms.orders.models import OrderEvent
from oms.orders.states import OrderStatus
from oms.orders.tests.factories import pending_order
from oms.payments.errors import GatewayError
from oms.payments.models import Payment, Refund
from oms.payments.refunds import refund_order
from oms.payments.tests.factories import paid_order
from oms.shipping import services as shipping
from oms.shipping.models import ShipmentStatus
from oms.shipping.tests.factories import stocked_sku

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse():
    return WarehouseFactory()


@pytest.fixture
def tea(warehouse):
    return stocked_sku(warehouse, on_hand=10, price="30.00")


@pytest.fixture
def order(customer, staff, address, tea):
    """Two teas (60.00 + 10.00 shipping), paid offline, shipped and delivered just now: the order is ``shipped``."""
    return delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 2)])


def statuses(request: ReturnRequest) -> list[tuple[str, str]]:
    return list(request.events.values_list("from_status", "to_status"))


def order_notes(order) -> list[str]:
    return [
        reason
        for reason, from_status, to_status in order.events.values_list("reason", "from_status", "to_status")
        if from_status == to_status and reason.startswith("Return #")
    ]


def assert_stock_history_adds_up() -> None:
    for stock in Stock.objects.all():
        moved = StockMovement.objects.filter(stock=stock).aggregate(o=Sum("on_hand_delta"), r=Sum("reserved_delta"))
        assert (stock.on_hand, stock.reserved) == (moved["o"], moved["r"])


# --- The whole path -------------------------------------------------------------------------------------------


def test_request_approve_ship_receive_refunds_and_restocks(order, customer, staff, tea, warehouse):
    assert (order.status, stock_of(tea, warehouse).on_hand) == (OrderStatus.SHIPPED, 8)

    request = requested_return(order, (tea.code, 1), reason="Too strong")
    assert (request.status, request.customer_id) == ("requested", customer.pk)
    services.approve_return(return_request=request, actor=staff)
    services.ship_return(return_request=request, actor=customer, carrier="SF", tracking_no="SF123", by_staff=False)
    received = services.receive_return(return_request=request, actor=staff, restock=True)

    assert received.refund_error is None
    request = received.return_request
    assert (request.status, request.restocked, request.carrier, request.tracking_no) == (
        "refunded",
        True,
        "SF",
        "SF123",
    )
    assert statuses(request) == [
        ("", "requested"),
        ("requested", "approved"),
        ("approved", "shipped"),
        ("shipped", "received"),
        ("received", "refunded"),
    ]
    # Stock: the unit is back on hand where it left from, through one RETURN movement naming the return.
    assert stock_of(tea, warehouse).on_hand == 9
    [movement] = StockMovement.objects.filter(kind=StockMovement.Kind.RETURN)
    assert (movement.on_hand_delta, movement.order_id, movement.actor, movement.note) == (
        1,
        order.pk,
        staff,
        f"Return #{request.pk} received",
    )
    assert_stock_history_adds_up()
    # Money: the unit's value, through refund_order (which did not restock a second time).
    payment = Payment.objects.get(order=order)
    assert (payment.refunded_amount, payment.status) == (Decimal("30.00"), "partially_refunded")
    refund = request.refund
    assert (refund.amount, refund.status, refund.restock, refund.items) == (
        Decimal("30.00"),
        "succeeded",
        False,
        [{"sku_id": tea.pk, "quantity": 1}],
    )
    assert refund.reason == f"Return #{request.pk}: Too strong"
    # The order went through refunding and back; every return step is a status-neutral note on its timeline.
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert ("shipped", "refunding") in order.events.values_list("from_status", "to_status")
    assert [note.split(":")[0] for note in order_notes(order)] == [
        f"Return #{request.pk} {status}" for status in ("requested", "approved", "shipped", "received", "refunded")
    ]
    assert all(e.from_status == e.to_status for e in order.events.filter(reason__startswith="Return #"))


def test_returning_the_last_units_refunds_everything_paid_and_ends_the_order(order, customer, staff, tea):
    first = shipped_return(order, (tea.code, 1), staff=staff, tracking_no="SF1")
    services.receive_return(return_request=first, actor=staff)
    second = shipped_return(order, (tea.code, 1), staff=staff, tracking_no="SF2")

    received = services.receive_return(return_request=second, actor=staff)

    assert received.return_request.refund.amount == Decimal("40.00")  # the unit and the shipping fee
    payment = Payment.objects.get(order=order)
    assert (payment.refunded_amount, payment.status) == (Decimal("70.00"), "refunded")
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    with pytest.raises(OrderNotReturnable):
        requested_return(order, (tea.code, 1))


def test_receiving_without_restock_leaves_the_stock_alone(order, staff, tea, warehouse):
    request = shipped_return(order, (tea.code, 2), staff=staff)

    received = services.receive_return(return_request=request, actor=staff, restock=False)

    assert (received.return_request.status, received.return_request.restocked) == ("refunded", False)
    assert stock_of(tea, warehouse).on_hand == 8
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.RETURN).exists()
    assert received.return_request.events.get(to_status="received").reason == "Parcel received; not restocked"


def test_units_go_back_to_the_warehouse_each_parcel_came_from(customer, staff, address):
    east, west = WarehouseFactory(), WarehouseFactory()
    cup = stock_sku(warehouse=east, on_hand=1, price=Decimal("45.00"))
    stock_sku(sku=cup, warehouse=west, on_hand=2)
    order = delivered_order(customer=customer, staff=staff, address=address, lines=[(cup, 3)])
    east_parcel, west_parcel = order.shipments.order_by("pk")
    assert {east_parcel.warehouse, west_parcel.warehouse} == {east, west}

    first = shipped_return(order, (cup.code, 1), staff=staff, tracking_no="SF1")
    services.receive_return(return_request=first, actor=staff)
    second = shipped_return(order, (cup.code, 2), staff=staff, tracking_no="SF2")
    services.receive_return(return_request=second, actor=staff)

    # Every unit went back where it came from, whatever the order of the partial returns.
    assert (stock_of(cup, east).on_hand, stock_of(cup, west).on_hand) == (1, 2)
    assert [(line.shipment_id, line.quantity) for line in first.lines.all()] == [(east_parcel.pk, 1)]
    assert [(line.shipment_id, line.quantity) for line in second.lines.all()] == [(west_parcel.pk, 2)]
    assert_stock_history_adds_up()


# --- The window -----------------------------------------------------------------------------------------------


def test_the_window_closes_days_after_delivery(customer, staff, address, tea):
    now = timezone.now()
    old = delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 1)], delivered_at=now)

    with pytest.raises(ReturnWindowClosed) as closed:
        services.request_return(
            order=old,
            customer=customer,
            items=[ReturnLineInput(tea.code, 1)],
            reason="Changed my mind",
            now=now + timedelta(days=7, seconds=1),
        )

    assert closed.value.details["window_days"] == 7
    assert closed.value.details["window_closed_at"] == (now + timedelta(days=7)).isoformat()
    assert not ReturnRequest.objects.exists()
    services.request_return(
        order=old,
        customer=customer,
        items=[ReturnLineInput(tea.code, 1)],
        reason="Just in time",
        now=now + timedelta(days=7),
    )


def test_a_parcel_delivered_days_ago_is_out_of_the_window(customer, staff, address, tea, settings):
    order = delivered_order(
        customer=customer, staff=staff, address=address, lines=[(tea, 1)], delivered_at=timezone.now() - timedelta(8)
    )
    with pytest.raises(ReturnWindowClosed):
        requested_return(order, (tea.code, 1))
    settings.OMS_RETURN_WINDOW_DAYS = 10
    assert requested_return(order, (tea.code, 1)).status == "requested"


def test_without_a_delivery_report_the_window_opens_at_completion(customer, staff, address, tea):
    order = ship_all(paid_order(customer=customer, staff=staff, address=address, lines=[(tea, 1)]), staff=staff)
    with pytest.raises(ReturnNotDelivered):
        requested_return(order, (tea.code, 1))  # in transit, not completed: nothing delivered yet
    shipping.confirm_receipt(order=order, customer=customer)
    completed_at = order.events.get(to_status=OrderStatus.COMPLETED).created_at

    with pytest.raises(ReturnWindowClosed):
        services.request_return(
            order=order,
            customer=customer,
            items=[ReturnLineInput(tea.code, 1)],
            reason="late",
            now=completed_at + timedelta(days=7, minutes=1),
        )
    assert requested_return(order, (tea.code, 1)).status == "requested"


def test_the_carriers_delivery_time_wins_over_a_later_completion(customer, staff, address, tea):
    order = delivered_order(
        customer=customer, staff=staff, address=address, lines=[(tea, 1)], delivered_at=timezone.now() - timedelta(8)
    )
    shipping.confirm_receipt(order=order, customer=customer)  # completed just now, delivered 8 days ago
    with pytest.raises(ReturnWindowClosed):
        requested_return(order, (tea.code, 1))


# --- What may be returned -------------------------------------------------------------------------------------


def test_never_more_than_bought(order, tea):
    with pytest.raises(ReturnQuantityExceeded) as exceeded:
        requested_return(order, (tea.code, 3))
    assert exceeded.value.details == {
        "sku": tea.code,
        "requested": 3,
        "bought": 2,
        "already_returned_or_requested": 0,
        "returnable": 2,
    }


def test_open_requests_count_against_what_may_still_be_returned(order, staff, tea):
    first = requested_return(order, (tea.code, 1))
    with pytest.raises(ReturnQuantityExceeded) as exceeded:
        requested_return(order, (tea.code, 2))
    assert (exceeded.value.details["already_returned_or_requested"], exceeded.value.details["returnable"]) == (1, 1)

    services.approve_return(return_request=first, actor=staff)
    requested_return(order, (tea.code, 1))
    with pytest.raises(ReturnQuantityExceeded):
        requested_return(order, (tea.code, 1))


def test_rejected_and_cancelled_requests_free_their_units(order, customer, staff, tea):
    rejected = requested_return(order, (tea.code, 2))
    services.reject_return(return_request=rejected, actor=staff, reason="Opened and used")
    cancelled = requested_return(order, (tea.code, 2))
    services.cancel_return(return_request=cancelled, actor=customer, by_staff=False)

    assert requested_return(order, (tea.code, 2)).status == "requested"
    assert rejected.events.last().reason == "Opened and used"
    assert cancelled.events.last().reason == "Cancelled by the customer"


def test_units_staff_refunded_without_a_return_cannot_come_back(order, staff, tea):
    refund_order(order=order, reason="one arrived broken", actor=staff, items=[{"sku": tea.code, "quantity": 1}])

    with pytest.raises(ReturnQuantityExceeded) as exceeded:
        requested_return(order, (tea.code, 2))
    assert exceeded.value.details["already_returned_or_requested"] == 1
    assert requested_return(order, (tea.code, 1)).status == "requested"


def test_only_delivered_parcels_can_be_returned(customer, staff, address):
    east, west = WarehouseFactory(), WarehouseFactory()
    tea, cup = stocked_sku(east), stocked_sku(west)
    order = ship_all(
        paid_order(customer=customer, staff=staff, address=address, lines=[(tea, 1), (cup, 1)]), staff=staff
    )
    tea_parcel = order.shipments.get(warehouse=east)
    deliver(tea_parcel)
    cup_parcel = order.shipments.get(warehouse=west)
    shipping.record_tracking_event(
        carrier="sim",
        event_id="lost",
        tracking_no=cup_parcel.tracking_no,
        status=ShipmentStatus.EXCEPTION,
        occurred_at=timezone.now(),
    )

    with pytest.raises(ReturnNotDelivered):
        requested_return(order, (cup.code, 1))  # lost on the way: never delivered
    assert requested_return(order, (tea.code, 1)).status == "requested"


def test_orders_that_cannot_be_returned(customer, staff, address, tea):
    unpaid = pending_order(customer, address, (tea, 1))
    with pytest.raises(OrderNotReturnable):
        requested_return(unpaid, (tea.code, 1))
    paid = paid_order(customer=customer, staff=staff, address=address, lines=[(tea, 1)])
    with pytest.raises(ReturnNotDelivered):
        requested_return(paid, (tea.code, 1))


def test_bad_requests(order, other_customer, tea):
    with pytest.raises(ValidationFailed, match="no NOPE"):
        requested_return(order, ("NOPE", 1))
    with pytest.raises(ValidationFailed):
        requested_return(order, (tea.code, 1), (tea.code, 1))
    with pytest.raises(ValidationFailed):
        requested_return(order, (tea.code, 0))
    with pytest.raises(ValidationFailed):
        requested_return(order, (tea.code, 1), reason="   ")
    with pytest.raises(ValidationFailed):
        requested_return(order)
    with pytest.raises(NotReturnCustomer):
        services.request_return(order=order, customer=other_customer, items=[ReturnLineInput(tea.code, 1)], reason="x")
    assert not ReturnRequest.objects.exists()


# --- Transitions ----------------------------------------------------------------------------------------------


def test_moves_the_table_does_not_allow(order, customer, staff, tea):
    request = requested_return(order, (tea.code, 1))
    with pytest.raises(InvalidReturnTransition):
        services.ship_return(return_request=request, actor=customer, carrier="SF", tracking_no="1", by_staff=False)
    with pytest.raises(InvalidReturnTransition):
        services.receive_return(return_request=request, actor=staff)
    services.approve_return(return_request=request, actor=staff)
    with pytest.raises(InvalidReturnTransition) as twice:
        services.approve_return(return_request=request, actor=staff)
    assert twice.value.details == {"current_status": "approved", "requested_status": "approved"}
    with pytest.raises(InvalidReturnTransition):
        services.reject_return(return_request=request, actor=staff, reason="too late")
    services.ship_return(return_request=request, actor=customer, carrier="SF", tracking_no="SF9", by_staff=False)
    with pytest.raises(InvalidReturnTransition):
        services.cancel_return(return_request=request, actor=customer, by_staff=False)
    assert ReturnRequest.objects.get(pk=request.pk).status == "shipped"


def test_shipping_again_with_the_same_number_is_a_harmless_retry(order, customer, staff, tea):
    request = shipped_return(order, (tea.code, 1), staff=staff, tracking_no="SF7")

    again = services.ship_return(
        return_request=request, actor=customer, carrier="SF", tracking_no="SF7", by_staff=False
    )

    assert again.status == "shipped"
    assert request.events.filter(to_status="shipped").count() == 1
    with pytest.raises(InvalidReturnTransition):
        services.ship_return(return_request=request, actor=customer, carrier="SF", tracking_no="SF8", by_staff=False)


def test_only_the_customer_or_staff_ship_and_cancel(order, other_customer, staff, tea):
    request = requested_return(order, (tea.code, 1))
    with pytest.raises(NotReturnCustomer):
        services.cancel_return(return_request=request, actor=other_customer, by_staff=False)
    services.approve_return(return_request=request, actor=staff)
    with pytest.raises(NotReturnCustomer):
        services.ship_return(
            return_request=request, actor=other_customer, carrier="SF", tracking_no="1", by_staff=False
        )
    with pytest.raises(ValidationFailed):
        services.ship_return(return_request=request, actor=staff, carrier=" ", tracking_no="1", by_staff=True)
    services.cancel_return(return_request=request, actor=staff, reason="", by_staff=True)
    assert request.events.last().reason == "Cancelled by staff"


def test_a_rejection_needs_a_reason(order, staff, tea):
    request = requested_return(order, (tea.code, 1))
    with pytest.raises(ValidationFailed):
        services.reject_return(return_request=request, actor=staff, reason=" ")


# --- Refunds that fail, and retries ---------------------------------------------------------------------------


def test_a_failed_refund_leaves_the_return_received_for_a_retry(order, staff, tea, warehouse, monkeypatch):
    request = shipped_return(order, (tea.code, 1), staff=staff)

    def gateway_down(**kwargs):
        raise GatewayError("The gateway timed out.")

    monkeypatch.setattr(services, "refund_order", gateway_down)
    received = services.receive_return(return_request=request, actor=staff)

    assert received.refund_error is not None and received.refund_error.code == "gateway_error"
    request.refresh_from_db()
    assert (request.status, request.refund_claimed_at, request.refund) == ("received", None, None)
    assert request.events.last().reason == "Refund failed: gateway_error: The gateway timed out."
    assert stock_of(tea, warehouse).on_hand == 9  # the receipt (and restock) stands

    monkeypatch.undo()
    refunded = services.refund_return(return_request=request, actor=staff)

    assert refunded.status == "refunded"
    assert stock_of(tea, warehouse).on_hand == 9  # never restocked twice
    assert Payment.objects.get(order=order).refunded_amount == Decimal("30.00")


def test_a_refund_under_way_is_not_started_twice(order, staff, tea):
    request = shipped_return(order, (tea.code, 1), staff=staff)
    services.receive_return(return_request=request, actor=staff, restock=True)
    other = shipped_return(order, (tea.code, 1), staff=staff, tracking_no="SF2")
    ReturnRequest.objects.filter(pk=other.pk).update(status="received", refund_claimed_at=timezone.now())

    with pytest.raises(ReturnRefundInProgress):
        services.refund_return(return_request=other, actor=staff)
    assert Refund.objects.count() == 1


def test_a_stale_claim_whose_refund_went_through_is_finished_not_paid_again(order, staff, tea):
    request = shipped_return(order, (tea.code, 1), staff=staff)
    # A caller claimed the refund and refunded, then died before recording it.
    ReturnRequest.objects.filter(pk=request.pk).update(
        status="received", received_at=timezone.now(), refund_claimed_at=timezone.now() - timedelta(hours=1)
    )
    made = refund_order(
        order=order,
        reason=return_refund_reason(request, request.reason),
        actor=staff,
        items=[{"sku": tea.code, "quantity": 1}],
    )

    refunded = services.refund_return(return_request=request, actor=staff)

    assert (refunded.status, refunded.refund_id, refunded.refund_claimed_at) == ("refunded", made.pk, None)
    assert Refund.objects.count() == 1
    assert Payment.objects.get(order=order).refunded_amount == Decimal("30.00")


def test_a_refund_the_order_cannot_take_now_is_reported(order, staff, tea):
    request = shipped_return(order, (tea.code, 1), staff=staff)
    # Another refund is in flight: the order is ``refunding`` and cannot start a second one.
    from oms.orders.transitions import transition_order

    transition_order(order_id=order.pk, to=OrderStatus.REFUNDING, actor=staff, reason="another refund")

    received = services.receive_return(return_request=request, actor=staff)

    assert received.refund_error.code == "invalid_transition"
    assert received.return_request.status == "received"
    assert OrderEvent.objects.filter(order=order, reason__startswith=f"Return #{request.pk} received").count() == 2

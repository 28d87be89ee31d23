"""What a user may do with an order's money now (oms.payments.allowed), over states × users, and the services
refusing exactly what the predicates refuse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.common.errors import OmsError
from oms.conftest import WHO
from oms.inventory.tests.factories import WarehouseFactory
from oms.orders.models import Order
from oms.orders.states import OrderStatus
from oms.orders.tests.factories import pending_order
from oms.payments import allowed, cancellation, services
from oms.payments.models import PaymentIssue
from oms.payments.tests.factories import paid_order
from oms.shipping.tests.factories import stocked_sku

S = OrderStatus
UNPAID = {S.PENDING_PAYMENT, S.PAYMENT_FAILED}
pytestmark = pytest.mark.django_db


def _unpaid(people, address) -> Order:
    sku = stocked_sku(WarehouseFactory())
    return pending_order(people["owner"], address, (sku, 1))


def _paid_offline(people, address) -> Order:
    lines = [(stocked_sku(WarehouseFactory()), 1)]
    return paid_order(customer=people["owner"], staff=people["staff"], address=address, lines=lines)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("status", list(S))
def test_an_order_without_payment(people, address, status, who) -> None:
    order = _unpaid(people, address)
    order.status = status
    user = people[who]
    owner, staff = who == "owner", who == "staff"
    assert allowed.can_pay(order=order, user=user) is (status in UNPAID and owner)
    assert allowed.can_record_offline_payment(order=order, user=user) is (status in UNPAID and staff)
    # Unpaid: cancelled outright; "paid" with every parcel in the warehouse (it has none): cancelled and refunded.
    cancellable = status in UNPAID | {S.PAID, S.AWAITING_SHIPMENT}
    assert allowed.can_cancel(order=order, user=user) is (cancellable and (owner or staff))
    assert allowed.can_refund(order=order, user=user) is False  # nothing was paid


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("status", list(S))
def test_an_order_paid_offline(people, address, status, who) -> None:
    order = _paid_offline(people, address)
    order.status = status
    user = people[who]
    owner, staff = who == "owner", who == "staff"
    refundable = status in {S.PAID, S.AWAITING_SHIPMENT, S.SHIPPED, S.SHIPMENT_FAILED, S.COMPLETED}
    assert allowed.can_refund(order=order, user=user) is (refundable and staff)
    # Nothing here can send offline money back: only staff cancel such an order once it is paid.
    unpaid_cancel = status in UNPAID and (owner or staff)
    paid_cancel = status in {S.PAID, S.AWAITING_SHIPMENT} and staff
    assert allowed.can_cancel(order=order, user=user) is (unpaid_cancel or paid_cancel)


def test_the_cancel_service_refuses_what_the_predicate_refuses(people, address) -> None:
    order = _paid_offline(people, address)
    assert not allowed.can_cancel(order=order, user=people["owner"])
    with pytest.raises(OmsError) as raised:
        cancellation.cancel_or_refund_order(order=order, actor=people["owner"], reason="", by_staff=False)
    refused = allowed.why_not_refund_unshipped(order, by_staff=False)
    assert refused is not None
    assert (raised.value.code, raised.value.message) == (refused.code, refused.message)
    assert allowed.can_cancel(order=order, user=people["staff"])
    after = cancellation.cancel_or_refund_order(
        order=order, actor=people["staff"], reason="", by_staff=allowed.cancels_as_staff(people["staff"])
    )
    assert after.status == S.REFUNDED
    assert not allowed.can_cancel(order=after, user=people["staff"])


def test_an_expired_order_is_not_offered_for_payment_and_the_service_agrees(people, address) -> None:
    order = _unpaid(people, address)
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    order.refresh_from_db()
    assert not allowed.can_pay(order=order, user=people["owner"])
    assert not allowed.can_record_offline_payment(order=order, user=people["staff"])
    refused = allowed.why_not_pay(order)
    with pytest.raises(OmsError) as raised:
        services.record_offline_payment(order=order, actor=people["staff"], reference="late")
    assert refused is not None
    assert (raised.value.code, raised.value.message) == (refused.code, refused.message)


@pytest.mark.parametrize(
    ("status", "issue", "resolutions", "queue"),
    [
        (S.PAYMENT_FAILED, False, ("retry", "cancel"), ["retry", "cancel"]),
        (S.PAYMENT_FAILED, True, ("retry", "cancel"), ["retry", "cancel"]),
        (S.SHIPMENT_FAILED, False, (), ["reship", "refund"]),
        (S.SHIPMENT_FAILED, True, ("refund",), ["reship", "refund"]),
        (S.REFUNDING, True, (), []),
        (S.PAID, True, ("refund",), ["refund"]),
        (S.CANCELLED, True, ("refund",), ["refund"]),
        (S.COMPLETED, False, (), []),
    ],
)
def test_resolutions_and_the_exception_queue(people, address, status, issue, resolutions, queue) -> None:
    order = _unpaid(people, address)
    if issue:
        PaymentIssue.objects.create(order=order, kind="amount_mismatch", detail="paid 1.00 too much")
    order.status = status
    assert allowed.resolutions(order) == resolutions
    assert allowed.exception_actions(order) == queue
    for who in WHO:
        assert allowed.can_resolve(order=order, user=people[who]) is (bool(resolutions) and who == "staff")

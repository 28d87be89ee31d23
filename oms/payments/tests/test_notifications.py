"""Alipay's asynchronous notifications at our notify endpoint, from the local sandbox: verify, record once, settle."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.test import Client

from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders.services import cancel_order
from oms.orders.tests.factories import pending_order
from oms.payments.models import GatewayMessage, InboundNotification, Payment, PaymentIssue, Refund
from oms.payments.refunds import refund_order
from oms.payments.tests.alipay_helpers import (
    FORM_TYPE,
    NOTIFY_PATH,
    allocation_count,
    deliver_notifications,
    movement_count,
    open_cashier,
    pay_with_alipay,
    post_notification,
    press_pay,
    queued_notifications,
    sandbox_trade,
    signed,
    start_alipay,
    stock_levels,
)

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.django_db,
    pytest.mark.usefixtures("sandbox_keys"),
]


@pytest.fixture
def paid_at_sandbox(customer, customer_client, address, sku):
    """An order paid on the sandbox cashier whose notification is queued there, not yet delivered."""
    order = pending_order(customer, address, (sku, 2))  # 60.00 + 10.00 shipping
    pay_with_alipay(customer_client, order)
    return order


def _assert_unpaid(order, sku) -> None:
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert Payment.objects.get(order=order).status == Payment.Status.CREATED
    assert stock_levels(sku) == (5, 2)  # still reserved, nothing deducted
    assert movement_count(order, "deduct") == 0


def test_valid_notification_pays_the_order_and_deducts_stock(paid_at_sandbox, sku):
    order = paid_at_sandbox
    endpoint = deliver_notifications()

    [(form, status, body)] = endpoint.answers
    assert (status, body) == (200, "success")
    assert form["trade_status"] == "TRADE_SUCCESS" and form["out_trade_no"] == order.order_no
    order.refresh_from_db()
    assert order.status == "paid"
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.gateway_trade_no == form["trade_no"] == sandbox_trade(order.order_no).trade_no
    assert payment.succeeded_at is not None and order.paid_at == payment.succeeded_at
    assert stock_levels(sku) == (3, 0)
    assert movement_count(order, "deduct") == allocation_count(order) == 1
    record = InboundNotification.objects.get(notify_id=form["notify_id"])
    assert (record.provider, record.outcome, record.signature_valid) == ("alipay", "paid", True)
    assert GatewayMessage.objects.filter(direction="in", kind="notification").count() == 1
    assert deliver_notifications().answers == []  # acknowledged: the sandbox stops retrying


def test_notify_endpoint_answers_plain_text_and_takes_only_post(paid_at_sandbox):
    [params] = queued_notifications(paid_at_sandbox.order_no)
    response = post_notification(params, Client(enforce_csrf_checks=True))  # no CSRF token, no login
    assert response.status_code == 200
    assert response.content == b"success"
    assert response["Content-Type"].startswith("text/plain")
    assert Client().get(NOTIFY_PATH, params).status_code == 405


def _forged(params, keys):
    return signed(params, key_pem=keys.app_private_key_pem)  # a valid RSA2 signature, but not Alipay's


def _tampered(params, keys):  # noqa: ARG001
    return {**params, "total_amount": "0.01"}  # changed after Alipay signed it


def _wrong_amount(params, keys):  # noqa: ARG001
    return signed(params, total_amount="69.99", receipt_amount="69.99", buyer_pay_amount="69.99")


def _amount_with_more_cents(params, keys):  # noqa: ARG001
    return signed(params, total_amount="70.001")


def _wrong_app_id(params, keys):  # noqa: ARG001
    return signed(params, app_id="2021000000009999")


def _wrong_seller_id(params, keys):  # noqa: ARG001
    return signed(params, seller_id="2088000000009999")


def _unknown_out_trade_no(params, keys):  # noqa: ARG001
    return signed(params, out_trade_no="20990101000000000001")


def _unsigned(params, keys):  # noqa: ARG001
    return {key: value for key, value in params.items() if key != "sign"}


@pytest.mark.parametrize(
    "make",
    [
        _forged,
        _tampered,
        _wrong_amount,
        _amount_with_more_cents,
        _wrong_app_id,
        _wrong_seller_id,
        _unknown_out_trade_no,
        _unsigned,
    ],
)
def test_rejected_notification_changes_nothing(paid_at_sandbox, sku, sandbox_keys, make, caplog):
    order = paid_at_sandbox
    [genuine] = queued_notifications(order.order_no)

    with caplog.at_level(logging.WARNING, logger="oms.payments.notifications"):
        response = post_notification(make(genuine, sandbox_keys))

    assert response.status_code == 200
    assert response.content == b"failure"
    _assert_unpaid(order, sku)
    [record] = InboundNotification.objects.all()
    assert record.outcome == "rejected" and record.detail
    assert record.notify_id != genuine["notify_id"]  # a rejected one never takes the genuine notify_id
    assert any("rejected" in message for message in caplog.messages)
    assert not PaymentIssue.objects.exists()

    # The genuine notification is still accepted afterwards.
    assert post_notification(genuine).content == b"success"
    order.refresh_from_db()
    assert order.status == "paid"


@pytest.mark.parametrize(
    ("make", "signature_valid", "detail"),
    [
        (_forged, False, "bad signature"),
        (_tampered, False, "bad signature"),
        (_wrong_app_id, True, "app_id"),
        (_wrong_seller_id, True, "seller_id"),
        (_unknown_out_trade_no, True, "unknown out_trade_no"),
        (_wrong_amount, True, "total_amount 69.99 != payment amount 70.00"),
    ],
)
def test_rejection_records_why(paid_at_sandbox, sandbox_keys, make, signature_valid, detail):
    [genuine] = queued_notifications(paid_at_sandbox.order_no)
    assert post_notification(make(genuine, sandbox_keys)).content == b"failure"
    record = InboundNotification.objects.get()
    assert record.signature_valid is signature_valid
    assert detail in record.detail


def test_replayed_notification_is_acknowledged_and_changes_nothing(paid_at_sandbox, sku):
    order = paid_at_sandbox
    [params] = queued_notifications(order.order_no)

    answers = [post_notification(params).content for _ in range(3)]

    assert answers == [b"success"] * 3
    order.refresh_from_db()
    assert order.status == "paid"
    assert Payment.objects.filter(order=order, status=Payment.Status.SUCCEEDED).count() == 1
    assert movement_count(order, "deduct") == 1
    assert stock_levels(sku) == (3, 0)
    assert InboundNotification.objects.filter(notify_id=params["notify_id"]).count() == 1
    assert list(order.events.filter(to_status="paid").values_list("to_status", flat=True)) == ["paid"]


def test_trade_finished_after_trade_success_pays_once(paid_at_sandbox, sku):
    order = paid_at_sandbox
    [success] = queued_notifications(order.order_no)
    finished = signed(success, notify_id="finished-" + success["notify_id"], trade_status="TRADE_FINISHED")

    assert post_notification(success).content == b"success"
    assert post_notification(finished).content == b"success"

    assert Payment.objects.get(order=order).status == Payment.Status.SUCCEEDED
    assert movement_count(order, "deduct") == 1
    assert stock_levels(sku) == (3, 0)
    outcomes = dict(InboundNotification.objects.values_list("notify_id", "outcome"))
    assert outcomes == {success["notify_id"]: "paid", finished["notify_id"]: "already_settled"}


def test_refund_notifications_never_pay_again(paid_at_sandbox, sku, staff):
    order = paid_at_sandbox
    deliver_notifications()
    order.refresh_from_db()
    assert order.status == "paid"

    refund_order(order=order, amount=Decimal("20.00"), reason="dented", actor=staff)
    [partial] = deliver_notifications().answers
    assert partial[0]["trade_status"] == "TRADE_SUCCESS" and partial[0]["refund_fee"] == "20.00"
    assert partial[2] == "success"
    order.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert (order.status, payment.status) == ("paid", Payment.Status.PARTIALLY_REFUNDED)

    refund_order(order=order, reason="the rest", actor=staff)
    [full] = deliver_notifications().answers
    # A full refund closes the Alipay trade: TRADE_CLOSED *with* refund_fee, told apart from an unpaid close.
    assert full[0]["trade_status"] == "TRADE_CLOSED" and full[0]["refund_fee"] == "70.00"
    assert full[2] == "success"

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == "refunded"
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("70.00"))
    assert movement_count(order, "deduct") == 1
    assert stock_levels(sku) == (3, 0)
    outcomes = sorted(InboundNotification.objects.values_list("outcome", flat=True))
    assert outcomes == ["paid", "refund_notice", "refund_notice"]


def test_refund_notification_for_an_unsettled_payment_does_not_pay_it(paid_at_sandbox, sku):
    """The trade was paid and partly refunded at Alipay while the payment notification is still on its way."""
    from oms.sandbox.keys import DEMO_APP_ID
    from oms.sandbox.services import refund_trade

    order = paid_at_sandbox
    refund_trade(app_id=DEMO_APP_ID, out_trade_no=order.order_no, refund_amount=Decimal("5.00"), out_request_no="X1")
    [paid_notice, refund_notice] = queued_notifications(order.order_no)
    assert refund_notice["trade_status"] == "TRADE_SUCCESS" and refund_notice["out_biz_no"] == "X1"

    assert post_notification(refund_notice).content == b"success"
    _assert_unpaid(order, sku)
    assert InboundNotification.objects.get().outcome == "refund_notice"

    assert post_notification(paid_notice).content == b"success"
    order.refresh_from_db()
    assert order.status == "paid"


def test_trade_closed_without_refund_fee_closes_a_created_payment(customer, customer_client, address, sku):
    from django.utils import timezone

    from oms.sandbox.keys import DEMO_APP_ID
    from oms.sandbox.notifications import notification_params
    from oms.sandbox.services import close_trade

    order = pending_order(customer, address, (sku, 2))
    assert open_cashier(start_alipay(customer_client, order.order_no)).status_code == 200
    trade = close_trade(app_id=DEMO_APP_ID, out_trade_no=order.order_no)
    params = notification_params(trade=trade, now=timezone.now())  # signed by the sandbox, as Alipay would
    assert params["trade_status"] == "TRADE_CLOSED" and "refund_fee" not in params

    assert post_notification(params).content == b"success"

    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.CLOSED
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert stock_levels(sku) == (5, 2)
    assert InboundNotification.objects.get().outcome == "closed"


def test_money_for_a_cancelled_order_is_refunded_automatically(
    customer, customer_client, address, sku, django_capture_on_commit_callbacks
):
    order = pending_order(customer, address, (sku, 2))
    cashier = open_cashier(start_alipay(customer_client, order.order_no))
    assert cashier.status_code == 200
    cancel_order(order=order, actor=customer, reason="changed my mind", by_staff=False)
    assert stock_levels(sku) == (5, 0)
    assert press_pay(cashier.content.decode()).status_code == 302  # the buyer still pays the open trade

    with django_capture_on_commit_callbacks(execute=True):
        endpoint = deliver_notifications()

    assert [body for _, _, body in endpoint.answers] == ["success"]
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert stock_levels(sku) == (5, 0)
    assert movement_count(order, "deduct") == 0
    issue = PaymentIssue.objects.get(order=order)
    assert issue.kind == "paid_after_cancel"
    refund = Refund.objects.get(order=order)
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount == Decimal("70.00")
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.refunded_amount) == (Payment.Status.REFUNDED, Decimal("70.00"))
    trade = sandbox_trade(order.order_no)
    assert trade.status == "TRADE_CLOSED" and trade.refunded_amount == Decimal("70.00")
    assert list(trade.refunds.values_list("out_request_no", flat=True)) == [refund.out_request_no]
    assert InboundNotification.objects.get().outcome == "refund_scheduled"


def test_two_allocations_are_each_deducted_once(customer, customer_client, address):
    first = stock_sku(on_hand=3, warehouse=WarehouseFactory(), price=Decimal("40.00"))
    second = stock_sku(on_hand=3, warehouse=WarehouseFactory(), price=Decimal("40.00"))
    order = pending_order(customer, address, (first, 1), (second, 2))
    pay_with_alipay(customer_client, order)
    [params] = queued_notifications(order.order_no)
    assert params["total_amount"] == "120.00"

    assert [post_notification(params).content for _ in range(2)] == [b"success", b"success"]

    assert allocation_count(order) == 2
    assert movement_count(order, "deduct") == 2
    assert (stock_levels(first), stock_levels(second)) == ((2, 0), (1, 0))


def _stored_bytes() -> int:
    """What notifications have written: the raw messages and the recorded payloads, in characters."""
    inbound = GatewayMessage.objects.filter(direction="in", kind="notification")
    raw = sum(len(text) for text in inbound.values_list("raw", flat=True))
    payloads = sum(len(json.dumps(p)) for p in InboundNotification.objects.values_list("payload", flat=True))
    return raw + payloads


def test_a_body_over_the_cap_is_refused_unread(paid_at_sandbox, sku):
    [genuine] = queued_notifications(paid_at_sandbox.order_no)
    huge = {**genuine, "subject": "x" * 2_200_000}  # three of these once added 13 MB of rows

    for _ in range(3):
        response = Client().post(NOTIFY_PATH, urlencode(huge), content_type=FORM_TYPE)
        assert (response.status_code, response.content) == (413, b"failure")

    assert _stored_bytes() == 0
    assert not InboundNotification.objects.exists()
    _assert_unpaid(paid_at_sandbox, sku)


def test_an_unsigned_post_is_kept_only_as_a_bounded_summary(paid_at_sandbox, sku):
    [genuine] = queued_notifications(paid_at_sandbox.order_no)
    junk = {key: value for key, value in genuine.items() if key != "sign"}
    junk |= {"out_trade_no": "9" * 5000, "subject": "x" * 30_000, **{f"f{n}": "y" * 300 for n in range(80)}}

    assert post_notification(junk).content == b"failure"

    record = InboundNotification.objects.get()
    assert record.outcome == "rejected" and record.detail == "bad signature"
    assert record.payload["out_trade_no"] == "9" * 64 and "subject" not in record.payload
    assert record.payload["field_count"] == len(junk)
    assert _stored_bytes() < 1024
    assert not GatewayMessage.objects.filter(direction="in").exists()
    _assert_unpaid(paid_at_sandbox, sku)


def test_only_a_verified_notification_is_stored_whole(paid_at_sandbox):
    [genuine] = queued_notifications(paid_at_sandbox.order_no)

    assert post_notification(genuine).content == b"success"

    [message] = GatewayMessage.objects.filter(direction="in", kind="notification")
    assert f"sign={genuine['sign']}" in message.raw and f"notify_id={genuine['notify_id']}" in message.raw
    assert InboundNotification.objects.get().payload == genuine

"""Payments speak the reader's language: an API error's message follows Accept-Language while its code stays the
same, and the statuses, methods and exception kinds people read have Chinese names."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation

from oms.orders.states import state_in_message
from oms.payments.models import BalanceEntry, Payment, PaymentIssue, Refund
from oms.payments.refunds import refund_order
from oms.payments.tests.factories import funded, paid_order
from oms.web_vendor.templatetags.oms_web import issue_kind, payment_method_label, status_label

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")


def in_both_languages(client, url: str, body: dict) -> dict[str, dict]:
    """The same request once in English and once in Chinese: {language: (status, JSON body)}."""
    answers = {}
    for language in ("en", "zh-CN"):
        response = client.post(url, body, format="json", headers={"accept-language": language})
        answers[language] = {"status": response.status_code, **response.json()}
    return answers


@pytest.fixture
def order(customer, staff, address, sku):
    return paid_order(customer=customer, staff=staff, address=address, lines=[(sku, 2)])


def test_a_refund_above_what_was_paid_is_refused_in_the_readers_language(staff_client, order):
    answers = in_both_languages(
        staff_client, f"/api/v1/orders/{order.order_no}/refunds/", {"amount": "1000.00", "reason": "too much"}
    )

    en, zh = answers["en"], answers["zh-CN"]
    assert (en["status"], en["code"]) == (zh["status"], zh["code"]) == (409, "refund_exceeds_paid")
    assert en["details"] == zh["details"]
    paid = f"¥{order.total_amount:,.2f}"
    assert en["message"] == f"At most {paid} of order {order.order_no} can still be refunded."
    assert zh["message"] == f"订单 {order.order_no} 最多还能退款 {paid}。"


def test_paying_a_paid_order_names_its_status_by_code_in_english_and_by_label_in_chinese(
    customer, customer_client, order
):
    funded(customer, "500.00")
    answers = in_both_languages(
        customer_client,
        f"/api/v1/orders/{order.order_no}/pay/",
        {"method": "balance", "payment_password": "123456"},
    )

    en, zh = answers["en"], answers["zh-CN"]
    assert (en["code"], zh["code"]) == ("invalid_transition", "invalid_transition")
    assert en["message"] == f"Order {order.order_no} is paid."
    with translation.override("zh-hans"):
        paid = state_in_message("paid")  # the orders catalog's word for it
    assert zh["message"] == f"订单 {order.order_no} 当前状态为“{paid}”。"


def test_a_wrong_payment_password_in_chinese(customer, customer_client, address, sku):
    from oms.orders.tests.factories import pending_order

    funded(customer, "500.00")
    order = pending_order(customer, address, (sku, 1))
    answers = in_both_languages(
        customer_client,
        f"/api/v1/orders/{order.order_no}/pay/",
        {"method": "balance", "payment_password": "000000"},
    )

    assert answers["en"]["code"] == answers["zh-CN"]["code"] == "payment_password_invalid"
    assert answers["en"]["message"] == "Wrong payment password."
    assert answers["zh-CN"]["message"] == "支付密码错误。"


def test_payment_and_refund_statuses_methods_and_exception_kinds_in_chinese():
    with translation.override("zh-hans"):
        assert [str(s.label) for s in Payment.Status] == [
            "已创建",
            "支付成功",
            "支付失败",
            "已关闭",
            "部分退款",
            "已退款",
        ]
        assert [str(s.label) for s in Refund.Status] == ["退款中", "退款成功", "退款失败"]
        assert [str(m.label) for m in Payment.Method] == ["支付宝", "账户余额", "线下付款（员工登记）"]
        assert [str(k.label) for k in BalanceEntry.Kind] == ["充值", "付款", "退款", "调整"]
        for kind in [*PaymentIssue.KIND_LABELS, "paid_after_close"]:
            assert HAN.search(issue_kind(kind)), kind
    with translation.override("en"):
        assert str(Payment.Status.PARTIALLY_REFUNDED.label) == "Partially Refunded"
        assert str(Refund.Status.PENDING.label) == "Pending"


def test_payment_and_refund_event_labels_in_chinese(staff, order):
    """A payment's and a refund's timeline rows are read by the label of their status."""
    refund = refund_order(order=order, reason="damaged box", actor=staff, amount=Decimal("1.00"))
    payment = order.payments.get()
    with translation.override("zh-hans"):
        assert [status_label(e.to_status, "payment") for e in payment.events.all()] == ["部分退款"]
        assert [status_label(e.to_status, "refund") for e in refund.events.all()] == ["退款成功"]
        assert status_label("pending", "refund") == "退款中"
        assert payment_method_label(payment.method) == "线下付款（员工登记）"


def test_a_refund_is_written_on_the_timeline_in_the_language_of_the_request(staff_client, order):
    response = staff_client.post(
        f"/api/v1/orders/{order.order_no}/refunds/",
        {"amount": "5.00", "reason": "包装破损"},
        format="json",
        headers={"accept-language": "zh-CN"},
    )

    assert response.status_code == 201, response.content
    refund = order.refunds.get()
    reasons = [e.reason for e in order.events.order_by("id")][-2:]
    assert reasons == ["退款 ¥5.00：包装破损", f"退款 {refund.out_request_no} 已完成"]

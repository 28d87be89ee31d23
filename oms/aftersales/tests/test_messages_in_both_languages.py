"""After-sales speaks the reader's language: the same refused return in English and Chinese has the same code and
details, and return statuses and their timeline labels have Chinese names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from oms.aftersales.states import ReturnStatus
from oms.aftersales.tests.factories import delivered_order, requested_return
from oms.inventory.tests.factories import WarehouseFactory
from oms.orders.states import state_in_message
from oms.shipping.tests.factories import stocked_sku
from oms.web_vendor.templatetags.oms_web import status_label

pytestmark = pytest.mark.django_db


@pytest.fixture
def tea():
    return stocked_sku(WarehouseFactory(), on_hand=10, price="30.00")


def ask_for_return(client, order_no: str, sku: str, quantity: int = 1) -> dict[str, dict]:
    answers = {}
    for language in ("en", "zh-CN"):
        response = client.post(
            f"/api/v1/orders/{order_no}/returns/",
            {"items": [{"sku": sku, "quantity": quantity}], "reason": "Does not fit"},
            format="json",
            headers={"accept-language": language},
        )
        answers[language] = {"status": response.status_code, **response.json()}
    return answers


def test_a_return_outside_its_window_is_refused_in_the_readers_language(customer, customer_client, staff, address, tea):
    late = delivered_order(
        customer=customer, staff=staff, address=address, lines=[(tea, 1)], delivered_at=timezone.now() - timedelta(8)
    )

    answers = ask_for_return(customer_client, late.order_no, tea.code)

    en, zh = answers["en"], answers["zh-CN"]
    assert (en["status"], en["code"]) == (zh["status"], zh["code"]) == (409, "return_window_closed")
    assert en["details"] == zh["details"]
    closed_at = en["details"]["window_closed_at"]
    assert en["message"] == f"The 7-day return window for {tea.code} closed at {closed_at}."
    assert zh["message"] == f"{tea.code} 的 7 天退货期已于 {closed_at} 结束。"


def test_more_than_was_bought_is_refused_in_the_readers_language(customer, customer_client, staff, address, tea):
    order = delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 2)])

    answers = ask_for_return(customer_client, order.order_no, tea.code, quantity=3)

    en, zh = answers["en"], answers["zh-CN"]
    assert en["code"] == zh["code"] == "return_quantity_exceeded"
    assert en["message"].startswith(f"Of {tea.code}, 2 unit(s) of order {order.order_no} may still be returned")
    assert zh["message"] == (
        f"订单 {order.order_no} 中的 {tea.code} 还可退 2 件（购买 2 件；已退货、已申请或已退款 0 件）。"
    )


def test_a_cancelled_order_cannot_be_returned_and_chinese_names_its_status(customer, customer_client, address, tea):
    from oms.orders.services import cancel_order
    from oms.orders.tests.factories import pending_order

    order = pending_order(customer, address, (tea.code, 1))
    cancel_order(order=order, actor=customer, reason="changed my mind", by_staff=False)

    answers = ask_for_return(customer_client, order.order_no, tea.code)

    assert answers["en"]["code"] == answers["zh-CN"]["code"] == "order_not_returnable"
    assert answers["en"]["message"] == f"Order {order.order_no} is cancelled: nothing of it can be returned."
    with translation.override("zh-hans"):
        cancelled = state_in_message("cancelled")  # the orders catalog's word for it
    assert answers["zh-CN"]["message"] == f"订单 {order.order_no} 当前状态为“{cancelled}”：没有可退货的商品。"


def test_return_statuses_and_their_event_labels_in_chinese(customer, staff, address, tea):
    order = delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 1)])
    request = requested_return(order, (tea.code, 1))
    with translation.override("zh-hans"):
        assert [str(s.label) for s in ReturnStatus] == [
            "已申请",
            "已批准（等待寄回）",
            "已寄回",
            "已收货（待退款）",
            "已退款",
            "已拒绝",
            "已取消",
        ]
        assert [status_label(e.to_status, "return") for e in request.events.all()] == ["已申请"]


def test_a_move_the_return_table_forbids_is_refused_in_the_readers_language(
    customer, staff, staff_client, address, tea
):
    order = delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 1)])
    request = requested_return(order, (tea.code, 1))
    url = f"/api/v1/returns/{request.pk}/receive/"  # not approved, not shipped back: nothing to receive

    answers = {}
    for language in ("en", "zh-CN"):
        response = staff_client.post(url, {}, format="json", headers={"accept-language": language})
        answers[language] = {"status": response.status_code, **response.json()}

    en, zh = answers["en"], answers["zh-CN"]
    assert (en["status"], en["code"]) == (zh["status"], zh["code"]) == (409, "invalid_return_transition")
    assert en["details"] == zh["details"] == {"current_status": "requested", "requested_status": "received"}
    assert en["message"] == "A return in state 'requested' cannot become 'received'."
    assert zh["message"] == "退货申请当前状态为“已申请”，不能变为“已收货”。"

"""The order API in Chinese and English: the same bad request gives the same code and details in both languages,
its message in the language of Accept-Language; status labels, model names and timeline text in Chinese."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders.models import Order, OrderEvent
from oms.orders.states import OrderStatus
from oms.orders.tests.factories import pending_order

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
LANGUAGES = {"en": "en", "zh": "zh-CN"}


def in_both_languages(send) -> dict[str, dict]:
    """``send(headers)`` once per language: the same status and code in both; each test checks the texts."""
    bodies, statuses = {}, set()
    for name, accept in LANGUAGES.items():
        response = send({"Accept-Language": accept})
        assert response.headers["Content-Language"] == ("en" if name == "en" else "zh-hans")
        statuses.add(response.status_code)
        bodies[name] = response.json()
    assert len(statuses) == 1, statuses
    assert bodies["en"]["code"] == bodies["zh"]["code"]
    return bodies


@pytest.fixture
def tea(db):
    return stock_sku(warehouse=WarehouseFactory(code="SH1"), on_hand=1, code="TEA", price=Decimal("19.90"))


def order_body(address: dict, *lines: tuple[str, int]) -> dict:
    return {"items": [{"sku": code, "quantity": qty} for code, qty in lines], "shipping_address": address}


def test_insufficient_stock_in_both_languages(customer_client, tea, address):
    bodies = in_both_languages(
        lambda headers: customer_client.post(ORDERS, order_body(address, ("TEA", 5)), format="json", headers=headers)
    )

    assert bodies["en"]["code"] == "insufficient_stock"
    assert bodies["en"]["details"] == bodies["zh"]["details"] == {"skus": ["TEA"]}
    assert bodies["en"]["message"] == "Not enough stock for: TEA. Lower the quantity or remove the line."
    assert bodies["zh"]["message"] == "库存不足：TEA。请减少数量或删除该商品。"
    assert not Order.objects.exists()


def test_unknown_sku_in_both_languages(customer_client, tea, address):
    bodies = in_both_languages(
        lambda headers: customer_client.post(ORDERS, order_body(address, ("NOPE", 1)), format="json", headers=headers)
    )

    assert bodies["en"]["code"] == "validation_error"
    assert bodies["en"]["details"] == bodies["zh"]["details"] == {"unknown_skus": ["NOPE"]}
    assert bodies["en"]["message"] == "Unknown or inactive SKU: NOPE."
    assert bodies["zh"]["message"] == "SKU 不存在或已停售：NOPE。"


def test_a_field_error_is_explained_in_both_languages(customer_client, tea, address):
    body = order_body(address, ("TEA", 1), ("TEA", 1))
    bodies = in_both_languages(lambda headers: customer_client.post(ORDERS, body, format="json", headers=headers))

    # The message is the API's generic one (oms.common); the field's own explanation is in the details.
    assert bodies["en"]["code"] == "validation_error"
    assert bodies["en"]["details"] == {"items": ["Each SKU may appear once; repeated: TEA."]}
    assert bodies["zh"]["details"] == {"items": ["每个 SKU 只能出现一次；重复的有：TEA。"]}


def test_an_invalid_transition_names_the_states_as_codes_in_english_and_labels_in_chinese(
    staff_client, customer, tea, address
):
    order = pending_order(customer, address, (tea, 1))
    url = f"{ORDERS}{order.order_no}/confirm/"

    bodies = in_both_languages(lambda headers: staff_client.post(url, {}, format="json", headers=headers))

    assert bodies["en"]["code"] == "invalid_transition"
    assert bodies["en"]["details"] == bodies["zh"]["details"]
    assert bodies["en"]["details"] == {"current_status": "pending_payment", "requested_status": "awaiting_shipment"}
    assert bodies["en"]["message"] == "An order in state 'pending_payment' cannot become 'awaiting_shipment'."
    assert bodies["zh"]["message"] == "订单当前为“待付款”状态，不能变为“待发货”。"


def test_not_found_and_permission_denied_in_both_languages(customer_client, customer, tea, address):
    missing = in_both_languages(lambda headers: customer_client.get(f"{ORDERS}26010100000000/", headers=headers))
    assert missing["en"]["code"] == "not_found"
    assert missing["zh"]["message"] == "您的订单中没有订单 26010100000000。"

    order = pending_order(customer, address, (tea, 1))
    refused = in_both_languages(
        lambda headers: customer_client.post(f"{ORDERS}{order.order_no}/mark-paid/", {}, headers=headers)
    )
    assert refused["en"]["code"] == "permission_denied"
    assert refused["en"]["message"] == "Only staff who manage orders may record offline payments."
    assert refused["zh"]["message"] == "只有管理订单的员工才能登记线下付款。"


def test_the_timeline_is_written_in_the_language_of_the_request(customer, tea, address):
    client = APIClient()
    client.force_authenticate(customer)
    placed = client.post(ORDERS, order_body(address, ("TEA", 1)), format="json", headers={"Accept-Language": "zh-CN"})

    assert placed.status_code == 201, placed.content
    assert placed.json()["events"][0]["reason"] == "已下单"
    assert OrderEvent.objects.get(order__order_no=placed.json()["order_no"]).reason == "已下单"


def test_status_labels_and_names_in_chinese():
    with translation.override("zh-hans"):
        assert OrderStatus.PENDING_PAYMENT.label == "待付款"
        assert OrderStatus.AWAITING_SHIPMENT.label == "待发货"
        labels = [str(label) for label in OrderStatus.labels]
        assert all(not any("a" <= c.lower() <= "z" for c in label) for label in labels), labels
        assert Order._meta.verbose_name == "订单"
        assert Order._meta.get_field("order_no").verbose_name == "订单号"
    with translation.override("en"):
        assert OrderStatus.PENDING_PAYMENT.label == "Pending payment"


def test_the_order_admin_speaks_chinese(client, customer, tea, address):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("boss", password="x")
    client.force_login(admin_user)
    order = pending_order(customer, address, (tea, 1))
    headers = {"Accept-Language": "zh-CN"}

    page = client.get(f"/admin/orders/order/{order.pk}/change/", headers=headers).content.decode()
    missing = [text for text in ("订单号", "待付款", "收货人", "订单金额", "商品明细") if text not in page]
    assert not missing, missing

    data = {"action": "cancel_selected", "_selected_action": [order.pk], "index": 0}
    done = client.post("/admin/orders/order/", data, headers=headers, follow=True)
    assert [str(message) for message in done.context["messages"]] == ["已取消 1 个订单。"]
    assert order.events.last().reason == "员工在后台取消"

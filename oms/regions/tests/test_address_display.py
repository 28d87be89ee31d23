"""Every page that shows a shipping address shows it in Chinese order: 省 市 区 详细地址 邮政编码, after the
recipient and phone; a municipality is not named twice."""

from __future__ import annotations

import pytest
from django.test import Client

from oms.inventory.tests.factories import WarehouseFactory
from oms.payments.tests.factories import paid_order
from oms.shipping.tests.factories import stocked_sku

pytestmark = pytest.mark.django_db

ADDRESS = {"name": "王伟", "phone": "13800138000", "province": "北京市", "city": "北京市", "district": "朝阳区",
           "address": "建国路8号2栋1203室", "postal_code": "100022"}  # fmt: skip
PLACE = "北京市 朝阳区 建国路8号2栋1203室 100022"


@pytest.fixture
def order(customer, staff):
    sku = stocked_sku(WarehouseFactory(code="BJ-01"), on_hand=5, price="30.00")
    return paid_order(customer=customer, staff=staff, address=ADDRESS, lines=[(sku, 1)])


def _client(user) -> Client:
    client = Client(headers={"accept-language": "zh-CN"})
    client.force_login(user)
    return client


def test_the_shop_order_page(order, customer):
    html = _client(customer).get(f"/orders/{order.order_no}/").content.decode()
    assert "王伟" in html and PLACE in html


def test_the_console_order_page_and_the_pick_list(order, staff):
    staff_client = _client(staff)
    for url in (f"/console/orders/{order.order_no}/", f"/console/orders/pick-list/?order_no={order.order_no}"):
        html = staff_client.get(url).content.decode()
        assert "王伟" in html and "13800138000" in html and PLACE in html, url

"""Every main page writes money as ¥1,234.50 and statuses, payment methods and carriers by their display names."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from oms.orders.services import OrderLineInput, place_order
from oms.payments.balance import set_payment_password, top_up_balance
from oms.payments.refunds import refund_order
from oms.payments.services import pay_with_balance
from oms.purchasing.tests.factories import SupplierFactory, ordered_po
from oms.shipping import services as shipping
from oms.shipping.tests.factories import stocked_sku

pytestmark = pytest.mark.django_db

RAW_CODES = [
    "alipay",
    "balance",
    "sim",
    "offline",
    "succeeded",
    "partially_refunded",
    "pending",
    "in_transit",
    "picked_up",
    "awaiting_shipment",
    "pending_payment",
    "ordered",
    "draft",
]


@pytest.fixture
def busy_order(customer, staff, address, warehouse):
    """Paid with the store balance, partly refunded, confirmed and shipped with the simulator carrier."""
    sku = stocked_sku(warehouse, on_hand=10, price="1234.50")
    top_up_balance(customer=customer, amount=Decimal("10000.00"), actor=staff, reason="demo")
    set_payment_password(customer=customer, raw_password="123456")
    order = place_order(
        customer=customer, items=[OrderLineInput(sku.code, 2)], address=address, payment_method="balance"
    ).order
    order = pay_with_balance(order=order, customer=customer, payment_password="123456")
    refund_order(order=order, reason="scratched box", actor=staff, amount=Decimal("100.00"))
    order.refresh_from_db()
    order = shipping.confirm_order(order=order, actor=staff)
    shipping.ship_shipment(shipment=order.shipments.get(), carrier="sim", tracking_no="SIM000123", actor=staff)
    ordered_po(supplier=SupplierFactory(), warehouse=warehouse, lines=[(sku, 3, Decimal("3339.64"))], actor=staff)
    order.refresh_from_db()
    return order


def _assert_display(html: str) -> None:
    text = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    assert "CNY" not in text
    assert "Decimal(" not in text
    for code in RAW_CODES:
        assert f">{code}<" not in text, code
        assert f">{code} " not in text, code
    # every amount written with a yuan sign has a thousands separator when due and exactly two places
    for amount in re.findall(r"¥[\d,]+(?:\.\d+)?", text):
        assert re.fullmatch(r"¥\d{1,3}(,\d{3})*\.\d{2}", amount), amount


def test_shop_order_page(customer, busy_order):
    shopper = Client()
    shopper.force_login(customer)
    html = shopper.get(f"/orders/{busy_order.order_no}/").content.decode()
    _assert_display(html)
    assert "¥2,469.00" in html  # the total
    assert "Carrier simulator" in html
    assert "Shipped" in html


def test_console_pages(admin_client, busy_order):
    pages = {
        f"/console/orders/{busy_order.order_no}/": ["¥2,469.00", "¥100.00", "Store balance", "Carrier simulator"],
        "/console/": ["¥2,469.00"],
        "/console/reports/?days=7": ["¥2,469.00", "¥100.00"],
        "/console/exceptions/": [],
        "/console/returns/": [],
        "/console/orders/": ["¥2,469.00"],
        "/console/inventory/": [],
        "/console/purchase-orders/": ["¥10,018.92"],
    }
    po = busy_order.shipments.get().warehouse.purchase_orders.get()
    pages[f"/console/purchase-orders/{po.po_no}/"] = ["¥10,018.92", "¥3,339.64"]
    for url, amounts in pages.items():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        _assert_display(html)
        for amount in amounts:
            assert amount in html, (url, amount)


def test_console_order_page_shows_labels_not_codes(admin_client, busy_order):
    html = admin_client.get(f"/console/orders/{busy_order.order_no}/").content.decode()
    assert "Partially Refunded" in html  # the payment's status label
    assert "Succeeded" in html  # the refund's
    assert "Refund of ¥100.00: scratched box" in html  # the event written by the refund


def test_admin_lists_show_money(admin_client, busy_order):
    html = admin_client.get("/admin/orders/order/").content.decode()
    assert "¥2,469.00" in html

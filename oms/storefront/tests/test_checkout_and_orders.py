"""Checkout, payment, and the customer's orders: through the pages, with the same services as the API."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from oms.accounts.tests.factories import StaffFactory, UserFactory
from oms.orders.models import Order
from oms.payments.balance import account_for, set_payment_password, top_up_balance
from oms.shipping.services import record_tracking_event
from oms.shipping.tests.factories import shipped_order

pytestmark = pytest.mark.django_db


def checkout_form(client: Client) -> dict[str, str]:
    html = client.get("/checkout/").content.decode()
    found = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html)
    assert found is not None
    key = found.group(1)
    return {"idempotency_key": key, "payment_method": "alipay", "saved_address": "new"}


def test_checkout_requires_login(tea):
    response = Client().get("/checkout/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/checkout/"


def test_checkout_shows_fee_and_total_and_places_the_order_then_goes_to_alipay(shopper, tea, address):
    shopper.post("/cart/add/", {"sku": tea.code, "quantity": 1})
    page = shopper.get("/checkout/").content.decode()
    assert "¥30.00" in page and "¥10.00" in page and "¥40.00" in page
    assert 'name="idempotency_key"' in page
    response = shopper.post("/checkout/", {**checkout_form(shopper), **address})
    assert response.status_code == 302
    assert "/sandbox/alipay/gateway.do?" in response["Location"]
    order = Order.objects.get()
    assert order.total_amount == Decimal("40.00") and order.shipping_address == address
    assert order.payment_method == "alipay"
    assert "Your cart is empty" in shopper.get("/cart/").content.decode()


def test_a_double_submit_places_one_order(shopper, customer, tea, address):
    top_up_balance(customer=customer, amount=Decimal("100"), actor=None, reason="test")
    shopper.post("/cart/add/", {"sku": tea.code, "quantity": 1})
    form = {**checkout_form(shopper), **address, "payment_method": "balance"}
    first = shopper.post("/checkout/", form)
    second = shopper.post("/checkout/", form)  # the cart is empty now: the key finds the first order
    order = Order.objects.get()
    assert first["Location"] == second["Location"] == f"/orders/{order.order_no}/"


def test_checkout_errors_are_shown(shopper, tea, address):
    shopper.post("/cart/add/", {"sku": tea.code, "quantity": 1})
    response = shopper.post("/checkout/", {**checkout_form(shopper), **address, "phone": "call me"})
    assert response.status_code == 400 and "Enter a mainland mobile number" in response.content.decode()
    shopper.post("/cart/update/", {"sku": tea.code, "quantity": 50})  # only 10 in stock
    response = shopper.post("/checkout/", {**checkout_form(shopper), **address}, follow=True)
    html = response.content.decode()
    assert tea.code in html and 'role="alert"' in html and Order.objects.count() == 0
    shopper.post("/cart/update/", {"sku": tea.code, "quantity": 1})
    response = shopper.post("/checkout/", {**checkout_form(shopper), **address, "payment_method": "balance"})
    assert "does not cover" in response.content.decode()  # no balance: refused before placing


def test_address_book_offers_previous_addresses(shopper, tea, address):
    shopper.post("/cart/add/", {"sku": tea.code, "quantity": 1})
    shopper.post("/checkout/", {**checkout_form(shopper), **address})
    shopper.post("/cart/add/", {"sku": tea.code, "quantity": 1})
    page = shopper.get("/checkout/").content.decode()
    assert "李雷, 13800138000, 上海市 浦东新区 世纪大道1号1001室 200120" in page
    form = {**checkout_form(shopper), "saved_address": "0"}
    response = shopper.post("/checkout/", form)
    assert response.status_code == 302
    assert Order.objects.order_by("-id").first().shipping_address == address


def test_pay_with_balance_wrong_then_right_password(shopper, customer, tea, address):
    top_up_balance(customer=customer, amount=Decimal("100"), actor=None, reason="test")
    set_payment_password(customer=customer, raw_password="123456")
    shopper.post("/cart/add/", {"sku": tea.code, "quantity": 1})
    response = shopper.post("/checkout/", {**checkout_form(shopper), **address, "payment_method": "balance"})
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.order_no}/"
    pay_url = f"/orders/{order.order_no}/pay/"
    html = shopper.post(pay_url, {"method": "balance", "payment_password": "000000"}, follow=True).content.decode()
    assert "Wrong payment password." in html
    html = shopper.post(pay_url, {"method": "balance", "payment_password": ""}, follow=True).content.decode()
    assert "Enter your 6-digit payment password" in html
    html = shopper.post(pay_url, {"method": "balance", "payment_password": "123456"}, follow=True).content.decode()
    assert "Paid with your store balance" in html
    order.refresh_from_db()
    assert order.status == "paid"


def test_customer_sees_only_their_own_orders(shopper, tea, address):
    bob = UserFactory(username="bob")
    other = Client()
    other.force_login(bob)
    other.post("/cart/add/", {"sku": tea.code, "quantity": 1})
    other.post("/checkout/", {**checkout_form(other), **address})
    bobs = Order.objects.get(customer=bob)
    assert bobs.order_no not in shopper.get("/orders/").content.decode()
    response = shopper.get(f"/orders/{bobs.order_no}/")
    assert response.status_code == 404 and "No order" in response.content.decode()
    assert shopper.post(f"/orders/{bobs.order_no}/cancel/", {"confirmed": "yes"}).status_code == 404
    assert shopper.get(f"/orders/{bobs.order_no}/cancel/").status_code == 404
    bobs.refresh_from_db()
    assert bobs.status == "pending_payment"
    assert bobs.order_no in other.get("/orders/").content.decode()


def test_cancel_before_payment(shopper, tea, address):
    shopper.post("/cart/add/", {"sku": tea.code, "quantity": 1})
    shopper.post("/checkout/", {**checkout_form(shopper), **address})
    order = Order.objects.get()
    page = shopper.get(f"/orders/{order.order_no}/").content.decode()
    assert "Pay with Alipay" in page and "Cancel order" in page
    url = f"/orders/{order.order_no}/cancel/"
    assert f'<form method="get" action="{url}"' in page and f'hx-confirm="Cancel order {order.order_no}?"' in page

    confirm = shopper.get(url).content.decode()  # the button without JavaScript
    assert f"Cancel order {order.order_no}?" in confirm and "<dd>¥40.00</dd>" in confirm
    assert f"<dd>1 × {order.items.get().name}</dd>" in confirm
    assert f'<form method="post" action="{url}"' in confirm and 'name="confirmed" value="yes"' in confirm
    assert 'class="danger">Yes, cancel the order</button>' in confirm and "csrfmiddlewaretoken" in confirm
    assert "Cancel order" in shopper.post(url).content.decode()  # unconfirmed: asks again
    order.refresh_from_db()
    assert order.status == "pending_payment"

    html = shopper.post(url, {"confirmed": "yes"}, follow=True).content.decode()
    assert "Order cancelled." in html
    order.refresh_from_db()
    assert order.status == "cancelled"
    html = shopper.post(url, {"confirmed": "yes"}, follow=True).content.decode()
    assert "cannot become" in html  # shown, not a 500
    html = shopper.get(url, follow=True).content.decode()
    assert f"Order {order.order_no} can no longer be cancelled here." in html  # no confirm page for it


def test_cancel_after_payment_refunds_until_the_parcel_leaves(shopper, customer, tea, address):
    top_up_balance(customer=customer, amount=Decimal("100"), actor=None, reason="test")
    set_payment_password(customer=customer, raw_password="123456")
    shopper.post("/cart/add/", {"sku": tea.code, "quantity": 1})
    shopper.post("/checkout/", {**checkout_form(shopper), **address, "payment_method": "balance"})
    order = Order.objects.get()
    shopper.post(f"/orders/{order.order_no}/pay/", {"method": "balance", "payment_password": "123456"})
    order.refresh_from_db()
    assert order.status == "paid"
    url = f"/orders/{order.order_no}/cancel/"
    page = shopper.get(f"/orders/{order.order_no}/").content.decode()
    assert "Cancel and refund" in page and "What you paid is refunded." in page

    confirm = shopper.get(url).content.decode()
    assert "we refund what you paid" in confirm and 'class="danger">Yes, cancel and refund</button>' in confirm

    html = shopper.post(url, {"confirmed": "yes", "reason": "changed my mind"}, follow=True).content.decode()
    assert "Order cancelled." in html and "Your payment is refunded." in html
    assert "Nothing to deliver: the order was cancelled." in html and "We are preparing your order." not in html
    order.refresh_from_db()
    assert order.status == "refunded"
    assert order.refunds.get().amount == Decimal("40.00")
    assert account_for(customer).balance == Decimal("100.00")

    shipped, _ = shipped_order(customer=customer, staff=StaffFactory(), address=address)
    assert "Cancel and refund" not in shopper.get(f"/orders/{shipped.order_no}/").content.decode()
    html = shopper.get(f"/orders/{shipped.order_no}/cancel/", follow=True).content.decode()
    assert f"Order {shipped.order_no} can no longer be cancelled here." in html


def test_tracking_and_confirm_receipt(shopper, customer, address):
    staff = StaffFactory()
    order, shipment = shipped_order(customer=customer, staff=staff, address=address)
    html = shopper.get(f"/orders/{order.order_no}/").content.decode()
    assert shipment.tracking_no in html and "I received it" in html
    record_tracking_event(
        carrier="sim",
        event_id="t-1",
        tracking_no=shipment.tracking_no,
        status="in_transit",
        occurred_at=timezone.now(),
        location="Hangzhou hub",
    )
    assert "Hangzhou hub" in shopper.get(f"/orders/{order.order_no}/").content.decode()
    url = f"/orders/{order.order_no}/confirm-receipt/"
    confirm = shopper.get(url).content.decode()
    assert f"Did you receive order {order.order_no}?" in confirm and "Yes, I received it" in confirm
    assert 'name="confirmed" value="yes"' in confirm
    order.refresh_from_db()
    assert order.status == "shipped"
    html = shopper.post(url, {"confirmed": "yes"}, follow=True).content.decode()
    assert "the order is complete" in html
    order.refresh_from_db()
    assert order.status == "completed"
    html = shopper.post(url, {"confirmed": "yes"}, follow=True).content.decode()
    assert 'role="alert"' in html
    assert "is not waiting for your confirmation" in shopper.get(url, follow=True).content.decode()


def _with_saved_address(shopper, tea, address) -> None:
    """One order placed to ``address``, so the checkout offers it as saved address 0; the cart holds tea again."""
    shopper.post("/cart/add/", {"sku": tea.code, "quantity": 1})
    shopper.post("/checkout/", {**checkout_form(shopper), **address})
    shopper.post("/cart/add/", {"sku": tea.code, "quantity": 1})


NEW_PLACE = {
    "name": "韩梅梅",
    "phone": "13900139000",
    "province": "北京市",
    "city": "北京市",
    "district": "朝阳区",
    "address": "建国路8号",
    "postal_code": "100022",
}


def test_a_typed_address_is_never_dropped_for_a_saved_one(shopper, tea, address):
    _with_saved_address(shopper, tea, address)
    response = shopper.post("/checkout/", {**checkout_form(shopper), "saved_address": "0", **NEW_PLACE})
    assert response.status_code == 400
    html = response.content.decode()
    assert "You typed a new address" in html
    assert 'value="建国路8号"' in html  # what the customer typed is shown again
    assert Order.objects.count() == 1  # nothing placed to the saved address behind their back


def test_a_typed_address_is_used_when_a_new_address_is_chosen(shopper, tea, address):
    _with_saved_address(shopper, tea, address)
    response = shopper.post("/checkout/", {**checkout_form(shopper), "saved_address": "new", **NEW_PLACE})
    assert response.status_code == 302
    assert Order.objects.order_by("-id").first().shipping_address == NEW_PLACE


def test_checkout_form_choice_of_address(address):
    from oms.storefront.forms import CheckoutForm

    base = {"idempotency_key": "k" * 32, "payment_method": "alipay"}
    saved = CheckoutForm({**base, "saved_address": "0"}, addresses=[address])
    assert saved.is_valid() and saved.address() == address
    partly_typed = CheckoutForm({**base, "saved_address": "0", "city": "Beijing"}, addresses=[address])
    assert not partly_typed.is_valid() and "saved_address" in partly_typed.errors
    new = CheckoutForm({**base, "saved_address": "new", **NEW_PLACE}, addresses=[address])
    assert new.is_valid() and new.address() == NEW_PLACE
    missing = CheckoutForm({**base, "saved_address": "new", "city": "Beijing"}, addresses=[address])
    assert not missing.is_valid() and "address" in missing.errors

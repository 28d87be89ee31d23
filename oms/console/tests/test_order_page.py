"""The order page and each action through it: confirm first, then the service; errors shown, never a 500."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from oms.inventory.models import Allocation, Stock
from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders.tests.factories import pending_order
from oms.payments.exceptions import record_payment_failure
from oms.payments.models import Payment, PaymentIssue
from oms.shipping.services import record_tracking_event

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def act(client, order, action, data=None, *, htmx=True):
    """Post an action as the page's htmx form does after the confirm dialog, and follow to the order page."""
    payload = {**(data or {}), "confirmed": "yes"}
    response = client.post(
        f"/console/orders/{order.order_no}/{action}/", payload, follow=True, headers=HX if htmx else {}
    )
    assert response.status_code == 200
    order.refresh_from_db()
    return response.content.decode()


def test_order_page_shows_items_totals_address_payments_and_timeline(staff_browser, make_paid):
    order = make_paid(quantity=2, price="30.00")
    html = staff_browser.get(f"/console/orders/{order.order_no}/").content.decode()
    item = order.items.get()
    assert item.sku_code in html and "¥60.00" in html and "¥70.00" in html  # 60 + 10 shipping
    assert order.shipping_address["address"] in html
    assert "Offline (recorded by staff)" in html and "Order placed" in html
    assert "Confirm for shipping" in html and 'hx-confirm="Confirm order' in html and "csrfmiddlewaretoken" in html
    assert "Record offline payment" not in html  # not in this state


def test_an_action_without_confirmation_shows_a_confirm_step(staff_browser, make_paid):
    order = make_paid()
    response = staff_browser.post(f"/console/orders/{order.order_no}/confirm/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirm for shipping: order" in html and 'name="confirmed" value="yes"' in html
    order.refresh_from_db()
    assert order.status == "paid"


def test_confirm_then_ship_through_the_page(staff_browser, make_paid):
    order = make_paid()
    html = act(staff_browser, order, "confirm")
    assert order.status == "awaiting_shipment" and "Order confirmed" in html
    shipment = order.shipments.get()
    assert f'name="shipment" value="{shipment.pk}"' in html

    html = act(staff_browser, order, "ship", {"shipment": shipment.pk, "carrier": "sim", "tracking_no": "SIM000123"})
    assert order.status == "shipped" and "Shipment handed to the carrier." in html
    assert "SIM000123" in html


def test_errors_are_shown_on_the_page(staff_browser, make_paid, make_pending):
    pending = make_pending()
    html = act(staff_browser, pending, "confirm")
    assert "An order in state &#x27;pending_payment&#x27; cannot become &#x27;awaiting_shipment&#x27;." in html
    assert 'role="alert"' in html and pending.status == "pending_payment"

    order = make_paid()
    act(staff_browser, order, "confirm")
    shipment = order.shipments.get()
    html = act(staff_browser, order, "ship", {"shipment": shipment.pk, "carrier": "sim", "tracking_no": ""})
    assert "Tracking number: This field is required." in html and order.status == "awaiting_shipment"
    html = act(staff_browser, order, "ship", {"shipment": shipment.pk, "carrier": "nope", "tracking_no": "X1"})
    assert "Carrier: Select a valid choice." in html, re.findall(r"message-error[^<]*", html)
    html = act(staff_browser, order, "ship", {"shipment": 987654, "carrier": "sim", "tracking_no": "X1"})
    assert "No shipment 987654" in html


def test_unknown_action_is_a_404_page(staff_browser, make_paid):
    order = make_paid()
    response = staff_browser.post(f"/console/orders/{order.order_no}/explode/", {"confirmed": "yes"})
    assert response.status_code == 404


def test_cancel_and_offline_payment(staff_browser, make_pending):
    order = make_pending()
    html = act(staff_browser, order, "offline-payment", {"reference": "BANK-42"}, htmx=False)
    assert order.status == "paid" and "BANK-42" in html
    other = make_pending()
    act(staff_browser, other, "cancel", {"reason": "Customer phoned"})
    assert other.status == "cancelled"
    assert other.events.last().reason == "Customer phoned"


def test_cancel_a_paid_order_refunds_it_until_a_parcel_leaves(staff_browser, make_paid):
    order = make_paid(quantity=2, price="30.00")
    stock = Stock.objects.get(sku=order.items.get().sku)
    assert stock.on_hand == 8
    html = staff_browser.get(f"/console/orders/{order.order_no}/").content.decode()
    assert "Cancel and refund" in html and "Its payment is refunded" in html

    html = act(staff_browser, order, "cancel", {"reason": "Customer phoned"})

    assert order.status == "refunded" and "Order cancelled: its stock is back" in html
    assert Payment.objects.get(order=order).refunded_amount == Decimal("70.00")
    stock.refresh_from_db()
    assert stock.on_hand == 10

    shipped = make_paid()
    act(staff_browser, shipped, "confirm")
    parcel = shipped.shipments.get()
    act(staff_browser, shipped, "ship", {"shipment": parcel.pk, "carrier": "sim", "tracking_no": "SIM000777"})
    html = staff_browser.get(f"/console/orders/{shipped.order_no}/").content.decode()
    assert "Cancel and refund" not in html and "Cancel order" not in html


def test_refund_with_restock_puts_units_back(staff_browser, make_paid):
    order = make_paid(quantity=2, price="30.00")
    item = order.items.get()
    stock = Stock.objects.get(sku=item.sku)
    on_hand = stock.on_hand
    html = act(staff_browser, order, "refund", {"reason": "Damaged", "restock": "on", f"qty_{item.sku_code}": "1"})
    assert "Refund done." in html
    refund = order.refunds.get()
    assert refund.amount == Decimal("30.00") and refund.restock
    stock.refresh_from_db()
    assert stock.on_hand == on_hand + 1
    html = act(staff_browser, order, "refund", {"reason": "Rest", "amount": "1000.00"})
    assert "can still be refunded" in html  # RefundExceedsPaid, shown
    html = act(staff_browser, order, "refund", {"reason": "x", "restock": "on"})
    assert "Say how many units" in html


def test_resolve_a_failed_payment_by_retrying(staff_browser, make_pending):
    order = make_pending()
    payment = Payment.objects.create(
        order=order, method="alipay", amount=order.total_amount, out_trade_no=order.order_no
    )
    record_payment_failure(payment=payment, reason="Declined by the bank")
    order.refresh_from_db()
    assert order.status == "payment_failed"
    queue = staff_browser.get("/console/exceptions/").content.decode()
    assert order.order_no in queue and 'name="resolution" value="retry"' in queue

    act(staff_browser, order, "resolve", {"resolution": "retry", "reason": "Customer will pay again"})
    assert order.status == "pending_payment"


def test_reship_a_lost_parcel(staff_browser, make_paid):
    order = make_paid()
    act(staff_browser, order, "confirm")
    shipment = order.shipments.get()
    act(staff_browser, order, "ship", {"shipment": shipment.pk, "carrier": "sim", "tracking_no": "SIMLOST1"})
    record_tracking_event(
        carrier="sim", event_id="lost-1", tracking_no="SIMLOST1", status="exception", occurred_at=timezone.now()
    )
    order.refresh_from_db()
    assert order.status == "shipment_failed"
    page = staff_browser.get(f"/console/orders/{order.order_no}/").content.decode()
    assert "Reship lost parcels" in page
    html = act(staff_browser, order, "reship", {"next": "/console/exceptions/"})
    assert order.status == "awaiting_shipment" and order.shipments.count() == 2
    assert "Exception queue" in html  # went back where the form said


def test_refund_resolution_closes_open_issues(staff_browser, make_paid):
    order = make_paid()
    PaymentIssue.objects.create(order=order, kind="amount_mismatch", detail="Gateway says 1.00 more")
    page = staff_browser.get(f"/console/orders/{order.order_no}/").content.decode()
    assert "Gateway says 1.00 more" in page and "Resolve the exception" in page
    act(staff_browser, order, "resolve", {"resolution": "refund", "reason": "Pay it back"})
    assert order.status == "refunded"
    assert not PaymentIssue.objects.filter(order=order, resolved_at__isnull=True).exists()


def test_next_outside_the_site_is_ignored(staff_browser, make_paid):
    order = make_paid()
    response = staff_browser.post(
        f"/console/orders/{order.order_no}/confirm/", {"confirmed": "yes", "next": "https://evil.example.com/"}
    )
    assert response["Location"] == f"/console/orders/{order.order_no}/"


def held(order) -> set[tuple[str, str]]:
    rows = Allocation.objects.filter(order=order).exclude(status="released").select_related("stock__warehouse")
    return {(a.stock.warehouse.code, a.status) for a in rows}


def test_reallocate_moves_an_unpaid_order_to_the_region_warehouse(staff_browser, customer, address):
    beijing = WarehouseFactory(code="BJ-01", priority=1, region="Beijing")
    tea = stock_sku(warehouse=beijing, on_hand=10)
    order = pending_order(customer, address, (tea, 2))
    stock_sku(sku=tea, warehouse=WarehouseFactory(code="SH-02", priority=5, region="Shanghai"), on_hand=10)
    page = staff_browser.get(f"/console/orders/{order.order_no}/").content.decode()
    assert "Re-allocate stock" in page and f"BJ-01 {tea.code} × 2 (reserved)" in page
    assert f'hx-confirm="Re-plan which warehouses fulfil order {order.order_no}' in page

    html = act(staff_browser, order, "reallocate")
    assert "Stock re-allocated." in html and "Re-allocated: from BJ-01 to SH-02 (1 -&gt; 1 warehouse(s))" in html
    assert held(order) == {("SH-02", "reserved")} and order.status == "pending_payment"
    html = act(staff_browser, order, "reallocate")  # nothing better now
    assert "Re-allocated: unchanged, from SH-02" in html


def test_reallocate_is_offered_until_a_parcel_leaves_and_refused_after(staff_browser, customer_browser, make_paid):
    order = make_paid()
    assert "Re-allocate stock" in staff_browser.get(f"/console/orders/{order.order_no}/").content.decode()
    html = act(staff_browser, order, "confirm")
    assert "Re-allocate stock" in html  # awaiting shipment, its parcel still in the warehouse
    assert "Stock re-allocated." in act(staff_browser, order, "reallocate")
    shipment = order.shipments.get()
    html = act(staff_browser, order, "ship", {"shipment": shipment.pk, "carrier": "sim", "tracking_no": "SIM1"})
    assert "Re-allocate stock" not in html
    html = act(staff_browser, order, "reallocate")  # a stale button
    assert "only orders not yet shipped can be re-allocated" in html and 'role="alert"' in html

    other = make_paid()
    response = customer_browser.post(f"/console/orders/{other.order_no}/reallocate/", {"confirmed": "yes"})
    assert response.status_code == 403
    assert not other.events.filter(reason__startswith="Re-allocated").exists()


def test_unsent_parcel_of_a_cancelled_order_is_not_badged_pending(staff_browser, customer, staff, address):
    """Cancelled (refunded) before it left: the parcel will never ship, and both the console and the shop say so."""
    from django.test import Client

    from oms.payments.cancellation import cancel_or_refund_order
    from oms.shipping.tests.factories import confirmed_order

    order = confirmed_order(customer=customer, staff=staff, address=address)
    order = cancel_or_refund_order(order=order, actor=staff, reason="changed my mind", by_staff=True)
    assert order.status == "refunded"
    assert order.shipments.get().status == "pending"
    shop = Client()
    shop.force_login(customer)
    for html in (
        staff_browser.get(f"/console/orders/{order.order_no}/").content.decode(),
        shop.get(f"/orders/{order.order_no}/").content.decode(),
    ):
        assert "Not shipped (order cancelled)" in html
        assert 'class="status status-pending"' not in html
        assert "Pending (in the warehouse)" not in html


def test_missing_purchase_order_links_back_to_purchase_orders(staff_browser):
    response = staff_browser.get("/console/purchase-orders/PO2099010100000001/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'href="/console/purchase-orders/"' in html and "Back to the purchase orders" in html
    assert "Back to the orders" not in html
    response = staff_browser.post("/console/purchase-orders/PO2099010100000001/submit/")
    assert response.status_code == 404 and "Back to the purchase orders" in response.content.decode()


def test_missing_return_links_back_to_returns(staff_browser):
    response = staff_browser.post("/console/returns/999999/approve/")
    assert response.status_code == 404
    assert 'href="/console/returns/"' in response.content.decode()

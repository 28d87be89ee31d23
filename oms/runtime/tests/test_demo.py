"""``oms demo``: safe to run twice, every status present, stock consistent; and the admin pages it fills."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Sum
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from oms.inventory.models import Allocation, Stock, StockMovement, Warehouse
from oms.orders.models import Order
from oms.orders.states import OrderStatus
from oms.payments import tasks as payment_tasks
from oms.payments.selectors import EXCEPTION_STATES, exception_queue
from oms.purchasing.models import PurchaseOrder, Supplier
from oms.purchasing.numbers import po_day
from oms.purchasing.states import PurchaseOrderStatus
from oms.shipping import tasks as shipping_tasks

DEMO_ORDERS = 60


def _counts() -> tuple[int, int, int, int]:
    return (
        Order.objects.count(),
        StockMovement.objects.count(),
        Stock.objects.count(),
        get_user_model().objects.count(),
    )


@pytest.fixture
def demo(db) -> tuple[int, int, int, int]:
    """Run the demo twice, as ``oms up`` does on every start; return the counts after the first run."""
    call_command("demo", orders=DEMO_ORDERS, verbosity=0)
    first = _counts()
    call_command("demo", orders=DEMO_ORDERS, verbosity=0)
    return first


def test_second_run_adds_nothing_and_a_larger_count_tops_up(demo):
    assert _counts() == demo
    assert Order.objects.filter(idempotency_key__startswith="demo-").count() == DEMO_ORDERS

    call_command("demo", orders=DEMO_ORDERS + 5, verbosity=0)

    assert Order.objects.count() == DEMO_ORDERS + 5


def test_demo_users_log_in_with_their_username_as_password(demo):
    for username, staff in [("admin", True), ("ops", True), ("alice", False), ("bob", False)]:
        # a log-in always carries its request: the throttle (oms.accounts.throttle) counts it by address
        user = authenticate(RequestFactory().post("/login/"), username=username, password=username)

        assert user is not None, username
        assert (user.is_staff, user.is_superuser) == (staff, username == "admin"), username


def test_every_settled_status_appears(demo):
    seen = set(Order.objects.values_list("status", flat=True))

    # refunding lasts only while a refund is in flight, so no finished story ends there
    assert seen == set(OrderStatus) - {OrderStatus.REFUNDING}


def test_refunds_happened_when_their_story_says(demo):
    """The reports count refunds on the day the money went back: the demo's are spread over its 90 days."""
    refunded = Order.objects.filter(status=OrderStatus.REFUNDED).prefetch_related("refunds", "events")
    assert refunded
    for order in refunded:
        [refund] = order.refunds.all()
        done = [e.created_at for e in order.events.all() if e.to_status == OrderStatus.REFUNDED]
        assert refund.completed_at == refund.created_at == done[0]  # the story's time, not the run's clock


def test_stock_counters_are_the_sum_of_their_movements(demo):
    stocks = Stock.objects.annotate(
        moved_on_hand=Sum("movements__on_hand_delta"), moved_reserved=Sum("movements__reserved_delta")
    )
    for stock in stocks:
        assert (stock.on_hand, stock.reserved) == (stock.moved_on_hand or 0, stock.moved_reserved or 0)
    reserved = Stock.objects.aggregate(total=Sum("reserved"))["total"]
    held = Allocation.objects.filter(status=Allocation.Status.RESERVED).aggregate(total=Sum("quantity"))["total"]
    assert reserved == held


def test_purchasing_has_suppliers_and_a_purchase_order_in_every_state(demo):
    assert Supplier.objects.count() == 3
    assert set(PurchaseOrder.objects.values_list("status", flat=True)) == set(PurchaseOrderStatus)
    now = timezone.now()
    for po in PurchaseOrder.objects.prefetch_related("events"):
        times = [event.created_at for event in po.events.all()]
        assert times == sorted(times) and times[0] == po.created_at and times[-1] <= now
        # PO + the day it was created (Beijing time) + 8 digits, also for the demo's backdated POs
        assert po.po_no[2:8] == po_day(po.created_at), (po.po_no, po.created_at)


def test_demo_receipts_name_their_purchase_order(demo):
    for po in PurchaseOrder.objects.exclude(received_at=None):
        assert StockMovement.objects.filter(note=f"PO {po.po_no}").exists(), po.po_no


def test_order_histories_are_in_order_and_in_the_past(demo):
    now = timezone.now()
    for order in Order.objects.prefetch_related("events"):
        times = [event.created_at for event in order.events.all()]
        assert times == sorted(times)
        assert times[0] == order.created_at
        assert times[-1] <= now
    # Pending orders are fresh enough that a customer can still pay them.
    assert not Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, expires_at__lt=now).exists()


# --- Admin ----------------------------------------------------------------------------------------------


@pytest.fixture
def small_demo(db) -> None:
    """Enough for the admin pages: every status appears from 16 orders on."""
    call_command("demo", orders=20, verbosity=0)


@pytest.fixture
def admin_client(small_demo, client):
    assert client.login(request=RequestFactory().post("/admin/login/"), username="admin", password="admin")
    return client


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_admin_page_renders(admin_client):
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username="admin")
    for model, model_admin in admin.site._registry.items():
        assert admin_client.get(_url(model, "changelist")).status_code == 200, model
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200, model
        add = admin_client.get(_url(model, "add"))
        assert add.status_code == (200 if model_admin.has_add_permission(request) else 403), model
    for model, query in [
        (Order, "?status=pending_payment&q=alice"),
        (Order, "?q=26"),
        (Stock, "?availability=low&q=TEA"),
        (Stock, "?availability=out"),
        (StockMovement, "?kind=reserve&q=TEA-001-50G"),
    ]:
        assert admin_client.get(_url(model, "changelist") + query).status_code == 200, query


def _run_action(client, action: str, orders: list[Order]):
    data = {"action": action, "_selected_action": [order.pk for order in orders], "index": 0}
    response = client.post(_url(Order, "changelist"), data, follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_cancel_action_cancels_pending_and_reports_the_rest(admin_client):
    pending = Order.objects.filter(status=OrderStatus.PENDING_PAYMENT).first()
    completed = Order.objects.filter(status=OrderStatus.COMPLETED).first()

    messages = _run_action(admin_client, "cancel_selected", [pending, completed])

    pending.refresh_from_db()
    completed.refresh_from_db()
    assert pending.status == OrderStatus.CANCELLED
    assert pending.events.last().actor.username == "admin"
    assert not pending.allocations.filter(status=Allocation.Status.RESERVED).exists()
    assert completed.status == OrderStatus.COMPLETED
    assert any(completed.order_no in message for message in messages)


def test_offline_payment_action_pays_a_pending_order(admin_client):
    pending = Order.objects.filter(status=OrderStatus.PENDING_PAYMENT).first()

    _run_action(admin_client, "record_payment_offline", [pending])

    pending.refresh_from_db()
    assert pending.status == OrderStatus.PAID
    assert pending.paid_at is not None


def test_order_manager_sees_items_and_events_but_cannot_edit(small_demo, client):
    assert client.login(request=RequestFactory().post("/admin/login/"), username="ops", password="ops")
    order = Order.objects.filter(status=OrderStatus.COMPLETED).first()

    page = client.get(_url(Order, "change", order.pk))

    assert page.status_code == 200
    assert order.items.first().sku_code in page.content.decode()
    assert client.post(_url(Order, "change", order.pk), {}).status_code == 403
    assert client.get(_url(Order, "add")).status_code == 403


def test_setting_on_hand_in_the_admin_goes_through_the_service(admin_client):
    stock = Stock.objects.order_by("pk").first()
    target = stock.on_hand + 7

    response = admin_client.post(_url(Stock, "change", stock.pk), {"new_on_hand": target, "note": "recount"})

    assert response.status_code == 302
    stock.refresh_from_db()
    assert stock.on_hand == target
    movement = stock.movements.first()
    assert (movement.on_hand_delta, movement.note, movement.actor.username) == (7, "recount", "admin")


def test_on_hand_below_reserved_is_an_error_message_not_a_500(admin_client):
    stock = Stock.objects.filter(reserved__gt=0).first()
    on_hand = stock.on_hand

    response = admin_client.post(
        _url(Stock, "change", stock.pk), {"new_on_hand": stock.reserved - 1, "note": ""}, follow=True
    )

    assert response.status_code == 200
    assert any("reserved" in str(message) for message in response.context["messages"])
    stock.refresh_from_db()
    assert stock.on_hand == on_hand


def test_adding_stock_in_the_admin_writes_a_receipt(admin_client):
    stock = Stock.objects.order_by("pk").first()
    elsewhere = Warehouse.objects.exclude(stocks__sku=stock.sku).first()

    response = admin_client.post(
        _url(Stock, "add"), {"sku": stock.sku_id, "warehouse": elsewhere.pk, "new_on_hand": 12, "note": ""}
    )

    assert response.status_code == 302
    added = Stock.objects.get(sku=stock.sku, warehouse=elsewhere)
    assert added.on_hand == 12
    assert added.movements.get().kind == StockMovement.Kind.RECEIPT


def test_exception_orders_stay_for_staff_after_the_periodic_jobs_run(demo):
    """The console's exception queue shows the demo's failed payments and shipments until staff act on them."""
    waiting = dict(
        Order.objects.filter(status__in=EXCEPTION_STATES).values_list("order_no", "status").order_by("order_no")
    )
    assert {OrderStatus.PAYMENT_FAILED, OrderStatus.SHIPMENT_FAILED} <= set(waiting.values())

    # Every periodic job that could touch an order, once, as the scheduler runs them at start.
    payment_tasks.expire_unpaid_orders()
    payment_tasks.reconcile_stale_payments()
    payment_tasks.resume_stuck_refunds()
    shipping_tasks.auto_complete_orders()
    shipping_tasks.poll_carriers()

    after = dict(Order.objects.filter(order_no__in=waiting).values_list("order_no", "status").order_by("order_no"))
    assert after == waiting
    assert {entry.order_no for entry in exception_queue()} >= set(waiting)

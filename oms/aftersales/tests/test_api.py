"""The returns API: the whole path through HTTP, the error format, and who may do what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from oms.accounts.tests.factories import UserFactory
from oms.aftersales.tests.factories import delivered_order, requested_return
from oms.inventory.models import StockMovement
from oms.inventory.tests.factories import WarehouseFactory, stock_of
from oms.payments import balance
from oms.shipping.models import ShipmentStatus
from oms.shipping.tests.factories import stocked_sku
from oms.shipping.tests.helpers import send_event

pytestmark = pytest.mark.django_db


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code and body["message"]
    return body


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def warehouse():
    return WarehouseFactory()


@pytest.fixture
def tea(warehouse):
    return stocked_sku(warehouse, on_hand=10, price="30.00")


@pytest.fixture
def order(customer, staff, address, tea):
    return delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 2)])


def request_return(client, order_no: str, *lines, reason: str = "Does not fit"):
    items = [{"sku": sku, "quantity": quantity} for sku, quantity in lines]
    return client.post(f"/api/v1/orders/{order_no}/returns/", {"items": items, "reason": reason}, format="json")


@pytest.mark.django_db(transaction=True)
def test_a_return_from_delivery_to_refund(customer_client, staff_client, customer, staff, address, warehouse):
    tea = stocked_sku(warehouse, on_hand=5, price="30.00")
    balance.top_up_balance(customer=customer, amount=Decimal("100.00"), actor=staff, reason="gift card")
    balance.set_payment_password(customer=customer, raw_password="135790")
    placed = ok(
        customer_client.post(
            "/api/v1/orders/",
            {"items": [{"sku": tea.code, "quantity": 2}], "shipping_address": address, "payment_method": "balance"},
            format="json",
        ),
        201,
    )
    order_no = placed["order_no"]
    ok(
        customer_client.post(
            f"/api/v1/orders/{order_no}/pay/", {"method": "balance", "payment_password": "135790"}, format="json"
        )
    )
    [parcel] = ok(staff_client.post(f"/api/v1/orders/{order_no}/confirm/"))["shipments"]
    ok(
        staff_client.post(
            f"/api/v1/shipments/{parcel['id']}/ship/", {"carrier": "sim", "tracking_no": "SIM-R1"}, format="json"
        )
    )
    assert send_event(tracking_no="SIM-R1", status=ShipmentStatus.DELIVERED, event_id="d1").status_code == 200
    assert ok(customer_client.get("/api/v1/me/balance/"))["balance"] == "30.00"  # 100 - (60 + 10 shipping)

    assert ok(customer_client.get(f"/api/v1/orders/{order_no}/returnable/"))[0]["returnable"] == 2
    created = ok(request_return(customer_client, order_no, (tea.code, 1), reason="Too strong"), 201)
    assert (created["status"], created["order_no"], created["customer"]) == ("requested", order_no, "alice")
    assert [(line["sku"], line["quantity"], line["warehouse"]) for line in created["lines"]] == [
        (tea.code, 1, warehouse.code)
    ]
    return_id = created["id"]
    assert [r["id"] for r in ok(customer_client.get("/api/v1/returns/"))["results"]] == [return_id]
    assert ok(staff_client.get("/api/v1/returns/?status=requested"))["results"][0]["id"] == return_id

    ok(staff_client.post(f"/api/v1/returns/{return_id}/approve/", {"reason": "OK, send it"}, format="json"))
    shipped = ok(
        customer_client.post(
            f"/api/v1/returns/{return_id}/ship/", {"carrier": "SF", "tracking_no": "SF123"}, format="json"
        )
    )
    assert (shipped["status"], shipped["carrier"], shipped["tracking_no"]) == ("shipped", "SF", "SF123")
    received = ok(staff_client.post(f"/api/v1/returns/{return_id}/receive/", {"restock": True}, format="json"))

    assert (received["status"], received["restocked"], received["refund_error"]) == ("refunded", True, None)
    assert (received["refund"]["amount"], received["refund"]["status"]) == ("30.00", "succeeded")
    assert [e["to_status"] for e in received["events"]] == ["requested", "approved", "shipped", "received", "refunded"]
    assert [e["actor"] for e in received["events"]] == ["alice", "staffer", "alice", "staffer", "staffer"]
    assert ok(customer_client.get("/api/v1/me/balance/"))["balance"] == "60.00"
    assert stock_of(tea, warehouse).on_hand == 4
    assert StockMovement.objects.filter(kind="return", stock__sku=tea).count() == 1

    detail = ok(customer_client.get(f"/api/v1/orders/{order_no}/"))
    assert detail["status"] == "shipped"
    assert detail["payments"][0]["refunded_amount"] == "30.00"
    assert [(r["id"], r["status"], r["lines"]) for r in detail["returns"]] == [
        (return_id, "refunded", [{"sku": tea.code, "quantity": 1}])
    ]
    assert f"Return #{return_id} refunded" in [e["reason"].split(":")[0] for e in detail["events"]]


def test_window_closed_and_quantity_exceeded_are_conflicts(customer, customer_client, staff, address, tea, order):
    body = error(request_return(customer_client, order.order_no, (tea.code, 3)), 409, "return_quantity_exceeded")
    assert body["details"]["returnable"] == 2
    ok(request_return(customer_client, order.order_no, (tea.code, 2)), 201)
    body = error(request_return(customer_client, order.order_no, (tea.code, 1)), 409, "return_quantity_exceeded")
    assert body["details"]["already_returned_or_requested"] == 2

    late = delivered_order(
        customer=customer, staff=staff, address=address, lines=[(tea, 1)], delivered_at=timezone.now() - timedelta(8)
    )
    body = error(request_return(customer_client, late.order_no, (tea.code, 1)), 409, "return_window_closed")
    assert body["details"]["window_days"] == 7


def test_bad_input_is_a_400_never_a_500(customer_client, staff_client, tea, order):
    url = f"/api/v1/orders/{order.order_no}/returns/"
    error(customer_client.post(url, {"items": [], "reason": "x"}, format="json"), 400, "validation_error")
    error(
        customer_client.post(url, {"items": [{"sku": tea.code, "quantity": 1}]}, format="json"), 400, "validation_error"
    )
    duplicate = {"items": [{"sku": tea.code, "quantity": 1}] * 2, "reason": "x"}
    error(customer_client.post(url, duplicate, format="json"), 400, "validation_error")
    extra = {"items": [{"sku": tea.code, "quantity": 1}], "reason": "x", "refund": "all"}
    error(customer_client.post(url, extra, format="json"), 400, "validation_error")
    error(customer_client.post(url, "not json", content_type="application/json"), 400, "parse_error")
    error(request_return(customer_client, order.order_no, ("NOPE", 1)), 400, "validation_error")
    error(request_return(customer_client, "NOPE\x00", (tea.code, 1)), 400, "validation_error")  # NUL: never a query
    error(staff_client.get("/api/v1/returns/?status=lost"), 400, "validation_error")
    error(staff_client.get(f"/api/v1/returns/{2**63}/"), 404, "not_found")

    created = requested_return(order, (tea.code, 1))
    error(staff_client.post(f"/api/v1/returns/{created.pk}/reject/", {}, format="json"), 400, "validation_error")
    ship = {"carrier": "SF", "tracking_no": "SF\x001"}
    error(staff_client.post(f"/api/v1/returns/{created.pk}/ship/", ship, format="json"), 400, "validation_error")


def test_illegal_moves_are_invalid_return_transition(customer_client, staff_client, tea, order):
    created = requested_return(order, (tea.code, 1))
    ship = {"carrier": "SF", "tracking_no": "SF1"}
    body = error(
        customer_client.post(f"/api/v1/returns/{created.pk}/ship/", ship, format="json"),
        409,
        "invalid_return_transition",
    )
    assert body["details"] == {"current_status": "requested", "requested_status": "shipped"}
    ok(staff_client.post(f"/api/v1/returns/{created.pk}/reject/", {"reason": "Used"}, format="json"))
    error(staff_client.post(f"/api/v1/returns/{created.pk}/approve/"), 409, "invalid_return_transition")
    error(customer_client.post(f"/api/v1/returns/{created.pk}/cancel/"), 409, "invalid_return_transition")
    error(staff_client.post(f"/api/v1/returns/{created.pk}/refund/"), 409, "invalid_return_transition")


def test_reject_and_cancel(customer_client, staff_client, tea, order):
    first = requested_return(order, (tea.code, 2))
    rejected = ok(staff_client.post(f"/api/v1/returns/{first.pk}/reject/", {"reason": "Opened"}, format="json"))
    assert (rejected["status"], rejected["events"][-1]["reason"]) == ("rejected", "Opened")

    second = ok(request_return(customer_client, order.order_no, (tea.code, 2)), 201)
    ok(staff_client.post(f"/api/v1/returns/{second['id']}/approve/"))
    cancelled = ok(
        customer_client.post(f"/api/v1/returns/{second['id']}/cancel/", {"reason": "Kept it"}, format="json")
    )
    assert (cancelled["status"], cancelled["events"][-1]["reason"]) == ("cancelled", "Kept it")
    ok(request_return(customer_client, order.order_no, (tea.code, 2)), 201)


def test_who_may_do_what(customer_client, staff_client, customer, other_customer, staff, address, tea, order):
    created = requested_return(order, (tea.code, 1))
    base = f"/api/v1/returns/{created.pk}"
    # The customer cannot decide on, receive or refund their own return.
    for action in ("approve", "reject", "receive", "refund"):
        error(customer_client.post(f"{base}/{action}/", {"reason": "x"}, format="json"), 403, "permission_denied")
    # Another customer does not even see it, nor the order.
    stranger = client_for(other_customer)
    error(stranger.get(f"{base}/"), 404, "not_found")
    error(stranger.post(f"{base}/cancel/"), 404, "not_found")
    error(stranger.post(f"{base}/ship/", {"carrier": "SF", "tracking_no": "1"}, format="json"), 404, "not_found")
    error(request_return(stranger, order.order_no, (tea.code, 1)), 404, "not_found")
    assert ok(stranger.get("/api/v1/returns/"))["results"] == []
    # Staff see everything but only the customer asks for a return; staff outside the groups have no rights.
    error(request_return(staff_client, order.order_no, (tea.code, 1)), 403, "permission_denied")
    bare_staff = client_for(UserFactory(username="intern", is_staff=True))
    error(bare_staff.get(f"{base}/"), 404, "not_found")
    error(bare_staff.post(f"{base}/approve/"), 403, "permission_denied")
    error(APIClient().get("/api/v1/returns/"), 401, "not_authenticated")
    # Staff who manage returns may act for the customer too.
    ok(staff_client.post(f"{base}/approve/"))
    shipped = ok(staff_client.post(f"{base}/ship/", {"carrier": "SF", "tracking_no": "SF5"}, format="json"))
    assert shipped["events"][-1]["actor"] == "staffer"


def test_a_failed_refund_answers_200_with_the_error_then_the_retry_refunds(
    customer_client, staff_client, tea, order, monkeypatch
):
    from oms.aftersales import services
    from oms.payments.errors import GatewayError

    created = requested_return(order, (tea.code, 1))
    base = f"/api/v1/returns/{created.pk}"
    ok(staff_client.post(f"{base}/approve/"))
    ok(customer_client.post(f"{base}/ship/", {"carrier": "SF", "tracking_no": "SF1"}, format="json"))

    def gateway_down(**kwargs):
        raise GatewayError("The gateway timed out.")

    monkeypatch.setattr(services, "refund_order", gateway_down)
    received = ok(staff_client.post(f"{base}/receive/", {}, format="json"))
    assert (received["status"], received["refund_error"]["code"]) == ("received", "gateway_error")
    monkeypatch.undo()

    refunded = ok(staff_client.post(f"{base}/refund/"))
    assert (refunded["status"], refunded["refund"]["amount"]) == ("refunded", "30.00")


def test_the_list_takes_the_same_queries_for_one_return_or_many(customer, staff, staff_client, address, tea):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    order = delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 5)])
    requested_return(order, (tea.code, 1))
    staff_client.get("/api/v1/returns/")  # warm up: permission caches on the user object
    with CaptureQueriesContext(connection) as one:
        ok(staff_client.get("/api/v1/returns/"))
    for _ in range(4):
        requested_return(order, (tea.code, 1))
    with CaptureQueriesContext(connection) as five:
        assert len(ok(staff_client.get("/api/v1/returns/"))["results"]) == 5
    assert len(five) == len(one), "\n".join(q["sql"] for q in five.captured_queries)

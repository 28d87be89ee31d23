"""The order API: placement, idempotency, bad input, visibility, filters, pagination, cancel, mark-paid."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from oms.accounts.tests.factories import UserFactory
from oms.catalog.tests.factories import SkuFactory
from oms.inventory.models import Allocation, Stock, StockMovement
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku
from oms.orders import services
from oms.orders.models import Order, OrderEvent, OrderItem
from oms.orders.states import OrderStatus
from oms.orders.tests.factories import pending_order
from oms.payments.balance import top_up_balance

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def order_body(address: dict, *lines: tuple[str, int]) -> dict:
    return {"items": [{"sku": code, "quantity": qty} for code, qty in lines], "shipping_address": address}


def place(client: APIClient, body, *, key: str | None = None, **kwargs):
    headers = {"Idempotency-Key": key} if key is not None else {}
    if isinstance(body, str):
        return client.post(ORDERS, body, content_type="application/json", headers=headers, **kwargs)
    return client.post(ORDERS, body, format="json", headers=headers, **kwargs)


def written_state() -> tuple:
    """Everything an order placement could write, to prove a refused request wrote nothing."""
    return (
        Order.objects.count(),
        OrderItem.objects.count(),
        OrderEvent.objects.count(),
        Allocation.objects.count(),
        StockMovement.objects.count(),
        list(Stock.objects.order_by("pk").values_list("pk", "on_hand", "reserved")),
    )


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def bob_client(bob) -> APIClient:
    client = APIClient()
    client.force_authenticate(bob)
    return client


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(code="SH1", priority=1)


@pytest.fixture
def sku(warehouse):
    return stock_sku(warehouse=warehouse, on_hand=10, code="TEA-GREEN", price=Decimal("19.90"))


# --- Placement ----------------------------------------------------------------------------------------------


def test_place_order_returns_201_with_server_side_prices(customer_client, sku, warehouse, address, settings):
    settings.OMS_SHIPPING_FEE = Decimal("10.00")
    settings.OMS_FREE_SHIPPING_THRESHOLD = Decimal("99.00")

    response = place(customer_client, order_body(address, (sku.code, 2)), key="key-1")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending_payment"
    assert body["customer"] == "alice"
    assert body["currency"] == "CNY"
    assert body["subtotal"] == "39.80"
    assert body["shipping_fee"] == "10.00"
    assert body["total_amount"] == "49.80"
    assert Decimal(body["subtotal"]) + Decimal(body["shipping_fee"]) == Decimal(body["total_amount"])
    assert body["items"] == [
        {"sku": "TEA-GREEN", "name": sku.name, "unit_price": "19.90", "quantity": 2, "line_total": "39.80"}
    ]
    assert body["shipping_address"] == address
    assert body["paid_at"] is None
    assert len(body["order_no"]) == 20 and body["order_no"].isdigit()
    created_at, expires_at = parse_datetime(body["created_at"]), parse_datetime(body["expires_at"])
    assert expires_at - created_at == timedelta(minutes=30)
    assert abs(timezone.now() - created_at) < timedelta(minutes=1)
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in body["events"]] == [
        ("", "pending_payment", "alice")
    ]
    stock = stock_of(sku, warehouse)
    assert (stock.on_hand, stock.reserved) == (10, 2)


def test_a_balance_order_the_balance_does_not_cover_is_refused_before_anything_is_written(
    customer, customer_client, sku, warehouse, address
):
    top_up_balance(customer=customer, amount=Decimal("20.00"), actor=None, reason="test")
    body = order_body(address, (sku.code, 2)) | {"payment_method": "balance"}  # 39.80 + shipping

    refused = assert_error(place(customer_client, body), 409, "insufficient_balance")

    assert refused["details"] == {"balance": "20.00", "required": "49.80"}
    assert Order.objects.count() == 0 and StockMovement.objects.count() == 1  # the opening stock only
    assert place(customer_client, order_body(address, (sku.code, 2)), key="other").status_code == 201  # Alipay


def test_client_cannot_set_prices(customer_client, sku, address):
    body = order_body(address, (sku.code, 1))
    body["items"][0]["unit_price"] = "0.01"
    assert_error(place(customer_client, body), 400, "validation_error")
    body = order_body(address, (sku.code, 1)) | {"total_amount": "0.01"}
    assert_error(place(customer_client, body), 400, "validation_error")


@pytest.mark.parametrize(
    ("price", "quantity", "threshold", "fee", "total"),
    [
        ("33.00", 3, "99.00", "0.00", "99.00"),  # exactly the threshold: free
        ("98.99", 1, "99.00", "10.00", "108.99"),  # one cent below: fee
        ("150.00", 1, "99.00", "0.00", "150.00"),
        ("150.00", 1, None, "10.00", "160.00"),  # no threshold: never free
        ("0.10", 3, "99.00", "10.00", "10.30"),
    ],
)
def test_shipping_fee_follows_settings(
    customer_client, warehouse, address, settings, price, quantity, threshold, fee, total
):
    settings.OMS_SHIPPING_FEE = Decimal("10.00")
    settings.OMS_FREE_SHIPPING_THRESHOLD = Decimal(threshold) if threshold else None
    sku = stock_sku(warehouse=warehouse, on_hand=10, price=Decimal(price))

    body = place(customer_client, order_body(address, (sku.code, quantity))).json()

    assert (body["shipping_fee"], body["total_amount"]) == (fee, total)


def test_shipping_fee_amount_comes_from_settings(customer_client, sku, address, settings):
    settings.OMS_SHIPPING_FEE = Decimal("7.5")
    settings.OMS_FREE_SHIPPING_THRESHOLD = None

    body = place(customer_client, order_body(address, (sku.code, 1))).json()

    assert (body["subtotal"], body["shipping_fee"], body["total_amount"]) == ("19.90", "7.50", "27.40")


def test_placed_order_keeps_its_prices_when_the_catalog_changes(customer_client, sku, address):
    order_no = place(customer_client, order_body(address, (sku.code, 1))).json()["order_no"]
    sku.price = Decimal("99.00")
    sku.name = "Renamed"
    sku.save()

    item = customer_client.get(f"{ORDERS}{order_no}/").json()["items"][0]

    assert (item["unit_price"], item["name"]) == ("19.90", "Item TEA-GREEN")


def test_order_numbers_are_unique(customer_client, sku, address):
    numbers = {place(customer_client, order_body(address, (sku.code, 1))).json()["order_no"] for _ in range(5)}
    assert len(numbers) == 5
    assert all(len(n) == 20 and n.isdigit() for n in numbers)


def test_available_goes_down_by_the_reserved_units(customer_client, sku, address):
    place(customer_client, order_body(address, (sku.code, 3)))
    listed = customer_client.get("/api/v1/skus/", {"code": sku.code}).json()["results"]
    assert listed[0]["available"] == 7


def test_replay_returns_the_same_order_with_200(customer_client, sku, warehouse, address):
    body = order_body(address, (sku.code, 2))
    first = place(customer_client, body, key="replay-1")
    state = written_state()

    second = place(customer_client, body, key="replay-1")

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["order_no"] == first.json()["order_no"]
    assert second.json()["total_amount"] == first.json()["total_amount"]
    assert written_state() == state
    assert stock_of(sku, warehouse).reserved == 2


def test_replay_with_lines_in_another_order_is_still_a_replay(customer_client, warehouse, address):
    a = stock_sku(warehouse=warehouse, on_hand=5)
    b = stock_sku(warehouse=warehouse, on_hand=5)
    first = place(customer_client, order_body(address, (a.code, 1), (b.code, 2)), key="k")
    second = place(customer_client, order_body(address, (b.code, 2), (a.code, 1)), key="k")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["order_no"] == second.json()["order_no"]


@pytest.mark.parametrize(
    "change",
    [
        lambda body: body["items"][0].update(quantity=3),
        lambda body: body["shipping_address"].update(phone="13900139000"),
    ],
    ids=["quantity", "address"],
)
def test_same_key_with_a_different_body_is_422(customer_client, sku, address, change):
    first = place(customer_client, order_body(address, (sku.code, 2)), key="reused")
    state = written_state()
    other = order_body(dict(address), (sku.code, 2))
    change(other)

    response = place(customer_client, other, key="reused")

    body = assert_error(response, 422, "idempotency_key_reused")
    assert body["details"]["order_no"] == first.json()["order_no"]
    assert written_state() == state


def test_idempotency_keys_belong_to_one_customer(customer_client, bob_client, sku, address):
    body = order_body(address, (sku.code, 1))
    mine = place(customer_client, body, key="shared-key")
    theirs = place(bob_client, body, key="shared-key")
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["order_no"] != theirs.json()["order_no"]


def test_without_a_key_every_post_is_a_new_order(customer_client, sku, address):
    body = order_body(address, (sku.code, 1))
    assert place(customer_client, body).status_code == 201
    assert place(customer_client, body).status_code == 201
    assert Order.objects.count() == 2


def test_idempotency_key_of_128_characters_is_accepted(customer_client, sku, address):
    assert place(customer_client, order_body(address, (sku.code, 1)), key="k" * 128).status_code == 201


def test_insufficient_stock_names_only_the_short_skus_and_writes_nothing(customer_client, warehouse, address):
    plenty = stock_sku(warehouse=warehouse, on_hand=10, code="PLENTY")
    scarce = stock_sku(warehouse=warehouse, on_hand=1, code="SCARCE")
    unstocked = SkuFactory(code="NONE-AT-ALL")
    state = written_state()

    response = place(
        customer_client, order_body(address, (plenty.code, 2), (scarce.code, 5), (unstocked.code, 1)), key="k"
    )

    body = assert_error(response, 409, "insufficient_stock")
    assert body["details"]["skus"] == ["NONE-AT-ALL", "SCARCE"]
    assert written_state() == state
    # The key was not used up: the same key works once the order can be filled.
    assert place(customer_client, order_body(address, (plenty.code, 2)), key="k").status_code == 201


def test_stock_held_by_other_orders_is_not_available(customer_client, bob_client, sku, address):
    assert place(bob_client, order_body(address, (sku.code, 8))).status_code == 201
    body = assert_error(place(customer_client, order_body(address, (sku.code, 3))), 409, "insufficient_stock")
    assert body["details"]["skus"] == [sku.code]
    assert place(customer_client, order_body(address, (sku.code, 2))).status_code == 201


def test_inactive_warehouse_stock_is_not_sold(customer_client, address):
    closed = WarehouseFactory(code="CLOSED", priority=1, is_active=False)
    sku = stock_sku(warehouse=closed, on_hand=10)
    assert_error(place(customer_client, order_body(address, (sku.code, 1))), 409, "insufficient_stock")


def _allocations(order_no: str) -> dict[str, int]:
    return dict(Allocation.objects.filter(order__order_no=order_no).values_list("stock__warehouse__code", "quantity"))


def test_line_goes_whole_to_the_best_warehouse_that_can_hold_it(customer_client, address):
    first = WarehouseFactory(code="W1", priority=1)
    second = WarehouseFactory(code="W2", priority=2)
    third = WarehouseFactory(code="W3", priority=3)
    sku = stock_sku(warehouse=first, on_hand=3)
    stock_sku(sku=sku, warehouse=second, on_hand=10)
    stock_sku(sku=sku, warehouse=third, on_hand=10)

    order_no = place(customer_client, order_body(address, (sku.code, 5))).json()["order_no"]

    assert _allocations(order_no) == {"W2": 5}
    assert [stock_of(sku, w).reserved for w in (first, second, third)] == [0, 5, 0]


def test_line_goes_to_the_first_warehouse_when_it_can_hold_it(customer_client, address):
    first = WarehouseFactory(code="W1", priority=1)
    second = WarehouseFactory(code="W2", priority=2)
    sku = stock_sku(warehouse=second, on_hand=10)
    stock_sku(sku=sku, warehouse=first, on_hand=10)

    order_no = place(customer_client, order_body(address, (sku.code, 10))).json()["order_no"]

    assert _allocations(order_no) == {"W1": 10}


def test_line_is_split_by_priority_when_no_warehouse_can_hold_it(customer_client, address):
    first = WarehouseFactory(code="W1", priority=1)
    second = WarehouseFactory(code="W2", priority=2)
    third = WarehouseFactory(code="W3", priority=3)
    sku = stock_sku(warehouse=third, on_hand=2)
    stock_sku(sku=sku, warehouse=second, on_hand=4)
    stock_sku(sku=sku, warehouse=first, on_hand=3)

    response = place(customer_client, order_body(address, (sku.code, 8)))

    assert response.status_code == 201
    assert _allocations(response.json()["order_no"]) == {"W1": 3, "W2": 4, "W3": 1}
    assert [stock_of(sku, w).reserved for w in (first, second, third)] == [3, 4, 1]
    assert response.json()["items"][0]["quantity"] == 8


def test_many_lines_in_one_order(customer_client, warehouse, address):
    skus = [stock_sku(warehouse=warehouse, on_hand=5) for _ in range(100)]
    response = place(customer_client, order_body(address, *[(s.code, 1) for s in skus]))
    assert response.status_code == 201
    assert len(response.json()["items"]) == 100
    assert set(Stock.objects.values_list("reserved", flat=True)) == {1}


# --- Bad input: 4xx JSON, never 500, nothing written --------------------------------------------------------


def _without(field: str):
    def change(body):
        del body["shipping_address"][field]

    return change


def _set_item(**fields):
    return lambda body: body["items"][0].update(fields)


def _set_address(**fields):
    return lambda body: body["shipping_address"].update(fields)


def _set(**fields):
    return lambda body: body.update(fields)


BAD_BODIES = {
    "items empty": _set(items=[]),
    "items missing": lambda body: body.pop("items"),
    "items null": _set(items=None),
    "items an object": _set(items={"sku": "TEA-GREEN", "quantity": 1}),
    "item a string": _set(items=["TEA-GREEN"]),
    "101 lines": _set(items=[{"sku": f"S{n}", "quantity": 1} for n in range(101)]),
    "duplicate skus": _set(items=[{"sku": "TEA-GREEN", "quantity": 1}, {"sku": "TEA-GREEN", "quantity": 2}]),
    "unknown sku": _set_item(sku="NO-SUCH-SKU"),
    "sku missing": lambda body: body["items"][0].pop("sku"),
    "sku a number": _set_item(sku=123456789012345678901234567890),
    "sku huge": _set_item(sku="X" * 100_000),
    "quantity 0": _set_item(quantity=0),
    "quantity 1000": _set_item(quantity=1000),
    "quantity -1": _set_item(quantity=-1),
    "quantity abc": _set_item(quantity="abc"),
    "quantity 1.5": _set_item(quantity=1.5),
    "quantity 10**40": _set_item(quantity=10**40),
    "quantity true": _set_item(quantity=True),
    "quantity null": _set_item(quantity=None),
    "quantity missing": lambda body: body["items"][0].pop("quantity"),
    "quantity a list": _set_item(quantity=[1]),
    "unknown item field": _set_item(price="0.01"),
    "unknown top-level field": _set(customer="bob"),
    "unknown address field": _set_address(email="a@example.com"),
    "address missing": lambda body: body.pop("shipping_address"),
    "address null": _set(shipping_address=None),
    "address a string": _set(shipping_address="1 Century Avenue"),
    "address a list": _set(shipping_address=[]),
    "phone abc": _set_address(phone="abc"),
    "phone a number": _set_address(phone=[13800138000]),
    "postal code bad": _set_address(postal_code="!!"),
    "name huge": _set_address(name="N" * 10_000),
    "address huge": _set_address(address="A" * 1_000_000),
    "name blank": _set_address(name="   "),
    "name with NUL": _set_address(name="Li\x00Lei"),
    **{f"{field} missing": _without(field) for field in
       ("name", "phone", "province", "city", "district", "address", "postal_code")},
}  # fmt: skip


@pytest.mark.parametrize("change", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_body_is_400_and_writes_nothing(customer_client, sku, address, change):
    body = order_body(address, (sku.code, 1))
    change(body)
    state = written_state()

    response = place(customer_client, body, key="bad-input")

    assert_error(response, 400, "validation_error")
    assert written_state() == state


def test_inactive_sku_is_refused(customer_client, sku, address):
    sku.is_active = False
    sku.save()
    state = written_state()
    body = assert_error(place(customer_client, order_body(address, (sku.code, 1))), 400, "validation_error")
    assert body["details"] == {"unknown_skus": [sku.code]}
    assert written_state() == state


def test_unknown_sku_is_named(customer_client, sku, address):
    response = place(customer_client, order_body(address, (sku.code, 1), ("NO-SUCH", 1)))
    assert assert_error(response, 400, "validation_error")["details"] == {"unknown_skus": ["NO-SUCH"]}


def test_missing_address_field_is_named(customer_client, sku, address):
    del address["phone"]
    body = assert_error(place(customer_client, order_body(address, (sku.code, 1))), 400, "validation_error")
    assert "phone" in body["details"]["shipping_address"]


RAW_BODIES = {
    "malformed JSON": ('{"items": [', "parse_error"),
    "not JSON at all": ("items=1", "parse_error"),
    "NaN": ('{"items": [{"sku": "TEA-GREEN", "quantity": NaN}]}', "parse_error"),
    "deeply nested": ("[" * 100_000 + "]" * 100_000, "parse_error"),
    "invalid UTF-8": (b'{"items": "\xff\xfe"}', "parse_error"),
    "empty body": ("", "validation_error"),
    "a list": ("[]", "validation_error"),
    "a string": ('"order"', "validation_error"),
    "null": ("null", "validation_error"),
}


@pytest.mark.parametrize(("raw", "code"), RAW_BODIES.values(), ids=RAW_BODIES.keys())
def test_unparsable_body_is_400_and_writes_nothing(customer_client, sku, raw, code):
    state = written_state()
    response = customer_client.post(ORDERS, raw, content_type="application/json")
    assert_error(response, 400, code)
    assert written_state() == state


def test_body_larger_than_the_upload_limit_is_400_json(customer_client, sku, address, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = order_body(address, (sku.code, 1))
    body["shipping_address"]["address"] = "A" * 20_000
    state = written_state()
    assert_error(place(customer_client, body), 400, "parse_error")
    assert written_state() == state


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_wrong_content_type_is_415(customer_client, sku, address, content_type):
    state = written_state()
    response = customer_client.post(ORDERS, json.dumps(order_body(address, (sku.code, 1))), content_type=content_type)
    assert_error(response, 415, "unsupported_media_type")
    assert written_state() == state


def test_multipart_form_is_415(customer_client, sku):
    response = customer_client.post(ORDERS, {"items": sku.code}, format="multipart")
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("key", ["k" * 129, "   "])
def test_bad_idempotency_key_is_400(customer_client, sku, address, key):
    state = written_state()
    body = assert_error(place(customer_client, order_body(address, (sku.code, 1)), key=key), 400, "validation_error")
    assert "Idempotency-Key" in body["details"]
    assert written_state() == state


def test_anonymous_cannot_place_orders(api_client, sku, address):
    state = written_state()
    assert_error(place(api_client, order_body(address, (sku.code, 1))), 401, "not_authenticated")
    assert written_state() == state


# --- Visibility ---------------------------------------------------------------------------------------------


def test_customer_lists_only_own_orders(customer_client, customer, bob, sku, address):
    mine = pending_order(customer, address, (sku, 1))
    pending_order(bob, address, (sku, 1))

    results = customer_client.get(ORDERS).json()["results"]

    assert [o["order_no"] for o in results] == [mine.order_no]


def test_customer_list_ignores_a_customer_filter_for_someone_else(customer_client, customer, bob, sku, address):
    pending_order(bob, address, (sku, 1))
    assert customer_client.get(ORDERS, {"customer": "bob"}).json()["results"] == []


def test_staff_lists_everyones_orders(staff_client, customer, bob, sku, address):
    orders = {pending_order(customer, address, (sku, 1)).order_no, pending_order(bob, address, (sku, 1)).order_no}
    assert {o["order_no"] for o in staff_client.get(ORDERS).json()["results"]} == orders


def test_list_item_shape(customer_client, customer, sku, address):
    pending_order(customer, address, (sku, 2))
    row = customer_client.get(ORDERS).json()["results"][0]
    assert {"order_no", "status", "customer", "total_amount", "items", "created_at", "expires_at"} <= set(row)
    assert row["items"][0]["sku"] == sku.code


def test_other_customers_order_is_404_never_403(customer_client, bob, sku, warehouse, address):
    theirs = pending_order(bob, address, (sku, 1))
    for response in (
        customer_client.get(f"{ORDERS}{theirs.order_no}/"),
        customer_client.post(f"{ORDERS}{theirs.order_no}/cancel/", {}, format="json"),
    ):
        assert_error(response, 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.PENDING_PAYMENT
    assert stock_of(sku, warehouse).reserved == 1


@pytest.mark.parametrize("order_no", ["00000000000000000000", "abc", "x" * 300])  # NUL: a 400 (test_errors)
def test_unknown_order_is_404(customer_client, order_no):
    assert_error(customer_client.get(f"{ORDERS}{order_no}/"), 404, "not_found")
    assert_error(customer_client.post(f"{ORDERS}{order_no}/cancel/", {}, format="json"), 404, "not_found")


def test_staff_sees_any_order_in_detail(staff_client, customer, sku, address):
    order = pending_order(customer, address, (sku, 1))
    body = staff_client.get(f"{ORDERS}{order.order_no}/").json()
    assert (body["order_no"], body["customer"]) == (order.order_no, "alice")
    assert body["events"][0]["to_status"] == "pending_payment"


def test_anonymous_cannot_list_or_read(api_client, customer, sku, address):
    order = pending_order(customer, address, (sku, 1))
    assert_error(api_client.get(ORDERS), 401, "not_authenticated")
    assert_error(api_client.get(f"{ORDERS}{order.order_no}/"), 401, "not_authenticated")
    assert_error(api_client.post(f"{ORDERS}{order.order_no}/cancel/"), 401, "not_authenticated")


# --- Filters, ordering, pagination --------------------------------------------------------------------------


def _created(order: Order, when: datetime) -> Order:
    Order.objects.filter(pk=order.pk).update(created_at=when)
    return order


def _order_nos(client, **params) -> list[str]:
    response = client.get(ORDERS, params)
    assert response.status_code == 200, response.content
    return [o["order_no"] for o in response.json()["results"]]


@pytest.fixture
def three_orders(customer, bob, warehouse, address):
    """alice's old tea order, alice's cancelled coffee order, bob's new tea order."""
    tea = stock_sku(warehouse=warehouse, on_hand=10, code="TEA")
    coffee = stock_sku(warehouse=warehouse, on_hand=10, code="COFFEE")
    old = _created(pending_order(customer, address, (tea, 1)), datetime(2024, 3, 1, 23, 30, tzinfo=SHANGHAI))
    cancelled = _created(pending_order(customer, address, (coffee, 1)), datetime(2024, 3, 2, 0, 0, tzinfo=SHANGHAI))
    services.cancel_order(order=cancelled, actor=customer, reason="", by_staff=False)
    new = _created(pending_order(bob, address, (tea, 1)), datetime(2024, 3, 5, 12, 0, tzinfo=SHANGHAI))
    return old.order_no, cancelled.order_no, new.order_no


def test_staff_filters(staff_client, three_orders):
    old, cancelled, new = three_orders
    assert _order_nos(staff_client) == [new, cancelled, old]
    assert _order_nos(staff_client, status="cancelled") == [cancelled]
    assert _order_nos(staff_client, status="pending_payment") == [new, old]
    assert _order_nos(staff_client, status="paid") == []
    assert _order_nos(staff_client, customer="bob") == [new]
    assert _order_nos(staff_client, customer="alice") == [cancelled, old]
    assert _order_nos(staff_client, customer="nobody") == []
    assert _order_nos(staff_client, order_no=old) == [old]
    assert _order_nos(staff_client, sku="TEA") == [new, old]
    assert _order_nos(staff_client, sku="COFFEE") == [cancelled]
    assert _order_nos(staff_client, sku="TEA", customer="alice") == [old]


def test_date_filters_are_whole_shop_days_both_inclusive(staff_client, three_orders):
    old, cancelled, new = three_orders
    assert _order_nos(staff_client, created_from="2024-03-02") == [new, cancelled]
    assert _order_nos(staff_client, created_to="2024-03-01") == [old]
    assert _order_nos(staff_client, created_from="2024-03-01", created_to="2024-03-02") == [cancelled, old]
    assert _order_nos(staff_client, created_from="2024-03-05", created_to="2024-03-05") == [new]
    assert _order_nos(staff_client, created_from="2024-03-03", created_to="2024-03-04") == []
    assert _order_nos(staff_client, created_from="2024-03-06", created_to="2024-03-01") == []


def test_customer_filters_stay_within_own_orders(customer_client, three_orders):
    old, cancelled, new = three_orders
    assert _order_nos(customer_client) == [cancelled, old]
    assert _order_nos(customer_client, sku="TEA") == [old]
    assert _order_nos(customer_client, order_no=new) == []


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"created_from": "2024-13-01"},
        {"created_to": "yesterday"},
        {"order_no": "1" * 21},
        {"sku": "\x00"},
        {"customer": "c" * 151},
    ],
)
def test_bad_filter_is_400(staff_client, params):
    assert_error(staff_client.get(ORDERS, params), 400, "validation_error")


def test_bad_cursor_is_a_json_error(staff_client):
    response = staff_client.get(ORDERS, {"cursor": "not-a-cursor"})
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"code", "message", "details"}


def test_cursor_pagination_walks_every_order_once_newest_first(staff_client, customer, bob, sku, address):
    base = datetime(2024, 5, 1, 12, 0, tzinfo=SHANGHAI)
    # Three orders share one timestamp: the cursor must neither skip nor repeat them.
    for n, minutes in enumerate([0, 1, 2, 2, 2, 3, 4]):
        _created(pending_order(customer if n % 2 else bob, address, (sku, 1)), base + timedelta(minutes=minutes))
    expected = list(Order.objects.order_by("-created_at", "-id").values_list("order_no", flat=True))

    seen, url, pages = [], ORDERS + "?page_size=2", 0
    while url:
        response = staff_client.get(url)
        assert response.status_code == 200
        page = response.json()
        assert len(page["results"]) <= 2
        seen += [o["order_no"] for o in page["results"]]
        url, pages = page["next"], pages + 1

    assert seen == expected
    assert len(set(seen)) == 7
    assert pages == 4


def test_cursor_pagination_keeps_filters(staff_client, customer, bob, sku, address):
    for n in range(5):
        pending_order(customer if n % 2 else bob, address, (sku, 1))
    seen, url = [], ORDERS + "?page_size=1&customer=alice"
    while url:
        page = staff_client.get(url).json()
        seen += [o["customer"] for o in page["results"]]
        url = page["next"]
    assert seen == ["alice", "alice"]


# --- Cancel and mark-paid -----------------------------------------------------------------------------------


def _cancel(client, order_no: str, body: dict | None = None):
    return client.post(f"{ORDERS}{order_no}/cancel/", body or {}, format="json")


def _mark_paid(client, order_no: str, body: dict | None = None):
    return client.post(f"{ORDERS}{order_no}/mark-paid/", body or {}, format="json")


def test_customer_cancels_a_pending_order(customer_client, customer, sku, warehouse, address):
    order = pending_order(customer, address, (sku, 4))
    assert stock_of(sku, warehouse).reserved == 4

    response = _cancel(customer_client, order.order_no, {"reason": "Changed my mind"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["events"][-1] | {"created_at": None} == {
        "from_status": "pending_payment",
        "to_status": "cancelled",
        "actor": "alice",
        "reason": "Changed my mind",
        "created_at": None,
    }
    stock = stock_of(sku, warehouse)
    assert (stock.on_hand, stock.reserved) == (10, 0)
    release = StockMovement.objects.get(order=order, kind=StockMovement.Kind.RELEASE)
    assert (release.reserved_delta, release.actor) == (-4, customer)


def test_cancel_without_a_body_has_a_default_reason(customer_client, customer, sku, address):
    order = pending_order(customer, address, (sku, 1))
    response = customer_client.post(f"{ORDERS}{order.order_no}/cancel/")
    assert response.status_code == 200, response.content
    assert response.json()["events"][-1]["reason"] == "Cancelled by customer"


def test_cancelling_twice_is_409_with_the_current_status(customer_client, customer, sku, warehouse, address):
    order = pending_order(customer, address, (sku, 1))
    assert _cancel(customer_client, order.order_no).status_code == 200
    movements = StockMovement.objects.count()

    body = assert_error(_cancel(customer_client, order.order_no), 409, "invalid_transition")

    assert body["details"]["current_status"] == "cancelled"
    assert StockMovement.objects.count() == movements
    assert stock_of(sku, warehouse).reserved == 0


@pytest.mark.parametrize("body", [{"reason": "r" * 201}, {"reason": None}, {"why": "x"}])
def test_bad_cancel_body_is_400(customer_client, customer, sku, address, body):
    order = pending_order(customer, address, (sku, 1))
    assert_error(_cancel(customer_client, order.order_no, body), 400, "validation_error")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_staff_marks_an_order_paid_and_stock_is_deducted(staff_client, customer, sku, warehouse, address):
    order = pending_order(customer, address, (sku, 3))

    response = _mark_paid(staff_client, order.order_no, {"reference": "BANK-42"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "paid"
    assert body["paid_at"] is not None
    event = body["events"][-1]
    assert (event["from_status"], event["to_status"], event["actor"]) == (
        "pending_payment",
        "paid",
        "staffer",
    )
    assert "offline payment" in event["reason"].lower()
    assert "BANK-42" in event["reason"]
    stock = stock_of(sku, warehouse)
    assert (stock.on_hand, stock.reserved) == (7, 0)
    deduct = StockMovement.objects.get(order=order, kind=StockMovement.Kind.DEDUCT)
    assert (deduct.on_hand_delta, deduct.reserved_delta) == (-3, -3)


def test_mark_paid_without_a_reference(staff_client, customer, sku, address):
    order = pending_order(customer, address, (sku, 1))
    body = staff_client.post(f"{ORDERS}{order.order_no}/mark-paid/").json()
    assert body["status"] == "paid"
    assert "offline payment" in body["events"][-1]["reason"].lower()


def test_customer_cannot_mark_paid(customer_client, customer, sku, warehouse, address):
    order = pending_order(customer, address, (sku, 1))
    assert_error(_mark_paid(customer_client, order.order_no), 403, "permission_denied")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert stock_of(sku, warehouse).on_hand == 10


def test_customer_cannot_cancel_an_order_paid_offline_but_staff_can(
    customer_client, staff_client, customer, sku, warehouse, address
):
    order = pending_order(customer, address, (sku, 2))
    assert _mark_paid(staff_client, order.order_no).status_code == 200

    body = assert_error(_cancel(customer_client, order.order_no), 409, "invalid_transition")

    assert body["details"]["current_status"] == "paid" and "paid offline" in body["message"]
    stock = stock_of(sku, warehouse)
    assert (stock.on_hand, stock.reserved) == (8, 0)

    response = _cancel(staff_client, order.order_no)  # staff return the money the way it came

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "refunded"
    stock = stock_of(sku, warehouse)
    assert (stock.on_hand, stock.reserved) == (10, 0)


def test_paid_order_cannot_be_paid_again(staff_client, customer, sku, address):
    order = pending_order(customer, address, (sku, 1))
    assert _mark_paid(staff_client, order.order_no).status_code == 200
    body = assert_error(_mark_paid(staff_client, order.order_no), 409, "invalid_transition")
    assert body["details"]["current_status"] == "paid"


def test_cancelled_order_cannot_be_paid(staff_client, customer, customer_client, sku, address):
    order = pending_order(customer, address, (sku, 1))
    assert _cancel(customer_client, order.order_no).status_code == 200
    body = assert_error(_mark_paid(staff_client, order.order_no), 409, "invalid_transition")
    assert body["details"]["current_status"] == "cancelled"


def test_expired_order_cannot_be_marked_paid(staff_client, customer, sku, warehouse, address):
    order = pending_order(customer, address, (sku, 2))
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    state = written_state()

    assert_error(_mark_paid(staff_client, order.order_no), 409, "order_expired")

    order.refresh_from_db()
    assert (order.status, order.paid_at) == (OrderStatus.PENDING_PAYMENT, None)
    assert written_state() == state
    assert stock_of(sku, warehouse).reserved == 2


def test_staff_cancels_a_customers_order(staff_client, customer, sku, warehouse, address):
    order = pending_order(customer, address, (sku, 1))
    body = _cancel(staff_client, order.order_no).json()
    assert body["status"] == "cancelled"
    assert (body["events"][-1]["actor"], body["events"][-1]["reason"]) == ("staffer", "Cancelled by staff")
    assert stock_of(sku, warehouse).reserved == 0


def test_mark_paid_of_unknown_order_is_404(staff_client):
    assert_error(_mark_paid(staff_client, "00000000000000000000"), 404, "not_found")


def test_full_flow_with_a_real_token(api_client, customer, sku, warehouse, address):
    token = api_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "secret-pass"}, format="json"
    ).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    placed = place(api_client, order_body(address, (sku.code, 2)), key="flow")
    assert placed.status_code == 201
    order_no = placed.json()["order_no"]
    assert [o["order_no"] for o in api_client.get(ORDERS).json()["results"]] == [order_no]
    assert api_client.get(f"{ORDERS}{order_no}/").json()["status"] == "pending_payment"
    assert _cancel(api_client, order_no).json()["status"] == "cancelled"
    assert stock_of(sku, warehouse).reserved == 0


def test_the_new_order_body_is_exactly_the_order_detail(customer_client, address, settings):
    """The 201 body is rendered by hand for speed (oms.orders.serializers.new_order_body): it must not drift from
    OrderDetailOut, what every other order endpoint answers."""
    from oms.inventory.tests.factories import stock_sku

    for time_zone in ("Asia/Shanghai", "UTC"):
        settings.TIME_ZONE = time_zone
        sku = stock_sku(on_hand=5, price=Decimal("33.30"))
        created = customer_client.post(
            "/api/v1/orders/",
            {"items": [{"sku": sku.code, "quantity": 3}], "shipping_address": address},
            format="json",
        )
        assert created.status_code == 201
        detail = customer_client.get(f"/api/v1/orders/{created.json()['order_no']}/")
        assert created.json() == detail.json()

"""Supplier and purchase order endpoints: staff only, strict bodies, the error codes of the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from oms.accounts.tests.factories import UserFactory
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku
from oms.purchasing.models import PurchaseOrder, Supplier
from oms.purchasing.tests.factories import SupplierFactory, ordered_po

pytestmark = pytest.mark.django_db

POS = "/api/v1/purchase-orders/"
SUPPLIERS = "/api/v1/suppliers/"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


@pytest.fixture
def warehouse():
    return WarehouseFactory(code="SH-01")


@pytest.fixture
def supplier():
    return SupplierFactory(code="ACME", name="Acme Tea Co", lead_days=5)


@pytest.fixture
def tea(warehouse):
    return stock_sku(warehouse=warehouse, on_hand=10, code="TEA", price=Decimal("50.00"))


def create_body(**overrides) -> dict:
    return {"supplier": "ACME", "warehouse": "SH-01", "lines": [{"sku": "TEA", "quantity": 12}], **overrides}


# --- Suppliers ----------------------------------------------------------------------------------------------------


def test_staff_add_and_list_suppliers(staff_client, settings):
    settings.OMS_REPLENISH_LEAD_DAYS = 7
    response = staff_client.post(SUPPLIERS, {"code": "FJ-TEA", "name": "Fujian Tea", "phone": "0591"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json() == {
        "code": "FJ-TEA",
        "name": "Fujian Tea",
        "contact_name": "",
        "phone": "0591",
        "email": "",
        "lead_days": 7,
        "is_active": True,
    }
    assert [s["code"] for s in staff_client.get(SUPPLIERS).json()] == ["FJ-TEA"]
    assert_error(staff_client.post(SUPPLIERS, {"code": "FJ-TEA", "name": "Again"}, format="json"), 409, "conflict")
    zero = staff_client.post(SUPPLIERS, {"code": "X", "name": "X", "lead_days": 0}, format="json")
    assert set(assert_error(zero, 400, "validation_error")["details"]) == {"lead_days"}
    fax = staff_client.post(SUPPLIERS, {"code": "X", "name": "X", "fax": "1"}, format="json")
    assert assert_error(fax, 400, "validation_error")["details"] == {"fax": ["Unknown field."]}


# --- Create, read -------------------------------------------------------------------------------------------------


def test_staff_create_a_draft_and_read_it_back(staff_client, supplier, tea):
    response = staff_client.post(POS, create_body(note="Spring restock"), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["supplier"] == "ACME" and body["warehouse"] == "SH-01"
    assert body["total_cost"] == "360.00" and body["currency"] == "CNY" and body["note"] == "Spring restock"
    assert body["lines"] == [
        {
            "sku": "TEA",
            "name": tea.name,
            "quantity": 12,
            "received_quantity": 0,
            "remaining": 12,
            "unit_cost": "30.00",
            "line_cost": "360.00",
        }
    ]
    assert [e["to_status"] for e in body["events"]] == ["draft"] and body["created_by"] == "staffer"
    assert staff_client.get(f"{POS}{body['po_no']}/").json() == body
    listed = staff_client.get(POS, {"status": "draft"}).json()
    assert [po["po_no"] for po in listed["results"]] == [body["po_no"]]
    assert staff_client.get(POS, {"status": "ordered"}).json()["results"] == []


def test_create_validates_its_body(staff_client, supplier, tea):
    duplicate = create_body(lines=[{"sku": "TEA", "quantity": 1}, {"sku": "TEA", "quantity": 2}])
    assert "lines" in assert_error(staff_client.post(POS, duplicate, format="json"), 400, "validation_error")["details"]
    body = assert_error(staff_client.post(POS, create_body(lines=[]), format="json"), 400, "validation_error")
    assert "lines" in body["details"]
    body = assert_error(staff_client.post(POS, create_body(colour="red"), format="json"), 400, "validation_error")
    assert body["details"] == {"colour": ["Unknown field."]}
    zero = create_body(lines=[{"sku": "TEA", "quantity": 0}])
    assert_error(staff_client.post(POS, zero, format="json"), 400, "validation_error")
    unknown = create_body(lines=[{"sku": "NOPE", "quantity": 1}])
    body = assert_error(staff_client.post(POS, unknown, format="json"), 400, "validation_error")
    assert body["details"] == {"unknown_skus": ["NOPE"]}
    assert_error(staff_client.post(POS, create_body(supplier="NOBODY"), format="json"), 404, "not_found")
    assert_error(staff_client.post(POS, create_body(warehouse="NOWHERE"), format="json"), 404, "not_found")
    assert not PurchaseOrder.objects.exists()


# --- Submit, receive, cancel --------------------------------------------------------------------------------------


def test_submit_then_receive_in_two_deliveries(staff_client, supplier, warehouse, tea):
    po_no = staff_client.post(POS, create_body(), format="json").json()["po_no"]

    submitted = staff_client.post(f"{POS}{po_no}/submit/", {}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "ordered"
    assert submitted.json()["expected_at"] is not None

    first = staff_client.post(f"{POS}{po_no}/receive/", {"lines": [{"sku": "TEA", "quantity": 5}]}, format="json")
    assert first.status_code == 200 and first.json()["status"] == "partially_received"
    over = staff_client.post(f"{POS}{po_no}/receive/", {"lines": [{"sku": "TEA", "quantity": 8}]}, format="json")
    body = assert_error(over, 409, "over_receipt")
    assert body["details"] == {"lines": [{"sku": "TEA", "remaining": 7, "requested": 8}]}
    assert stock_of(tea, warehouse).on_hand == 15

    last = staff_client.post(f"{POS}{po_no}/receive/", {"lines": [{"sku": "TEA", "quantity": 7}]}, format="json")
    assert last.status_code == 200 and last.json()["status"] == "received"
    assert stock_of(tea, warehouse).on_hand == 22
    assert [e["to_status"] for e in last.json()["events"]] == ["draft", "ordered", "partially_received", "received"]
    cancel = staff_client.post(f"{POS}{po_no}/cancel/", {}, format="json")
    assert assert_error(cancel, 409, "invalid_transition")["details"]["current_status"] == "received"


def test_receive_and_cancel_errors(staff_client, supplier, warehouse, tea):
    po_no = staff_client.post(POS, create_body(), format="json").json()["po_no"]

    draft_receipt = staff_client.post(
        f"{POS}{po_no}/receive/", {"lines": [{"sku": "TEA", "quantity": 1}]}, format="json"
    )
    assert_error(draft_receipt, 409, "invalid_transition")
    twice = {"lines": [{"sku": "TEA", "quantity": 1}, {"sku": "TEA", "quantity": 1}]}
    assert_error(staff_client.post(f"{POS}{po_no}/receive/", twice, format="json"), 400, "validation_error")
    cancelled = staff_client.post(f"{POS}{po_no}/cancel/", {"reason": "Duplicate"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["events"][-1]["note"] == "Duplicate"
    assert_error(staff_client.post(f"{POS}{po_no}/submit/", {}, format="json"), 409, "invalid_transition")
    assert_error(staff_client.get(f"{POS}PO000/"), 404, "not_found")
    assert_error(staff_client.post(f"{POS}PO000/submit/", {}, format="json"), 404, "not_found")


def test_close_short_a_partially_received_po(staff_client, supplier, warehouse, tea):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    url = f"{POS}{po.po_no}/close/"
    early = staff_client.post(url, {"reason": "Supplier gone"}, format="json")
    assert "cancel it instead" in assert_error(early, 409, "invalid_transition")["message"]
    staff_client.post(f"{POS}{po.po_no}/receive/", {"lines": [{"sku": "TEA", "quantity": 4}]}, format="json")

    assert_error(staff_client.post(url, {}, format="json"), 400, "validation_error")
    assert_error(staff_client.post(url, {"reason": "x", "extra": 1}, format="json"), 400, "validation_error")
    assert_error(staff_client.post(url, {"reason": " "}, format="json"), 400, "validation_error")
    closed = staff_client.post(url, {"reason": "Supplier gone"}, format="json")

    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["events"][-1]["note"] == "Closed short, 6 unit(s) not delivered: Supplier gone"
    assert [(line["received_quantity"], line["remaining"]) for line in closed.json()["lines"]] == [(4, 6)]
    listed = staff_client.get(POS, {"status": "closed"}).json()["results"]
    assert [row["po_no"] for row in listed] == [po.po_no]
    again = staff_client.post(url, {"reason": "Supplier gone"}, format="json")
    assert assert_error(again, 409, "invalid_transition")["details"]["current_status"] == "closed"
    receipt = {"lines": [{"sku": "TEA", "quantity": 1}]}
    assert_error(staff_client.post(f"{POS}{po.po_no}/receive/", receipt, format="json"), 409, "invalid_transition")
    assert stock_of(tea, warehouse).on_hand == 14
    assert_error(staff_client.post(f"{POS}PO000/close/", {"reason": "x"}, format="json"), 404, "not_found")


# --- Who may ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", SUPPLIERS),
        ("post", SUPPLIERS),
        ("get", POS),
        ("post", POS),
        ("post", f"{POS}from-suggestions/"),
        ("get", "{po}"),
        ("post", "{po}submit/"),
        ("post", "{po}receive/"),
        ("post", "{po}cancel/"),
        ("post", "{po}close/"),
    ],
)
def test_customers_and_staff_without_purchasing_rights_are_refused(
    customer_client, supplier, warehouse, tea, method, path
):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    url = path.format(po=f"{POS}{po.po_no}/")
    body = {"lines": [{"sku": "TEA", "quantity": 1}]}
    clerk = APIClient()
    clerk.force_authenticate(UserFactory(username="clerk", is_staff=True))  # staff, but in no staff group

    def call(client):
        return client.get(url) if method == "get" else client.post(url, body, format="json")

    for client in (customer_client, clerk):
        assert_error(call(client), 403, "permission_denied")
    assert_error(call(APIClient()), 401, "not_authenticated")
    po.refresh_from_db()
    assert po.status == "ordered" and stock_of(tea, warehouse).on_hand == 10
    assert Supplier.objects.count() == 1

"""Purchasing in the console: a draft from the inventory page's suggestions, a typed-in PO, and the PO page's
actions, closing short included (confirm first, then the service; errors shown, never a 500)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from oms.accounts.tests.factories import UserFactory
from oms.inventory.tests.factories import stock_of, stock_sku
from oms.planning.tests.factories import forecast_demand
from oms.purchasing.models import PurchaseOrder
from oms.purchasing.tests.factories import SupplierFactory, draft_po, ordered_po

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def supplier():
    return SupplierFactory(code="ACME", name="Acme Tea Co", lead_days=5)


@pytest.fixture
def tea(warehouse):
    sku = stock_sku(warehouse=warehouse, on_hand=10, code="TEA", price=Decimal("50.00"))
    forecast_demand(sku, units_per_day=[3] * 60)  # 3 a day: ROP 21, EOQ 121
    return sku


def act(client, po, action, data=None, *, htmx=True) -> str:
    """Post a PO action as its htmx form does after the confirm dialog; follow to the PO page."""
    payload = {**(data or {}), "confirmed": "yes"}
    response = client.post(
        f"/console/purchase-orders/{po.po_no}/{action}/", payload, follow=True, headers=HX if htmx else {}
    )
    assert response.status_code == 200
    po.refresh_from_db()
    return response.content.decode()


def test_the_inventory_page_offers_the_suggestions_to_order(staff_browser, supplier, tea):
    html = staff_browser.get("/console/inventory/").content.decode()

    assert 'id="reorder"' in html and 'name="sku" value="TEA"' in html and 'aria-label="Select TEA"' in html
    assert "<strong>121</strong>" in html  # the suggested quantity
    assert 'for="id_supplier"' in html and "ACME Acme Tea Co (5 days)" in html and 'for="id_warehouse"' in html
    assert "/console/purchase-orders/new/?sku=TEA" in html and "Create purchase order" in html


def test_create_from_the_selected_suggestions_then_the_sku_is_on_order(staff_browser, supplier, warehouse, tea):
    other = stock_sku(warehouse=warehouse, on_hand=50, code="MUG")  # never sold: nothing to order
    body = {"sku": ["TEA", other.code], "supplier": "ACME", "warehouse": warehouse.code}

    response = staff_browser.post("/console/purchase-orders/from-suggestions/", body, follow=True)

    po = PurchaseOrder.objects.get()
    assert response.redirect_chain[-1][0] == f"/console/purchase-orders/{po.po_no}/"
    html = response.content.decode()
    assert f"Draft purchase order {po.po_no} created with 1 line." in html
    assert "Left out, nothing to order now: MUG." in html
    assert [(line.sku.code, line.quantity) for line in po.lines.all()] == [("TEA", 121)]
    inventory = staff_browser.get("/console/inventory/")
    assert [s.code for s, _ in inventory.context["reorder"]] == []  # TEA is on order now
    assert inventory.context["low_stock"][0].on_order == 121  # still low until the goods arrive


def test_create_from_suggestions_explains_what_is_missing(staff_browser, supplier, warehouse, tea):
    html = staff_browser.post(
        "/console/purchase-orders/from-suggestions/", {"supplier": "ACME", "warehouse": warehouse.code}, follow=True
    ).content.decode()
    assert "Select at least one SKU to order." in html
    html = staff_browser.post(
        "/console/purchase-orders/from-suggestions/",
        {"sku": "TEA", "supplier": "NOPE", "warehouse": warehouse.code},
        follow=True,
    ).content.decode()
    assert "Supplier: Select a valid choice." in html
    assert not PurchaseOrder.objects.exists()


def test_the_quick_link_opens_a_prefilled_new_po(staff_browser, supplier, warehouse, tea):
    page = staff_browser.get("/console/purchase-orders/new/?sku=TEA")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="sku_0" value="TEA"' in html and 'name="quantity_0" value="121"' in html
    assert 'for="id_sku_0"' in html and "Empty unit cost: 60% of the SKU's selling price" in html

    response = staff_browser.post(
        "/console/purchase-orders/new/",
        {
            "supplier": "ACME",
            "warehouse": warehouse.code,
            "rows": 2,
            "sku_0": "TEA",
            "quantity_0": 100,
            "unit_cost_0": "28.50",
            "sku_1": "",
            "note": "Bulk deal",
        },
        follow=True,
    )

    po = PurchaseOrder.objects.get()
    assert response.redirect_chain[-1][0] == f"/console/purchase-orders/{po.po_no}/"
    assert (po.note, po.total_cost) == ("Bulk deal", Decimal("2850.00"))


def test_a_typed_in_po_shows_its_errors_on_the_form(staff_browser, supplier, warehouse, tea):
    base = {"supplier": "ACME", "warehouse": warehouse.code, "rows": 1}
    response = staff_browser.post("/console/purchase-orders/new/", {**base, "sku_0": "TEA"})
    assert response.status_code == 400 and "Enter how many units to order." in response.content.decode()
    response = staff_browser.post("/console/purchase-orders/new/", {**base, "sku_0": "NOPE", "quantity_0": 1})
    assert response.status_code == 400 and "Unknown SKU(s): NOPE." in response.content.decode()
    assert 'value="NOPE"' in response.content.decode()  # what was typed stays
    assert not PurchaseOrder.objects.exists()


def test_the_po_page_shows_lines_timeline_and_the_actions_of_its_state(staff_browser, staff, supplier, warehouse, tea):
    po = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 12)], actor=staff)

    html = staff_browser.get(f"/console/purchase-orders/{po.po_no}/").content.decode()

    assert "Acme Tea Co" in html and "¥360.00" in html and "Drafted: 1 SKU(s), 12 units" in html
    assert "Send to the supplier" in html and 'hx-confirm="Send purchase order' in html
    assert "Cancel purchase order" in html and "Receive goods" not in html
    listed = staff_browser.get("/console/purchase-orders/?status=draft").content.decode()
    assert po.po_no in listed and "0 / 12" in listed
    assert po.po_no not in staff_browser.get("/console/purchase-orders/?status=ordered").content.decode()


def test_an_action_without_confirmation_shows_a_confirm_step(staff_browser, supplier, warehouse, tea):
    po = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 12)])

    response = staff_browser.post(f"/console/purchase-orders/{po.po_no}/submit/", {"note": "By phone"})

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Send to the supplier: purchase order {po.po_no}?" in html and 'name="confirmed" value="yes"' in html
    po.refresh_from_db()
    assert po.status == "draft"


def test_submit_then_receive_through_the_page(staff_browser, supplier, warehouse, tea):
    po = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 12)])

    html = act(staff_browser, po, "submit", {"note": "By phone"}, htmx=False)
    assert po.status == "ordered" and "Purchase order sent" in html
    assert 'name="qty_TEA"' in html and 'value="12"' in html  # defaults to what is still expected
    assert "TEA received now (12 expected)" in html

    html = act(staff_browser, po, "receive", {"qty_TEA": 5, "note": "DN-1"})
    assert po.status == "partially_received" and "Goods received" in html
    assert stock_of(tea, warehouse).on_hand == 15
    assert "TEA received now (7 expected)" in html

    html = act(staff_browser, po, "receive", {"qty_TEA": 8})
    assert 'role="alert"' in html and "Nothing was received" in html
    assert po.status == "partially_received" and stock_of(tea, warehouse).on_hand == 15

    html = act(staff_browser, po, "receive", {"qty_TEA": 7})
    assert po.status == "received" and stock_of(tea, warehouse).on_hand == 22
    assert "nothing more to do" in html and "Receive into" not in html


def test_cancel_through_the_page_and_form_errors_are_shown(staff_browser, supplier, warehouse, tea):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 12)])
    html = act(staff_browser, po, "receive", {"qty_TEA": -1})
    assert "Ensure this value is greater than or equal to 0." in html and po.status == "ordered"
    html = act(staff_browser, po, "receive", {"qty_TEA": 0})
    assert "Enter the units that arrived on at least one line." in html

    html = act(staff_browser, po, "cancel", {"reason": "Supplier out of stock"})

    assert po.status == "cancelled" and "Supplier out of stock" in html
    html = act(staff_browser, po, "submit")
    assert "it cannot become ordered" in html and po.status == "cancelled"


def test_close_short_through_the_page_after_a_confirm_step(staff_browser, supplier, warehouse, tea):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 12)])
    assert "Close short" not in staff_browser.get(f"/console/purchase-orders/{po.po_no}/").content.decode()
    act(staff_browser, po, "receive", {"qty_TEA": 5})
    html = staff_browser.get(f"/console/purchase-orders/{po.po_no}/").content.decode()
    assert "Close short" in html and 'hx-confirm="Close purchase order' in html and "Cancel purchase order" not in html
    assert 'for="id_reason"' in html

    html = act(staff_browser, po, "close", {"reason": ""})
    assert "Reason: This field is required." in html and po.status == "partially_received"
    url = f"/console/purchase-orders/{po.po_no}/close/"
    confirm = staff_browser.post(url, {"reason": "Supplier out of stock"}).content.decode()
    assert f"Close short: purchase order {po.po_no}?" in confirm and 'name="confirmed" value="yes"' in confirm
    assert 'name="reason" value="Supplier out of stock"' in confirm
    po.refresh_from_db()
    assert po.status == "partially_received"

    html = act(staff_browser, po, "close", {"reason": "Supplier out of stock"}, htmx=False)

    assert po.status == "closed" and "Purchase order closed short" in html
    assert "Closed short, 7 unit(s) not delivered: Supplier out of stock" in html
    assert "closed short: nothing more to do" in html and "none (7 short)" in html
    assert "Receive into" not in html and stock_of(tea, warehouse).on_hand == 15
    assert [s.code for s, _ in staff_browser.get("/console/inventory/").context["reorder"]] == ["TEA"]
    assert po.po_no in staff_browser.get("/console/purchase-orders/?status=closed").content.decode()


def test_unknown_pos_and_actions_are_404_pages(staff_browser, supplier, warehouse, tea):
    assert staff_browser.get("/console/purchase-orders/PO000/").status_code == 404
    po = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 1)])
    assert staff_browser.post(f"/console/purchase-orders/{po.po_no}/explode/", {"confirmed": "yes"}).status_code == 404


def test_customers_and_staff_without_rights_cannot_act(customer_browser, supplier, warehouse, tea):
    po = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 1)])
    clerk = Client()
    clerk.force_login(UserFactory(username="clerk", is_staff=True))  # staff, but in no staff group
    for client in (customer_browser, clerk):
        assert client.get(f"/console/purchase-orders/{po.po_no}/").status_code == 403
        assert client.post(f"/console/purchase-orders/{po.po_no}/submit/", {"confirmed": "yes"}).status_code == 403
        body = {"sku": "TEA", "supplier": "ACME", "warehouse": warehouse.code}
        assert client.post("/console/purchase-orders/from-suggestions/", body).status_code == 403
    po.refresh_from_db()
    assert po.status == "draft" and PurchaseOrder.objects.count() == 1


def test_without_suppliers_the_pages_say_how_to_add_one(staff_browser, tea):
    html = staff_browser.get("/console/inventory/").content.decode()
    assert "No active supplier yet" in html and "Create purchase order" not in html
    assert "No active supplier yet" in staff_browser.get("/console/purchase-orders/new/").content.decode()

"""Purchase order refusals in Chinese and English (the same code and details, the message in the request's
language, states named by their labels in Chinese), status labels and timeline notes in Chinese."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.purchasing import services
from oms.purchasing.states import PurchaseOrderStatus
from oms.purchasing.tests.factories import SupplierFactory, draft_po, ordered_po

pytestmark = pytest.mark.django_db

POS = "/api/v1/purchase-orders/"


def answers(send) -> dict[str, dict]:
    """``send(headers)`` in English and in Chinese: the same status, code and details in both."""
    responses = {name: send({"Accept-Language": accept}) for name, accept in (("en", "en"), ("zh", "zh-CN"))}
    assert responses["en"].status_code == responses["zh"].status_code
    bodies = {name: response.json() for name, response in responses.items()}
    assert bodies["en"]["code"] == bodies["zh"]["code"]
    assert bodies["en"]["details"] == bodies["zh"]["details"]
    return bodies


@pytest.fixture
def parties(db):
    warehouse = WarehouseFactory(code="SH-01")
    tea = stock_sku(warehouse=warehouse, on_hand=10, code="TEA", price=Decimal("50.00"))
    return SupplierFactory(code="ACME"), warehouse, tea


def test_over_receipt_in_both_languages(staff_client, parties):
    supplier, warehouse, tea = parties
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 5)])
    receipt = {"lines": [{"sku": "TEA", "quantity": 8}]}

    bodies = answers(
        lambda headers: staff_client.post(f"{POS}{po.po_no}/receive/", receipt, format="json", headers=headers)
    )

    assert bodies["en"]["code"] == "over_receipt"
    assert bodies["en"]["message"] == (
        f"More units than purchase order {po.po_no} still expects (TEA: 8 arrived, 5 still expected). "
        "Nothing was received."
    )
    assert bodies["zh"]["message"] == (
        f"到货数量超过采购单 {po.po_no} 仍待收的数量（TEA：到货 8 件，仍待收 5 件）。本次未收货。"
    )


def test_refusals_name_states_by_their_chinese_labels(staff_client, parties):
    supplier, warehouse, tea = parties
    po = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 5)])
    receipt = {"lines": [{"sku": "TEA", "quantity": 1}]}

    draft = answers(
        lambda headers: staff_client.post(f"{POS}{po.po_no}/receive/", receipt, format="json", headers=headers)
    )
    assert draft["en"]["code"] == "invalid_transition"
    assert draft["zh"]["message"] == f"采购单 {po.po_no} 还是草稿：请先提交给供应商，再收货入库。"

    services.cancel_purchase_order(po=po, actor=None)
    submit = answers(lambda headers: staff_client.post(f"{POS}{po.po_no}/submit/", {}, format="json", headers=headers))
    assert submit["en"]["details"] == {"current_status": "cancelled", "requested_status": "ordered"}
    assert submit["en"]["message"] == f"Purchase order {po.po_no} is cancelled: it cannot become ordered."
    assert submit["zh"]["message"] == f"采购单 {po.po_no} 当前为“已取消”，不能变为“已下单”。"


def test_customers_are_refused_in_both_languages(customer_client):
    bodies = answers(lambda headers: customer_client.get(POS, headers=headers))

    assert bodies["en"]["code"] == "permission_denied"
    assert bodies["en"]["message"] == "Only purchasing staff may list purchase orders."
    assert bodies["zh"]["message"] == "只有采购员工才能查看采购单列表。"


def test_status_labels_and_timeline_in_chinese(parties):
    supplier, warehouse, tea = parties
    with translation.override("zh-hans"):
        assert [str(label) for label in PurchaseOrderStatus.labels] == [
            "草稿",
            "已下单",
            "部分收货",
            "已收货",
            "已取消",
            "短缺结单",
        ]
        po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 5)])
        services.receive_purchase_order(po=po, quantities={"TEA": 2}, actor=None)
        notes = list(po.events.values_list("note", flat=True))
    assert notes == ["已起草：1 个 SKU，共 5 件", "已发给 ACME", "已收货 2 × TEA"]

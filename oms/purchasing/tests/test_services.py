"""Purchase orders through their services: drafts, suggested quantities, submit, receipts into stock, cancel, close."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from oms.catalog.tests.factories import SkuFactory
from oms.common.errors import ValidationFailed
from oms.inventory.models import Stock, StockMovement
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku
from oms.purchasing import services
from oms.purchasing.errors import InvalidPurchaseTransition, OverReceipt
from oms.purchasing.models import PurchaseOrder
from oms.purchasing.selectors import units_on_order
from oms.purchasing.services import PurchaseLineInput
from oms.purchasing.tests.factories import SupplierFactory, draft_po, ordered_po

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse():
    return WarehouseFactory(code="SH-01")


@pytest.fixture
def supplier():
    return SupplierFactory(code="ACME", lead_days=5)


@pytest.fixture
def tea(warehouse):
    return stock_sku(warehouse=warehouse, on_hand=10, code="TEA", price=Decimal("50.00"))


@pytest.fixture
def cup(warehouse):
    return stock_sku(warehouse=warehouse, on_hand=4, code="CUP", price=Decimal("19.90"))


def assert_stock_matches_movements(stock: Stock) -> None:
    stock.refresh_from_db()
    moved = stock.movements.aggregate(on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta"))
    assert (stock.on_hand, stock.reserved) == (moved["on_hand"] or 0, moved["reserved"] or 0)


# --- Drafts ---------------------------------------------------------------------------------------------------


def test_a_draft_prices_its_lines_and_writes_its_first_event(staff, supplier, warehouse, tea, cup):
    po = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10), (cup, 3, Decimal("12.50"))], actor=staff)

    assert re.fullmatch(r"PO\d{14}", po.po_no)
    assert (po.status, po.currency, po.created_by, po.ordered_at, po.expected_at) == (
        "draft",
        "CNY",
        staff,
        None,
        None,
    )
    lines = {line.sku.code: line for line in po.lines.select_related("sku")}
    assert lines["TEA"].unit_cost == Decimal("30.00")  # 50.00 × OMS_PURCHASE_COST_RATIO 0.6
    assert lines["CUP"].unit_cost == Decimal("12.50")
    assert po.total_cost == Decimal("337.50")  # 10 × 30 + 3 × 12.50
    event = po.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", "draft", staff)
    assert stock_of(tea, warehouse).on_hand == 10  # a draft changes no stock


def test_the_cost_ratio_is_a_setting(settings, supplier, warehouse, tea):
    settings.OMS_PURCHASE_COST_RATIO = Decimal("0.455")
    po = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 1)])
    assert po.lines.get().unit_cost == Decimal("22.75")  # 50.00 × 0.455


@pytest.mark.parametrize(
    ("lines", "detail"),
    [
        ([], "lines"),
        ([("TEA", 1), ("TEA", 2)], "duplicate_skus"),
        ([("TEA", 0)], "quantity"),
        ([("TEA", 1_000_001)], "quantity"),
        ([("NOPE", 1)], "unknown_skus"),
        ([("TEA", 1, Decimal("-0.01"))], "unit_cost"),
    ],
)
def test_drafts_refuse_bad_lines(supplier, warehouse, tea, lines, detail):
    with pytest.raises(ValidationFailed) as caught:
        services.create_purchase_order(
            supplier=supplier, warehouse=warehouse, lines=[PurchaseLineInput(*line) for line in lines], actor=None
        )
    assert detail in caught.value.details


def test_drafts_refuse_discontinued_skus_and_inactive_parties(supplier, warehouse, tea):
    old = SkuFactory(code="OLD", is_active=False)
    with pytest.raises(ValidationFailed, match="Discontinued"):
        draft_po(supplier=supplier, warehouse=warehouse, lines=[(old, 1)])
    closed = WarehouseFactory(code="OLD-WH", is_active=False)
    with pytest.raises(ValidationFailed, match="Warehouse OLD-WH is inactive"):
        draft_po(supplier=supplier, warehouse=closed, lines=[(tea, 1)])
    gone = SupplierFactory(code="GONE", is_active=False)
    with pytest.raises(ValidationFailed, match="Supplier GONE is inactive"):
        draft_po(supplier=gone, warehouse=warehouse, lines=[(tea, 1)])
    assert not gone.purchase_orders.exists() and not supplier.purchase_orders.exists()


def test_a_po_number_collision_draws_another(monkeypatch, supplier, warehouse, tea):
    first = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 1)])
    numbers = iter([first.po_no, "PO26010100000001"])
    monkeypatch.setattr(services, "new_po_no", lambda now: next(numbers))

    second = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 1)])

    assert second.po_no == "PO26010100000001"


# --- Units on order (the suggestions built on them: oms.planning) -------------------------------------------------


def test_units_on_order_count_open_pos_only(supplier, warehouse, tea, cup):
    draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 5)])
    partly = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10), (cup, 4)])
    services.receive_purchase_order(po=partly, quantities={"TEA": 6}, actor=None)
    cancelled = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 100)])
    services.cancel_purchase_order(po=cancelled, actor=None)
    closed = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 50)])
    services.receive_purchase_order(po=closed, quantities={"TEA": 1}, actor=None)
    services.close_purchase_order(po=closed, actor=None, reason="Short shipped")
    done = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(cup, 7)])
    services.receive_purchase_order(po=done, quantities={"CUP": 7}, actor=None)

    assert units_on_order() == {tea.pk: 5 + 4, cup.pk: 4}
    assert units_on_order(sku_ids=[cup.pk]) == {cup.pk: 4}


# --- Submit -------------------------------------------------------------------------------------------------------


def test_submit_sets_the_order_time_and_the_expected_date(staff, supplier, warehouse, tea):
    po = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])

    po = services.submit_purchase_order(po=po, actor=staff)

    assert po.status == "ordered" and po.ordered_at is not None
    assert po.expected_at == timezone.localdate() + timedelta(days=5)
    event = po.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("draft", "ordered", staff)
    assert "Sent to ACME" in event.note
    with pytest.raises(InvalidPurchaseTransition) as caught:
        services.submit_purchase_order(po=po, actor=staff)
    assert caught.value.details == {"current_status": "ordered", "requested_status": "ordered"}


def test_submit_takes_a_given_date_and_refuses_one_in_the_past(supplier, warehouse, tea):
    po = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    with pytest.raises(ValidationFailed, match="in the past"):
        services.submit_purchase_order(po=po, actor=None, expected_at=timezone.localdate() - timedelta(days=1))
    later = timezone.localdate() + timedelta(days=30)
    assert services.submit_purchase_order(po=po, actor=None, expected_at=later).expected_at == later


# --- Receive ------------------------------------------------------------------------------------------------------


def test_partial_then_full_receipt_adds_stock_with_movements_and_events(staff, supplier, warehouse, tea, cup):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10), (cup, 5)])
    tea_line = po.lines.get(sku=tea)

    po = services.receive_purchase_order(po=po, quantities={tea_line.pk: 4, "CUP": 5}, actor=staff, note="Truck 1")

    assert po.status == "partially_received" and po.received_at is None
    assert (stock_of(tea, warehouse).on_hand, stock_of(cup, warehouse).on_hand) == (14, 9)
    receipt = StockMovement.objects.filter(stock=stock_of(tea, warehouse), note=f"PO {po.po_no}").get()
    assert (receipt.kind, receipt.on_hand_delta, receipt.actor) == ("receipt", 4, staff)
    event = po.events.last()
    assert (event.from_status, event.to_status) == ("ordered", "partially_received")
    assert event.note == "Received 4 × TEA, 5 × CUP: Truck 1"

    po = services.receive_purchase_order(po=po, quantities={"TEA": 6}, actor=staff)

    assert po.status == "received" and po.received_at is not None
    assert stock_of(tea, warehouse).on_hand == 20
    assert [(line.sku.code, line.received_quantity) for line in po.lines.all()] == [("TEA", 10), ("CUP", 5)]
    assert list(po.events.values_list("to_status", flat=True)) == ["draft", "ordered", "partially_received", "received"]
    for stock in Stock.objects.all():
        assert_stock_matches_movements(stock)


def test_a_second_partial_receipt_keeps_the_state_and_writes_an_event(supplier, warehouse, tea):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    services.receive_purchase_order(po=po, quantities={"TEA": 2}, actor=None)

    po = services.receive_purchase_order(po=po, quantities={"TEA": 3}, actor=None)

    assert po.status == "partially_received" and po.lines.get().received_quantity == 5
    event = po.events.last()
    assert (event.from_status, event.to_status, event.note) == (
        "partially_received",
        "partially_received",
        "Received 3 × TEA",
    )


def test_receiving_into_a_warehouse_without_the_sku_creates_its_stock_row(supplier, tea):
    elsewhere = WarehouseFactory(code="BJ-01")
    po = ordered_po(supplier=supplier, warehouse=elsewhere, lines=[(tea, 8)])

    services.receive_purchase_order(po=po, quantities={"TEA": 8}, actor=None)

    stock = stock_of(tea, elsewhere)
    assert (stock.on_hand, stock.reserved) == (8, 0)
    assert_stock_matches_movements(stock)


def test_over_receipt_is_refused_and_writes_nothing(supplier, warehouse, tea, cup):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10), (cup, 5)])
    services.receive_purchase_order(po=po, quantities={"TEA": 8}, actor=None)
    movements, events = StockMovement.objects.count(), po.events.count()

    with pytest.raises(OverReceipt) as caught:
        services.receive_purchase_order(po=po, quantities={"CUP": 5, "TEA": 3}, actor=None)

    assert caught.value.code == "over_receipt" and caught.value.status == 409
    assert caught.value.details == {"lines": [{"sku": "TEA", "remaining": 2, "requested": 3}]}
    assert "Nothing was received" in caught.value.message
    po.refresh_from_db()
    assert po.status == "partially_received" and po.events.count() == events
    assert [line.received_quantity for line in po.lines.all()] == [8, 0]
    assert (stock_of(tea, warehouse).on_hand, stock_of(cup, warehouse).on_hand) == (18, 4)
    assert StockMovement.objects.count() == movements


@pytest.mark.parametrize(
    ("quantities", "detail"),
    [({}, "lines"), ({"TEA": 0}, "lines"), ({"NOPE": 1}, "unknown_lines"), ({"TEA": -1}, "sku")],
)
def test_receipts_refuse_bad_quantities(supplier, warehouse, tea, quantities, detail):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    with pytest.raises(ValidationFailed) as caught:
        services.receive_purchase_order(po=po, quantities=quantities, actor=None)
    assert detail in caught.value.details
    assert stock_of(tea, warehouse).on_hand == 10


def test_a_line_named_twice_is_refused(supplier, warehouse, tea):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    with pytest.raises(ValidationFailed, match="given twice"):
        services.receive_purchase_order(po=po, quantities={"TEA": 1, po.lines.get().pk: 1}, actor=None)


def test_drafts_cancelled_and_received_pos_take_no_deliveries(supplier, warehouse, tea):
    draft = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    with pytest.raises(InvalidPurchaseTransition, match="submit it"):
        services.receive_purchase_order(po=draft, quantities={"TEA": 1}, actor=None)
    services.cancel_purchase_order(po=draft, actor=None)
    with pytest.raises(InvalidPurchaseTransition, match="takes no deliveries"):
        services.receive_purchase_order(po=draft, quantities={"TEA": 1}, actor=None)
    done = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 1)])
    services.receive_purchase_order(po=done, quantities={"TEA": 1}, actor=None)
    with pytest.raises(InvalidPurchaseTransition, match="fully received"):
        services.receive_purchase_order(po=done, quantities={"TEA": 1}, actor=None)
    assert stock_of(tea, warehouse).on_hand == 11


# --- Cancel -------------------------------------------------------------------------------------------------------


def test_drafts_and_untouched_ordered_pos_can_be_cancelled(staff, supplier, warehouse, tea):
    draft = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    ordered = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])

    assert services.cancel_purchase_order(po=draft, actor=staff, reason="Wrong supplier").status == "cancelled"
    assert services.cancel_purchase_order(po=ordered, actor=staff).status == "cancelled"

    event = draft.events.last()
    assert (event.from_status, event.to_status, event.note, event.actor) == (
        "draft",
        "cancelled",
        "Wrong supplier",
        staff,
    )
    with pytest.raises(InvalidPurchaseTransition):
        services.cancel_purchase_order(po=draft, actor=staff)


def test_a_po_with_received_units_cannot_be_cancelled(supplier, warehouse, tea):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    services.receive_purchase_order(po=po, quantities={"TEA": 1}, actor=None)

    with pytest.raises(InvalidPurchaseTransition, match="units have arrived in SH-01") as caught:
        services.cancel_purchase_order(po=po, actor=None)

    assert caught.value.details == {"current_status": "partially_received", "requested_status": "cancelled"}
    po.refresh_from_db()
    assert po.status == "partially_received"


# --- Close short --------------------------------------------------------------------------------------------------


def test_closing_short_keeps_what_arrived_and_stops_counting_the_rest_as_on_order(staff, supplier, warehouse, tea, cup):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10), (cup, 4)])
    services.receive_purchase_order(po=po, quantities={"TEA": 6}, actor=staff)
    assert units_on_order() == {tea.pk: 4, cup.pk: 4}

    closed = services.close_purchase_order(po=po, actor=staff, reason="  Supplier discontinued the line ")

    assert (closed.status, closed.received_at) == ("closed", None)
    event = po.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("partially_received", "closed", staff)
    assert event.note == "Closed short, 8 unit(s) not delivered: Supplier discontinued the line"
    assert units_on_order() == {}
    assert stock_of(tea, warehouse).on_hand == 16 and stock_of(cup, warehouse).on_hand == 4  # nothing taken back
    assert [(line.quantity, line.received_quantity) for line in po.lines.all()] == [(10, 6), (4, 0)]
    assert_stock_matches_movements(stock_of(tea, warehouse))


def test_a_closed_po_takes_no_deliveries_and_cannot_be_cancelled_or_closed_again(supplier, warehouse, tea):
    po = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    services.receive_purchase_order(po=po, quantities={"TEA": 3}, actor=None)
    services.close_purchase_order(po=po, actor=None, reason="Short shipped")
    events = po.events.count()

    with pytest.raises(InvalidPurchaseTransition, match="closed short: it takes no more deliveries"):
        services.receive_purchase_order(po=po, quantities={"TEA": 1}, actor=None)
    with pytest.raises(InvalidPurchaseTransition):
        services.cancel_purchase_order(po=po, actor=None)
    with pytest.raises(InvalidPurchaseTransition) as caught:
        services.close_purchase_order(po=po, actor=None, reason="Again")

    assert caught.value.details == {"current_status": "closed", "requested_status": "closed"}
    assert po.events.count() == events and stock_of(tea, warehouse).on_hand == 13


def test_only_a_partially_received_po_closes_and_only_with_a_reason(supplier, warehouse, tea):
    draft = draft_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    ordered = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    done = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 2)])
    services.receive_purchase_order(po=done, quantities={"TEA": 2}, actor=None)
    partly = ordered_po(supplier=supplier, warehouse=warehouse, lines=[(tea, 10)])
    services.receive_purchase_order(po=partly, quantities={"TEA": 2}, actor=None)

    for po in (draft, ordered):
        with pytest.raises(InvalidPurchaseTransition, match="cancel it instead"):
            services.close_purchase_order(po=po, actor=None, reason="Never mind")
    with pytest.raises(InvalidPurchaseTransition, match="fully received"):
        services.close_purchase_order(po=done, actor=None, reason="Never mind")
    with pytest.raises(ValidationFailed, match="Say why"):
        services.close_purchase_order(po=partly, actor=None, reason="   ")

    statuses = [po.status for po in PurchaseOrder.objects.order_by("id")]
    assert statuses == ["draft", "ordered", "received", "partially_received"]


# --- Suppliers ----------------------------------------------------------------------------------------------------


def test_create_supplier_defaults_the_lead_time_and_refuses_a_taken_code(settings):
    settings.OMS_REPLENISH_LEAD_DAYS = 9
    supplier = services.create_supplier(code="NEW", name="New Co")
    assert (supplier.lead_days, supplier.is_active) == (9, True)
    with pytest.raises(Exception, match="already exists"):
        services.create_supplier(code="NEW", name="Other")
    with pytest.raises(ValidationFailed):
        services.create_supplier(code="ZERO", name="Zero", lead_days=0)

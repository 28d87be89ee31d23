"""Reports and exports add money up exactly to the cent on every database (SQLite's SUM is a float)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db.models import Q

from oms.common.money import money_sum
from oms.orders.models import OrderItem
from oms.payments.tests.factories import paid_order
from oms.reports import selectors
from oms.shipping.tests.factories import stocked_sku

pytestmark = pytest.mark.django_db


@pytest.fixture
def drifting_sales(customer, staff, address, warehouse):
    """Amounts whose float sums drift: 0.10 and 0.20 lines (with the 10.00 fee) and three lines of 16,698.20."""
    small = stocked_sku(warehouse, on_hand=50, price="0.10")
    big = stocked_sku(warehouse, on_hand=50, price="16698.20")
    for quantity in (1, 1, 1, 2, 2, 2):
        paid_order(customer=customer, staff=staff, address=address, lines=[(small, quantity)])
    for _ in range(3):
        paid_order(customer=customer, staff=staff, address=address, lines=[(big, 1)])
    return small, big


def _csv(browser, export: str) -> list[list[str]]:
    response = browser.get(f"/console/reports/?days=7&export={export}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_money_sum_is_exact_and_two_places(drifting_sales):
    small, big = drifting_sales
    totals = OrderItem.objects.aggregate(
        small=money_sum("line_total", filter=Q(sku_code=small.code)),
        big=money_sum("line_total", filter=Q(sku_code=big.code)),
        nothing=money_sum("line_total", filter=Q(sku_code="no-such-sku")),
    )
    assert totals == {"small": Decimal("0.90"), "big": Decimal("50094.60"), "nothing": Decimal("0.00")}
    assert all(str(value) == f"{value:.2f}" for value in totals.values())
    per_sku = dict(OrderItem.objects.values_list("sku_code").annotate(total=money_sum("line_total")).order_by())
    assert per_sku == {small.code: Decimal("0.90"), big.code: Decimal("50094.60")}


def test_period_summary_and_top_skus_are_exact(drifting_sales):
    small, big = drifting_sales
    today = selectors.timezone.localdate()
    filters = selectors.ReportFilters(today, today)
    expected_sales = Decimal("0.90") + 6 * Decimal("10.00") + Decimal("50094.60")
    summary = selectors.sales_total(filters)
    assert summary.gross == expected_sales
    assert str(summary.gross) == "50155.50"
    top = {row.code: row.revenue for row in selectors.top_skus(filters)}
    assert top == {small.code: Decimal("0.90"), big.code: Decimal("50094.60")}
    assert sorted(str(value) for value in top.values()) == ["0.90", "50094.60"]


def test_exports_write_exact_cents(staff_browser, drifting_sales):
    small, big = drifting_sales
    top = {row[1]: row[4] for row in _csv(staff_browser, "top_skus")[1:] if row[0] == "units"}
    assert top == {small.code: "0.90", big.code: "50094.60"}
    sales = _csv(staff_browser, "sales")
    today = dict(zip(sales[0], sales[-1], strict=True))
    assert (today["gross_sales"], today["refunds"], today["net_sales"]) == ("50155.50", "0.00", "50155.50")
    for row in sales[1:]:
        for cell in row[5:9]:
            assert cell == f"{Decimal(cell):.2f}"


def test_reports_and_dashboard_show_exact_cents(staff_browser, drifting_sales):
    reports = staff_browser.get("/console/reports/?days=7").content.decode()
    assert "¥50,094.60" in reports  # top SKU revenue
    assert "¥50,155.50" in reports  # sales of the period
    dashboard = staff_browser.get("/console/").content.decode()
    assert "¥50,155.50" in dashboard
    assert "000000" not in reports + dashboard

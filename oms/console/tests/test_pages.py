"""Dashboard, inventory and reports: numbers, charts' data and CSV exports."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from oms.catalog.tests.factories import SkuFactory
from oms.inventory.tests.factories import stock_sku
from oms.payments.refunds import refund_order
from oms.payments.tests.factories import paid_order

pytestmark = pytest.mark.django_db


def test_dashboard_counts_orders_waiting_for_action(staff_browser, make_paid, make_pending):
    make_paid()
    make_pending()
    response = staff_browser.get("/console/")
    context = response.context
    assert context["today"].orders == 2 and context["today"].paid_orders == 1
    assert context["to_confirm"] == 1 and context["to_ship"] == 0
    html = response.content.decode()
    assert 'data-chart="sales-chart-data"' in html and "vendor/chart.umd.js" in html
    assert 'id="sales-chart-data"' in html


def test_inventory_shows_stock_movements_and_low_stock(staff_browser, make_paid, warehouse):
    order = make_paid(quantity=8)  # 10 on hand - 8 = 2 left: below OMS_LOW_STOCK_UNITS
    sku = order.items.get().sku_code
    response = staff_browser.get("/console/inventory/")
    html = response.content.decode()
    assert sku in html and warehouse.code in html
    assert sku in [s.code for s in response.context["low_stock"]]
    assert "Deducted (order paid)" in html
    assert staff_browser.get(f"/console/inventory/?q={sku}&warehouse={warehouse.code}").status_code == 200


def test_reports_count_refunds_on_the_day_the_money_went_back(staff_browser, make_paid, staff):
    make_paid(quantity=2, price="30.00")  # 70.00 with shipping
    refunded = make_paid(quantity=1, price="50.00")  # 60.00 with shipping
    refund_order(order=refunded, reason="changed mind", actor=staff, amount=Decimal("25.00"))

    response = staff_browser.get("/console/reports/?days=7")

    total = response.context["total"]
    assert (total.gross, total.refunds, total.net) == (Decimal("130.00"), Decimal("25.00"), Decimal("105.00"))
    html = response.content.decode()
    assert "¥25.00" in html and "net of refunds ¥105.00" in html and "Refunds (¥)" in html
    rows = list(csv.reader(io.StringIO(staff_browser.get("/console/reports/?days=7&export=sales").content.decode())))
    today = dict(zip(rows[0], rows[-1], strict=True))
    assert (today["gross_sales"], today["refunds"], today["net_sales"]) == ("130.00", "25.00", "105.00")


def test_reports_render_a_chart_per_section(staff_browser, make_paid):
    make_paid()
    html = staff_browser.get("/console/reports/?days=7").content.decode()
    for chart in ("chart-sales", "chart-methods", "chart-top", "chart-products", "chart-customers", "chart-lead"):
        assert f'data-chart="{chart}-data"' in html


@pytest.mark.parametrize(
    ("export", "header"),
    [
        ("summary", ["measure", "this_period", "previous_period", "change_percent"]),
        ("methods", ["payment_method", "paid_orders", "gross_sales", "refunds"]),
        ("top_skus", ["ranked_by", "sku", "name", "units", "revenue"]),
        ("customers", ["period", "orders_new_customers", "orders_returning_customers"]),
    ],
)
def test_reports_export_csv(staff_browser, make_paid, export, header):
    order = make_paid(quantity=2)
    response = staff_browser.get(f"/console/reports/?days=30&export={export}")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == header
    if export == "top_skus":
        assert rows[1][:2] == ["units", order.items.get().sku_code] and rows[1][3] == "2"
    if export == "customers":
        assert len(rows) == 31 and sum(int(r[1]) for r in rows[1:]) == 1


HOSTILE_NAMES = ['=HYPERLINK("http://evil.example/","x")', "+1", "-2", "@x", "\tX", "\rX"]


@pytest.mark.parametrize("export", ["summary", "sales", "methods", "top_skus", "top_products", "lead_times"])
def test_reports_exports_write_formula_like_names_as_text(staff_browser, customer, staff, address, warehouse, export):
    for name in HOSTILE_NAMES:
        sku = stock_sku(sku=SkuFactory(name=name, price=Decimal("1.00")), warehouse=warehouse, on_hand=5)
        paid_order(customer=customer, staff=staff, address=address, lines=[(sku, 1)])
    response = staff_browser.get(f"/console/reports/?days=30&export={export}")
    rows = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [cell for cell in cells if cell.startswith("-") and not cell[1:].replace(".", "").isdigit()]
    if export == "top_skus":
        assert sorted(row[2] for row in rows[1:] if row[0] == "units") == sorted("'" + name for name in HOSTILE_NAMES)


def test_lead_time_chart_keeps_every_label():
    """Chart.js skips category labels that would overlap unless told not to; charts.js reads the spec's flag."""
    from pathlib import Path

    from oms.console import charts
    from oms.reports import selectors

    today = selectors.timezone.localdate()
    _periods, totals = selectors.lead_times(selectors.ReportFilters(today, today))
    spec = charts.lead_time_chart(totals)
    assert spec["autoSkip"] is False
    assert len(spec["labels"]) == len(selectors.STAGES)
    script = (Path(charts.__file__).parents[1] / "web_vendor" / "static" / "web" / "charts.js").read_text()
    assert "spec.autoSkip === false" in script

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from oms.console import charts, selectors
from oms.console.access import may_open, staff_required
from oms.orders.states import OrderStatus
from oms.payments.selectors import exception_page
from oms.planning.selectors import low_stock, planning_suggestions
from oms.reports import selectors as reports

CHART_DAYS = 30

# Each dashboard card shows a piece of one console page, so it needs that page's right (the page's own rule,
# read through may_open): a card is shown, and its numbers computed, only for users who may open the page.
CARDS = {
    "orders": "console:orders",  # orders today / this week, to confirm, to ship
    "sales": "console:reports",  # sales today / this week, the sales chart
    "exceptions": "console:exceptions",
    "low_stock": "console:inventory",
}


@staff_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    cards = {card: may_open(request.user, page) for card, page in CARDS.items()}
    today = timezone.localdate()
    context: dict = {"cards": cards, "pages": CARDS, "nav": "dashboard"}
    if cards["orders"] or cards["sales"]:
        # From the rollups: a few rows, whatever the number of orders.
        context["today"], context["week"], context["week_start"] = reports.today_and_week(today)
    if cards["orders"]:
        waiting = selectors.status_counts([OrderStatus.PAID, OrderStatus.AWAITING_SHIPMENT])
        context["to_confirm"] = waiting[OrderStatus.PAID]
        context["to_ship"] = waiting[OrderStatus.AWAITING_SHIPMENT]
    if cards["exceptions"]:
        exceptions = exception_page(number=1, size=8)
        context["exceptions"] = exceptions.entries
        context["exception_count"] = exceptions.total
    if cards["low_stock"]:
        low = low_stock(planning_suggestions())
        context["low_stock"] = low[:8]
        context["low_stock_count"] = len(low)
    if cards["sales"]:
        first = today - timedelta(days=CHART_DAYS - 1)
        context["sales_chart"] = charts.sales_chart(reports.sales_by_period(reports.ReportFilters(first, today)))
        context["chart_days"] = CHART_DAYS
    return render(request, "console/dashboard.html", context)

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from oms.console import charts, selectors
from oms.console.access import staff_required
from oms.inventory.selectors import low_stock
from oms.orders.states import OrderStatus
from oms.payments.selectors import exception_queue

CHART_DAYS = 30


@staff_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    waiting = selectors.status_counts([OrderStatus.PAID, OrderStatus.AWAITING_SHIPMENT])
    exceptions = exception_queue(limit=200)
    low = low_stock()
    context = {
        "today": selectors.period_summary(since=selectors.start_of_day(today)),
        "week": selectors.period_summary(since=selectors.start_of_day(week_start)),
        "week_start": week_start,
        "to_confirm": waiting[OrderStatus.PAID],
        "to_ship": waiting[OrderStatus.AWAITING_SHIPMENT],
        "exceptions": exceptions[:8],
        "exception_count": len(exceptions),
        "low_stock": low[:8],
        "low_stock_count": len(low),
        "sales_chart": charts.sales_chart(selectors.sales_by_day(days=CHART_DAYS, today=today)),
        "chart_days": CHART_DAYS,
        "nav": "dashboard",
    }
    return render(request, "console/dashboard.html", context)

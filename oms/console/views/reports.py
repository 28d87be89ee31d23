from __future__ import annotations

import csv
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from oms.console import charts, selectors
from oms.console.access import staff_required
from oms.console.forms import ReportPeriodForm

EXPORTS = ("sales", "status", "top_skus", "lead_times")


@staff_required("orders.view_all_orders")
def reports(request: HttpRequest) -> HttpResponse:
    form = ReportPeriodForm(request.GET or None)
    days = (form.cleaned_data.get("days") if form.is_valid() else None) or 30
    today = timezone.localdate()
    since = selectors.start_of_day(today - timedelta(days=days - 1))
    export = request.GET.get("export")
    if export in EXPORTS:
        return _csv(export, days=days, since=since, today=today)
    sales = selectors.sales_by_day(days=days, today=today)
    mix = selectors.status_mix(since=since)
    top = selectors.top_skus(since=since, limit=10)
    lead = selectors.lead_times(since=since)
    total_sales = sum((day.sales for day in sales), selectors.ZERO)
    total_refunded = sum((day.refunded for day in sales), selectors.ZERO)
    context = {
        "form": form,
        "days": days,
        "since": since,
        "sales": sales,
        "total_sales": total_sales,
        "total_refunded": total_refunded,
        "total_net": total_sales - total_refunded,
        "total_orders": sum(day.orders for day in sales),
        "top": top,
        "lead": lead,
        "sales_chart": charts.sales_chart(sales),
        "status_chart": charts.status_chart(mix),
        "top_chart": charts.top_skus_chart(top),
        "lead_chart": charts.lead_time_chart(lead),
        "exports": EXPORTS,
        "nav": "reports",
    }
    return render(request, "console/reports.html", context)


def _csv(export: str, *, days: int, since, today) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="oms-{export}-{today.isoformat()}-{days}d.csv"'
    writer = csv.writer(response)
    if export == "sales":
        writer.writerow(["day", "orders", "paid_orders", "sales", "refunded", "net"])
        for day in selectors.sales_by_day(days=days, today=today):
            writer.writerow([day.day.isoformat(), day.orders, day.paid_orders, day.sales, day.refunded, day.net])
    elif export == "status":
        writer.writerow(["status", "orders"])
        for status, _, count in selectors.status_mix(since=since):
            writer.writerow([status, count])
    elif export == "top_skus":
        writer.writerow(["sku", "name", "units", "revenue", "orders"])
        for row in selectors.top_skus(since=since, limit=100):
            writer.writerow([row.sku, row.name, row.units, row.revenue, row.orders])
    else:
        lead = selectors.lead_times(since=since)
        writer.writerow(["paid_to_shipped", "orders"])
        for label, count in lead.buckets:
            writer.writerow([label, count])
    return response

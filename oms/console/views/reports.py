from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oms.common.export import Cell, csv_response
from oms.console import charts, selectors
from oms.console.access import staff_required
from oms.console.forms import ReportPeriodForm

EXPORTS = {
    "sales": _("Sales by day"),
    "status": _("Status mix"),
    "top_skus": _("Top SKUs"),
    "lead_times": _("Lead times"),
}


# CSV column names in the reader's language; in English the snake_case names the exports always had.
COLUMNS = {
    "day": pgettext_lazy("CSV column", "day"),
    "orders": pgettext_lazy("CSV column", "orders"),
    "paid_orders": pgettext_lazy("CSV column", "paid_orders"),
    "sales": pgettext_lazy("CSV column", "sales"),
    "refunded": pgettext_lazy("CSV column", "refunded"),
    "net": pgettext_lazy("CSV column", "net"),
    "status": pgettext_lazy("CSV column", "status"),
    "sku": pgettext_lazy("CSV column", "sku"),
    "name": pgettext_lazy("CSV column", "name"),
    "units": pgettext_lazy("CSV column", "units"),
    "revenue": pgettext_lazy("CSV column", "revenue"),
    "paid_to_shipped": pgettext_lazy("CSV column", "paid_to_shipped"),
}


def _columns(*names: str) -> list[str]:
    return [str(COLUMNS[name]) for name in names]


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
        "exports": EXPORTS.items(),
        "nav": "reports",
    }
    return render(request, "console/reports.html", context)


def _csv(export: str, *, days: int, since, today) -> HttpResponse:
    filename = f"oms-{export}-{today.isoformat()}-{days}d.csv"
    rows: Iterable[list[Cell]]
    if export == "sales":
        header = _columns("day", "orders", "paid_orders", "sales", "refunded", "net")
        rows = (
            [day.day, day.orders, day.paid_orders, day.sales, day.refunded, day.net]
            for day in selectors.sales_by_day(days=days, today=today)
        )
    elif export == "status":
        header = _columns("status", "orders")
        rows = ([status, count] for status, _label, count in selectors.status_mix(since=since))
    elif export == "top_skus":
        header = _columns("sku", "name", "units", "revenue", "orders")
        rows = (
            [row.sku, row.name, row.units, row.revenue, row.orders]
            for row in selectors.top_skus(since=since, limit=100)
        )
    else:
        header = _columns("paid_to_shipped", "orders")
        rows = ([label, count] for label, count in selectors.lead_times(since=since).buckets)
    return csv_response(filename, header, rows)

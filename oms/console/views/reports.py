"""The reports page: sales, payment methods, best sellers, customers, lead times and exceptions for any range of
local days, compared with the period before, each with a chart, its numbers, and CSV and XLSX downloads.

Everything is read from the rollups (``oms.reports.selectors``), so the page costs the same at any shop size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from oms.common.export import Cell, csv_response, xlsx_response
from oms.console import charts
from oms.console.access import staff_required
from oms.console.forms import ReportForm
from oms.orders.states import OrderStatus
from oms.payments.models import PaymentIssue
from oms.reports import selectors
from oms.reports.selectors import ReportFilters, Sales

EXPORTS = {
    "summary": gettext_lazy("Summary and comparison"),
    "sales": gettext_lazy("Sales by period"),
    "methods": gettext_lazy("Payment methods"),
    "top_skus": gettext_lazy("Top SKUs"),
    "top_products": gettext_lazy("Top products"),
    "customers": gettext_lazy("New and returning customers"),
    "lead_times": gettext_lazy("Lead times"),
    "exceptions": gettext_lazy("Exceptions"),
}
FORMATS = {"csv": csv_response, "xlsx": xlsx_response}
AGE_LABELS = [
    gettext_lazy("under a day"),
    gettext_lazy("1–3 days"),
    gettext_lazy("3–7 days"),
    gettext_lazy("over 7 days"),
]
TOP_LIMIT = 10
MAX_PAGE_PERIODS = 120


# CSV and XLSX column names in the reader's language; in English the snake_case names.
COLUMNS = {
    "measure": pgettext_lazy("CSV column", "measure"),
    "this_period": pgettext_lazy("CSV column", "this_period"),
    "previous_period": pgettext_lazy("CSV column", "previous_period"),
    "change_percent": pgettext_lazy("CSV column", "change_percent"),
    "period": pgettext_lazy("CSV column", "period"),
    "orders": pgettext_lazy("CSV column", "orders"),
    "cancelled": pgettext_lazy("CSV column", "cancelled"),
    "paid_orders": pgettext_lazy("CSV column", "paid_orders"),
    "units": pgettext_lazy("CSV column", "units"),
    "gross_sales": pgettext_lazy("CSV column", "gross_sales"),
    "price_adjustments": pgettext_lazy("CSV column", "price_adjustments"),
    "refunds": pgettext_lazy("CSV column", "refunds"),
    "net_sales": pgettext_lazy("CSV column", "net_sales"),
    "average_order_value": pgettext_lazy("CSV column", "average_order_value"),
    "refund_count": pgettext_lazy("CSV column", "refund_count"),
    "payment_method": pgettext_lazy("CSV column", "payment_method"),
    "ranked_by": pgettext_lazy("CSV column", "ranked_by"),
    "sku": pgettext_lazy("CSV column", "sku"),
    "product_id": pgettext_lazy("CSV column", "product_id"),
    "name": pgettext_lazy("CSV column", "name"),
    "revenue": pgettext_lazy("CSV column", "revenue"),
    "orders_new_customers": pgettext_lazy("CSV column", "orders_new_customers"),
    "orders_returning_customers": pgettext_lazy("CSV column", "orders_returning_customers"),
    "kind": pgettext_lazy("CSV column", "kind"),
    "under_1_day": pgettext_lazy("CSV column", "under_1_day"),
    "1_to_3_days": pgettext_lazy("CSV column", "1_to_3_days"),
    "3_to_7_days": pgettext_lazy("CSV column", "3_to_7_days"),
    "over_7_days": pgettext_lazy("CSV column", "over_7_days"),
    "total": pgettext_lazy("CSV column", "total"),
    "to_pay_count": pgettext_lazy("CSV column", "to_pay_count"),
    "to_pay_median_hours": pgettext_lazy("CSV column", "to_pay_median_hours"),
    "to_pay_p90_hours": pgettext_lazy("CSV column", "to_pay_p90_hours"),
    "to_ship_count": pgettext_lazy("CSV column", "to_ship_count"),
    "to_ship_median_hours": pgettext_lazy("CSV column", "to_ship_median_hours"),
    "to_ship_p90_hours": pgettext_lazy("CSV column", "to_ship_p90_hours"),
    "to_deliver_count": pgettext_lazy("CSV column", "to_deliver_count"),
    "to_deliver_median_hours": pgettext_lazy("CSV column", "to_deliver_median_hours"),
    "to_deliver_p90_hours": pgettext_lazy("CSV column", "to_deliver_p90_hours"),
}


def _columns(*names: str) -> list[str]:
    return [str(COLUMNS[name]) for name in names]


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: Iterable[Sequence[Cell]]


@dataclass(frozen=True)
class Comparison:
    label: str
    now: Any
    before: Any
    change: Any
    money: bool = False


def comparisons(now: Sales, before: Sales) -> list[Comparison]:
    def row(label: str, attribute: str, money: bool = False) -> Comparison:
        a, b = getattr(now, attribute), getattr(before, attribute)
        return Comparison(label, a, b, selectors.change_percent(a, b), money)

    return [
        row(_("Orders placed"), "orders"),
        row(_("Cancelled unpaid"), "cancelled"),
        row(_("Paid orders"), "paid_orders"),
        row(_("Units sold"), "units"),
        row(_("Gross sales"), "gross", money=True),
        row(_("Price adjustments"), "price_adjustments", money=True),
        row(_("Refunds"), "refunds", money=True),
        row(_("Net sales"), "net", money=True),
        row(_("Average order value"), "average_order_value", money=True),
        row(_("Refund rate, percent of gross"), "refund_rate"),
        row(_("Orders from new customers"), "first_orders"),
        row(_("Orders from returning customers"), "returning_orders"),
    ]


def _kind_label(kind: str) -> str:
    if kind in OrderStatus.values:
        return str(OrderStatus(kind).label)
    return str(PaymentIssue.KIND_LABELS.get(kind, kind))


@staff_required("orders.view_all_orders")
def reports(request: HttpRequest) -> HttpResponseBase:
    form = ReportForm(request.GET or None)
    today = timezone.localdate()
    filters = form.filters(today=today)
    export, file_format = request.GET.get("export"), request.GET.get("format", "csv")
    if export in EXPORTS and file_format in FORMATS:
        table = TABLES[export](filters)
        name = f"oms-{export}-{filters.first.isoformat()}-{filters.last.isoformat()}.{file_format}"
        return FORMATS[file_format](name, table.header, table.rows)
    requested = filters
    filters = _for_the_page(filters)
    periods = selectors.sales_by_period(filters)
    total = selectors.total_of(periods, filters.first)
    previous = selectors.sales_total(filters.previous())
    split = selectors.payment_method_split(filters)
    sellers = selectors.best_sellers(filters)  # one rollup read for the four rankings
    top = {
        by: (sellers.top(by=by, limit=TOP_LIMIT), sellers.top(products=True, by=by, limit=TOP_LIMIT))
        for by in ("units", "revenue")
    }
    lead_by_period, lead_total = selectors.lead_times(filters)
    exceptions = selectors.exceptions_by_kind_and_age()
    context = {
        "form": form,
        "filters": filters,
        "regrouped": requested.group != filters.group,
        "max_page_periods": MAX_PAGE_PERIODS,
        "previous": filters.previous(),
        "total": total,
        "comparisons": comparisons(total, previous),
        "periods": periods,
        "split": split,
        "top": top,
        "lead_total": [lead_total[stage] for stage in selectors.STAGES],
        "lead_rows": _lead_rows(lead_by_period, filters.group),
        "stage_labels": [charts.stage_label(stage) for stage in selectors.STAGES],
        "exceptions": [(_kind_label(k.kind), k) for k in exceptions],
        "age_labels": AGE_LABELS,
        "sales_chart": charts.sales_chart(periods, filters.group),
        "customers_chart": charts.customers_chart(periods, filters.group),
        "methods_chart": charts.methods_chart(split),
        "top_sku_units_chart": charts.top_chart(top["units"][0], by="units"),
        "top_sku_revenue_chart": charts.top_chart(top["revenue"][0], by="revenue"),
        "top_product_units_chart": charts.top_chart(top["units"][1], by="units", products=True),
        "top_product_revenue_chart": charts.top_chart(top["revenue"][1], by="revenue", products=True),
        "lead_chart": charts.lead_time_chart(lead_total),
        "exceptions_chart": charts.exceptions_chart(exceptions, [str(label) for label in AGE_LABELS], _kind_label),
        "exports": EXPORTS.items(),
        "query": _query_without_export(request),
        "nav": "reports",
    }
    return render(request, "console/reports.html", context)


def _for_the_page(filters: ReportFilters) -> ReportFilters:
    """The page shows at most MAX_PAGE_PERIODS periods (each in a chart and a table); a longer range by day is shown
    by week, then by month (the downloads keep the grouping asked for)."""
    for group in selectors.GROUPS[selectors.GROUPS.index(filters.group) :]:
        regrouped = replace(filters, group=group)
        if len(selectors.period_starts(regrouped)) <= MAX_PAGE_PERIODS:
            return regrouped
    return replace(filters, group="month")


def _query_without_export(request: HttpRequest) -> str:
    query = request.GET.copy()
    for name in ("export", "format"):
        query.pop(name, None)
    return query.urlencode()


def _lead_rows(by_period: dict[str, list[selectors.LeadTime]], group: str) -> list[list[Any]]:
    """One row per period: its label, then count, median and p90 of each stage."""
    stages = [by_period[stage] for stage in selectors.STAGES]
    rows = []
    for cells in zip(*stages, strict=True):
        row: list[Any] = [charts.period_label(cells[0].start, group)]
        for cell in cells:
            row += [cell.count, charts.hours(cell.median_hours), charts.hours(cell.p90_hours)]
        rows.append(row)
    return rows


# --- Exports: one table per section, the same numbers as the page ------------------------------------------------


def _summary(filters: ReportFilters) -> Table:
    now, before = selectors.sales_total(filters), selectors.sales_total(filters.previous())
    return Table(
        _columns("measure", "this_period", "previous_period", "change_percent"),
        ([row.label, row.now, row.before, row.change] for row in comparisons(now, before)),
    )


def _sales(filters: ReportFilters) -> Table:
    header = _columns(
        "period",
        "orders",
        "cancelled",
        "paid_orders",
        "units",
        "gross_sales",
        "price_adjustments",
        "refunds",
        "net_sales",
        "average_order_value",
        "refund_count",
    )
    rows: list[list[Cell]] = [
        [
            p.start,
            p.orders,
            p.cancelled,
            p.paid_orders,
            p.units,
            p.gross,
            p.price_adjustments,
            p.refunds,
            p.net,
            p.average_order_value,
            p.refund_count,
        ]
        for p in selectors.sales_by_period(filters)
    ]
    return Table(header, rows)


def _methods(filters: ReportFilters) -> Table:
    return Table(
        _columns("payment_method", "paid_orders", "gross_sales", "refunds"),
        ([row.method, row.paid_orders, row.gross, row.refunds] for row in selectors.payment_method_split(filters)),
    )


def _top(products: bool) -> Callable[[ReportFilters], Table]:
    def table(filters: ReportFilters) -> Table:
        sellers = selectors.best_sellers(filters)
        rows: list[list[Cell]] = [
            [by, row.code, row.name, row.units, row.revenue]
            for by in ("units", "revenue")
            for row in sellers.top(products=products, by=by, limit=100)
        ]
        return Table(_columns("ranked_by", "product_id" if products else "sku", "name", "units", "revenue"), rows)

    return table


def _customers(filters: ReportFilters) -> Table:
    return Table(
        _columns("period", "orders_new_customers", "orders_returning_customers"),
        ([p.start, p.first_orders, p.returning_orders] for p in selectors.sales_by_period(filters)),
    )


def _lead_times(filters: ReportFilters) -> Table:
    by_period, _total = selectors.lead_times(filters)
    header = _columns("period")
    for stage in selectors.STAGES:
        header += _columns(f"{stage}_count", f"{stage}_median_hours", f"{stage}_p90_hours")
    return Table(header, _lead_rows(by_period, filters.group))


def _exceptions(filters: ReportFilters) -> Table:
    header = _columns("kind", "under_1_day", "1_to_3_days", "3_to_7_days", "over_7_days", "total")
    return Table(header, ([k.kind, *k.by_age, k.total] for k in selectors.exceptions_by_kind_and_age()))


TABLES: dict[str, Callable[[ReportFilters], Table]] = {
    "summary": _summary,
    "sales": _sales,
    "methods": _methods,
    "top_skus": _top(products=False),
    "top_products": _top(products=True),
    "customers": _customers,
    "lead_times": _lead_times,
    "exceptions": _exceptions,
}

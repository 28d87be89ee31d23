"""The numbers of the reports and the dashboard, read from the rollups (``oms.reporting``): a query over at most a
few thousand rows whatever the number of orders.

A period is a range of local days (the shop's time zone), grouped by day, ISO week (from Monday) or month;
filters are a warehouse (orders count in the warehouse of their first allocation) and a payment method (orders
count once paid). The previous period is the same number of days just before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from oms.catalog.models import Sku
from oms.common.money import ZERO
from oms.orders.models import Order
from oms.payments.models import Payment, PaymentIssue
from oms.payments.selectors import EXCEPTION_STATES
from oms.reporting.models import LeadTimeRollup, SalesRollup, SkuRollup
from oms.reporting.rollups import bucket_seconds

GROUPS = ("day", "week", "month")
MAX_DAYS = 3 * 366 + 1  # "up to three years"
SALES_MEASURES = (
    "orders",
    "cancelled",
    "paid_orders",
    "units",
    "gross_cents",
    "first_orders",
    "refunds_cents",
    "refund_count",
)
STAGES = [stage.value for stage in LeadTimeRollup.Stage]


@dataclass(frozen=True)
class ReportFilters:
    first: date
    last: date  # included
    group: str = "day"
    warehouse_id: int | None = None
    payment_method: str | None = None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> ReportFilters:
        """The same number of days just before."""
        return replace(self, first=self.first - timedelta(days=self.days), last=self.first - timedelta(days=1))


def cents_to_money(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


@dataclass
class Sales:
    """Sales of one period (a bucket, or the whole range)."""

    start: date
    orders: int = 0
    cancelled: int = 0
    paid_orders: int = 0
    units: int = 0
    gross_cents: int = 0
    first_orders: int = 0
    refunds_cents: int = 0
    refund_count: int = 0

    def add(self, row: dict[str, Any]) -> None:
        for name in SALES_MEASURES:
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))

    @property
    def gross(self) -> Decimal:
        return cents_to_money(self.gross_cents)

    @property
    def refunds(self) -> Decimal:
        return cents_to_money(self.refunds_cents)

    @property
    def net(self) -> Decimal:
        return self.gross - self.refunds

    @property
    def price_adjustments(self) -> Decimal:
        return ZERO  # price adjustments do not exist yet (a later issue adds them and their rollup column)

    @property
    def average_order_value(self) -> Decimal | None:
        return (self.gross / self.paid_orders).quantize(Decimal("0.01")) if self.paid_orders else None

    @property
    def refund_rate(self) -> Decimal | None:
        """Money refunded in the period as a percentage of its gross sales."""
        return (
            (Decimal(100) * self.refunds_cents / self.gross_cents).quantize(Decimal("0.1"))
            if self.gross_cents
            else None
        )

    @property
    def returning_orders(self) -> int:
        return self.paid_orders - self.first_orders


def _filtered(rows: QuerySet[Any], filters: ReportFilters) -> QuerySet[Any]:
    rows = rows.filter(day__gte=filters.first, day__lte=filters.last)
    if filters.warehouse_id is not None:
        rows = rows.filter(warehouse_id=filters.warehouse_id)
    if filters.payment_method is not None:
        rows = rows.filter(payment_method=filters.payment_method)
    return rows


def period_start(day: date, group: str) -> date:
    if group == "week":
        return day - timedelta(days=day.weekday())
    if group == "month":
        return day.replace(day=1)
    return day


def period_starts(filters: ReportFilters) -> list[date]:
    starts: list[date] = []
    day = filters.first
    while day <= filters.last:
        start = period_start(day, filters.group)
        if not starts or starts[-1] != start:
            starts.append(start)
        day += timedelta(days=1)
    return starts


def sales_by_period(filters: ReportFilters) -> list[Sales]:
    """One row per period of the range, oldest first, zeros for quiet periods."""
    periods = {start: Sales(start) for start in period_starts(filters)}
    rows = (
        _filtered(SalesRollup.objects.all(), filters)
        .values("day")
        .annotate(**{name: Sum(name) for name in SALES_MEASURES})
        .order_by()
    )
    for row in rows:
        periods[period_start(row["day"], filters.group)].add(row)
    return list(periods.values())


def sales_total(filters: ReportFilters) -> Sales:
    total = Sales(filters.first)
    total.add(_filtered(SalesRollup.objects.all(), filters).aggregate(**{name: Sum(name) for name in SALES_MEASURES}))
    return total


def total_of(periods: Iterable[Sales], start: date) -> Sales:
    total = Sales(start)
    for period in periods:
        total.add({name: getattr(period, name) for name in SALES_MEASURES})
    return total


@dataclass(frozen=True)
class MethodSales:
    method: str
    label: str
    paid_orders: int
    gross: Decimal
    refunds: Decimal


def payment_method_split(filters: ReportFilters) -> list[MethodSales]:
    labels = dict(Payment.Method.choices)
    rows = (
        _filtered(SalesRollup.objects.exclude(payment_method=""), filters)
        .values("payment_method")
        .annotate(paid=Sum("paid_orders"), gross=Sum("gross_cents"), refunds=Sum("refunds_cents"))
        .order_by("payment_method")
    )
    return [
        MethodSales(
            row["payment_method"],
            str(labels.get(row["payment_method"], row["payment_method"])),
            row["paid"] or 0,
            cents_to_money(row["gross"] or 0),
            cents_to_money(row["refunds"] or 0),
        )
        for row in rows
        if row["paid"] or row["refunds"]
    ]


@dataclass(frozen=True)
class TopItem:
    code: str  # SKU code, or the product's id
    name: str
    units: int
    revenue: Decimal


@dataclass(frozen=True)
class BestSellers:
    """Every SKU and product sold in the range, with units and line revenue (one rollup query for all rankings)."""

    skus: list[TopItem]
    products: list[TopItem]

    def top(self, *, products: bool = False, by: str = "units", limit: int = 10) -> list[TopItem]:
        items = self.products if products else self.skus
        if by == "revenue":
            return sorted(items, key=lambda t: (-t.revenue, -t.units, t.code))[:limit]
        return sorted(items, key=lambda t: (-t.units, -t.revenue, t.code))[:limit]


def best_sellers(filters: ReportFilters) -> BestSellers:
    """Best sellers among the paid orders of the range, by units or by revenue (lines, without shipping)."""
    rows = (
        _filtered(SkuRollup.objects.all(), filters)
        .values_list("sku_id")
        .annotate(units=Sum("units"), revenue=Sum("revenue_cents"))
        .order_by()
    )
    totals = {sku_id: (units, revenue) for sku_id, units, revenue in rows}
    skus = Sku.objects.select_related("product").in_bulk(list(totals))
    sku_items: list[TopItem] = []
    products: dict[int, list[Any]] = {}
    for sku_id, (units, revenue) in totals.items():
        sku = skus[sku_id]
        sku_items.append(TopItem(sku.code, sku.name, units, cents_to_money(revenue)))
        product = products.setdefault(sku.product_id, [sku.product.name, 0, 0])
        product[1] += units
        product[2] += revenue
    product_items = [
        TopItem(str(pk), name, units, cents_to_money(revenue)) for pk, (name, units, revenue) in products.items()
    ]
    return BestSellers(sku_items, product_items)


def top_skus(filters: ReportFilters, *, by: str = "units", limit: int = 10) -> list[TopItem]:
    return best_sellers(filters).top(by=by, limit=limit)


def top_products(filters: ReportFilters, *, by: str = "units", limit: int = 10) -> list[TopItem]:
    return best_sellers(filters).top(products=True, by=by, limit=limit)


@dataclass
class LeadTime:
    """One fulfilment step in one period: how many orders (parcels for delivery), median and p90 in hours."""

    start: date
    stage: str
    histogram: dict[int, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.histogram.values())

    def percentile_hours(self, fraction: float) -> float | None:
        total = self.count
        if not total:
            return None
        seen = 0
        for bucket in sorted(self.histogram):
            seen += self.histogram[bucket]
            if seen >= fraction * total:
                return bucket_seconds(bucket) / 3600
        return None  # not reached

    @property
    def median_hours(self) -> float | None:
        return self.percentile_hours(0.5)

    @property
    def p90_hours(self) -> float | None:
        return self.percentile_hours(0.9)


def lead_times(filters: ReportFilters) -> tuple[dict[str, list[LeadTime]], dict[str, LeadTime]]:
    """Per stage: one LeadTime per period (oldest first) and one for the whole range."""
    starts = period_starts(filters)
    periods = {stage: {start: LeadTime(start, stage) for start in starts} for stage in STAGES}
    totals = {stage: LeadTime(filters.first, stage) for stage in STAGES}
    rows = (
        _filtered(LeadTimeRollup.objects.all(), filters)
        .values_list("day", "stage", "bucket")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for day, stage, bucket, n in rows:
        if not n:
            continue
        for histogram in (periods[stage][period_start(day, filters.group)].histogram, totals[stage].histogram):
            histogram[bucket] = histogram.get(bucket, 0) + n
    return {stage: list(by_start.values()) for stage, by_start in periods.items()}, totals


AGE_BUCKETS: list[tuple[str, timedelta | None]] = [
    ("lt_1d", timedelta(days=1)),
    ("1_3d", timedelta(days=3)),
    ("3_7d", timedelta(days=7)),
    ("gt_7d", None),
]


@dataclass(frozen=True)
class ExceptionKind:
    kind: str  # an order status or a payment issue kind (codes)
    by_age: list[int]  # counts per AGE_BUCKETS

    @property
    def total(self) -> int:
        return sum(self.by_age)


def exceptions_by_kind_and_age() -> list[ExceptionKind]:
    """Open exceptions now: orders in an exception state (age: since their last change) and open payment issues
    (age: since raised), counted per kind and age."""
    now = timezone.now()

    def counts(rows: QuerySet[Any], group: str, stamp: str) -> Iterator[ExceptionKind]:
        buckets: dict[str, Any] = {}
        lower = None
        for name, upper in AGE_BUCKETS:
            condition = Q()
            if upper is not None:
                condition &= Q(**{f"{stamp}__gt": now - upper})
            if lower is not None:
                condition &= Q(**{f"{stamp}__lte": now - lower})
            buckets[name] = Count("id", filter=condition)
            lower = upper
        for row in rows.values(group).annotate(**buckets).order_by(group):
            yield ExceptionKind(row[group], [row[name] for name, _upper in AGE_BUCKETS])

    orders = Order.objects.filter(status__in=EXCEPTION_STATES)
    issues = PaymentIssue.objects.filter(resolved_at__isnull=True)
    return [*counts(orders, "status", "updated_at"), *counts(issues, "kind", "created_at")]


def change_percent(now: Decimal | int | None, before: Decimal | int | None) -> Decimal | None:
    """The change from ``before`` to ``now`` in percent (one decimal), None when there was nothing before."""
    if now is None or before is None or before == 0:
        return None
    return (Decimal(100) * (Decimal(now) - Decimal(before)) / Decimal(before)).quantize(Decimal("0.1"))


def today_and_week(today: date | None = None) -> tuple[Sales, Sales, date]:
    """The dashboard's figures: today's and this week's (from Monday) orders and sales, and the week's first day."""
    today = today or timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    days = sales_by_period(ReportFilters(week_start, today))
    return days[-1], total_of(days, week_start), week_start

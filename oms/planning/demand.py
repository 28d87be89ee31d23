"""Demand history: units customers ordered per SKU and shop day, from order lines by the day the order was placed.

What customers ordered, not what left the warehouse: a paid order counts on the day it was placed even if it ships
days later, and a SKU that was out of stock does not read as having no demand on the days its orders were
waiting. Orders cancelled before payment (the customer gave up, or the payment window expired) are left out: they
were never a sale, and a shopper who retries would count twice. Orders refunded later still count: the demand
was real.

Per warehouse, demand is what each warehouse was asked to supply: the order's allocations there (sourcing picks
the warehouses at placement; an allocation re-sourced elsewhere counts where it went). Days are the shop's (TIME_ZONE), bucketed here rather than in SQL because grouping
by local day needs time zone tables MariaDB servers often lack.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from oms.inventory.models import Allocation
from oms.orders.models import OrderItem
from oms.orders.states import OrderStatus


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def daily_demand(
    *, first_day: date, days: int, sku_ids: Iterable[int] | None = None, warehouse_id: int | None = None
) -> dict[int, list[int]]:
    """Units ordered per SKU id on each of ``days`` shop days from ``first_day`` (SKUs with no order are absent)."""
    since, until = day_start(first_day), day_start(first_day + timedelta(days=days))
    rows: QuerySet[OrderItem] | QuerySet[Allocation]
    if warehouse_id is None:
        rows = OrderItem.objects.filter(order__created_at__gte=since, order__created_at__lt=until).exclude(
            order__status=OrderStatus.CANCELLED
        )
        sku_field = "sku_id"
    else:
        rows = Allocation.objects.filter(
            stock__warehouse_id=warehouse_id, order__created_at__gte=since, order__created_at__lt=until
        ).exclude(order__status=OrderStatus.CANCELLED)
        rows = rows.exclude(status=Allocation.Status.RELEASED)  # moved elsewhere by re-allocation (or given back)
        sku_field = "stock__sku_id"
    if sku_ids is not None:
        rows = rows.filter(**{f"{sku_field}__in": list(sku_ids)})
    series: dict[int, list[int]] = {}
    for sku_id, created_at, quantity in rows.values_list(sku_field, "order__created_at", "quantity").iterator(
        chunk_size=5000
    ):
        index = (timezone.localtime(created_at).date() - first_day).days
        if 0 <= index < days:
            series.setdefault(sku_id, [0] * days)[index] += quantity
    return series

"""The rollups computed afresh from the source tables: what ``oms rollups rebuild`` writes, and what a property test
compares the live rollups with.

Each order contributes to the rows of its key (``oms.orders.rollups.order_key``: local day placed, first warehouse,
payment method once paid): one order placed; cancelled unpaid; or paid, with its units, total, lines per SKU, and
whether it was its customer's first paid order (the earliest placed, ties to the lower id); the hours to
payment, to shipping (its first ``shipped`` event) and, per delivered parcel, shipped -> delivered. Each refund
that succeeded (not the automatic refund of a late payment) adds its amount on the local day it completed.
Local days are computed in Python (``oms.reporting.rollups.local_day``), as the live writers do.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Max, Min, Sum
from django.utils import timezone

from oms.inventory.models import Allocation
from oms.orders.models import Order, OrderEvent, OrderItem
from oms.orders.states import OrderStatus
from oms.payments.models import Refund
from oms.reporting.models import LeadTimeRollup, SalesRollup, SkuRollup
from oms.reporting.rollups import Changes, Key, cents, local_day
from oms.shipping.models import Shipment

Stage = LeadTimeRollup.Stage


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class DayRange:
    first: date
    last: date  # included


def order_days(since: date | None = None) -> DayRange | None:
    """The local days of the orders placed (from ``since``), or None when there are none."""
    orders = Order.objects.all()
    if since is not None:
        orders = orders.filter(created_at__gte=start_of_day(since))
    bounds = orders.aggregate(first=Min("created_at"), last=Max("created_at"))
    if bounds["first"] is None:
        return None
    return DayRange(local_day(bounds["first"]), local_day(bounds["last"]))


def first_paid_orders() -> dict[int, int]:
    """customer id -> the id of their first paid order (earliest placed, then lowest id)."""
    table = connection.ops.quote_name(Order._meta.db_table)
    sql = (
        f"SELECT o.customer_id, MIN(o.id) FROM {table} o JOIN ("  # table names from the models
        f"SELECT customer_id, MIN(created_at) AS first_placed FROM {table} WHERE paid_at IS NOT NULL"
        " GROUP BY customer_id) f ON f.customer_id = o.customer_id AND o.created_at = f.first_placed"
        " WHERE o.paid_at IS NOT NULL GROUP BY o.customer_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def _warehouses(order_ids: Iterable[int]) -> dict[int, int]:
    """order id -> the warehouse of its first allocation."""
    found: dict[int, int] = {}
    for batch in _batches(sorted(set(order_ids))):
        rows = (
            Allocation.objects.filter(order_id__in=batch)
            .order_by("order_id", "id")
            .values_list("order_id", "stock__warehouse_id")
        )
        for order_id, warehouse_id in rows:
            found.setdefault(order_id, warehouse_id)
    return found


def aggregate_orders(days: DayRange, *, first_orders: dict[int, int]) -> Changes:
    """The contributions of the orders placed on the local days of ``days`` (sales, SKUs, lead times)."""
    since, until = start_of_day(days.first), start_of_day(days.last + timedelta(days=1))
    keys: dict[int, Key] = {}
    paid_at: dict[int, datetime] = {}
    changes = Changes()
    rows = list(
        Order.objects.filter(created_at__gte=since, created_at__lt=until).values_list(
            "id", "customer_id", "created_at", "paid_at", "status", "payment_method", "total_amount"
        )
    )
    # The orders' other rows are read by order id, in batches: an index look-up each, never a join on a range.
    ids = [row[0] for row in rows]
    warehouses = _warehouses(ids)
    for order_id, customer_id, created_at, paid, status, method, total in rows:
        key = Key(local_day(created_at), warehouses.get(order_id, 0), method if paid is not None else "")
        keys[order_id] = key
        if paid is None:
            changes.add_sales(key, orders=1, cancelled=int(status == OrderStatus.CANCELLED))
            continue
        paid_at[order_id] = paid
        changes.add_sales(
            key,
            orders=1,
            paid_orders=1,
            gross_cents=cents(total),
            first_orders=int(first_orders.get(customer_id) == order_id),
        )
        changes.add_lead(key, Stage.TO_PAY, (paid - created_at).total_seconds())
    paid_ids = list(paid_at)
    for batch in _batches(paid_ids):
        items = OrderItem.objects.filter(order_id__in=batch).values_list("order_id", "sku_id", "quantity", "line_total")
        for order_id, sku_id, quantity, line_total in items:
            key = keys[order_id]
            changes.add_sales(key, units=quantity)
            changes.add_sku(key, sku_id, units=quantity, revenue_cents=cents(line_total))
        shipped = (
            OrderEvent.objects.filter(order_id__in=batch, to_status=OrderStatus.SHIPPED)
            .values_list("order_id")
            .annotate(first=Min("created_at"))
            .order_by()
        )
        for order_id, shipped_at in shipped:
            if shipped_at is not None:
                changes.add_lead(keys[order_id], Stage.TO_SHIP, (shipped_at - paid_at[order_id]).total_seconds())
    for batch in _batches(ids):
        parcels = Shipment.objects.filter(
            order_id__in=batch, delivered_at__isnull=False, shipped_at__isnull=False
        ).values_list("order_id", "shipped_at", "delivered_at")
        for order_id, shipped_at, delivered_at in parcels:
            assert shipped_at is not None and delivered_at is not None  # filtered above
            changes.add_lead(keys[order_id], Stage.TO_DELIVER, (delivered_at - shipped_at).total_seconds())
    return changes


ID_BATCH = 2000


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), ID_BATCH):
        yield ids[start : start + ID_BATCH]


def aggregate_refunds(since: date | None = None) -> Changes:
    """Refunds completed (from the local day ``since``), on the day the money went back."""
    refunds = Refund.objects.filter(status=Refund.Status.SUCCEEDED, automatic=False, completed_at__isnull=False)
    if since is not None:
        refunds = refunds.filter(completed_at__gte=start_of_day(since))
    rows = list(refunds.values_list("order_id", "amount", "completed_at", "order__payment_method", "order__paid_at"))
    warehouses = _warehouses(row[0] for row in rows)
    changes = Changes()
    for order_id, amount, completed_at, method, paid in rows:
        assert completed_at is not None  # filtered above
        key = Key(local_day(completed_at), warehouses.get(order_id, 0), method if paid is not None else "")
        changes.add_sales(key, refunds_cents=cents(amount), refund_count=1)
    return changes


def day_chunks(days: DayRange, size: int) -> Iterator[DayRange]:
    first = days.first
    while first <= days.last:
        last = min(days.last, first + timedelta(days=size - 1))
        yield DayRange(first, last)
        first = last + timedelta(days=1)


def aggregate_all(since: date | None = None) -> Changes:
    """Every rollup row from ``since`` (all when None) in memory: for tests and small shops."""
    total = aggregate_refunds(since)
    days = order_days(since)
    if days is None:
        return total
    first_orders = first_paid_orders()
    for chunk in day_chunks(days, 31):
        merge(total, aggregate_orders(chunk, first_orders=first_orders))
    return total


def merge(into: Changes, other: Changes) -> None:
    for key, deltas in other.sales.items():
        into.add_sales(key, **deltas)
    for (key, sku_id), row in other.skus.items():
        into.add_sku(key, sku_id, **row)
    for at, count in other.lead.items():
        into.lead[at] = into.lead.get(at, 0) + count


def stored_rollups() -> Changes:
    """The rollup tables as they are (slots added up, rows of zeros left out), to compare with a fresh aggregation."""
    stored = Changes()
    measures = [f.name for f in SalesRollup._meta.concrete_fields if f.name not in KEY_FIELDS + ("id", "slot")]
    sales = SalesRollup.objects.values(*KEY_FIELDS).annotate(**{f"total_{m}": Sum(m) for m in measures}).order_by()
    for row in sales:
        stored.add_sales(_key(row), **{m: row[f"total_{m}"] for m in measures})
    for row in SkuRollup.objects.values(*KEY_FIELDS, "sku_id", "units", "revenue_cents"):
        stored.add_sku(_key(row), row["sku_id"], units=row["units"], revenue_cents=row["revenue_cents"])
    for row in LeadTimeRollup.objects.values(*KEY_FIELDS, "stage", "bucket", "count"):
        at = (_key(row), row["stage"], row["bucket"])
        stored.lead[at] = stored.lead.get(at, 0) + row["count"]
    return without_zeros(stored)


KEY_FIELDS = ("day", "warehouse_id", "payment_method")


def _key(row: dict[str, object]) -> Key:
    return Key(row["day"], row["warehouse_id"], row["payment_method"])  # type: ignore[arg-type]


def without_zeros(changes: Changes) -> Changes:
    """The same rollups without zero counters or rows of zeros (a rollup row may sum to zero; a fresh one never
    has it)."""
    clean = Changes()
    for key, deltas in changes.sales.items():
        kept = {name: value for name, value in deltas.items() if value}
        if kept:
            clean.sales[key] = kept
    clean.skus = {at: row for at, row in changes.skus.items() if any(row.values())}
    clean.lead = {at: count for at, count in changes.lead.items() if count}
    return clean

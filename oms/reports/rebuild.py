"""Rebuild the rollups from the source tables: ``oms rollups rebuild [--since DAY]``.

One transaction: the rows of the days from ``since`` (every day without it) are deleted and written again from a
fresh aggregation (``oms.reports.aggregate``), a week of orders at a time, so memory stays flat whatever the shop's
size. Run it with the shop quiet or accept that a change committed during the rebuild may be counted twice or not
at all for the days rebuilt (run it again for those days).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from oms.reporting.models import LeadTimeRollup, SalesRollup, SkuRollup
from oms.reporting.rollups import Changes, Key, delete_rows
from oms.reports.aggregate import aggregate_orders, aggregate_refunds, day_chunks, first_paid_orders, order_days

CHUNK_DAYS = 7
BATCH = 5000


@dataclass(frozen=True)
class Rebuilt:
    days: int
    sales_rows: int
    sku_rows: int
    lead_rows: int


def rebuild_rollups(*, since: date | None = None, progress: Callable[[str], None] = lambda _line: None) -> Rebuilt:
    with transaction.atomic():
        delete_rows(since=since)
        sales = aggregate_refunds(since).sales
        days = order_days(since)
        counted = {"days": 0, "skus": 0, "lead": 0}
        if days is not None:
            first_orders = first_paid_orders()
            total_days = (days.last - days.first).days + 1
            for chunk in day_chunks(days, CHUNK_DAYS):
                changes = aggregate_orders(chunk, first_orders=first_orders)
                for key, deltas in changes.sales.items():
                    row = sales.setdefault(key, {})
                    for name, value in deltas.items():
                        row[name] = row.get(name, 0) + value
                counted["skus"] += _write_skus(changes)
                counted["lead"] += _write_lead(changes)
                counted["days"] += (chunk.last - chunk.first).days + 1
                progress(
                    f"{chunk.first} – {chunk.last}: {counted['days']:,} of {total_days:,} days"
                    f" ({100 * counted['days'] // total_days} %)"
                )
        rows = [_sales_row(key, deltas) for key, deltas in sorted(sales.items()) if any(deltas.values())]
        SalesRollup.objects.bulk_create(rows, batch_size=BATCH)
    return Rebuilt(counted["days"], len(rows), counted["skus"], counted["lead"])


def _columns(key: Key) -> dict[str, object]:
    return {"day": key.day, "warehouse_id": key.warehouse_id, "payment_method": key.payment_method}


def _sales_row(key: Key, deltas: dict[str, int]) -> SalesRollup:
    return SalesRollup(**_columns(key), slot=0, **deltas)


def _write_skus(changes: Changes) -> int:
    rows = [
        SkuRollup(**_columns(key), sku_id=sku_id, **deltas)
        for (key, sku_id), deltas in sorted(changes.skus.items())
        if any(deltas.values())
    ]
    SkuRollup.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _write_lead(changes: Changes) -> int:
    rows = [
        LeadTimeRollup(**_columns(key), stage=stage, bucket=bucket, count=count)
        for (key, stage, bucket), count in sorted(changes.lead.items())
        if count
    ]
    LeadTimeRollup.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)

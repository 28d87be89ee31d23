"""The one writer of the rollup tables: atomic ``x = x + n`` upserts, inside the caller's transaction.

Callers (orders, payments, shipping) pass plain values: this module sits below them and imports none of them.
Each change is one ``INSERT … ON CONFLICT DO UPDATE`` (PostgreSQL, SQLite) or ``INSERT … ON DUPLICATE KEY UPDATE``
(MariaDB, MySQL) adding the deltas to the row of its key, so two transactions counting into the same row both
count, and a transaction that rolls back counted nothing. Rows are written last in a service's transaction (after
its order and stock rows), in key order, so rollup row locks never sit between two other locks.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone

from oms.reporting.models import LeadTimeRollup, SalesRollup, SkuRollup

# Rows per sales key (see SalesRollup.slot). Readers add them up, so changing this needs no migration.
SALES_SLOTS = 8
# Lead time buckets: under a minute, then 25 % wider each (the last one open-ended, past a year).
BUCKET_BASE_SECONDS = 60.0
BUCKET_GROWTH = 1.25
MAX_BUCKET = 60


def local_day(moment: datetime) -> date:
    """The shop's calendar day of ``moment`` (settings.TIME_ZONE, computed in Python: no time zone tables)."""
    return timezone.localtime(moment).date()


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def lead_bucket(seconds: float) -> int:
    """The histogram bucket of a duration (negative ones, from clocks that disagree, count as zero)."""
    if seconds < BUCKET_BASE_SECONDS:
        return 0
    return min(MAX_BUCKET, 1 + int(math.log(seconds / BUCKET_BASE_SECONDS) / math.log(BUCKET_GROWTH)))


def bucket_seconds(bucket: int) -> float:
    """A representative duration of a bucket (the geometric middle of its bounds)."""
    if bucket == 0:
        return BUCKET_BASE_SECONDS / 2
    return BUCKET_BASE_SECONDS * BUCKET_GROWTH ** (bucket - 1) * math.sqrt(BUCKET_GROWTH)


@dataclass(frozen=True, order=True)
class Key:
    day: date
    warehouse_id: int
    payment_method: str


@dataclass
class Changes:
    """What one service call adds to the rollups; :func:`apply` writes it."""

    sales: dict[Key, dict[str, int]] = field(default_factory=dict)
    skus: dict[tuple[Key, int], dict[str, int]] = field(default_factory=dict)
    lead: dict[tuple[Key, str, int], int] = field(default_factory=dict)

    def add_sales(self, key: Key, **deltas: int) -> None:
        row = self.sales.setdefault(key, {})
        for name, value in deltas.items():
            row[name] = row.get(name, 0) + value

    def add_sku(self, key: Key, sku_id: int, *, units: int, revenue_cents: int) -> None:
        row = self.skus.setdefault((key, sku_id), {"units": 0, "revenue_cents": 0})
        row["units"] += units
        row["revenue_cents"] += revenue_cents

    def add_lead(self, key: Key, stage: str, seconds: float) -> None:
        at = (key, stage, lead_bucket(seconds))
        self.lead[at] = self.lead.get(at, 0) + 1

    def __bool__(self) -> bool:
        return bool(self.sales or self.skus or self.lead)


def apply(changes: Changes) -> None:
    """Add ``changes`` to the rollup rows: one statement per table, rows in key order; in the caller's transaction."""
    slot = random.randrange(SALES_SLOTS)
    sales = [({**_key_columns(key), "slot": slot}, deltas) for key, deltas in sorted(changes.sales.items())]
    _upsert(SalesRollup, [(key, deltas) for key, deltas in sales if any(deltas.values())])
    skus = sorted(changes.skus.items())
    _upsert(SkuRollup, [({**_key_columns(key), "sku_id": sku_id}, deltas) for (key, sku_id), deltas in skus])
    lead = sorted(changes.lead.items())
    _upsert(
        LeadTimeRollup,
        [({**_key_columns(key), "stage": stage, "bucket": bucket}, {"count": n}) for (key, stage, bucket), n in lead],
    )


def _key_columns(key: Key) -> dict[str, object]:
    return {"day": key.day, "warehouse_id": key.warehouse_id, "payment_method": key.payment_method}


def _upsert(model: type[models.Model], rows: list[tuple[dict[str, object], dict[str, int]]]) -> None:
    """One ``INSERT … VALUES (…), (…) ON CONFLICT/DUPLICATE KEY`` adding each row's counters to its key's row.

    Keys are distinct (they come from a dict); counters a row does not name are added as 0."""
    if not rows:
        return
    meta = model._meta
    key_names = list(rows[0][0])
    counter_names = sorted({name for _key, deltas in rows for name in deltas})
    fields = {name: cast("models.Field[Any, Any]", meta.get_field(name)) for name in [*key_names, *counter_names]}
    values: list[Any] = []
    for key, deltas in rows:
        values += [fields[name].get_db_prep_value(key[name], connection) for name in key_names]
        values += [deltas.get(name, 0) for name in counter_names]
    table = connection.ops.quote_name(meta.db_table)
    quoted = [connection.ops.quote_name(field.column) for field in fields.values()]
    row_placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    insert = f"INSERT INTO {table} ({', '.join(quoted)}) VALUES {', '.join([row_placeholders] * len(rows))}"
    added = [connection.ops.quote_name(fields[name].column) for name in counter_names]
    if connection.vendor == "mysql":
        sets = ", ".join(f"{col} = {col} + VALUES({col})" for col in added)
        sql = f"{insert} ON DUPLICATE KEY UPDATE {sets}"
    else:
        conflict = ", ".join(quoted[: len(key_names)])
        sets = ", ".join(f"{col} = {table}.{col} + excluded.{col}" for col in added)
        sql = f"{insert} ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def delete_rows(*, since: date | None) -> None:
    """Delete the rollup rows of the days from ``since`` (all when None), before a rebuild writes them again."""
    for model in (SalesRollup, SkuRollup, LeadTimeRollup):
        rows = model._default_manager.all()
        if since is not None:
            rows = rows.filter(day__gte=since)
        rows.delete()

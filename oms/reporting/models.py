"""Rollup tables: what the reports add up, kept per local day (the shop's time zone) × warehouse × payment method.

Each row is a sum of what the orders of its key contribute (``oms.reports.aggregate`` says what each order and
refund contributes, and rebuilds the rows from the source tables). The services that change what a row counts add
their change in the same transaction, with one atomic ``x = x + n`` upsert (``oms.reporting.rollups``), so
concurrent writers never lose a count and a rolled-back change never counted.

Keys:
- ``day``: the local day the order was placed (sales, lead times) or the refund was completed (refunds), computed
  in Python from the shop's zone, so no database needs time zone tables.
- ``warehouse_id``: the warehouse of the order's first stock allocation (the one sourcing chose first; a split
  order counts in its first warehouse only); 0 when unknown. A plain integer, not a foreign key: the key columns
  must be NOT NULL for the unique index to refuse duplicates on every database.
- ``payment_method``: how the order was paid; empty while it is unpaid (its placement then moves to the method).
- ``slot`` (sales only): several rows share one key, picked at random by each writer, so that concurrent
  placements of one day do not all wait for one row lock; readers add the slots up.

Money is held in whole cents (integers): exact on every database (SQLite adds decimal columns as floats).
Counters have database defaults (0): an upsert names only the counters it changes.
"""

from __future__ import annotations

from django.db import models


class SalesRollup(models.Model):
    day = models.DateField()
    warehouse_id = models.PositiveIntegerField()
    payment_method = models.CharField(max_length=16, blank=True)
    slot = models.PositiveSmallIntegerField(default=0)
    orders = models.IntegerField(default=0, db_default=0)  # placed that day
    cancelled = models.IntegerField(default=0, db_default=0)  # placed that day, cancelled unpaid
    paid_orders = models.IntegerField(default=0, db_default=0)  # placed that day and paid
    units = models.IntegerField(default=0, db_default=0)  # units of those paid orders
    gross_cents = models.BigIntegerField(default=0, db_default=0)  # their totals (lines + shipping)
    first_orders = models.IntegerField(
        default=0, db_default=0
    )  # paid orders that were their customer's first paid order
    refunds_cents = models.BigIntegerField(default=0, db_default=0)  # money that went back that day (completed refunds)
    refund_count = models.IntegerField(default=0, db_default=0)
    # Price adjustments do not exist yet: when they land, they get their own column here.

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "warehouse_id", "payment_method", "slot"], name="sales_rollup_one_row_per_key"
            )
        ]


class SkuRollup(models.Model):
    """Units and line revenue of paid orders per SKU, by the day the order was placed."""

    day = models.DateField()
    warehouse_id = models.PositiveIntegerField()
    payment_method = models.CharField(max_length=16, blank=True)
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    units = models.IntegerField(default=0, db_default=0)
    revenue_cents = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "warehouse_id", "payment_method", "sku"], name="sku_rollup_one_row_per_key"
            )
        ]
        # Best sellers of a range add up its rows from the index alone on PostgreSQL (``include`` is PostgreSQL's).
        indexes = [models.Index(fields=["day", "sku"], include=["units", "revenue_cents"], name="sku_rollup_day_sku")]


class LeadTimeRollup(models.Model):
    """How many orders took how long for one step of fulfilment: a histogram per (day placed, stage).

    ``bucket`` is ``oms.reporting.rollups.lead_bucket`` of the duration (25 % wide buckets): medians and p90 read
    from it are within one bucket of the exact figure.
    """

    class Stage(models.TextChoices):
        TO_PAY = "to_pay"  # placed -> paid
        TO_SHIP = "to_ship"  # paid -> the order shipped (its last parcel left the warehouse)
        TO_DELIVER = "to_deliver"  # one parcel: left the warehouse -> delivered

    day = models.DateField()
    warehouse_id = models.PositiveIntegerField()
    payment_method = models.CharField(max_length=16, blank=True)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    bucket = models.PositiveSmallIntegerField()
    count = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "warehouse_id", "payment_method", "stage", "bucket"],
                name="lead_rollup_one_row_per_key",
            )
        ]

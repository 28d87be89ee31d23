from __future__ import annotations

from django.conf import settings
from django.db import models

from oms.common.fields import ExactCharField


class Warehouse(models.Model):
    code = ExactCharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    # Lower number = tried first when reserving stock.
    priority = models.PositiveIntegerField(default=100)
    region = models.CharField(max_length=50, help_text="Province or region the warehouse serves best")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Stock(models.Model):
    """Units of one SKU in one warehouse. Only the stock ledger (oms.inventory.ledger) changes these numbers."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="stocks")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stocks")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="stock_one_row_per_sku_warehouse"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=models.F("reserved")), name="stock_on_hand_covers_reserved"
            ),
        ]
        permissions = [("manage_stock", "Can set stock levels through the API")]

    def __str__(self) -> str:
        return f"{self.sku_id}@{self.warehouse_id}: {self.on_hand} on hand, {self.reserved} reserved"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(models.Model):
    """Append-only history: one row for every change of on_hand or reserved."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt (stock set up)"
        ADJUSTMENT = "adjustment", "Adjustment (stock count)"
        RESERVE = "reserve", "Reserved for an order"
        RELEASE = "release", "Reservation released"
        DEDUCT = "deduct", "Deducted (order paid)"
        RETURN = "return", "Returned to stock (refund)"

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Signed changes of the two counters, so history sums to the current numbers.
    on_hand_delta = models.IntegerField(default=0)
    reserved_delta = models.IntegerField(default=0)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]

    @property
    def quantity(self) -> int:
        return abs(self.reserved_delta) or abs(self.on_hand_delta)


class Allocation(models.Model):
    """Units of an order line held in (or taken from) one warehouse."""

    class Status(models.TextChoices):
        RESERVED = "reserved"
        DEDUCTED = "deducted"
        RELEASED = "released"

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="allocations")
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="allocations")
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RESERVED)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "stock"], name="allocation_one_per_order_stock"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="allocation_quantity_positive"),
        ]

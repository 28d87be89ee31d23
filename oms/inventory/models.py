from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oms.common.fields import ExactCharField


class Warehouse(models.Model):
    code = ExactCharField(max_length=32, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    # Lower number = tried first when reserving stock.
    priority = models.PositiveIntegerField(default=100, verbose_name=_("priority"))
    region = models.CharField(
        max_length=50, help_text=_("Province or region the warehouse serves best"), verbose_name=_("region")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Stock(models.Model):
    """Units of one SKU in one warehouse. Only the stock ledger (oms.inventory.ledger) changes these numbers."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="stocks", verbose_name=_("SKU"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stocks", verbose_name=_("warehouse")
    )
    on_hand = models.IntegerField(default=0, verbose_name=_("on hand"))
    reserved = models.IntegerField(default=0, verbose_name=_("reserved"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="stock_one_row_per_sku_warehouse"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=models.F("reserved")), name="stock_on_hand_covers_reserved"
            ),
        ]
        permissions = [("manage_stock", "Can set stock levels through the API")]

    def __str__(self) -> str:
        numbers = gettext("%(on_hand)s on hand, %(reserved)s reserved") % {
            "on_hand": self.on_hand,
            "reserved": self.reserved,
        }
        return f"{self.sku_id}@{self.warehouse_id}: {numbers}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(models.Model):
    """Append-only history: one row for every change of on_hand or reserved."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt (stock set up)")
        ADJUSTMENT = "adjustment", _("Adjustment (stock count)")
        RESERVE = "reserve", _("Reserved for an order")
        RELEASE = "release", _("Reservation released")
        DEDUCT = "deduct", _("Deducted (order paid)")
        RETURN = "return", _("Returned to stock (refund)")

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements", verbose_name=_("stock"))
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    # Signed changes of the two counters, so history sums to the current numbers.
    on_hand_delta = models.IntegerField(default=0, verbose_name=_("on hand change"))
    reserved_delta = models.IntegerField(default=0, verbose_name=_("reserved change"))
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("order")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-id"]

    @property
    def quantity(self) -> int:
        return abs(self.reserved_delta) or abs(self.on_hand_delta)


class Allocation(models.Model):
    """Units of an order line held in (or taken from) one warehouse."""

    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        DEDUCTED = "deducted", _("Deducted")
        RELEASED = "released", _("Released")

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="allocations", verbose_name=_("order")
    )
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("stock"))
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RESERVED, verbose_name=_("status"))

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(fields=["order", "stock"], name="allocation_one_per_order_stock"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="allocation_quantity_positive"),
        ]

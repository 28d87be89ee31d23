from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Round

from oms.common.fields import ExactCharField
from oms.common.models import StatusEvent
from oms.orders.states import OrderStatus


class Order(models.Model):
    """A customer's order. ``status`` changes only through oms.orders.transitions."""

    order_no = ExactCharField(max_length=20, unique=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=24, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT)
    currency = models.CharField(max_length=3, default="CNY")
    subtotal = models.DecimalField(max_digits=14, decimal_places=2)
    shipping_fee = models.DecimalField(max_digits=12, decimal_places=2)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2)
    shipping_address = models.JSONField()
    # How the customer means to pay (checked at placement for balance); the payments say how they did.
    payment_method = models.CharField(max_length=16, blank=True, default="")
    idempotency_key = ExactCharField(max_length=128, null=True, blank=True)
    # SHA-256 of the canonical request, to tell a replay from a reused key.
    request_fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Not a column: place_order leaves the rows it just wrote here ({"items": [...], "events": [...]}).
    placed_rows: dict[str, list[Any]]

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "idempotency_key"], name="order_one_per_idempotency_key"),
            # Rounded because SQLite keeps decimals as floating point, where 1.12 + 10.00 != 11.12.
            models.CheckConstraint(
                condition=models.Q(total_amount=Round(models.F("subtotal") + models.F("shipping_fee"), 2)),
                name="order_total_is_subtotal_plus_shipping",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="order_customer_created"),
            models.Index(fields=["status", "-created_at"], name="order_status_created"),
            models.Index(fields=["status", "expires_at"], name="order_status_expires"),
        ]
        permissions = [
            ("view_all_orders", "Can see every customer's orders"),
            ("manage_orders", "Can cancel orders and record offline payments"),
        ]

    def __str__(self) -> str:
        return self.order_no


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="order_items")
    # Copied at placement: later catalog changes never rewrite a placed order.
    sku_code = ExactCharField(max_length=64)
    name = models.CharField(max_length=200)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sku"], name="order_item_one_line_per_sku"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_item_quantity_positive"),
        ]
        indexes = [models.Index(fields=["sku_code", "order"], name="order_item_sku_code_order")]


class OrderEvent(StatusEvent):
    """Append-only timeline: one row per status change (and notable non-status events)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)

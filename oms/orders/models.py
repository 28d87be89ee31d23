from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from oms.common.fields import ExactCharField
from oms.common.models import StatusEvent
from oms.orders.states import OrderStatus


class Order(models.Model):
    """A customer's order. ``status`` changes only through oms.orders.transitions."""

    order_no = ExactCharField(max_length=20, unique=True, verbose_name=_("order number"))
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer")
    )
    status = models.CharField(
        max_length=24, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT, verbose_name=_("status")
    )
    currency = models.CharField(max_length=3, default="CNY", verbose_name=_("currency"))
    subtotal = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("subtotal"))
    shipping_fee = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("shipping fee"))
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("total"))
    shipping_address = models.JSONField(verbose_name=_("shipping address"))
    # How the customer means to pay (checked at placement for balance); the payments say how they did.
    payment_method = models.CharField(max_length=16, blank=True, default="", verbose_name=_("payment method"))
    idempotency_key = ExactCharField(max_length=128, null=True, blank=True, verbose_name=_("idempotency key"))
    # SHA-256 of the canonical request, to tell a replay from a reused key.
    request_fingerprint = models.CharField(max_length=64, blank=True, verbose_name=_("request fingerprint"))
    created_at = models.DateTimeField(db_index=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    # Not a column: place_order leaves the rows it just wrote here ({"items": [...], "events": [...]}).
    placed_rows: dict[str, list[Any]]

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
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
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items", verbose_name=_("order"))
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="order_items", verbose_name=_("SKU"))
    # Copied at placement: later catalog changes never rewrite a placed order.
    sku_code = ExactCharField(max_length=64, verbose_name=_("SKU code"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("unit price"))
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    line_total = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("line total"))

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sku"], name="order_item_one_line_per_sku"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_item_quantity_positive"),
        ]
        indexes = [models.Index(fields=["sku_code", "order"], name="order_item_sku_code_order")]


class OrderEvent(StatusEvent):
    """Append-only timeline: one row per status change (and notable non-status events)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order"))
    from_status = models.CharField(max_length=24, blank=True, verbose_name=_("from status"))
    to_status = models.CharField(max_length=24, verbose_name=_("to status"))

    class Meta(StatusEvent.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

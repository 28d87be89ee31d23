"""Suppliers, purchase orders (POs), their lines and their timeline.

``PurchaseOrder.status`` changes only through oms.purchasing.transitions. A PO is received into one warehouse;
each receipt adds units on hand there with a RECEIPT stock movement naming the PO.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.common.fields import ExactCharField
from oms.purchasing.states import SENT, PurchaseOrderStatus

MAX_LINE_QUANTITY = 1_000_000  # units on one purchase order line


def default_lead_days() -> int:
    return settings.OMS_REPLENISH_LEAD_DAYS


def default_currency() -> str:
    return settings.OMS_CURRENCY


class Supplier(models.Model):
    code = ExactCharField(max_length=32, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    contact_name = models.CharField(max_length=100, blank=True, default="", verbose_name=_("contact name"))
    phone = models.CharField(max_length=32, blank=True, default="", verbose_name=_("phone"))
    email = models.EmailField(blank=True, default="", verbose_name=_("email"))
    # Days from ordering to delivery: the expected date of a new PO.
    lead_days = models.PositiveIntegerField(default=default_lead_days, verbose_name=_("lead time (days)"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=models.Q(lead_days__gte=1), name="supplier_lead_days_positive")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PurchaseOrder(models.Model):
    po_no = ExactCharField(_("PO number"), max_length=20, unique=True)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("supplier")
    )
    # The warehouse that receives the goods.
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("warehouse")
    )
    status = models.CharField(
        max_length=20, choices=PurchaseOrderStatus.choices, default=PurchaseOrderStatus.DRAFT, verbose_name=_("status")
    )
    currency = models.CharField(max_length=3, default=default_currency, verbose_name=_("currency"))
    total_cost = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("total cost"))
    note = models.CharField(max_length=255, blank=True, default="", verbose_name=_("note"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    ordered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ordered at"))
    # When the goods should arrive: set on submit (the order date + the supplier's lead days) unless given.
    expected_at = models.DateField(null=True, blank=True, verbose_name=_("expected on"))
    received_at = models.DateTimeField(null=True, blank=True, verbose_name=_("received at"))
    created_at = models.DateTimeField(db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(total_cost__gte=0), name="po_total_cost_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(status__in=sorted(SENT))
                | models.Q(ordered_at__isnull=False, expected_at__isnull=False),
                name="po_sent_has_dates",
            ),
            models.CheckConstraint(
                condition=models.Q(status=PurchaseOrderStatus.RECEIVED, received_at__isnull=False)
                | (~models.Q(status=PurchaseOrderStatus.RECEIVED) & models.Q(received_at__isnull=True)),
                name="po_received_has_received_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="po_status_created")]
        permissions = [("manage_purchase_orders", "Can create, submit, receive and cancel purchase orders")]

    def __str__(self) -> str:
        return f"{self.po_no} ({self.get_status_display()})"


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("purchase order")
    )
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("unit cost"))
    received_quantity = models.PositiveIntegerField(default=0, verbose_name=_("received quantity"))

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "sku"], name="po_line_one_per_sku"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="po_line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_cost__gte=0), name="po_line_unit_cost_not_negative"),
            models.CheckConstraint(
                condition=models.Q(received_quantity__gte=0, received_quantity__lte=models.F("quantity")),
                name="po_line_received_within_quantity",
            ),
        ]

    @property
    def remaining(self) -> int:
        return self.quantity - self.received_quantity

    @property
    def line_cost(self) -> Decimal:
        return self.unit_cost * self.quantity


class PurchaseOrderEvent(models.Model):
    """Append-only timeline of a PO: one row per status change and per receipt."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("purchase order")
    )
    from_status = models.CharField(max_length=20, blank=True, verbose_name=_("from status"))
    to_status = models.CharField(max_length=20, verbose_name=_("to status"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    note = models.CharField(max_length=255, blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("purchase order event")
        verbose_name_plural = _("purchase order events")
        ordering = ["created_at", "id"]

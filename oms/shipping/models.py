"""Shipments (one parcel per warehouse of an order), their lines, and the carrier's tracking events.

``Shipment.status`` changes only through oms.shipping.transitions (table: oms.shipping.states), each move with a
ShipmentEvent row. A shipment has no carrier and no tracking number until it leaves the warehouse:
``tracking_no`` stays NULL, and NULLs never collide in the unique (carrier, tracking_no) index on SQLite,
PostgreSQL or MariaDB (MariaDB would ignore a conditional unique constraint).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.common.fields import ExactCharField
from oms.common.models import StatusEvent
from oms.orders.states import OrderStatus
from oms.shipping.states import ShipmentStatus

__all__ = ["Shipment", "ShipmentEvent", "ShipmentLine", "ShipmentStatus", "TrackingEvent"]


class Shipment(models.Model):
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="shipments", verbose_name=_("order")
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="shipments", verbose_name=_("warehouse")
    )
    # A reship replaces one failed shipment; the unique index makes "reship twice" impossible.
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacement",
        verbose_name=_("replaces"),
    )
    carrier = models.CharField(_("carrier"), max_length=32, blank=True, default="")
    tracking_no = ExactCharField(_("tracking number"), max_length=64, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.PENDING
    )
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shipped by"),
    )
    created_at = models.DateTimeField(_("created at"))
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "tracking_no"], name="shipment_one_per_tracking_no"),
            models.CheckConstraint(
                condition=(
                    models.Q(status=ShipmentStatus.PENDING, tracking_no__isnull=True, shipped_at__isnull=True)
                    | (
                        ~models.Q(status=ShipmentStatus.PENDING)
                        & models.Q(tracking_no__isnull=False, shipped_at__isnull=False)
                        & ~models.Q(carrier="")
                    )
                ),
                name="shipment_tracked_once_shipped",
            ),
        ]
        indexes = [models.Index(fields=["carrier", "status"], name="shipment_carrier_status")]

    def __str__(self) -> str:
        return f"Shipment {self.pk} of {self.order_id} ({self.status})"

    @property
    def will_not_ship(self) -> bool:
        """Still in the warehouse, and its order was cancelled or refunded in full: this parcel never leaves."""
        return self.status == ShipmentStatus.PENDING and self.order.status in ORDER_ENDED_BEFORE_SHIPPING


# A pending parcel of an order in one of these states will never be sent (both are final states).
ORDER_ENDED_BEFORE_SHIPPING = frozenset({OrderStatus.CANCELLED, OrderStatus.REFUNDED})
NOT_SHIPPED_LABEL = _("Not shipped (order cancelled)")


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    sku_code = ExactCharField(_("SKU code"), max_length=64)
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "sku"], name="shipment_line_one_per_sku"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="shipment_line_quantity_positive"),
        ]


class TrackingEvent(models.Model):
    """One carrier event, stored once per (carrier, carrier_event_id) whether or not it moved the shipment."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="tracking_events")
    carrier = models.CharField(max_length=32)
    carrier_event_id = ExactCharField(_("carrier event ID"), max_length=128)
    status = models.CharField(_("status"), max_length=20, choices=ShipmentStatus.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    # False when the event arrived late (out of order) or after the parcel's journey had ended: timeline only.
    applied = models.BooleanField(_("applied"), default=False)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "carrier_event_id"], name="tracking_event_once"),
        ]


class ShipmentEvent(StatusEvent):
    """Append-only timeline of a shipment's status: one row per move (staff shipping it, or a carrier event)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20)

    class Meta(StatusEvent.Meta):
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")

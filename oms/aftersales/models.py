"""Return requests (a customer sends delivered units back for a refund), their lines and their timeline.

``ReturnRequest.status`` changes only through oms.aftersales.transitions. Each line names the shipment that
delivered its units: that shipment's delivery time opens the return window, and its warehouse takes the units
back on receipt.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.aftersales.states import SHIPPED_BACK, ReturnStatus
from oms.common.fields import ExactCharField
from oms.common.models import StatusEvent


class ReturnRequest(models.Model):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns", verbose_name=_("order"))
    # The order's customer, copied so that "my returns" is one indexed lookup.
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="return_requests", verbose_name=_("customer")
    )
    status = models.CharField(_("status"), max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED)
    reason = models.CharField(_("reason"), max_length=255)
    # The parcel going back, entered by the customer or staff (any carrier: it is not tracked by webhooks).
    carrier = models.CharField(_("carrier"), max_length=32, blank=True, default="")
    tracking_no = ExactCharField(_("tracking number"), max_length=64, blank=True, default="")
    restocked = models.BooleanField(_("restocked"), default=False)
    refund = models.OneToOneField(
        "payments.Refund",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_request",
        verbose_name=_("refund"),
    )
    # Set while one caller is refunding (oms.aftersales.services.refund_return), so two can never both pay out.
    refund_claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=sorted(SHIPPED_BACK), shipped_at__isnull=False)
                    & ~models.Q(carrier="")
                    & ~models.Q(tracking_no="")
                )
                | (
                    ~models.Q(status__in=sorted(SHIPPED_BACK))
                    & models.Q(carrier="", tracking_no="", shipped_at__isnull=True)
                ),
                name="return_tracked_once_shipped",
            ),
            models.CheckConstraint(
                condition=models.Q(status=ReturnStatus.REFUNDED, refund__isnull=False)
                | (~models.Q(status=ReturnStatus.REFUNDED) & models.Q(refund__isnull=True)),
                name="return_refunded_has_refund",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="return_customer_created"),
            models.Index(fields=["status", "-created_at"], name="return_status_created"),
        ]
        permissions = [("manage_returns", "Can approve, reject, receive and refund returns")]

    def __str__(self) -> str:
        return f"Return {self.pk} of {self.order_id} ({self.status})"

    @property
    def rejection_reason(self) -> str:
        """Why staff rejected the return ("" if it was not rejected, or no reason was given). Reads ``events``."""
        return next((e.reason for e in self.events.all() if e.to_status == ReturnStatus.REJECTED and e.reason), "")


class ReturnLine(models.Model):
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    shipment = models.ForeignKey(
        "shipping.Shipment", on_delete=models.PROTECT, related_name="+", verbose_name=_("shipment")
    )
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    sku_code = ExactCharField(_("SKU code"), max_length=64)
    # The order line's price, copied: what one unit refunds.
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["return_request", "shipment", "sku"], name="return_line_one_per_parcel_sku"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="return_line_quantity_positive"),
        ]


class ReturnEvent(StatusEvent):
    """Append-only timeline of a return: one row per status change (and per failed refund attempt)."""

    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from status"), max_length=16, blank=True)
    to_status = models.CharField(_("to status"), max_length=16)

    class Meta(StatusEvent.Meta):
        verbose_name = _("return event")
        verbose_name_plural = _("return events")

"""What the sandbox remembers: its keys, the trades opened on it, their refunds, outgoing notifications."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.common.fields import ExactCharField
from oms.common.money import format_money


class SandboxKeys(models.Model):
    """The one row (pk=1) of key pairs: the sandbox's own "Alipay" pair and the demo merchant's app pair.

    Generated on first use (``oms.sandbox.keys.get_sandbox_keys``), so every database has its own and no key
    is ever committed or shared between machines.
    """

    # An explicit key, not an auto-increment one: MariaDB refuses a CHECK constraint on an AUTO_INCREMENT column.
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    alipay_private_key_pem = models.TextField()
    alipay_public_key_pem = models.TextField()
    app_private_key_pem = models.TextField()
    app_public_key_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sandbox keys")
        verbose_name_plural = _("sandbox keys")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="sandbox_keys_singleton")]

    def __str__(self) -> str:
        return f"Sandbox keys of {self.created_at:%Y-%m-%d}"


class SandboxTrade(models.Model):
    class Status(models.TextChoices):
        WAIT_BUYER_PAY = "WAIT_BUYER_PAY"
        TRADE_SUCCESS = "TRADE_SUCCESS"
        TRADE_CLOSED = "TRADE_CLOSED"

    app_id = models.CharField(max_length=32)
    out_trade_no = ExactCharField(max_length=64)
    trade_no = ExactCharField(max_length=64, unique=True)
    subject = models.CharField(max_length=256)
    product_code = models.CharField(max_length=32)
    total_amount = models.DecimalField(max_digits=12, decimal_places=2)
    refunded_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAIT_BUYER_PAY)
    time_expire = models.DateTimeField(null=True, blank=True)
    notify_url = models.TextField(blank=True)
    return_url = models.TextField(blank=True)
    buyer_id = models.CharField(max_length=32, blank=True)
    buyer_logon_id = models.CharField(max_length=100, blank=True)
    gmt_create = models.DateTimeField(default=timezone.now)
    gmt_payment = models.DateTimeField(null=True, blank=True)
    gmt_close = models.DateTimeField(null=True, blank=True)
    # The buyer pressed "cancel" on the cashier: Alipay keeps such a trade open until it expires; so do we.
    abandoned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sandbox trade")
        verbose_name_plural = _("sandbox trades")
        constraints = [
            models.UniqueConstraint(fields=["app_id", "out_trade_no"], name="sandbox_trade_out_trade_no_unique"),
            models.CheckConstraint(condition=Q(total_amount__gt=0), name="sandbox_trade_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("total_amount")),
                name="sandbox_trade_refund_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trade_no} ({self.out_trade_no}, {self.status})"

    @property
    def is_paid(self) -> bool:
        return self.gmt_payment is not None


class SandboxRefund(models.Model):
    trade = models.ForeignKey(SandboxTrade, on_delete=models.CASCADE, related_name="refunds")
    out_request_no = ExactCharField(max_length=64)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2)
    refund_reason = models.CharField(max_length=256, blank=True)
    gmt_refund = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sandbox refund")
        verbose_name_plural = _("sandbox refunds")
        constraints = [
            models.UniqueConstraint(fields=["trade", "out_request_no"], name="sandbox_refund_request_unique"),
            models.CheckConstraint(condition=Q(refund_amount__gt=0), name="sandbox_refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.out_request_no}: {format_money(self.refund_amount)}"


class SandboxNotification(models.Model):
    """One asynchronous notification to a notify_url, retried on Alipay's schedule until ``success``.

    Pending: ``delivered_at`` is null and ``next_attempt_at`` is set. Given up: both null.
    """

    trade = models.ForeignKey(SandboxTrade, on_delete=models.CASCADE, related_name="notifications", null=True)
    url = models.TextField()
    params = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_response = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sandbox notification")
        verbose_name_plural = _("sandbox notifications")

    def __str__(self) -> str:
        return f"{self.params.get('trade_status', '?')} → {self.url}"

    @property
    def gave_up(self) -> bool:
        return self.delivered_at is None and self.next_attempt_at is None

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oms.common.fields import ExactCharField
from oms.common.models import StatusEvent


class Payment(models.Model):
    """One attempt to collect an order's money through one method. Its status changes only through
    oms.payments.transitions (table: oms.payments.states), each move with a PaymentEvent row."""

    class Method(models.TextChoices):
        ALIPAY = "alipay", _("Alipay")
        BALANCE = "balance", _("Store balance")
        OFFLINE = "offline", _("Offline (recorded by staff)")

    class Status(models.TextChoices):
        CREATED = "created", pgettext_lazy("payment status", "Created")
        SUCCEEDED = "succeeded", pgettext_lazy("payment status", "Succeeded")
        FAILED = "failed", pgettext_lazy("payment status", "Failed")
        CLOSED = "closed", pgettext_lazy("payment status", "Closed")
        PARTIALLY_REFUNDED = "partially_refunded", pgettext_lazy("payment status", "Partially Refunded")
        REFUNDED = "refunded", pgettext_lazy("payment status", "Refunded")

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=16, choices=Method.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    refunded_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.CREATED)
    # Our trade number at the gateway (Alipay out_trade_no) and the gateway's own (trade_no).
    out_trade_no = ExactCharField(max_length=64, unique=True)
    gateway_trade_no = ExactCharField(max_length=64, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    # A closed or failed gateway payment is asked about until its trade can no longer be paid (the order's payment
    # window is over) and the gateway still holds no money for it; then this is set and reconciliation stops asking.
    unpaid_confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="payment_status_created"),
            models.Index(fields=["status", "unpaid_confirmed_at"], name="payment_unpaid_unconfirmed"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(refunded_amount__gte=0, refunded_amount__lte=models.F("amount")),
                name="payment_refund_within_amount",
            ),
        ]


# How an error message names a payment's method or status: in English its code (as the error's details carry it,
# and as English messages always said), in Chinese its label: each code is translated in its own context.
PAYMENT_STATE_IN_MESSAGE: dict[str, object] = {
    Payment.Method.ALIPAY: pgettext_lazy("payment method named in a message", "alipay"),
    Payment.Method.BALANCE: pgettext_lazy("payment method named in a message", "balance"),
    Payment.Method.OFFLINE: pgettext_lazy("payment method named in a message", "offline"),
    Payment.Status.CREATED: pgettext_lazy("payment state named in a message", "created"),
    Payment.Status.SUCCEEDED: pgettext_lazy("payment state named in a message", "succeeded"),
    Payment.Status.FAILED: pgettext_lazy("payment state named in a message", "failed"),
    Payment.Status.CLOSED: pgettext_lazy("payment state named in a message", "closed"),
    Payment.Status.PARTIALLY_REFUNDED: pgettext_lazy("payment state named in a message", "partially_refunded"),
    Payment.Status.REFUNDED: pgettext_lazy("payment state named in a message", "refunded"),
}


def payment_state_in_message(code: str) -> str:
    """A payment method or status as an error message names it, in the active language (unknown: as it is)."""
    named = PAYMENT_STATE_IN_MESSAGE.get(code)
    return str(named) if named is not None else code


class GatewayMessage(models.Model):
    """Append-only audit log of every message exchanged with a payment gateway, raw."""

    class Direction(models.TextChoices):
        OUTBOUND = "out"
        INBOUND = "in"

    provider = models.CharField(max_length=16)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=64)
    raw = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class InboundNotification(models.Model):
    """Every asynchronous notification received, once: the unique key makes repeats harmless."""

    provider = models.CharField(max_length=16)
    notify_id = ExactCharField(max_length=128)
    payload = models.JSONField()
    signature_valid = models.BooleanField()
    outcome = models.CharField(max_length=64)
    detail = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "notify_id"], name="inbound_notification_once"),
        ]


class BalanceAccount(models.Model):
    """A customer's store balance. ``balance`` always equals the sum of the ledger entries."""

    customer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="balance")
    balance = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    payment_password = models.CharField(max_length=128, blank=True)
    failed_password_attempts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(balance__gte=0), name="balance_not_negative")]
        permissions = [("top_up_balance", "Can top up customers' balances")]


class BalanceEntry(models.Model):
    """Append-only ledger line of a balance account (signed amount)."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", pgettext_lazy("balance entry", "Top-up")
        PAYMENT = "payment", pgettext_lazy("balance entry", "Payment")
        REFUND = "refund", pgettext_lazy("balance entry", "Refund")
        ADJUSTMENT = "adjustment", pgettext_lazy("balance entry", "Adjustment")

    account = models.ForeignKey(BalanceAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    balance_after = models.DecimalField(max_digits=14, decimal_places=2)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class Refund(models.Model):
    """Money going back. Written ``pending`` before the gateway is called, so a refund interrupted by a crash or a
    lost answer is found and finished (oms.payments.refund_recovery); only oms.payments.refunds changes it, its
    status through oms.payments.transitions, each move with a RefundEvent row.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("refund status", "Pending")
        SUCCEEDED = "succeeded", pgettext_lazy("refund status", "Succeeded")
        FAILED = "failed", pgettext_lazy("refund status", "Failed")

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.CharField(max_length=255)
    # Alipay's out_request_no: the gateway refunds once per value, so a retry can never pay out twice.
    out_request_no = ExactCharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Where the order was before this refund took it to ``refunding``: where a partial or failed refund returns
    # it. Blank for an automatic refund, which never moves the order.
    order_status_before = models.CharField(max_length=24, blank=True, default="")
    restock = models.BooleanField(default=False)
    items = models.JSONField(default=list, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Money that arrived for an order that could no longer take it: the order's status does not move, and a
    # failed attempt is retried (with backoff, a bounded number of times) instead of ending the refund.
    automatic = models.BooleanField(default=False)
    # Gateway attempts that got no answer or a refusal; the last one's reason is in failure_reason.
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a pending refund is next tried by the recovery job (null: once it is older than OMS_REFUND_STUCK_AFTER).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A staff request's Idempotency-Key and a hash of its body: the same key with the same body is the same refund.
    idempotency_key = ExactCharField(max_length=128, null=True, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "created_at"], name="refund_status_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(fields=["order", "idempotency_key"], name="refund_one_per_idempotency_key"),
        ]


class PaymentEvent(StatusEvent):
    """Append-only timeline of a payment's status: one row per move."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)


class RefundEvent(StatusEvent):
    """Append-only timeline of a refund's status: one row per move."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)


class PaymentIssue(models.Model):
    """Something about money a person must look at (a payment for a cancelled order, a failed refund…)."""

    # What staff read for each ``kind`` (the kind itself is a code, kept in the API).
    KIND_LABELS = {
        "paid_after_cancel": _("Paid after the order was closed"),
        "paid_after_close": _("Paid after the payment was given up"),
        "amount_mismatch": _("Amount differs from the gateway's"),
        "reconciliation": _("Reconciliation difference"),
        "refund_failed": _("Refund failed"),
        "refund_unconfirmed": _("Refund not confirmed"),
    }

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payment_issues")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The refund it is about (refund_failed, refund_unconfirmed): resolved when that refund is settled.
    refund = models.ForeignKey(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="issues")
    kind = models.CharField(max_length=48)
    detail = models.TextField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

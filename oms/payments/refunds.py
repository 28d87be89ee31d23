"""Refunds through the original method, never more than was paid, with the order passing through ``refunding``.

Money moves outside any lock: the refund row is written ``pending`` and the order moved to ``refunding``
(transaction 1), the gateway is called with no lock held, and the outcome is recorded (transaction 2). A refund
whose answer was lost, or whose process died between the two, stays ``pending`` and is finished by
oms.payments.refund_recovery; ``out_request_no`` makes the gateway call idempotent, so finishing it can never pay
out twice. Store balance and offline refunds move no money outside our database: they are one transaction.

Lock order of every refund change: the order row, the payment row, then the refund row.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.common.errors import ValidationFailed
from oms.common.money import format_money, money_sum
from oms.common.statemachine import apply_transition
from oms.inventory.services import return_order_stock
from oms.orders.errors import IdempotencyKeyReused
from oms.orders.models import Order
from oms.orders.pricing import money
from oms.orders.rollups import record_refund
from oms.orders.states import OrderStatus
from oms.orders.transitions import note_order, transition_order
from oms.payments import balance
from oms.payments.allowed import REFUNDABLE, why_not_cancel_paid
from oms.payments.errors import GatewayError, GatewayOutcomeUnknown, RefundExceedsPaid
from oms.payments.gateways import get_gateway
from oms.payments.locks import lock_refund
from oms.payments.models import BalanceEntry, Payment, PaymentIssue, Refund
from oms.payments.transitions import PAYMENT, REFUND

logger = logging.getLogger(__name__)
# Money that never leaves our database: the whole refund is one transaction.
WITHOUT_GATEWAY = (Payment.Method.BALANCE, Payment.Method.OFFLINE)


@dataclass(frozen=True)
class RefundRequested:
    refund: Refund
    created: bool  # False: an earlier request with the same Idempotency-Key made this refund


def refund_order(
    *,
    order: Order,
    reason: str,
    actor: User | None,
    amount: Decimal | None = None,
    items: list[dict[str, Any]] | None = None,
    restock: bool = False,
) -> Refund:
    """Refund ``amount`` (or the value of ``items`` [{sku, quantity}], or everything left) of a paid order.

    See request_refund, which this calls without an idempotency key.
    """
    return request_refund(order=order, reason=reason, actor=actor, amount=amount, items=items, restock=restock).refund


def request_refund(
    *,
    order: Order,
    reason: str,
    actor: User | None,
    amount: Decimal | None = None,
    items: list[dict[str, Any]] | None = None,
    restock: bool = False,
    idempotency_key: str | None = None,
    cancel_unshipped: bool = False,
) -> RefundRequested:
    """Refund ``amount`` (or the value of ``items`` [{sku, quantity}], or everything left) of a paid order.

    With ``idempotency_key``, the same key and body give back the refund the first request made
    (``created=False``), checking nothing again; a different body raises IdempotencyKeyReused. The key is looked
    up under the order row lock, and the unique (order, key) constraint collapses concurrent duplicates into one.

    ``cancel_unshipped`` (oms.payments.cancellation) refunds all that is left and restocks every unit not restocked
    yet, decided under the order row lock: only while the order is paid and none of its parcels has left, else
    InvalidTransition. Shipping locks the same row first, so a parcel cannot leave in between.

    Locks the order row, then its payment row; the gateway is called with no lock held. Must not be called
    inside a transaction for gateway payments. Raises RefundExceedsPaid, InvalidTransition (order not in a
    refundable state), ValidationFailed, IdempotencyKeyReused, GatewayError (refused: the refund failed and the
    order is back where it was; also when replaying a failed refund), GatewayOutcomeUnknown (no answer: the
    refund stays pending and the order ``refunding`` until oms.payments.refund_recovery settles it).
    """
    fingerprint = _fingerprint(amount=amount, items=items, reason=reason, restock=restock) if idempotency_key else ""
    try:
        refund, created = _open_refund(
            order=order,
            reason=reason,
            actor=actor,
            amount=amount,
            items=items,
            restock=restock,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            cancel_unshipped=cancel_unshipped,
        )
    except IntegrityError:
        # A concurrent request with the same key committed first (the lookup under the lock is the usual path).
        replay = _find_replay(order.pk, idempotency_key, fingerprint) if idempotency_key else None
        if replay is None:
            raise
        refund, created = replay, False
    if not created:
        if refund.status == Refund.Status.FAILED:
            raise GatewayError(
                _("Refund %(refund)s failed: %(why)s")
                % {"refund": refund.out_request_no, "why": refund.failure_reason},
                details={"refund": refund.out_request_no, "status": refund.status},
            )
        return RefundRequested(refund, created=False)
    if refund.status == Refund.Status.PENDING:
        refund = send_refund(refund=refund, actor=actor)
    return RefundRequested(refund, created=True)


def _open_refund(
    *,
    order: Order,
    reason: str,
    actor: User | None,
    amount: Decimal | None,
    items: list[dict[str, Any]] | None,
    restock: bool,
    idempotency_key: str | None,
    fingerprint: str,
    cancel_unshipped: bool = False,
) -> tuple[Refund, bool]:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if idempotency_key:
            replay = _find_replay(order.pk, idempotency_key, fingerprint)
            if replay is not None:
                return replay, False
        if cancel_unshipped:
            _check_unshipped(order)
        payment = Payment.objects.select_for_update().filter(order=order, status__in=REFUNDABLE).first()
        if payment is None:
            raise RefundExceedsPaid(
                _("Order %(order_no)s has no payment to refund.") % {"order_no": order.order_no},
                details={"paid": "0.00"},
            )
        if cancel_unshipped:
            quantities, restock = _units_not_restocked(order), True
        else:
            quantities = _item_quantities(order, items or [])
        if amount is None:
            amount = _items_value(order, quantities) if items else payment.amount - payment.refunded_amount
        pending = Refund.objects.filter(payment=payment, status=Refund.Status.PENDING).aggregate(s=money_sum("amount"))[
            "s"
        ]
        refundable = payment.amount - payment.refunded_amount - pending
        if amount <= 0 or amount > refundable:
            raise RefundExceedsPaid(
                _("At most %(refundable)s of order %(order_no)s can still be refunded.")
                % {"refundable": format_money(refundable), "order_no": order.order_no},
                details={
                    "requested": str(amount),
                    "refundable": str(refundable),
                    "paid": str(payment.amount),
                },
            )
        status_before = order.status
        transition_order(
            order_id=order.pk,
            to=OrderStatus.REFUNDING,
            actor=actor,
            reason=_("Refund of %(amount)s: %(reason)s") % {"amount": format_money(amount), "reason": reason},
        )
        count = Refund.objects.filter(order=order).count()
        refund = Refund.objects.create(
            order=order,
            payment=payment,
            amount=amount,
            reason=reason[:255],
            out_request_no=f"{order.order_no}R{count + 1:02d}",
            order_status_before=status_before,
            restock=restock,
            items=[{"sku_id": k, "quantity": v} for k, v in quantities.items()],
            actor=actor,
            idempotency_key=idempotency_key or None,
            request_fingerprint=fingerprint,
        )
        if payment.method in WITHOUT_GATEWAY:
            refund = complete_refund(refund_id=refund.pk, actor=actor)
    return refund, True


def send_refund(*, refund: Refund, actor: User | None, ask_first: bool = False) -> Refund:
    """Have the gateway make a pending refund, then record the outcome; no lock is held during the calls.

    ``ask_first`` (when the refund may already have reached the gateway) asks whether it was made before
    sending it again with the same ``out_request_no``. A refusal fails a staff refund (the order goes back to
    where it was) and schedules another attempt of an automatic one; no answer schedules another attempt of
    either. Raises GatewayError / GatewayOutcomeUnknown after recording them.
    """
    payment = refund.payment
    if payment.method in WITHOUT_GATEWAY:
        return complete_refund(refund_id=refund.pk, actor=actor)
    gateway = get_gateway(payment.method)
    try:
        if not (ask_first and gateway.refund_made(payment=payment, out_request_no=refund.out_request_no)):
            gateway.refund(
                payment=payment, amount=refund.amount, out_request_no=refund.out_request_no, reason=refund.reason
            )
    except GatewayOutcomeUnknown as exc:
        record_unsettled_attempt(refund_id=refund.pk, why=exc.message)
        raise GatewayOutcomeUnknown(
            _("Refund %(refund)s was sent but not confirmed (%(why)s); it stays pending and is settled automatically.")
            % {"refund": refund.out_request_no, "why": exc.message},
            details={"refund": refund.out_request_no, "status": Refund.Status.PENDING},
        ) from exc
    except GatewayError as exc:
        if refund.automatic:
            record_unsettled_attempt(refund_id=refund.pk, why=exc.message)
        else:
            fail_refund(refund_id=refund.pk, actor=actor, why=exc.message)
        raise
    return complete_refund(refund_id=refund.pk, actor=actor, note=_(" (confirmed later)") if ask_first else "")


def complete_refund(*, refund_id: int, actor: User | None, note: str = "") -> Refund:
    """Record a pending refund as made: the payment's refunded amount, the balance credit for a balance payment,
    restocked units, resolved issues, and the order back where it was (``refunded`` when nothing is left) or, for
    an automatic refund, a note on its timeline. A refund no longer pending is returned unchanged.
    """
    with transaction.atomic():
        refund = lock_refund(refund_id)
        if refund.status != Refund.Status.PENDING:
            return refund
        payment, order = refund.payment, refund.order
        if payment.method == Payment.Method.BALANCE:
            _credit_balance(refund=refund, actor=actor)
        payment.refunded_amount += refund.amount
        fully = payment.refunded_amount == payment.amount
        apply_transition(
            PAYMENT,
            payment,
            to=Payment.Status.REFUNDED if fully else Payment.Status.PARTIALLY_REFUNDED,
            actor=actor,
            reason=_("Refund %(refund)s of %(amount)s") % {"refund": refund.out_request_no, "amount": refund.amount},
            fields=("refunded_amount",),
        )
        refund.completed_at, refund.next_attempt_at = timezone.now(), None
        apply_transition(
            REFUND,
            refund,
            to=Refund.Status.SUCCEEDED,
            actor=actor,
            reason=_("Refund made%(note)s") % {"note": note},
            fields=("completed_at", "next_attempt_at"),
        )
        _resolve_issues(refund)
        if refund.restock and refund.items:
            quantities = {line["sku_id"]: line["quantity"] for line in refund.items}
            return_order_stock(order=order, quantities=quantities, actor=actor, note=refund.out_request_no)
        if refund.automatic:
            note_order(
                order=order,
                actor=None,
                reason=_("Late payment of %(amount)s refunded automatically (%(refund)s)%(note)s")
                % {"amount": format_money(refund.amount), "refund": refund.out_request_no, "note": note},
            )
        else:
            target = OrderStatus.REFUNDED if fully else OrderStatus(refund.order_status_before)
            transition_order(
                order_id=order.pk,
                to=target,
                actor=actor,
                reason=_("Refund %(refund)s done%(note)s") % {"refund": refund.out_request_no, "note": note},
            )
            # Not for an automatic refund of a late payment: that money never counted as a sale.
            record_refund(order=order, amount=refund.amount, completed_at=refund.completed_at)
    return refund


def fail_refund(*, refund_id: int, actor: User | None, why: str) -> Refund:
    """The gateway refused a staff refund: it fails, staff get a ``refund_failed`` issue, and the order goes back
    to where it was. A refund no longer pending is returned unchanged.
    """
    with transaction.atomic():
        refund = lock_refund(refund_id)
        if refund.status != Refund.Status.PENDING:
            return refund
        refund.failure_reason, refund.next_attempt_at = why[:255], None
        apply_transition(
            REFUND,
            refund,
            to=Refund.Status.FAILED,
            actor=actor,
            reason=_("Refused: %(why)s") % {"why": why},
            fields=("failure_reason", "next_attempt_at"),
        )
        _resolve_issues(refund)
        PaymentIssue.objects.create(
            order=refund.order, payment=refund.payment, refund=refund, kind="refund_failed", detail=why
        )
        transition_order(
            order_id=refund.order_id,
            to=OrderStatus(refund.order_status_before),
            actor=actor,
            reason=_("Refund failed: %(why)s") % {"why": why},
        )
    return refund


def record_unsettled_attempt(*, refund_id: int, why: str) -> Refund:
    """An attempt that settled nothing: count it and schedule the next one, with an open issue saying so.

    Delays double from OMS_REFUND_RETRY_BASE. An automatic refund gives up (``failed``, its issue left open for
    staff) after OMS_REFUND_MAX_ATTEMPTS; a staff refund without an answer is never failed blind (the money may
    have moved) and stays ``refunding`` until the gateway confirms or refuses it.
    """
    with transaction.atomic():
        refund = lock_refund(refund_id)
        if refund.status != Refund.Status.PENDING:
            return refund
        refund.attempts += 1
        refund.failure_reason = why[:255]
        label = _("Refund %(refund)s of %(amount)s") % {
            "refund": refund.out_request_no,
            "amount": format_money(refund.amount),
        }
        if refund.automatic and refund.attempts >= settings.OMS_REFUND_MAX_ATTEMPTS:
            refund.next_attempt_at = None
            detail = _(
                "%(label)s failed %(attempts)s times and is no longer retried; refund it by hand. Last: %(why)s"
            ) % {"label": label, "attempts": refund.attempts, "why": why}
            apply_transition(
                REFUND,
                refund,
                to=Refund.Status.FAILED,
                actor=None,
                reason=_("Given up after %(attempts)s attempts: %(why)s") % {"attempts": refund.attempts, "why": why},
            )
        else:
            refund.next_attempt_at = timezone.now() + retry_delay(refund.attempts)
            attempt = {
                "label": label,
                "attempts": refund.attempts,
                "max": settings.OMS_REFUND_MAX_ATTEMPTS,
                "why": why,
                "next": refund.next_attempt_at.isoformat(timespec="seconds"),
            }
            if refund.automatic:
                detail = (
                    _(
                        "%(label)s: attempt %(attempts)s of %(max)s settled nothing (%(why)s); next attempt after %(next)s."
                    )
                    % attempt
                )
            else:
                detail = (
                    _("%(label)s: attempt %(attempts)s settled nothing (%(why)s); next attempt after %(next)s.")
                    % attempt
                )
        refund.save(update_fields=["attempts", "failure_reason", "next_attempt_at"])
        kind = "refund_failed" if refund.automatic else "refund_unconfirmed"
        issue = PaymentIssue.objects.filter(refund=refund, kind=kind, resolved_at__isnull=True).first()
        if issue is None:
            PaymentIssue.objects.create(
                order=refund.order, payment=refund.payment, refund=refund, kind=kind, detail=detail
            )
        else:
            issue.detail = detail
            issue.save(update_fields=["detail"])
    logger.warning("refund %s attempt %s settled nothing: %s", refund.out_request_no, refund.attempts, why)
    return refund


def retry_delay(attempts: int) -> timedelta:
    """After the n-th unsettled attempt: base × 2^(n-1), capped at the last step of an automatic refund."""
    steps = min(attempts, settings.OMS_REFUND_MAX_ATTEMPTS) - 1
    base: timedelta = settings.OMS_REFUND_RETRY_BASE
    return base * (1 << max(steps, 0))


def _credit_balance(*, refund: Refund, actor: User | None) -> None:
    reason = f"Refund {refund.out_request_no} for order {refund.order.order_no}"
    # Balance refunds used to credit in a transaction of their own: one interrupted then is credited already.
    if BalanceEntry.objects.filter(order=refund.order, kind=BalanceEntry.Kind.REFUND, reason=reason).exists():
        return
    balance.post_balance_entry(
        customer=refund.order.customer,
        kind=BalanceEntry.Kind.REFUND,
        amount=refund.amount,
        actor=actor,
        reason=reason,
        order=refund.order,
    )


def _resolve_issues(refund: Refund) -> None:
    PaymentIssue.objects.filter(refund=refund, resolved_at__isnull=True).update(resolved_at=timezone.now())


def _fingerprint(*, amount: Decimal | None, items: list[dict[str, Any]] | None, reason: str, restock: bool) -> str:
    canonical = {
        "amount": None if amount is None else str(money(amount)),
        "items": sorted([line["sku"], line["quantity"]] for line in items or []),
        "reason": reason,
        "restock": restock,
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def _find_replay(order_id: int, idempotency_key: str, fingerprint: str) -> Refund | None:
    refund = Refund.objects.filter(order_id=order_id, idempotency_key=idempotency_key).first()
    if refund is not None and refund.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was already used for a different refund of this order; send a new key."),
            details={"refund": refund.out_request_no},
        )
    return refund


def _check_unshipped(order: Order) -> None:
    """Refuse to cancel a paid order that is not paid-and-unshipped, or one of whose parcels has left."""
    if (refused := why_not_cancel_paid(order)) is not None:
        raise refused


def _units_not_restocked(order: Order) -> dict[int, int]:
    """Units of each ordered SKU (by id) that no earlier refund of the order has put back (or is putting back)."""
    left = {item.sku_id: item.quantity for item in order.items.all()}
    earlier = Refund.objects.filter(order=order, restock=True).exclude(status=Refund.Status.FAILED)
    for refund in earlier:
        for line in refund.items:
            left[line["sku_id"]] = left.get(line["sku_id"], 0) - line["quantity"]
    return {sku_id: units for sku_id, units in left.items() if units > 0}


def _item_quantities(order: Order, items: list[dict[str, Any]]) -> dict[int, int]:
    lines = {item.sku_code: item for item in order.items.all()}
    quantities: dict[int, int] = {}
    for wanted in items:
        line = lines.get(wanted["sku"])
        if line is None or wanted["quantity"] > line.quantity:
            raise ValidationFailed(
                _("Order %(order_no)s has no %(quantity)s × %(sku)s to refund.")
                % {"order_no": order.order_no, "quantity": wanted["quantity"], "sku": wanted["sku"]},
                details=wanted,
            )
        quantities[line.sku_id] = wanted["quantity"]
    return quantities


def _items_value(order: Order, quantities: dict[int, int]) -> Decimal:
    prices = {item.sku_id: item.unit_price for item in order.items.all()}
    return money(sum((prices[sku_id] * q for sku_id, q in quantities.items()), Decimal("0")))

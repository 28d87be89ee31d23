"""After-sales writes: request a return, approve or reject it, ship it back, cancel, receive (restock) and refund.

Status changes go through oms.aftersales.transitions: each write locks the order row, then the return row, and
writes the return event and the order note in the same transaction. Money moves only through
oms.payments.refunds.refund_order, and never while one of our locks is held.

Receiving and refunding are one step for staff (``receive_return``): the parcel is recorded as received (and its
units restocked) in one transaction, then the refund runs. If the refund fails, the return stays ``received``
with the failure on its timeline, and ``refund_return`` retries it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.aftersales import selectors
from oms.aftersales.allowed import why_not_return
from oms.aftersales.errors import (
    NotReturnCustomer,
    ReturnNotDelivered,
    ReturnQuantityExceeded,
    ReturnRefundInProgress,
    ReturnWindowClosed,
)
from oms.aftersales.models import ReturnLine, ReturnRequest
from oms.aftersales.states import ReturnStatus
from oms.aftersales.stock import restock_return
from oms.aftersales.transitions import (
    apply_return_transition,
    check_return_transition,
    lock_return,
    record_return_event,
)
from oms.common.errors import OmsError, ValidationFailed
from oms.common.money import format_money
from oms.orders.models import Order
from oms.orders.pricing import money
from oms.payments.allowed import REFUNDABLE
from oms.payments.models import Payment, Refund
from oms.payments.refunds import refund_order

R = ReturnStatus
# A refund claimed longer ago than this belongs to a caller that died: the next caller may take over.
REFUND_CLAIM_TIMEOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class ReturnLineInput:
    sku: str
    quantity: int


@dataclass(frozen=True)
class Received:
    return_request: ReturnRequest
    # Why the refund after the receipt failed (the return stays ``received``); None when it went through.
    refund_error: OmsError | None = None


# --- Request --------------------------------------------------------------------------------------------------


def request_return(
    *,
    order: Order,
    customer: User,
    items: list[ReturnLineInput],
    reason: str,
    now: datetime | None = None,
) -> ReturnRequest:
    """The customer asks to send delivered units of ``order`` back for a refund: a ``requested`` return.

    Each unit must have been delivered within OMS_RETURN_WINDOW_DAYS (oms.aftersales.selectors says when a unit
    was delivered), and no SKU may go beyond what was bought less what returns already claim (open ones included)
    and staff refunded by item. Locks the order row while it counts, so two requests for the last returnable unit
    cannot both succeed. Raises NotReturnCustomer, ValidationFailed, OrderNotReturnable, ReturnQuantityExceeded,
    ReturnNotDelivered, ReturnWindowClosed.
    """
    if order.customer_id != customer.pk:
        raise NotReturnCustomer(_("Only the customer who placed an order may return its items."))
    reason = _required_reason(reason, _("Say why the items go back."))
    _check_lines(items)
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if (refused := why_not_return(order)) is not None:
            raise refused
        lines = _plan_lines(order, selectors.returnable_units(order=order), items, now)
        request = ReturnRequest.objects.create(
            order=order, customer_id=order.customer_id, reason=reason, created_at=now
        )
        for line in lines:
            line.return_request = request
        ReturnLine.objects.bulk_create(lines)
        summary = ", ".join(f"{item.quantity} × {item.sku}" for item in items)
        record_return_event(request=request, order=order, from_status="", actor=customer, reason=f"{summary}: {reason}")
    return request


def _check_lines(items: list[ReturnLineInput]) -> None:
    if not items:
        raise ValidationFailed(_("Name at least one item to return."), details={"items": [_("At least one line.")]})
    codes = [item.sku for item in items]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValidationFailed(_("Each SKU may appear on one line only."), details={"duplicate_skus": duplicates})
    if any(item.quantity < 1 for item in items):
        raise ValidationFailed(_("Quantities are whole units, at least 1."), details={"items": ["quantity >= 1"]})


def _plan_lines(
    order: Order, units: dict[str, selectors.ReturnableSku], items: list[ReturnLineInput], now: datetime
) -> list[ReturnLine]:
    """One line per parcel the units came from (inside their window), or the error for the first SKU that fails."""
    lines = []
    for item in items:
        sku = units.get(item.sku)
        if sku is None:
            raise ValidationFailed(
                _("Order %(order_no)s has no %(sku)s.") % {"order_no": order.order_no, "sku": item.sku},
                details={"unknown_skus": [item.sku]},
            )
        _check_quantity(order, sku, item.quantity, now)
        left = item.quantity
        for parcel in sku.open_parcels(now):
            take = min(left, parcel.unclaimed)
            lines.append(
                ReturnLine(
                    shipment_id=parcel.shipment_id,
                    sku_id=sku.sku_id,
                    sku_code=sku.sku_code,
                    unit_price=sku.unit_price,
                    quantity=take,
                )
            )
            left -= take
            if not left:
                break
    return lines


def _check_quantity(order: Order, sku: selectors.ReturnableSku, wanted: int, now: datetime) -> None:
    details = {
        "sku": sku.sku_code,
        "requested": wanted,
        "bought": sku.bought,
        "already_returned_or_requested": sku.in_returns + sku.refunded_outside_returns,
        "returnable": sku.returnable(now),
    }
    if wanted > sku.not_yet_returned:
        raise ReturnQuantityExceeded(
            _(
                "Of %(sku)s, %(left)s unit(s) of order %(order_no)s may still be returned "
                "(bought %(bought)s; returned, requested or refunded %(taken)s)."
            )
            % {
                "sku": sku.sku_code,
                "left": sku.not_yet_returned,
                "order_no": order.order_no,
                "bought": sku.bought,
                "taken": details["already_returned_or_requested"],
            },
            details=details,
        )
    if wanted > sku.delivered_unclaimed():
        raise ReturnNotDelivered(
            _(
                "Of %(sku)s, %(delivered)s delivered unit(s) of order %(order_no)s may be returned; the rest has "
                "not been delivered."
            )
            % {"sku": sku.sku_code, "delivered": sku.delivered_unclaimed(), "order_no": order.order_no},
            details=details,
        )
    if wanted > sku.returnable(now):
        closed = [p.window_closes_at for p in sku.parcels if p.unclaimed and now > p.window_closes_at]
        raise ReturnWindowClosed(
            _("The %(days)s-day return window for %(sku)s closed at %(closed_at)s.")
            % {"days": settings.OMS_RETURN_WINDOW_DAYS, "sku": sku.sku_code, "closed_at": max(closed).isoformat()},
            details={
                **details,
                "window_days": settings.OMS_RETURN_WINDOW_DAYS,
                "window_closed_at": max(closed).isoformat(),
            },
        )


def _required_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(message, details={"reason": [_("This field may not be blank.")]})
    return reason[:255]


# --- Decide, ship back, cancel ---------------------------------------------------------------------------------


def approve_return(*, return_request: ReturnRequest, actor: User, note: str = "") -> ReturnRequest:
    """Staff accept the return: the customer may send the parcel. Raises InvalidReturnTransition."""
    with transaction.atomic():
        order, request = lock_return(return_request.pk)
        return apply_return_transition(
            request=request, order=order, to=R.APPROVED, actor=actor, reason=note.strip() or _("Approved")
        )


def reject_return(*, return_request: ReturnRequest, actor: User, reason: str) -> ReturnRequest:
    """Staff refuse the return, saying why; its units become returnable again. Raises ValidationFailed,
    InvalidReturnTransition."""
    reason = _required_reason(reason, _("Say why the return is rejected."))
    with transaction.atomic():
        order, request = lock_return(return_request.pk)
        return apply_return_transition(request=request, order=order, to=R.REJECTED, actor=actor, reason=reason)


def ship_return(
    *, return_request: ReturnRequest, actor: User, carrier: str, tracking_no: str, by_staff: bool
) -> ReturnRequest:
    """The customer (or staff for them) sent the approved parcel back with ``carrier``: ``shipped``.

    Sending the same carrier and number again returns the return unchanged (a retried request). Locks the order
    row, then the return row. Raises NotReturnCustomer, ValidationFailed, InvalidReturnTransition.
    """
    carrier = _clean(carrier, 32, "carrier", _("Name the carrier the parcel went with."))
    tracking_no = _clean(tracking_no, 64, "tracking_no", _("Enter the carrier's tracking number."))
    with transaction.atomic():
        order, request = lock_return(return_request.pk)
        _ensure_customer_or_staff(request, actor, by_staff)
        if request.status == R.SHIPPED and (request.carrier, request.tracking_no) == (carrier, tracking_no):
            return request
        check_return_transition(request, R.SHIPPED)
        request.carrier, request.tracking_no, request.shipped_at = carrier, tracking_no, timezone.now()
        return apply_return_transition(
            request=request,
            order=order,
            to=R.SHIPPED,
            actor=actor,
            reason=_("Sent back with %(carrier)s %(tracking_no)s") % {"carrier": carrier, "tracking_no": tracking_no},
            fields=("carrier", "tracking_no", "shipped_at"),
        )


def cancel_return(*, return_request: ReturnRequest, actor: User, reason: str = "", by_staff: bool) -> ReturnRequest:
    """Withdraw a return before its parcel ships (requested or approved); its units become returnable again.

    The customer cancels their own; staff may cancel any. Raises NotReturnCustomer, InvalidReturnTransition.
    """
    with transaction.atomic():
        order, request = lock_return(return_request.pk)
        _ensure_customer_or_staff(request, actor, by_staff)
        by_others = by_staff and request.customer_id != actor.pk
        default = _("Cancelled by staff") if by_others else _("Cancelled by the customer")
        return apply_return_transition(
            request=request, order=order, to=R.CANCELLED, actor=actor, reason=reason.strip()[:255] or default
        )


def _ensure_customer_or_staff(request: ReturnRequest, actor: User, by_staff: bool) -> None:
    if not by_staff and request.customer_id != actor.pk:
        raise NotReturnCustomer(_("Only the customer who asked for the return, or staff, may do this."))


def _clean(value: str, max_length: int, name: str, message: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > max_length or "\x00" in value:
        raise ValidationFailed(message, details={name: [_("1 to %(max)s characters.") % {"max": max_length}]})
    return value


# --- Receive and refund ---------------------------------------------------------------------------------------


def receive_return(*, return_request: ReturnRequest, actor: User, restock: bool = True) -> Received:
    """Staff received the parcel: ``received`` (units back on hand if ``restock``), then refunded.

    The receipt commits on its own (order row, return row, then stock rows locked in id order); the refund runs
    after it (``refund_return``). A failed refund does not undo the receipt: it comes back in
    ``Received.refund_error``. Must not be called inside a transaction. Raises InvalidReturnTransition.
    """
    with transaction.atomic():
        order, request = lock_return(return_request.pk)
        check_return_transition(request, R.RECEIVED)
        lines = list(request.lines.select_related("shipment__warehouse"))
        if restock:
            units = restock_return(request=request, lines=lines, actor=actor)
            warehouses = ", ".join(sorted({line.shipment.warehouse.code for line in lines}))
            note = _("Parcel received; %(units)s unit(s) back on hand in %(warehouses)s") % {
                "units": units,
                "warehouses": warehouses,
            }
        else:
            note = _("Parcel received; not restocked")
        request.received_at, request.restocked = timezone.now(), restock
        apply_return_transition(
            request=request, order=order, to=R.RECEIVED, actor=actor, reason=note, fields=("received_at", "restocked")
        )
    try:
        return Received(refund_return(return_request=request, actor=actor))
    except OmsError as exc:
        request.refresh_from_db()
        return Received(request, refund_error=exc)


@dataclass(frozen=True)
class _RefundClaim:
    order: Order
    reason: str
    amount: Decimal
    items: list[dict[str, Any]]


def refund_return(*, return_request: ReturnRequest, actor: User | None) -> ReturnRequest:
    """``received`` -> ``refunded``: the returned units' value goes back through refund_order, linked to the return.

    Money never moves under our locks, so this runs in three steps: claim (order and return rows locked;
    ``refund_claimed_at`` makes a concurrent caller get ReturnRefundInProgress), refund_order (its own
    transactions and gateway call; the order passes through ``refunding``), and record the outcome. A failed refund
    releases the claim and leaves the return ``received`` with the failure on its timeline. A caller that died
    mid-way leaves a claim that expires after REFUND_CLAIM_TIMEOUT; the next caller finds the refund it made by its
    reason (``Return #<id>: …``) and finishes instead of paying twice.

    What it refunds: the lines' value; when this return brings back the last unit of the order that was not yet
    returned or refunded, everything still paid (the shipping fee too), so the order ends ``refunded``.
    Must not be called inside a transaction. Raises InvalidReturnTransition, ReturnRefundInProgress, and what
    refund_order raises (RefundExceedsPaid, InvalidTransition when the order is busy with another refund,
    GatewayError).
    """
    claim = _claim_refund(return_id=return_request.pk)
    if isinstance(claim, Refund):
        return _finish_refund(return_id=return_request.pk, refund=claim, actor=actor)
    try:
        refund = refund_order(
            order=claim.order,
            reason=claim.reason,
            actor=actor,
            amount=claim.amount,
            items=claim.items,
            restock=False,  # the units went back on hand at receipt (oms.aftersales.stock), never twice
        )
    except Exception as exc:
        _release_claim(return_id=return_request.pk, actor=actor, exc=exc)
        raise
    return _finish_refund(return_id=return_request.pk, refund=refund, actor=actor)


def _claim_refund(*, return_id: int) -> _RefundClaim | Refund:
    """Claim the refund of a received return, or the refund an earlier (dead) caller already made for it."""
    now = timezone.now()
    with transaction.atomic():
        order, request = lock_return(return_id)
        check_return_transition(request, R.REFUNDED)
        made = (
            Refund.objects.filter(order=order, reason__startswith=selectors.return_refund_reason(request, ""))
            .exclude(status=Refund.Status.FAILED)
            .order_by("-pk")
            .first()
        )
        if made is not None and made.status == Refund.Status.SUCCEEDED:
            return made
        claimed = request.refund_claimed_at
        if made is not None or (claimed is not None and now - claimed < REFUND_CLAIM_TIMEOUT):
            raise ReturnRefundInProgress(
                _("The refund of return %(return_id)s is already under way.") % {"return_id": request.pk},
                details={"refund": made.out_request_no if made else None},
            )
        request.refund_claimed_at = now
        request.save(update_fields=["refund_claimed_at", "updated_at"])
        lines = list(request.lines.all())
        quantities: dict[str, int] = defaultdict(int)
        for line in lines:
            quantities[line.sku_code] += line.quantity
        return _RefundClaim(
            order=order,
            reason=selectors.return_refund_reason(request, request.reason),
            amount=_refund_amount(order=order, request=request, lines=lines),
            items=[{"sku": sku, "quantity": quantity} for sku, quantity in sorted(quantities.items())],
        )


def _refund_amount(*, order: Order, request: ReturnRequest, lines: list[ReturnLine]) -> Decimal:
    value = money(sum((line.unit_price * line.quantity for line in lines), Decimal("0")))
    payment = Payment.objects.filter(order=order, status__in=REFUNDABLE).first()
    if payment is None:
        return value  # refund_order refuses it, saying why
    left = payment.amount - payment.refunded_amount
    bought = sum(item.quantity for item in order.items.all())
    refunded_returns = ReturnLine.objects.filter(
        return_request__order=order, return_request__status=R.REFUNDED
    ).aggregate(units=Sum("quantity"))["units"]
    settled = (refunded_returns or 0) + sum(selectors.refunded_outside_returns(order).values())
    last_units = settled + sum(line.quantity for line in lines) >= bought
    return left if last_units or value > left else value


def _finish_refund(*, return_id: int, refund: Refund, actor: User | None) -> ReturnRequest:
    with transaction.atomic():
        order, request = lock_return(return_id)
        if request.status == R.REFUNDED and request.refund_id == refund.pk:
            return request
        request.refund, request.refunded_at, request.refund_claimed_at = refund, timezone.now(), None
        return apply_return_transition(
            request=request,
            order=order,
            to=R.REFUNDED,
            actor=actor,
            reason=_("Refunded %(amount)s (%(refund)s)")
            % {"amount": format_money(refund.amount), "refund": refund.out_request_no},
            fields=("refund", "refunded_at", "refund_claimed_at"),
        )


def _release_claim(*, return_id: int, actor: User | None, exc: Exception) -> None:
    why = f"{exc.code}: {exc.message}" if isinstance(exc, OmsError) else f"{type(exc).__name__}: {exc}"
    with transaction.atomic():
        order, request = lock_return(return_id)
        request.refund_claimed_at = None
        request.save(update_fields=["refund_claimed_at", "updated_at"])
        # Not a status change: the return stays received, and the attempt is on both timelines.
        record_return_event(
            request=request,
            order=order,
            from_status=request.status,
            actor=actor,
            reason=_("Refund failed: %(why)s") % {"why": why},
        )

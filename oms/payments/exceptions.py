"""Payment exceptions: a failed payment parks the order in ``payment_failed`` for staff, who resolve it here."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.common.errors import ValidationFailed
from oms.common.statemachine import apply_transition
from oms.orders.models import Order
from oms.orders.services import cancel_order
from oms.orders.states import OrderStatus
from oms.orders.transitions import transition_order
from oms.payments.allowed import RESOLUTIONS
from oms.payments.locks import lock_payment
from oms.payments.models import Payment, PaymentIssue
from oms.payments.refunds import refund_order
from oms.payments.transitions import PAYMENT


def record_payment_failure(*, payment: Payment, reason: str) -> None:
    """The gateway gave up on a payment (closed it unpaid, risk control): the order waits for staff."""
    with transaction.atomic():
        payment = lock_payment(payment.pk)
        if payment.status != Payment.Status.CREATED:
            return
        # Past the payment window a closed trade is just the timeout at work: the expiry job cancels the order.
        expired = timezone.now() > payment.order.expires_at
        payment.failure_reason = reason[:255]
        apply_transition(
            PAYMENT,
            payment,
            to=Payment.Status.CLOSED if expired else Payment.Status.FAILED,
            actor=None,
            reason=(_("Closed unpaid after the payment window: %(reason)s") if expired else _("Failed: %(reason)s"))
            % {"reason": reason},
            fields=("failure_reason",),
        )
        if not expired and payment.order.status == OrderStatus.PENDING_PAYMENT:
            transition_order(
                order_id=payment.order_id,
                to=OrderStatus.PAYMENT_FAILED,
                actor=None,
                reason=_("Payment failed: %(reason)s") % {"reason": reason},
            )


def resolve_exception(*, order: Order, action: str, actor: User, reason: str) -> Order:
    """Staff resolve an exception order: ``retry`` (back to awaiting payment), ``cancel``, or ``refund``.

    Open payment issues of the order are marked resolved with the action. Raises InvalidTransition when the action
    does not fit the order's state, ValidationFailed for an unknown action.
    """
    if action not in RESOLUTIONS:
        raise ValidationFailed(
            _("Unknown action %(action)s; use one of %(actions)s.")
            % {"action": repr(action), "actions": ", ".join(RESOLUTIONS)}
        )
    note = _("Exception resolved by staff (%(action)s): %(reason)s") % {"action": action, "reason": reason}
    if action == "retry":
        order = transition_order(order_id=order.pk, to=OrderStatus.PENDING_PAYMENT, actor=actor, reason=note)
    elif action == "cancel":
        order = cancel_order(order=order, actor=actor, reason=note, by_staff=True)
    else:
        refund_order(order=order, reason=note, actor=actor)
        order.refresh_from_db()
    PaymentIssue.objects.filter(order=order, resolved_at__isnull=True).update(resolved_at=timezone.now())
    return order

"""Cancelling an order, paid or not: what "cancel" means to a customer until a parcel of the order leaves.

An unpaid order is cancelled outright (its open gateway trades closed first, its reserved stock released). A paid
order is never simply cancelled (oms.orders.states): until a parcel leaves the warehouse, cancelling it refunds
everything left of its payment through the original method and puts its units back on hand, so it ends
``refunded`` (or stays ``refunding`` while a gateway has not confirmed the refund). Once a parcel has left, the
way back is a return (oms.aftersales). Who may cancel which order now: oms.payments.allowed.can_cancel.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from oms.orders.models import Order
from oms.payments import refunds
from oms.payments.allowed import cancel_refunds, why_not_refund_unshipped
from oms.payments.errors import GatewayOutcomeUnknown
from oms.payments.models import Refund
from oms.payments.services import cancel_unpaid_order

logger = logging.getLogger(__name__)


def cancel_or_refund_order(*, order: Order, actor: User, reason: str, by_staff: bool) -> Order:
    """Cancel ``order`` for its customer (or staff): unpaid → ``cancelled``; paid and unshipped → refunded in full.

    Returns the order as it is afterwards: ``refunding`` when the gateway did not answer (the refund stays pending
    and oms.payments.refund_recovery settles it; the cancel itself stands). Raises InvalidTransition when the order
    is past both (shipped, completed, already cancelled or refunding, or a parcel left meanwhile: the check is
    repeated under the order row lock), and GatewayError when the gateway refused the refund (the order is back
    where it was).
    """
    if cancel_refunds(order):
        try:
            refund_unshipped_order(order=order, actor=actor, reason=reason, by_staff=by_staff)
        except GatewayOutcomeUnknown:
            logger.warning("refund for cancelled order %s sent but not confirmed yet", order.order_no)
    else:
        cancel_unpaid_order(order=order, actor=actor, reason=reason, by_staff=by_staff)
    return Order.objects.get(pk=order.pk)


def refund_unshipped_order(*, order: Order, actor: User, reason: str, by_staff: bool) -> Refund:
    """Refund all that is left of a paid order none of whose parcels has left, restocking every unit.

    Customers may not cancel an order paid offline: nothing here can send that money back, so staff cancel it
    (and return the money by the way it came). Must not be called inside a transaction (the gateway is called with
    no lock held).
    """
    if (refused := why_not_refund_unshipped(order, by_staff=by_staff)) is not None:
        raise refused
    why = _("Cancelled by staff before shipping") if by_staff else _("Cancelled by the customer before shipping")
    if reason:
        why = _("%(what)s: %(reason)s") % {"what": why, "reason": reason}
    return refunds.request_refund(order=order, reason=why, actor=actor, cancel_unshipped=True).refund

"""Refunds that did not finish in one go: late payments refunded automatically, and pending refunds whose
gateway answer was lost or whose process died between writing the refund and recording its outcome.

Every one of them is a ``pending`` Refund row, so one periodic job (``resume_stuck_refunds``) finds them all. It
asks the gateway whether the refund was made and otherwise sends it again with the same ``out_request_no`` (the
gateway refunds once per number), then records the outcome through oms.payments.refunds. No lock is held
during gateway calls.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oms.payments.errors import GatewayError
from oms.payments.models import Payment, Refund
from oms.payments.refunds import send_refund

logger = logging.getLogger(__name__)


def open_automatic_refund(*, payment: Payment) -> Refund:
    """Write the pending refund of money that arrived for an order that can no longer take it (cancelled,
    expired). The caller holds the payment row lock in its transaction, and queues the attempt
    (``queue_refund_attempt``): should that never run, the refund is still found by ``resume_stuck_refunds``.
    """
    refund, _ = Refund.objects.get_or_create(
        out_request_no=f"{payment.order.order_no}RA",
        defaults={
            "order": payment.order,
            "payment": payment,
            "amount": payment.amount,
            "reason": "Automatic refund: order no longer payable",
            "automatic": True,
        },
    )
    return refund


def queue_refund_attempt(*, refund_id: int) -> None:
    """Queue one attempt at a pending refund once the caller's transaction commits.

    A broker that cannot take the task does not fail the caller (it has committed): the error is logged and the
    refund, still pending, is found by ``resume_stuck_refunds``.
    """
    transaction.on_commit(lambda: attempt_refund_task.delay(refund_id), robust=True)


# Here rather than in oms.payments.tasks: settlement queues it, and the periodic jobs there sit above settlement.
@shared_task
def attempt_refund_task(refund_id: int) -> str:
    return attempt_refund(refund_id=refund_id)


def attempt_refund(*, refund_id: int, now: datetime | None = None) -> str:
    """Try to settle one pending refund now; returns what happened, never raises a gateway error.

    Claims the refund first (a conditional update that pushes ``next_attempt_at`` out by
    OMS_REFUND_STUCK_AFTER), so two runs never work on one refund at once, and one that dies mid-way is taken up
    again once the claim runs out. Outcomes: ``succeeded``, ``failed`` (refused: a staff refund is failed, an
    automatic one that used up its attempts gives up), ``retrying`` (another attempt is scheduled), ``busy``
    (claimed by another run, or no longer pending).
    """
    now = now or timezone.now()
    refund = Refund.objects.select_related("payment", "order").filter(pk=refund_id).first()
    if refund is None or not _claim(refund, now=now):
        return "busy"
    try:
        refund = send_refund(refund=refund, actor=None, ask_first=True)
    except GatewayError as exc:
        logger.warning("refund %s not settled: %s", refund.out_request_no, exc.message)
        refund.refresh_from_db(fields=["status"])
    return {
        Refund.Status.SUCCEEDED: "succeeded",
        Refund.Status.FAILED: "failed",
        Refund.Status.PENDING: "retrying",
    }[Refund.Status(refund.status)]


def resume_stuck_refunds(
    *, older_than: timedelta | None = None, limit: int = 100, now: datetime | None = None
) -> dict[str, int]:
    """Settle pending refunds that are due: those with a retry scheduled for now or earlier, and those never
    retried that are older than ``older_than`` (default OMS_REFUND_STUCK_AFTER). Returns a count per outcome.

    A staff refund's order leaves ``refunding`` (back to where it was, or ``refunded``) with an event row, just as
    if the first attempt had been answered.
    """
    now = now or timezone.now()
    if older_than is None:  # not ``or``: timedelta(0) is falsy, and "every pending refund" is a valid ask
        older_than = settings.OMS_REFUND_STUCK_AFTER
    due = (
        Refund.objects.filter(status=Refund.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True, created_at__lt=now - older_than) | Q(next_attempt_at__lte=now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcomes: dict[str, int] = {}
    for refund_id in list(due):
        try:
            outcome = attempt_refund(refund_id=refund_id, now=now)
        except Exception:  # one broken refund must not keep the others waiting; its claim runs out, it comes back
            logger.exception("refund %s could not be resumed", refund_id)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _claim(refund: Refund, *, now: datetime) -> bool:
    # Still due, not just unchanged: a run that read the refund after another's claim must not claim it again.
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = Refund.objects.filter(
        due, pk=refund.pk, status=Refund.Status.PENDING, next_attempt_at=refund.next_attempt_at
    ).update(next_attempt_at=now + settings.OMS_REFUND_STUCK_AFTER)
    return claimed == 1

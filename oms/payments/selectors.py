"""Reads for staff: the exception queue (orders in an exception state, and orders with open money issues)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from oms.orders.models import Order
from oms.orders.states import OrderStatus
from oms.payments.allowed import exception_actions
from oms.payments.models import PaymentIssue

EXCEPTION_STATES = (OrderStatus.PAYMENT_FAILED, OrderStatus.SHIPMENT_FAILED)


@dataclass(frozen=True)
class ExceptionOrder:
    order_no: str
    status: str
    customer: object
    total_amount: object
    reason: str
    since: datetime
    age_seconds: int
    open_issues: list[dict[str, Any]]
    actions: list[str]


def exception_queue(*, limit: int = 200) -> list[ExceptionOrder]:
    """Oldest first: what staff must look at, why, since when, and what they may do about it."""
    open_issues = PaymentIssue.objects.filter(order=OuterRef("pk"), resolved_at__isnull=True)
    orders = (
        Order.objects.filter(Q(status__in=EXCEPTION_STATES) | Exists(open_issues))
        .select_related("customer")
        .prefetch_related("events", "payment_issues")
        .order_by("updated_at")[:limit]
    )
    now = timezone.now()
    queue = []
    for order in orders:
        events = list(order.events.all())
        last = events[-1] if events else None
        issues = [
            {"kind": issue.kind, "detail": issue.detail, "created_at": issue.created_at.isoformat()}
            for issue in order.payment_issues.all()
            if issue.resolved_at is None
        ]
        since = last.created_at if last else order.created_at
        queue.append(
            ExceptionOrder(
                order_no=order.order_no,
                status=order.status,
                customer=order.customer,
                total_amount=order.total_amount,
                reason=issues[0]["detail"]
                if issues and order.status not in EXCEPTION_STATES
                else (last.reason if last else ""),
                since=since,
                age_seconds=int((now - since).total_seconds()),
                open_issues=issues,
                actions=exception_actions(order),
            )
        )
    return queue

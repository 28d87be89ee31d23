"""Reads for staff: the exception queue (orders in an exception state, and orders with open money issues)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
    return exception_page(number=1, size=limit).entries


@dataclass(frozen=True)
class ExceptionPage:
    entries: list[ExceptionOrder]
    total: int  # in the whole queue
    number: int  # this page's, from 1
    pages: int


def exception_page(*, number: int, size: int) -> ExceptionPage:
    """Page ``number`` of the queue (oldest first; a number past the end gives the last page), ``size`` entries.

    Two indexed reads joined by UNION (orders in an exception state by the status index; orders with an open
    issue by the issues table) instead of one ``status IN … OR EXISTS …`` filter, which scans every order.
    """
    in_state = Order.objects.filter(status__in=EXCEPTION_STATES).values("id", "updated_at").order_by()
    open_issue_orders = PaymentIssue.objects.filter(resolved_at__isnull=True).values("order_id").order_by()
    with_issue = Order.objects.filter(pk__in=open_issue_orders).values("id", "updated_at").order_by()
    queue = in_state.union(with_issue)
    total = queue.count()
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    offset = (number - 1) * size
    page = [row["id"] for row in queue.order_by("updated_at", "id")[offset : offset + size]]
    orders = {
        order.pk: order
        for order in Order.objects.filter(pk__in=page)
        .select_related("customer")
        .prefetch_related("events", "payment_issues")
    }
    now = timezone.now()
    return ExceptionPage([_entry(orders[pk], now) for pk in page], total, number, pages)


def _entry(order: Order, now: datetime) -> ExceptionOrder:
    events = list(order.events.all())
    last = events[-1] if events else None
    issues = [
        {"kind": issue.kind, "detail": issue.detail, "created_at": issue.created_at.isoformat()}
        for issue in order.payment_issues.all()
        if issue.resolved_at is None
    ]
    since = last.created_at if last else order.created_at
    return ExceptionOrder(
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

"""Reads behind the dashboard's waiting counts, the return queue, and where an order's units are held.

The reports' and the dashboard's sales figures come from the rollups (``oms.reports.selectors``).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from oms.aftersales.models import ReturnRequest
from oms.aftersales.selectors import return_list
from oms.aftersales.states import ReturnStatus
from oms.inventory.models import Allocation
from oms.orders.models import Order


def status_counts(statuses: list[str]) -> dict[str, int]:
    """How many orders are in each of ``statuses`` now (the status index answers this)."""
    counts = dict(Order.objects.filter(status__in=statuses).values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in statuses}


def return_queue(*, user: User, status: str | None = None, order_no: str | None = None) -> QuerySet[ReturnRequest]:
    """The returns ``user`` may see: those waiting for a decision (requested) first, then the rest, newest first."""
    waiting = Case(When(status=ReturnStatus.REQUESTED, then=Value(0)), default=Value(1), output_field=IntegerField())
    returns = return_list(user=user, status=status, order_no=order_no)
    return returns.annotate(waiting=waiting).order_by("waiting", "-created_at", "-id")


def units_held(order: Order) -> list[Allocation]:
    """Where the order's units are reserved or deducted now, per warehouse and SKU."""
    return list(
        Allocation.objects.filter(order=order)
        .exclude(status=Allocation.Status.RELEASED)
        .select_related("stock__warehouse", "stock__sku")
        .order_by("stock__warehouse__code", "stock__sku__code")
    )

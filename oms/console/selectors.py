"""Reads behind the dashboard and the reports (counts, sales by day, status mix, top SKUs, lead times), the return
queue, and where an order's units are held.

Day buckets are made in Python from (timestamp, amount) rows of a bounded window, in the shop's time zone, because
grouping by local day in SQL needs time zone tables MariaDB servers often lack. Every query filters on the indexed
``created_at`` (or ``status``), so the pages stay quick on a large order table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from statistics import median
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db.models import Case, Count, IntegerField, Min, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.aftersales.models import ReturnRequest
from oms.aftersales.selectors import return_list
from oms.aftersales.states import ReturnStatus
from oms.common.money import ZERO, money_sum
from oms.inventory.models import Allocation
from oms.orders.models import Order, OrderEvent, OrderItem
from oms.orders.states import OrderStatus
from oms.payments.models import Refund

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Paid at some point (sales count them even if refunded later: refunds are counted on the day the money went back).
EVER_PAID = Q(paid_at__isnull=False)


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class PeriodSummary:
    orders: int
    paid_orders: int
    sales: Decimal


def period_summary(*, since: datetime, until: datetime | None = None) -> PeriodSummary:
    """Orders placed in [since, until) and the value of those of them that were paid."""
    orders = Order.objects.filter(created_at__gte=since)
    if until is not None:
        orders = orders.filter(created_at__lt=until)
    totals = orders.aggregate(
        orders=Count("id"),
        paid_orders=Count("id", filter=EVER_PAID),
        sales=money_sum("total_amount", filter=EVER_PAID),
    )
    return PeriodSummary(orders=totals["orders"], paid_orders=totals["paid_orders"], sales=totals["sales"])


def status_counts(statuses: list[str]) -> dict[str, int]:
    """How many orders are in each of ``statuses`` now (the status index answers this)."""
    counts = dict(Order.objects.filter(status__in=statuses).values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in statuses}


@dataclass(frozen=True)
class DaySales:
    day: date
    orders: int
    paid_orders: int
    sales: Decimal  # value of the orders placed that day and paid
    refunded: Decimal = ZERO  # money that went back that day (refunds completed), whenever its order was placed

    @property
    def net(self) -> Decimal:
        return self.sales - self.refunded


def sales_by_day(*, days: int, today: date | None = None) -> list[DaySales]:
    """One row per day of the last ``days`` days (today included), oldest first, zeros for quiet days."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    buckets: dict[date, list[Any]] = {first + timedelta(days=i): [0, 0, ZERO] for i in range(days)}
    rows = Order.objects.filter(created_at__gte=start_of_day(first)).values_list(
        "created_at", "paid_at", "total_amount"
    )
    for created_at, paid_at, total in rows.iterator(chunk_size=5000):
        bucket = buckets.get(timezone.localtime(created_at).date())
        if bucket is None:
            continue
        bucket[0] += 1
        if paid_at is not None:
            bucket[1] += 1
            bucket[2] += total
    refunded = refunds_by_day(since=start_of_day(first))
    return [DaySales(day, n, paid, sales, refunded.get(day, ZERO)) for day, (n, paid, sales) in buckets.items()]


def refunds_by_day(*, since: datetime) -> dict[date, Decimal]:
    """Money refunded per local day since ``since``: succeeded refunds by when they completed (automatic refunds of
    late payments included: that money came in and went out)."""
    rows = Refund.objects.filter(status=Refund.Status.SUCCEEDED, completed_at__gte=since).values_list(
        "completed_at", "amount"
    )
    days: dict[date, Decimal] = {}
    for completed_at, amount in rows.iterator(chunk_size=5000):
        day = timezone.localtime(completed_at).date()
        days[day] = days.get(day, ZERO) + amount
    return days


def status_mix(*, since: datetime) -> list[tuple[str, str, int]]:
    """(status, label, orders) of the orders placed since ``since``, in state machine order."""
    counts = dict(Order.objects.filter(created_at__gte=since).values_list("status").annotate(n=Count("id")).order_by())
    return [(s.value, str(s.label), counts[s.value]) for s in OrderStatus if counts.get(s.value)]


@dataclass(frozen=True)
class TopSku:
    sku: str
    name: str
    units: int
    revenue: Decimal
    orders: int


def top_skus(*, since: datetime, limit: int = 10) -> list[TopSku]:
    """Best sellers by units among paid orders placed since ``since``."""
    rows = (
        OrderItem.objects.filter(order__created_at__gte=since, order__paid_at__isnull=False)
        .values("sku_code")
        .annotate(name=Min("name"), units=Sum("quantity"), revenue=money_sum("line_total"), orders=Count("order_id"))
        .order_by("-units", "sku_code")[:limit]
    )
    return [TopSku(r["sku_code"], r["name"], r["units"], r["revenue"], r["orders"]) for r in rows]


LEAD_TIME_BUCKETS: list[tuple[StrOrPromise, float]] = [
    (_("< 4 h"), 4),
    (_("4–12 h"), 12),
    (_("12–24 h"), 24),
    (_("1–2 days"), 48),
    (_("2–3 days"), 72),
    (_("3–5 days"), 120),
    (_("> 5 days"), float("inf")),
]


@dataclass(frozen=True)
class LeadTimes:
    buckets: list[tuple[str, int]]
    orders: int
    median_hours: float | None
    mean_hours: float | None


def lead_times(*, since: datetime, limit: int = 50_000) -> LeadTimes:
    """Hours from payment to the first ``shipped`` event, for orders placed since ``since`` that shipped."""
    rows = (
        OrderEvent.objects.filter(
            to_status=OrderStatus.SHIPPED, order__created_at__gte=since, order__paid_at__isnull=False
        )
        .values("order_id", "order__paid_at")
        .annotate(shipped_at=Min("created_at"))
        .order_by()[:limit]
    )
    hours = [
        max(0.0, (row["shipped_at"] - row["order__paid_at"]).total_seconds() / 3600)
        for row in rows
        if row["shipped_at"]
    ]
    counts = [0] * len(LEAD_TIME_BUCKETS)
    for value in hours:
        counts[next(i for i, (_label, upper) in enumerate(LEAD_TIME_BUCKETS) if value < upper)] += 1
    return LeadTimes(
        buckets=[(str(label), n) for (label, _upper), n in zip(LEAD_TIME_BUCKETS, counts, strict=True)],
        orders=len(hours),
        median_hours=median(hours) if hours else None,
        mean_hours=sum(hours) / len(hours) if hours else None,
    )


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

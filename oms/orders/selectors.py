"""Order reads: who may see what, and the filters of the order list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from oms.orders.errors import OrderNotFound
from oms.orders.models import Order


def sees_all_orders(user: AbstractBaseUser) -> bool:
    return user.is_staff and user.has_perm("orders.view_all_orders")


def orders_visible_to(user: AbstractBaseUser) -> QuerySet[Order]:
    orders = Order.objects.all()
    return orders if sees_all_orders(user) else orders.filter(customer=user)


@dataclass(frozen=True)
class OrderFilters:
    status: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    order_no: str | None = None
    customer: str | None = None
    sku: str | None = None


def filter_orders(orders: QuerySet[Order], filters: OrderFilters) -> QuerySet[Order]:
    """Apply list filters; date bounds are whole days in the shop's time zone, both inclusive."""
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.order_no:
        orders = orders.filter(order_no=filters.order_no)
    if filters.customer:
        orders = orders.filter(customer__username=filters.customer)
    if filters.sku:
        orders = orders.filter(items__sku_code=filters.sku)
    if filters.created_from:
        orders = orders.filter(created_at__gte=_start_of(filters.created_from))
    if filters.created_to:
        orders = orders.filter(created_at__lt=_start_of(filters.created_to + timedelta(days=1)))
    return orders


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def order_list(*, user: AbstractBaseUser, filters: OrderFilters) -> QuerySet[Order]:
    return (
        filter_orders(orders_visible_to(user), filters)
        .select_related("customer")
        .prefetch_related("items")
        .order_by("-created_at", "-id")
    )


DETAIL_PREFETCH = (
    "items",
    "events__actor",
    "payments",
    "refunds",
    # The shipments of oms.shipping, by relation name only: orders never import shipping.
    "shipments__warehouse",
    "shipments__lines",
    "shipments__tracking_events",
    # The returns of oms.aftersales, likewise by relation name only.
    "returns__lines",
)


def order_detail(*, user: AbstractBaseUser, order_no: str) -> Order:
    """The order with items and timeline, or OrderNotFound, also for another customer's order (never 403)."""
    orders = orders_visible_to(user).select_related("customer").prefetch_related(*DETAIL_PREFETCH)
    order = _find(orders, order_no)
    if order is None:
        raise OrderNotFound(f"No order {order_no} among your orders.")
    return order


def order_for_action(*, user: AbstractBaseUser, order_no: str) -> Order:
    order = _find(orders_visible_to(user), order_no)
    if order is None:
        raise OrderNotFound(f"No order {order_no} among your orders.")
    return order


def _find(orders: QuerySet[Order], order_no: str) -> Order | None:
    # No order number holds a NUL, and PostgreSQL rejects it in a parameter (a 500) instead of matching.
    return None if "\x00" in order_no else orders.filter(order_no=order_no).first()

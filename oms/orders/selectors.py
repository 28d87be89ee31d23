"""Order reads: who may see what, and the filters of the order list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.orders.errors import OrderNotFound
from oms.orders.models import Order, OrderItem


def sees_all_orders(user: User) -> bool:
    return user.is_staff and user.has_perm("orders.view_all_orders")


def orders_visible_to(user: User) -> QuerySet[Order]:
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
        orders = _with_sku(orders, filters.sku)
    if filters.created_from:
        orders = orders.filter(created_at__gte=_start_of(filters.created_from))
    if filters.created_to:
        orders = orders.filter(created_at__lt=_start_of(filters.created_to + timedelta(days=1)))
    return orders


# Up to this many orders with a SKU, the search fetches them by primary key; past it, by walking newest first.
RARE_SKU_ORDERS = 5000


def _with_sku(orders: QuerySet[Order], sku: str) -> QuerySet[Order]:
    """Orders with a line of ``sku``, planned for how often it sells.

    Walking the orders newest first and checking each one's lines finds a best seller's newest orders at once, but
    reads most of the table for a SKU that sold a few times (a third of a second on a million orders, and the
    planner cannot tell the two apart). So the (sku_code, order) index is asked first: a rare SKU's orders are
    fetched by id and sorted, a common one is walked.
    """
    matches = OrderItem.objects.filter(sku_code=sku).order_by().values_list("order_id", flat=True)
    ids = list(matches[: RARE_SKU_ORDERS + 1])  # unordered: an index-only scan of (sku_code, order)
    if len(ids) <= RARE_SKU_ORDERS:
        return orders.filter(pk__in=ids)
    return orders.filter(items__sku_code=sku)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def order_list(*, user: User, filters: OrderFilters) -> QuerySet[Order]:
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


def order_detail(*, user: User, order_no: str) -> Order:
    """The order with items and timeline, or OrderNotFound, also for another customer's order (never 403)."""
    orders = orders_visible_to(user).select_related("customer").prefetch_related(*DETAIL_PREFETCH)
    order = _find(orders, order_no)
    if order is None:
        raise OrderNotFound(_("No order %(order_no)s among your orders.") % {"order_no": order_no})
    return order


def order_for_action(*, user: User, order_no: str) -> Order:
    order = _find(orders_visible_to(user), order_no)
    if order is None:
        raise OrderNotFound(_("No order %(order_no)s among your orders.") % {"order_no": order_no})
    return order


def _find(orders: QuerySet[Order], order_no: str) -> Order | None:
    # No order number holds a NUL, and PostgreSQL rejects it in a parameter (a 500) instead of matching.
    return None if "\x00" in order_no else orders.filter(order_no=order_no).first()

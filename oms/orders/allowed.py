"""Who may act on an order: the rights of the orders domain and the owner rule that every order action builds on.

Each domain says what a given user may do with a given object now, in its own ``allowed`` module (shipping:
confirm, ship, reship, receipt; payments: pay, offline payment, cancel, refund, resolve; inventory: re-allocate;
aftersales: returns; purchasing: purchase orders). Each rule there combines the object's state, the user's right
and any other condition, and the service that performs the action checks the same predicate, so a page never
offers what the service would refuse. Pages and the API ask those modules and never compare statuses themselves.
"""

from __future__ import annotations

from django.contrib.auth.models import User

from oms.orders.models import Order

MANAGE_ORDERS = "orders.manage_orders"
VIEW_ALL_ORDERS = "orders.view_all_orders"


def owns(order: Order, user: User) -> bool:
    """Did ``user`` place ``order``? (The customer's own actions: pay, cancel, confirm receipt, return.)"""
    return user.is_authenticated and order.customer_id == user.pk


def manages_orders(user: User) -> bool:
    """May ``user`` act on any customer's order as staff (confirm, ship, cancel, record payments, resolve)?"""
    return user.has_perm(MANAGE_ORDERS)

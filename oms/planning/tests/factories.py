"""Planning test data: demand history as orders placed on past days.

Demand is read from order lines by the day their order was placed; sixty days of history through the placement
service would reserve (and need) stock for every order, so these orders are written directly, already completed,
with one line each. Only the order history changes: stock counters stay as the test set them.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from typing import cast

from django.contrib.auth.models import User
from django.utils import timezone

from oms.accounts.tests.factories import UserFactory
from oms.catalog.models import Sku
from oms.orders.models import Order, OrderItem
from oms.orders.states import OrderStatus

ADDRESS = {"name": "Alice", "phone": "13800138000", "province": "Shanghai", "city": "Shanghai",
           "district": "Pudong", "address": "1 Century Avenue", "postal_code": "200120"}  # fmt: skip
_numbers = itertools.count(1)


def record_demand(
    sku: Sku,
    *,
    units_per_day: list[int],
    status: str = OrderStatus.COMPLETED,
    customer: User | None = None,
    until: datetime | None = None,
) -> list[Order]:
    """One order of ``units_per_day[i]`` units of ``sku`` placed i + 1 days before ``until`` (now) at noon, shop
    time; days with 0 units get no order."""
    buyer: User = customer or cast(User, UserFactory())
    until = timezone.localtime(until or timezone.now())
    noon = until.replace(hour=12, minute=0, second=0, microsecond=0)
    orders = []
    for days_ago, units in enumerate(units_per_day, start=1):
        if not units:
            continue
        placed = noon - timedelta(days=days_ago)
        total = sku.price * units
        order = Order.objects.create(
            order_no=f"T{next(_numbers):019d}",
            customer=buyer,
            status=status,
            subtotal=total,
            shipping_fee=Decimal("0.00"),
            total_amount=total,
            shipping_address=ADDRESS,
            created_at=placed,
            expires_at=placed + timedelta(minutes=30),
        )
        OrderItem.objects.create(
            order=order, sku=sku, sku_code=sku.code, name=sku.name, unit_price=sku.price, quantity=units,
            line_total=total,
        )  # fmt: skip
        orders.append(order)
    return orders


def forecast_demand(sku: Sku, *, units_per_day: list[int], **kwargs: object) -> None:
    """``record_demand`` then the forecast job for that SKU (what the nightly run would store)."""
    from oms.planning.services import compute_forecasts

    record_demand(sku, units_per_day=units_per_day, **kwargs)  # type: ignore[arg-type]
    compute_forecasts(sku_ids=[sku.pk])

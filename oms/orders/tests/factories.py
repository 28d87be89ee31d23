"""Orders test data, placed through the real placement service: the inventory ledger reserves the stock."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from oms.catalog.models import Sku
from oms.orders.models import Order
from oms.orders.services import OrderLineInput, PlacedOrder, place_order

# A line of an order: the SKU (or its code) and how many units.
Line = tuple[Sku | str, int]


def order_lines(lines: tuple[Line, ...] | list[Line]) -> list[OrderLineInput]:
    return [OrderLineInput(sku if isinstance(sku, str) else sku.code, quantity) for sku, quantity in lines]


def placed_order(
    customer: User, address: dict[str, str], *lines: Line, key: str | None = None, **kwargs: Any
) -> PlacedOrder:
    """``place_order`` for ``lines`` with idempotency key ``key``; ``kwargs`` go to the service (``now``,
    ``payment_method``). Returns what the service returns (the order, and whether it is new)."""
    return place_order(customer=customer, items=order_lines(lines), address=address, idempotency_key=key, **kwargs)


def pending_order(customer: User, address: dict[str, str], *lines: Line, **kwargs: Any) -> Order:
    """A new order awaiting payment for ``lines``, its units reserved."""
    return placed_order(customer, address, *lines, **kwargs).order

"""The shopping cart, kept in the session as {sku code: quantity}; prices always come from the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from oms.catalog.models import Sku
from oms.catalog.selectors import skus_with_availability
from oms.orders.pricing import Totals, money, order_totals
from oms.orders.services import OrderLineInput

SESSION_KEY = "cart"


@dataclass(frozen=True)
class CartLine:
    sku: Sku
    quantity: int
    line_total: Decimal

    @property
    def available(self) -> int:
        return getattr(self.sku, "available", 0)


class Cart:
    def __init__(self, session: SessionBase) -> None:
        self.session = session
        raw = session.get(SESSION_KEY)
        self.quantities: dict[str, int] = {
            str(code): int(qty) for code, qty in (raw.items() if isinstance(raw, dict) else []) if int(qty) > 0
        }

    def __len__(self) -> int:
        return sum(self.quantities.values())

    def _save(self) -> None:
        self.session[SESSION_KEY] = self.quantities
        self.session.modified = True

    def add(self, code: str, quantity: int) -> int:
        """Add units (capped at the largest line quantity); returns the line's new quantity."""
        if code not in self.quantities and len(self.quantities) >= settings.OMS_MAX_ORDER_LINES:
            return 0
        new = min(self.quantities.get(code, 0) + quantity, settings.OMS_MAX_LINE_QUANTITY)
        self.quantities[code] = new
        self._save()
        return new

    def set(self, code: str, quantity: int) -> None:
        if quantity <= 0:
            self.quantities.pop(code, None)
        else:
            self.quantities[code] = min(quantity, settings.OMS_MAX_LINE_QUANTITY)
        self._save()

    def clear(self) -> None:
        self.quantities = {}
        self._save()

    def lines(self) -> list[CartLine]:
        """The lines whose SKU is still sold, in code order (a discontinued SKU drops out)."""
        if not self.quantities:
            return []
        skus = skus_with_availability().filter(code__in=list(self.quantities))
        return [CartLine(sku, self.quantities[sku.code], money(sku.price * self.quantities[sku.code])) for sku in skus]

    @staticmethod
    def totals(lines: list[CartLine]) -> Totals:
        return order_totals([line.line_total for line in lines])

    @staticmethod
    def order_lines(lines: list[CartLine]) -> list[OrderLineInput]:
        return [OrderLineInput(sku=line.sku.code, quantity=line.quantity) for line in lines]

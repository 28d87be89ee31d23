"""Prices are computed here, on the server, from the catalog: clients never send amounts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping_fee: Decimal
    total: Decimal


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def shipping_fee_for(subtotal: Decimal) -> Decimal:
    """Flat fee (OMS_SHIPPING_FEE), waived from OMS_FREE_SHIPPING_THRESHOLD up."""
    threshold = settings.OMS_FREE_SHIPPING_THRESHOLD
    if threshold is not None and subtotal >= threshold:
        return Decimal("0.00")
    return money(settings.OMS_SHIPPING_FEE)


def order_totals(line_totals: list[Decimal]) -> Totals:
    subtotal = money(sum(line_totals, Decimal("0")))
    fee = shipping_fee_for(subtotal)
    return Totals(subtotal=subtotal, shipping_fee=fee, total=subtotal + fee)

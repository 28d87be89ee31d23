"""How much to order: replenishment suggestions that know what is already on order, and the suggested quantity.

The rule, per SKU whose inventory position (available + on order) is at or below its reorder point (ROP):
order the economic order quantity (EOQ), but at least ROP − position + 1, enough to lift the position back above
the ROP — a big backlog or a sales spike can need more than one EOQ. Without an EOQ (a free SKU: holding it
costs nothing) order exactly that minimum. A SKU above its ROP needs nothing (0).
"""

from __future__ import annotations

from datetime import datetime

from oms.inventory.replenishment import Policy, Suggestion, replenishment_suggestions
from oms.purchasing.selectors import units_on_order

MAX_LINE_QUANTITY = 1_000_000


def suggested_quantity(suggestion: Suggestion) -> int:
    """Units to order for one suggestion by the rule above (0 when it does not need ordering)."""
    if not suggestion.reorder_now:
        return 0
    at_least = suggestion.reorder_point - suggestion.position + 1
    quantity = max(suggestion.order_quantity or 0, at_least)
    return min(quantity, MAX_LINE_QUANTITY)


def purchase_suggestions(
    *, sku_ids: list[int] | None = None, policy: Policy | None = None, now: datetime | None = None
) -> list[Suggestion]:
    """Replenishment suggestions (oms.inventory.replenishment) with the units on open purchase orders counted."""
    return replenishment_suggestions(policy=policy, now=now, sku_ids=sku_ids, on_order=units_on_order(sku_ids=sku_ids))

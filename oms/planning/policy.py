"""The policy each SKU is planned with: its own fields, else its supplier's, else the shop default.

The shop default is the OMS_REPLENISH_* settings (ordering cost, holding rate, lead days, service level), a pack
of 1 and no minimum order. The lead time at supplier level is the supplier's ``lead_days``. Holding cost is one
field in two forms, absolute per unit-year or a rate of the unit cost: the first level that sets either wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from oms.planning.models import SkuPolicy, SupplierPolicy

SKU, SUPPLIER, DEFAULT = "sku", "supplier", "default"
# Fields in the order the API and the console show them; "holding" stands for holding_cost / holding_rate.
FIELDS = ("supplier", "order_cost", "holding_cost", "holding_rate", "lead_days", "service_level", "pack_size",
          "min_order_quantity")  # fmt: skip


@dataclass(frozen=True)
class EffectivePolicy:
    order_cost: Decimal  # S
    holding_cost: Decimal | None  # H per unit-year, when given absolute
    holding_rate: Decimal | None  # H as a share of the unit cost per year, otherwise
    lead_days: int  # L
    service_level: Decimal
    pack_size: int
    min_order_quantity: int
    supplier: str | None = None  # the supplier's code
    sources: dict[str, str] = field(default_factory=dict)  # field -> sku | supplier | default

    def holding_per_unit_year(self, unit_cost: Decimal) -> Decimal:
        if self.holding_cost is not None:
            return self.holding_cost
        return unit_cost * (self.holding_rate or Decimal("0"))


def default_policy() -> EffectivePolicy:
    return EffectivePolicy(
        order_cost=settings.OMS_REPLENISH_ORDER_COST,
        holding_cost=None,
        holding_rate=settings.OMS_REPLENISH_HOLDING_RATE,
        lead_days=settings.OMS_REPLENISH_LEAD_DAYS,
        service_level=Decimal(str(settings.OMS_REPLENISH_SERVICE_LEVEL)),
        pack_size=1,
        min_order_quantity=1,
        sources=dict.fromkeys(
            ("order_cost", "holding", "lead_days", "service_level", "pack_size", "min_order_quantity"), DEFAULT
        ),  # fmt: skip
    )


def resolve(own: SkuPolicy | None, supplier_policy: SupplierPolicy | None, lead_days: int | None) -> EffectivePolicy:
    """The effective policy from a SKU's row, its supplier's policy row and the supplier's lead days (any None)."""
    base = default_policy()
    sources: dict[str, str] = {}
    values: dict[str, object] = {}
    for name in ("order_cost", "service_level", "pack_size", "min_order_quantity"):
        for level, row in ((SKU, own), (SUPPLIER, supplier_policy)):
            if row is not None and getattr(row, name) is not None:
                values[name], sources[name] = getattr(row, name), level
                break
        else:
            values[name], sources[name] = getattr(base, name), DEFAULT
    holding: tuple[Decimal | None, Decimal | None] = (None, base.holding_rate)
    sources["holding"] = DEFAULT
    for level, row in ((SKU, own), (SUPPLIER, supplier_policy)):
        if row is not None and (row.holding_cost is not None or row.holding_rate is not None):
            holding, sources["holding"] = (row.holding_cost, row.holding_rate), level
            break
    if own is not None and own.lead_days is not None:
        lead, sources["lead_days"] = own.lead_days, SKU
    elif lead_days is not None:
        lead, sources["lead_days"] = lead_days, SUPPLIER
    else:
        lead, sources["lead_days"] = base.lead_days, DEFAULT
    return EffectivePolicy(
        order_cost=Decimal(str(values["order_cost"])),
        holding_cost=holding[0],
        holding_rate=holding[1],
        lead_days=lead,
        service_level=Decimal(str(values["service_level"])),
        pack_size=int(str(values["pack_size"])),
        min_order_quantity=int(str(values["min_order_quantity"])),
        supplier=own.supplier.code if own is not None and own.supplier is not None else None,
        sources=sources,
    )


def policies_for(sku_ids: Iterable[int], *, all_rows: bool = False) -> dict[int, EffectivePolicy]:
    """The effective policy of each SKU id (the default for SKUs without a row), in one query. ``all_rows`` reads
    every policy row instead of filtering by id: cheaper than a list of every SKU id (few SKUs have a row)."""
    ids = list(sku_ids)
    found_rows = SkuPolicy.objects.select_related("supplier__planning_policy")
    rows = {row.sku_id: row for row in (found_rows if all_rows else found_rows.filter(sku_id__in=ids))}
    default = default_policy()
    found: dict[int, EffectivePolicy] = {}
    for sku_id in ids:
        own = rows.get(sku_id)
        if own is None:
            found[sku_id] = default
            continue
        supplier = own.supplier
        supplier_policy = getattr(supplier, "planning_policy", None) if supplier is not None else None
        found[sku_id] = resolve(own, supplier_policy, supplier.lead_days if supplier is not None else None)
    return found

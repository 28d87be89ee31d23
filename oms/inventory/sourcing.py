"""Which warehouses fulfil which lines of an order: a plan computed from one snapshot, applied by guarded updates.

``plan_allocations`` is pure Python over the rows of ``read_stock_snapshot`` (one query). Its goals, in order:

1. fulfil every line (a line the active warehouses together cannot cover is reported short, never planned);
2. from the fewest warehouses — each warehouse the order uses is one shipment;
3. then from the most warehouses in the customer's region (``Warehouse.region`` equals the address's province);
4. then by warehouse priority (lower number first), then warehouse id, so equal inputs give equal plans.

Up to ``EXACT_SEARCH_MAX_WAREHOUSES`` candidate warehouses (those holding available units of a wanted SKU), the
search is exact: subsets are tried by increasing size, and of the smallest that cover every line the best by
(region matches, most, then priorities sorted ascending compared element by element, then ids) is taken — at most
255 subsets. Beyond that, a greedy choice: repeatedly the warehouse covering the most still-uncovered units (ties:
region, priority, id), then any warehouse the others make redundant is dropped (least preferred first). The greedy
always covers, and picks a single warehouse whenever one can serve the whole order (it covers the most units), but
may use more warehouses than the minimum.

Within the chosen warehouses each line goes whole to the most preferred one (region, then priority) that holds
enough; only when none does is it split over them in that order. With an exact (minimal) choice every chosen
warehouse ends up used: a plan leaving one out would be a smaller cover.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import combinations

from django.db import connection

from oms.catalog.models import Sku
from oms.common.db import prepared_cursor
from oms.inventory.models import Stock, Warehouse

EXACT_SEARCH_MAX_WAREHOUSES = 8


@dataclass(frozen=True)
class PlannedAllocation:
    stock_id: int
    sku_id: int
    warehouse_id: int
    quantity: int


@dataclass(frozen=True)
class StockSnapshot:
    stock_id: int
    sku_id: int
    warehouse_id: int
    available: int
    priority: int = 0
    region: str = ""


def read_stock_snapshot(sku_ids: list[int]) -> list[StockSnapshot]:
    """Unlocked read of every active warehouse's stock for these SKUs, with the warehouse's priority and region.

    One query (the warehouse join is the one the ``is_active`` filter needs anyway), best warehouse first.
    """
    rows = (
        Stock.objects.filter(sku_id__in=sku_ids, warehouse__is_active=True)
        .order_by("warehouse__priority", "warehouse_id")
        .values_list("id", "sku_id", "warehouse_id", "on_hand", "reserved", "warehouse__priority", "warehouse__region")
    )
    return [
        StockSnapshot(pk, sku, wh, on_hand - reserved, priority, region)
        for pk, sku, wh, on_hand, reserved, priority, region in rows
    ]


def read_skus_with_stock(codes: list[str]) -> tuple[dict[str, Sku], list[StockSnapshot]]:
    """The active SKUs of these codes with their stock snapshot, in one query on the common path.

    Stock rows of active SKUs in active warehouses, joined with what pricing needs of the SKU, best warehouse
    first. Only a code with no such row (unknown, inactive, or never stocked) costs a second query, to tell those
    apart. Every order placement starts here, so the SQL is written out rather than compiled by the ORM each time.
    """
    with prepared_cursor() as cursor:
        cursor.execute(_skus_with_stock_sql(len(codes)), codes)
        rows = cursor.fetchall()
    price_field = Sku._meta.get_field("price")
    skus: dict[str, Sku] = {}
    snapshot = []
    for pk, sku_id, wh, on_hand, reserved, priority, region, code, name, price in rows:
        if code not in skus:
            if not isinstance(price, Decimal):  # SQLite stores decimals as numbers
                price = price_field.to_python(price).quantize(Decimal(1).scaleb(-price_field.decimal_places))
            skus[code] = Sku(id=sku_id, code=code, name=name, price=price, is_active=True)
        snapshot.append(StockSnapshot(pk, sku_id, wh, on_hand - reserved, priority, region))
    unstocked = set(codes) - set(skus)
    if unstocked:
        skus.update({sku.code: sku for sku in Sku.objects.filter(code__in=unstocked, is_active=True)})
    return skus, snapshot


@lru_cache(maxsize=128)
def _skus_with_stock_sql(count: int) -> str:
    qn = connection.ops.quote_name
    stock, sku, warehouse = (qn(m._meta.db_table) for m in (Stock, Sku, Warehouse))
    return (
        f"SELECT s.{qn('id')}, s.{qn('sku_id')}, s.{qn('warehouse_id')}, s.{qn('on_hand')}, s.{qn('reserved')}, "
        f"w.{qn('priority')}, w.{qn('region')}, k.{qn('code')}, k.{qn('name')}, k.{qn('price')} "
        f"FROM {stock} s JOIN {sku} k ON k.{qn('id')} = s.{qn('sku_id')} "
        f"JOIN {warehouse} w ON w.{qn('id')} = s.{qn('warehouse_id')} "
        f"WHERE k.{qn('code')} IN ({', '.join(['%s'] * count)}) AND k.{qn('is_active')} AND w.{qn('is_active')} "
        f"ORDER BY w.{qn('priority')}, s.{qn('warehouse_id')}"
    )


def same_region(warehouse_region: str, customer_region: str) -> bool:
    """A warehouse serves the customer's region: the names match, ignoring case and outer spaces; blank never does."""
    customer_region = customer_region.strip().casefold()
    return bool(customer_region) and warehouse_region.strip().casefold() == customer_region


@dataclass
class _Warehouse:
    id: int
    priority: int
    in_region: bool
    rows: dict[int, StockSnapshot] = field(default_factory=dict)  # by SKU id, available > 0 only

    @property
    def rank(self) -> tuple[bool, int, int]:
        """Sort key of preference: in the customer's region first, then lower priority, then lower id."""
        return (not self.in_region, self.priority, self.id)

    def holds(self, sku_id: int) -> int:
        row = self.rows.get(sku_id)
        return row.available if row else 0


def plan_allocations(
    lines: dict[int, int], snapshot: Iterable[StockSnapshot], *, region: str = ""
) -> tuple[list[PlannedAllocation], list[int]]:
    """Plan ``lines`` (SKU id -> quantity) over ``snapshot``; return the plan and the SKU ids that cannot be covered.

    ``region`` is the customer's (the shipping address's province). Short lines are left out of the plan; the
    others are still planned (callers refuse the order when anything is short). The plan lists the lines in the
    order of ``lines``, each line's parts best warehouse first.
    """
    warehouses = _candidate_warehouses(lines, snapshot, region)
    short = [sku_id for sku_id, quantity in lines.items() if _total(warehouses, sku_id) < quantity]
    wanted = {sku_id: quantity for sku_id, quantity in lines.items() if quantity > 0 and sku_id not in short}
    if not wanted:
        return [], short
    candidates = [w for w in warehouses if any(sku_id in w.rows for sku_id in wanted)]
    if len(candidates) <= EXACT_SEARCH_MAX_WAREHOUSES:
        chosen = fewest_warehouses(wanted, candidates)
    else:
        chosen = greedy_warehouses(wanted, candidates)
    return _assign(wanted, chosen), short


def _candidate_warehouses(lines: dict[int, int], snapshot: Iterable[StockSnapshot], region: str) -> list[_Warehouse]:
    by_id: dict[int, _Warehouse] = {}
    for row in snapshot:
        if row.available <= 0 or row.sku_id not in lines:
            continue
        warehouse = by_id.get(row.warehouse_id)
        if warehouse is None:
            warehouse = _Warehouse(row.warehouse_id, row.priority, same_region(row.region, region))
            by_id[row.warehouse_id] = warehouse
        warehouse.rows[row.sku_id] = row
    return sorted(by_id.values(), key=lambda w: w.rank)


def _total(warehouses: Iterable[_Warehouse], sku_id: int) -> int:
    return sum(w.holds(sku_id) for w in warehouses)


def _covers(warehouses: Sequence[_Warehouse], wanted: dict[int, int]) -> bool:
    return all(_total(warehouses, sku_id) >= quantity for sku_id, quantity in wanted.items())


def _subset_key(warehouses: Iterable[_Warehouse]) -> tuple[int, list[int], list[int]]:
    warehouses = list(warehouses)
    return (
        -sum(w.in_region for w in warehouses),
        sorted(w.priority for w in warehouses),
        sorted(w.id for w in warehouses),
    )


def fewest_warehouses(wanted: dict[int, int], candidates: list[_Warehouse]) -> list[_Warehouse]:
    """Exact: the best of the smallest subsets of ``candidates`` that cover ``wanted`` (which they do together)."""
    for size in range(1, len(candidates) + 1):
        feasible = [subset for subset in combinations(candidates, size) if _covers(subset, wanted)]
        if feasible:
            return list(min(feasible, key=_subset_key))
    raise ValueError("the candidate warehouses together do not cover the wanted lines")


def greedy_warehouses(wanted: dict[int, int], candidates: list[_Warehouse]) -> list[_Warehouse]:
    """Greedy: take the warehouse covering most still-uncovered units until all are; then drop redundant ones."""
    remaining = dict(wanted)
    pool = list(candidates)
    chosen: list[_Warehouse] = []
    while any(remaining.values()):
        best = min(pool, key=lambda w: (-_coverage(w, remaining), w.rank))
        if _coverage(best, remaining) == 0:
            raise ValueError("the candidate warehouses together do not cover the wanted lines")
        pool.remove(best)
        chosen.append(best)
        for sku_id, quantity in remaining.items():
            remaining[sku_id] = quantity - min(quantity, best.holds(sku_id))
    for warehouse in sorted(chosen, key=lambda w: w.rank, reverse=True):
        rest = [w for w in chosen if w is not warehouse]
        if rest and _covers(rest, wanted):
            chosen = rest
    return sorted(chosen, key=lambda w: w.rank)


def _coverage(warehouse: _Warehouse, remaining: dict[int, int]) -> int:
    return sum(min(quantity, warehouse.holds(sku_id)) for sku_id, quantity in remaining.items())


def _assign(wanted: dict[int, int], chosen: list[_Warehouse]) -> list[PlannedAllocation]:
    """Each line whole to the most preferred chosen warehouse holding enough, else split in preference order."""
    preferred = sorted(chosen, key=lambda w: w.rank)
    plan: list[PlannedAllocation] = []
    for sku_id, quantity in wanted.items():
        rows = [w.rows[sku_id] for w in preferred if sku_id in w.rows]
        whole = next((row for row in rows if row.available >= quantity), None)
        if whole is not None:
            plan.append(PlannedAllocation(whole.stock_id, sku_id, whole.warehouse_id, quantity))
            continue
        remaining = quantity
        for row in rows:
            take = min(row.available, remaining)
            plan.append(PlannedAllocation(row.stock_id, sku_id, row.warehouse_id, take))
            remaining -= take
            if remaining == 0:
                break
    return plan

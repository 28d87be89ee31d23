"""Sourcing: ``plan_allocations`` is pure (lines + snapshot in, plan out); the snapshot is one query."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.inventory.sourcing import PlannedAllocation, StockSnapshot, plan_allocations, read_stock_snapshot
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku

TEA, COFFEE = 1, 2


def row(stock_id: int, warehouse_id: int, available: int, sku_id: int = TEA) -> StockSnapshot:
    return StockSnapshot(stock_id=stock_id, sku_id=sku_id, warehouse_id=warehouse_id, available=available)


def test_line_goes_whole_to_the_first_warehouse_that_can_hold_it():
    snapshot = [row(10, 1, 3), row(20, 2, 10), row(30, 3, 10)]
    assert plan_allocations({TEA: 5}, snapshot) == ([PlannedAllocation(20, TEA, 2, 5)], [])


def test_best_warehouse_wins_when_it_can_hold_the_line():
    snapshot = [row(10, 1, 5), row(20, 2, 10)]
    assert plan_allocations({TEA: 5}, snapshot) == ([PlannedAllocation(10, TEA, 1, 5)], [])


def test_line_is_split_best_first_when_no_warehouse_can_hold_it():
    snapshot = [row(10, 1, 3), row(20, 2, 4), row(30, 3, 2), row(40, 4, 0)]
    plan, short = plan_allocations({TEA: 8}, snapshot)
    assert short == []
    assert plan == [
        PlannedAllocation(10, TEA, 1, 3),
        PlannedAllocation(20, TEA, 2, 4),
        PlannedAllocation(30, TEA, 3, 1),
    ]


def test_split_stops_once_the_line_is_covered():
    snapshot = [row(10, 1, 3), row(20, 2, 3), row(30, 3, 3)]
    plan, _ = plan_allocations({TEA: 6}, snapshot)
    assert [p.stock_id for p in plan] == [10, 20]


def test_line_that_uses_up_all_stock_exactly_is_planned():
    snapshot = [row(10, 1, 2), row(20, 2, 3)]
    plan, short = plan_allocations({TEA: 5}, snapshot)
    assert (sum(p.quantity for p in plan), short) == (5, [])


def test_line_larger_than_all_stock_is_short_and_not_planned():
    snapshot = [row(10, 1, 2), row(20, 2, 3), row(30, 1, 100, sku_id=COFFEE)]
    plan, short = plan_allocations({TEA: 6, COFFEE: 1}, snapshot)
    assert short == [TEA]
    assert plan == [PlannedAllocation(30, COFFEE, 1, 1)]


def test_sku_without_stock_rows_is_short():
    assert plan_allocations({TEA: 1}, []) == ([], [TEA])


def test_empty_rows_are_never_planned():
    snapshot = [row(10, 1, 0), row(20, 2, 0), row(30, 3, 1)]
    assert plan_allocations({TEA: 1}, snapshot) == ([PlannedAllocation(30, TEA, 3, 1)], [])


def test_each_sku_is_planned_from_its_own_rows():
    snapshot = [row(10, 1, 5, sku_id=TEA), row(11, 1, 1, sku_id=COFFEE), row(21, 2, 9, sku_id=COFFEE)]
    plan, short = plan_allocations({TEA: 5, COFFEE: 4}, snapshot)
    assert short == []
    assert plan == [PlannedAllocation(10, TEA, 1, 5), PlannedAllocation(21, COFFEE, 2, 4)]


def test_no_lines_no_plan():
    assert plan_allocations({}, [row(10, 1, 5)]) == ([], [])


def test_snapshot_order_is_the_priority():
    """The planner trusts the snapshot's order (read_stock_snapshot sorts by warehouse priority)."""
    snapshot = [row(30, 3, 2), row(10, 1, 2)]
    plan, _ = plan_allocations({TEA: 3}, snapshot)
    assert [(p.stock_id, p.quantity) for p in plan] == [(30, 2), (10, 1)]


@st.composite
def problems(draw):
    sku_ids = draw(st.lists(st.integers(1, 6), min_size=0, max_size=4, unique=True))
    warehouses = draw(st.integers(1, 5))
    snapshot, stock_id = [], 0
    for warehouse_id in range(1, warehouses + 1):
        for sku_id in draw(st.lists(st.sampled_from(sku_ids), unique=True)) if sku_ids else []:
            stock_id += 1
            snapshot.append(row(stock_id, warehouse_id, draw(st.integers(0, 20)), sku_id=sku_id))
    lines = {sku_id: draw(st.integers(1, 60)) for sku_id in sku_ids}
    return lines, snapshot


@given(problems())
def test_plan_properties(problem):
    lines, snapshot = problem
    plan, short = plan_allocations(lines, snapshot)
    available = {r.stock_id: r.available for r in snapshot}
    rows_of = {sku_id: [r for r in snapshot if r.sku_id == sku_id and r.available > 0] for sku_id in lines}

    # short exactly when the SKU's warehouses together hold too little
    assert sorted(short) == sorted(s for s, q in lines.items() if sum(r.available for r in rows_of[s]) < q)
    for sku_id, quantity in lines.items():
        planned = [p for p in plan if p.sku_id == sku_id]
        if sku_id in short:
            assert planned == []
            continue
        # covers the line exactly, from that SKU's rows, never more than a row holds, one allocation per row
        assert sum(p.quantity for p in planned) == quantity
        assert all(0 < p.quantity <= available[p.stock_id] for p in planned)
        assert len({p.stock_id for p in planned}) == len(planned)
        assert all(p.warehouse_id == r.warehouse_id for p in planned for r in snapshot if r.stock_id == p.stock_id)
        whole = [r for r in rows_of[sku_id] if r.available >= quantity]
        if whole:  # whole to the best warehouse that can hold it
            assert [p.stock_id for p in planned] == [whole[0].stock_id]
        else:  # split best first: every row before the last is used up
            ids = [r.stock_id for r in rows_of[sku_id]]
            assert [p.stock_id for p in planned] == ids[: len(planned)]
            assert all(p.quantity == available[p.stock_id] for p in planned[:-1])


# --- read_stock_snapshot ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_snapshot_is_best_warehouse_first_and_skips_inactive_ones(django_assert_num_queries):
    low = WarehouseFactory(code="LOW", priority=9)
    high = WarehouseFactory(code="HIGH", priority=1)
    closed = WarehouseFactory(code="CLOSED", priority=0, is_active=False)
    tea = stock_sku(warehouse=low, on_hand=5)
    stock_sku(sku=tea, warehouse=high, on_hand=7)
    stock_sku(sku=tea, warehouse=closed, on_hand=100)
    coffee = stock_sku(warehouse=low, on_hand=1)
    stock_sku(warehouse=high, on_hand=3)  # another SKU, not asked for

    with django_assert_num_queries(1):
        snapshot = read_stock_snapshot([tea.pk, coffee.pk])

    assert [r for r in snapshot if r.sku_id == tea.pk] == [
        StockSnapshot(stock_of(tea, high).pk, tea.pk, high.pk, 7),
        StockSnapshot(stock_of(tea, low).pk, tea.pk, low.pk, 5),
    ]
    assert [r for r in snapshot if r.sku_id == coffee.pk] == [
        StockSnapshot(stock_of(coffee, low).pk, coffee.pk, low.pk, 1)
    ]
    assert len(snapshot) == 3


@pytest.mark.django_db
def test_snapshot_subtracts_reserved_units():
    from oms.inventory.models import Stock

    warehouse = WarehouseFactory()
    sku = stock_sku(warehouse=warehouse, on_hand=10)
    Stock.objects.filter(sku=sku).update(reserved=4)
    assert [r.available for r in read_stock_snapshot([sku.pk])] == [6]

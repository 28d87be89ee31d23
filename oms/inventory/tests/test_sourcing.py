"""Sourcing: ``plan_allocations`` is pure (lines + snapshot + region in, plan out); the snapshot is one query.

The per-line planner's tests that still hold for the whole-order planner are kept as they were; its hypothesis
test (each line to its own best warehouse) is replaced by the properties below, checked against a brute-force
reference, and "the planner trusts the snapshot's order" by "the planner uses the warehouse priority".
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms.inventory.sourcing import (
    EXACT_SEARCH_MAX_WAREHOUSES,
    PlannedAllocation,
    StockSnapshot,
    plan_allocations,
    read_stock_snapshot,
)
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku

TEA, COFFEE = 1, 2


def row(
    stock_id: int, warehouse_id: int, available: int, sku_id: int = TEA, priority: int | None = None, region: str = ""
) -> StockSnapshot:
    """A snapshot row; the warehouse's priority defaults to its id (so W1 is the best)."""
    return StockSnapshot(
        stock_id=stock_id,
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        available=available,
        priority=warehouse_id if priority is None else priority,
        region=region,
    )


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


def test_planner_uses_the_warehouse_priority_not_the_snapshot_order():
    """Replaces the per-line planner's "the planner trusts the snapshot's order": rows carry their priority now."""
    snapshot = [row(30, 3, 2, priority=1), row(10, 1, 2, priority=9)]
    plan, _ = plan_allocations({TEA: 3}, snapshot)
    assert [(p.stock_id, p.quantity) for p in plan] == [(30, 2), (10, 1)]


# --- whole order: fewest warehouses, then region, then priority -----------------------------------------------


def test_one_warehouse_serves_the_whole_order_rather_than_each_line_its_best_warehouse():
    # Per line, tea would go to W1 (best priority); but W2 alone ships both lines: one parcel, not two.
    snapshot = [row(10, 1, 5), row(20, 2, 5), row(21, 2, 5, sku_id=COFFEE)]
    plan, short = plan_allocations({TEA: 2, COFFEE: 1}, snapshot)
    assert (plan, short) == ([PlannedAllocation(20, TEA, 2, 2), PlannedAllocation(21, COFFEE, 2, 1)], [])


def test_a_warehouse_in_the_customers_region_beats_a_better_priority():
    snapshot = [row(10, 1, 5, region="Beijing"), row(20, 2, 5, region="Shanghai")]
    assert plan_allocations({TEA: 5}, snapshot, region="Shanghai") == ([PlannedAllocation(20, TEA, 2, 5)], [])
    assert plan_allocations({TEA: 5}, snapshot, region="Beijing") == ([PlannedAllocation(10, TEA, 1, 5)], [])
    assert plan_allocations({TEA: 5}, snapshot, region="Xizang") == ([PlannedAllocation(10, TEA, 1, 5)], [])


def test_region_names_match_ignoring_case_and_spaces_and_a_blank_region_matches_nothing():
    snapshot = [row(10, 1, 5, region=""), row(20, 2, 5, region=" shanghai ")]
    assert plan_allocations({TEA: 1}, snapshot, region="Shanghai")[0][0].warehouse_id == 2
    assert plan_allocations({TEA: 1}, snapshot, region="")[0][0].warehouse_id == 1
    assert plan_allocations({TEA: 1}, snapshot, region="  ")[0][0].warehouse_id == 1


def test_fewer_shipments_beat_the_customers_region():
    # The Shanghai warehouse holds the tea only: using it means two parcels; Beijing ships everything in one.
    snapshot = [
        row(10, 1, 5, region="Shanghai"),
        row(20, 2, 5, region="Beijing"),
        row(21, 2, 5, sku_id=COFFEE, region="Beijing"),
    ]
    plan, _ = plan_allocations({TEA: 1, COFFEE: 1}, snapshot, region="Shanghai")
    assert {p.warehouse_id for p in plan} == {2}


def test_of_two_warehouse_pairs_the_one_with_more_region_matches_wins_then_the_better_priorities():
    snapshot = [
        row(10, 1, 5, region="Beijing", priority=1),
        row(20, 2, 5, region="Shanghai", priority=8),
        row(31, 3, 5, sku_id=COFFEE, region="Beijing", priority=2),
        row(41, 4, 5, sku_id=COFFEE, region="Beijing", priority=3),
    ]
    plan, _ = plan_allocations({TEA: 1, COFFEE: 1}, snapshot, region="Shanghai")
    assert {p.warehouse_id for p in plan} == {2, 3}  # one region match, then coffee from the better priority
    plan, _ = plan_allocations({TEA: 1, COFFEE: 1}, snapshot, region="Hubei")
    assert {p.warehouse_id for p in plan} == {1, 3}  # no match anywhere: priorities 1 and 2


def test_priorities_compare_best_first_then_ids_break_ties():
    # Only {W1 p1, W2 p9} and {W3 p4, W4 p4} cover the order: the pair holding the best warehouse wins
    # (priorities sorted, compared element by element), though its sum is larger.
    snapshot = [
        row(10, 1, 2, priority=1),
        row(21, 2, 2, sku_id=COFFEE, priority=9),
        row(30, 3, 1, priority=4),
        row(31, 3, 1, sku_id=COFFEE, priority=4),
        row(40, 4, 1, priority=4),
        row(41, 4, 1, sku_id=COFFEE, priority=4),
    ]
    plan, _ = plan_allocations({TEA: 2, COFFEE: 2}, snapshot)
    assert {p.warehouse_id for p in plan} == {1, 2}
    same = [row(10, 7, 5, priority=1), row(20, 3, 5, priority=1)]
    assert plan_allocations({TEA: 1}, same)[0] == [PlannedAllocation(20, TEA, 3, 1)]


def test_within_the_chosen_warehouses_a_line_stays_whole_in_the_preferred_one_and_splits_only_when_it_must():
    # Tea needs W1 + W2 together (4 + 4 < 6 alone); coffee fits whole in either and goes to the region one.
    snapshot = [
        row(10, 1, 4, priority=1),
        row(11, 1, 3, sku_id=COFFEE, priority=1),
        row(20, 2, 4, priority=2, region="Shanghai"),
        row(21, 2, 3, sku_id=COFFEE, priority=2, region="Shanghai"),
    ]
    plan, _ = plan_allocations({TEA: 6, COFFEE: 2}, snapshot, region="Shanghai")
    assert plan == [
        PlannedAllocation(20, TEA, 2, 4),
        PlannedAllocation(10, TEA, 1, 2),
        PlannedAllocation(21, COFFEE, 2, 2),
    ]


def test_short_lines_are_reported_and_the_rest_still_planned_from_the_fewest_warehouses():
    snapshot = [row(10, 1, 1), row(11, 1, 1, sku_id=COFFEE), row(21, 2, 9, sku_id=COFFEE)]
    plan, short = plan_allocations({TEA: 2, COFFEE: 1}, snapshot)
    assert short == [TEA]
    assert plan == [PlannedAllocation(11, COFFEE, 1, 1)]


def test_more_than_eight_warehouses_are_chosen_greedily():
    """Set cover beyond EXACT_SEARCH_MAX_WAREHOUSES is greedy: valid, yet not always the fewest warehouses.

    SKUs 1-5, one unit each. W1 holds 1, 3, 5; W2 holds 4; W3 holds 2; W4 holds 2, 5; W5 holds 1, 3, 4. The fewest
    is W4 + W5, and so the exact search answers. With four more warehouses (holding SKU 1) the greedy search
    takes W1 (3 units, like W5, but a better priority), then W2 and W3 (one unit each, best priorities), and none
    of the three is redundant.
    """
    holds = {1: [1, 3, 5], 2: [4], 3: [2], 4: [2, 5], 5: [1, 3, 4]}
    snapshot = [row(w * 10 + s, w, 1, sku_id=s) for w, skus in holds.items() for s in skus]
    lines = dict.fromkeys(range(1, 6), 1)
    assert {p.warehouse_id for p in plan_allocations(lines, snapshot)[0]} == {4, 5}

    extra = [row(w * 10 + 1, w, 1, sku_id=1) for w in range(6, EXACT_SEARCH_MAX_WAREHOUSES + 2)]
    plan, short = plan_allocations(lines, snapshot + extra)
    assert short == []
    assert {p.warehouse_id for p in plan} == {1, 2, 3}
    assert sorted((p.sku_id, p.quantity) for p in plan) == [(s, 1) for s in range(1, 6)]


def test_greedy_drops_a_warehouse_the_others_make_redundant():
    # W1 (SKUs 1, 2, 4, 5) covers most and is taken first; SKUs 3 and 6 then need W2 (1-3) and W3 (4-6), which
    # together cover everything: W1 is dropped again.
    holds = {1: [1, 2, 4, 5], 2: [1, 2, 3], 3: [4, 5, 6]}
    snapshot = [row(w * 10 + s, w, 1, sku_id=s) for w, skus in holds.items() for s in skus]
    extra = [row(w * 10 + 1, w, 1, sku_id=1) for w in range(4, EXACT_SEARCH_MAX_WAREHOUSES + 2)]
    plan, _ = plan_allocations(dict.fromkeys(range(1, 7), 1), snapshot + extra)
    assert {p.warehouse_id for p in plan} == {2, 3}


def test_greedy_still_takes_one_warehouse_that_can_serve_everything():
    snapshot = [row(w * 10 + s, w, 3, sku_id=s, priority=w) for w in range(1, 11) for s in (TEA, COFFEE) if w != s]
    snapshot += [row(200 + s, 20, 5, sku_id=s, priority=99) for s in (TEA, COFFEE)]
    plan, _ = plan_allocations({TEA: 4, COFFEE: 4}, snapshot)
    assert {p.warehouse_id for p in plan} == {20}


# --- properties, against a brute-force reference -----------------------------------------------------------

REGIONS = ["Shanghai", "Beijing", "Zhejiang"]


@st.composite
def problems(draw, min_warehouses: int = 1, max_warehouses: int = 10):
    """Random warehouses (priority ties included), stock rows (some empty, some missing), lines and region.

    Line quantities are drawn up to what all warehouses hold, so most orders can be served and many need several
    warehouses; about one line in ten asks for one unit more than there is (short).
    """
    sku_ids = draw(st.lists(st.integers(1, 5), min_size=1, max_size=4, unique=True))
    count = draw(st.integers(min_warehouses, max_warehouses))
    snapshot, stock_id = [], 0
    for warehouse_id in range(1, count + 1):
        priority, region = draw(st.integers(1, 4)), draw(st.sampled_from(REGIONS))
        for sku_id in sku_ids:
            available = draw(st.integers(-3, 6))  # below 0: the warehouse has no row for this SKU
            if available >= 0:
                stock_id += 1
                snapshot.append(row(stock_id, warehouse_id, available, sku_id, priority, region))
    total = {sku_id: sum(r.available for r in snapshot if r.sku_id == sku_id) for sku_id in sku_ids}
    lines = {
        sku_id: total[sku_id] + 1 if draw(st.integers(0, 9)) == 0 else draw(st.integers(1, max(1, total[sku_id])))
        for sku_id in sku_ids
    }
    customer_region = draw(st.sampled_from([*REGIONS, "", "Xizang"]))
    return lines, draw(st.permutations(snapshot)), customer_region


def reference_plan(lines, snapshot, region):
    """What the planner must answer, by trying every subset of warehouses (fine for up to 8 of them)."""
    rows = {(r.warehouse_id, r.sku_id): r for r in snapshot if r.available > 0}
    total = {sku_id: sum(r.available for r in rows.values() if r.sku_id == sku_id) for sku_id in lines}
    short = [sku_id for sku_id, quantity in lines.items() if total[sku_id] < quantity]
    wanted = {sku_id: quantity for sku_id, quantity in lines.items() if sku_id not in short}
    if not wanted:
        return [], short

    def in_region(warehouse_id):
        warehouse_region = next(r.region for r in snapshot if r.warehouse_id == warehouse_id)
        return region.strip() != "" and warehouse_region.strip().lower() == region.strip().lower()

    def priority(warehouse_id):
        return next(r.priority for r in snapshot if r.warehouse_id == warehouse_id)

    warehouse_ids = sorted({w for (w, sku_id) in rows if sku_id in wanted})
    best_key, best = None, None
    for mask in range(1, 2 ** len(warehouse_ids)):
        subset = [w for i, w in enumerate(warehouse_ids) if mask & (1 << i)]
        covers = True
        for sku_id, quantity in wanted.items():
            if sum(rows[(w, sku_id)].available for w in subset if (w, sku_id) in rows) < quantity:
                covers = False
        if not covers:
            continue
        key = (
            len(subset),
            -len([w for w in subset if in_region(w)]),
            sorted(priority(w) for w in subset),
            sorted(subset),
        )
        if best_key is None or key < best_key:
            best_key, best = key, subset

    preferred = sorted(best, key=lambda w: (0 if in_region(w) else 1, priority(w), w))
    plan = []
    for sku_id, quantity in wanted.items():
        holders = [rows[(w, sku_id)] for w in preferred if (w, sku_id) in rows]
        whole = [r for r in holders if r.available >= quantity]
        if whole:
            plan.append(PlannedAllocation(whole[0].stock_id, sku_id, whole[0].warehouse_id, quantity))
            continue
        left = quantity
        for r in holders:
            if left > 0:
                take = min(left, r.available)
                plan.append(PlannedAllocation(r.stock_id, sku_id, r.warehouse_id, take))
                left -= take
    return plan, short


def assert_valid(lines, snapshot, plan, short):
    available = {r.stock_id: r for r in snapshot}
    # short exactly when the SKU's active warehouses together hold too little (no assignment exists)
    assert sorted(short) == sorted(
        s for s, q in lines.items() if sum(r.available for r in snapshot if r.sku_id == s) < q
    )
    # never more than a row holds, only the line's own rows, one allocation per row
    assert all(0 < p.quantity <= available[p.stock_id].available for p in plan)
    assert all(
        (available[p.stock_id].sku_id, available[p.stock_id].warehouse_id) == (p.sku_id, p.warehouse_id) for p in plan
    )
    assert len({p.stock_id for p in plan}) == len(plan)
    # every line covered exactly, short lines not at all
    for sku_id, quantity in lines.items():
        planned = sum(p.quantity for p in plan if p.sku_id == sku_id)
        assert planned == (0 if sku_id in short else quantity)
    # one warehouse whenever one warehouse could serve the whole (coverable part of the) order
    wanted = {s: q for s, q in lines.items() if s not in short}
    warehouse_ids = {r.warehouse_id for r in snapshot}
    can_serve_alone = [
        w
        for w in warehouse_ids
        if all(
            sum(r.available for r in snapshot if (r.warehouse_id, r.sku_id) == (w, s)) >= q for s, q in wanted.items()
        )
    ]
    if wanted and can_serve_alone:
        assert len({p.warehouse_id for p in plan}) == 1
    # a line is split only when no chosen warehouse could hold it whole
    used = {p.warehouse_id for p in plan}
    for sku_id, quantity in wanted.items():
        parts = [p for p in plan if p.sku_id == sku_id]
        if len(parts) > 1:
            assert all(r.available < quantity for r in snapshot if r.sku_id == sku_id and r.warehouse_id in used)


@settings(max_examples=300, deadline=None)
@given(problems())
def test_plans_are_valid_for_1_to_10_warehouses(problem):
    lines, snapshot, region = problem
    plan, short = plan_allocations(lines, snapshot, region=region)
    assert_valid(lines, snapshot, plan, short)


@settings(max_examples=300, deadline=None)
@given(problems(max_warehouses=EXACT_SEARCH_MAX_WAREHOUSES))
def test_up_to_8_warehouses_the_plan_is_the_brute_force_optimum(problem):
    lines, snapshot, region = problem
    plan, short = plan_allocations(lines, snapshot, region=region)
    expected_plan, expected_short = reference_plan(lines, snapshot, region)
    assert len({p.warehouse_id for p in plan}) == len({p.warehouse_id for p in expected_plan})
    assert (plan, short) == (expected_plan, expected_short)


@settings(max_examples=150, deadline=None)
@given(problems(min_warehouses=EXACT_SEARCH_MAX_WAREHOUSES + 1, max_warehouses=EXACT_SEARCH_MAX_WAREHOUSES + 2))
def test_beyond_8_warehouses_the_greedy_plan_is_valid(problem):
    lines, snapshot, region = problem
    plan, short = plan_allocations(lines, snapshot, region=region)
    assert_valid(lines, snapshot, plan, short)
    # no warehouse it uses is redundant: without any one of them some line could not be covered
    used = {p.warehouse_id for p in plan}
    for warehouse_id in used:
        others = [r for r in snapshot if r.warehouse_id in used - {warehouse_id}]
        assert any(sum(r.available for r in others if r.sku_id == s) < q for s, q in lines.items() if s not in short)


# --- read_stock_snapshot ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_snapshot_is_best_warehouse_first_with_priority_and_region_and_skips_inactive_ones(django_assert_num_queries):
    low = WarehouseFactory(code="LOW", priority=9)
    high = WarehouseFactory(code="HIGH", priority=1, region="Beijing")
    closed = WarehouseFactory(code="CLOSED", priority=0, is_active=False)
    tea = stock_sku(warehouse=low, on_hand=5)
    stock_sku(sku=tea, warehouse=high, on_hand=7)
    stock_sku(sku=tea, warehouse=closed, on_hand=100)
    coffee = stock_sku(warehouse=low, on_hand=1)
    stock_sku(warehouse=high, on_hand=3)  # another SKU, not asked for

    with django_assert_num_queries(1):
        snapshot = read_stock_snapshot([tea.pk, coffee.pk])

    assert [r for r in snapshot if r.sku_id == tea.pk] == [
        StockSnapshot(stock_of(tea, high).pk, tea.pk, high.pk, 7, priority=1, region="Beijing"),
        StockSnapshot(stock_of(tea, low).pk, tea.pk, low.pk, 5, priority=9, region="Shanghai"),
    ]
    assert [r for r in snapshot if r.sku_id == coffee.pk] == [
        StockSnapshot(stock_of(coffee, low).pk, coffee.pk, low.pk, 1, priority=9, region="Shanghai")
    ]
    assert len(snapshot) == 3


@pytest.mark.django_db
def test_snapshot_subtracts_reserved_units():
    from oms.inventory.models import Stock

    warehouse = WarehouseFactory()
    sku = stock_sku(warehouse=warehouse, on_hand=10)
    Stock.objects.filter(sku=sku).update(reserved=4)
    assert [r.available for r in read_stock_snapshot([sku.pk])] == [6]

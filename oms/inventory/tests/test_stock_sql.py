"""apply_stock_deltas: one guarded UPDATE for many rows, all or nothing, on the real database."""

from __future__ import annotations

import pytest
from django.db import transaction

from oms.inventory.errors import StockChangedConcurrently
from oms.inventory.models import Stock
from oms.inventory.stock_sql import apply_stock_deltas
from oms.inventory.tests.factories import WarehouseFactory, stock_of, stock_sku

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocks() -> list[Stock]:
    """Four rows, on_hand 10/20/30/40, nothing reserved."""
    warehouse = WarehouseFactory()
    return [stock_of(stock_sku(warehouse=warehouse, on_hand=n), warehouse) for n in (10, 20, 30, 40)]


def _numbers(stocks: list[Stock]) -> list[tuple[int, int]]:
    by_id = {s.pk: (s.on_hand, s.reserved) for s in Stock.objects.filter(pk__in=[s.pk for s in stocks])}
    return [by_id[s.pk] for s in stocks]


def _apply_in_transaction(deltas: dict[int, tuple[int, int]]) -> None:
    with transaction.atomic():
        apply_stock_deltas(deltas)


def test_applies_a_different_delta_to_each_row(stocks):
    a, b, c, d = stocks
    _apply_in_transaction({c.pk: (0, 3), a.pk: (5, 1), b.pk: (-2, 7)})
    assert _numbers(stocks) == [(15, 1), (18, 7), (30, 3), (40, 0)]


def test_applies_the_same_delta_to_each_row(stocks):
    _apply_in_transaction({s.pk: (1, 2) for s in stocks})
    assert _numbers(stocks) == [(11, 2), (21, 2), (31, 2), (41, 2)]


def test_reserve_then_deduct_then_release(stocks):
    a, b, *_ = stocks
    _apply_in_transaction({a.pk: (0, 4), b.pk: (0, 6)})
    _apply_in_transaction({a.pk: (-4, -4), b.pk: (0, -6)})  # a paid, b cancelled
    assert _numbers(stocks)[:2] == [(6, 0), (20, 0)]


def test_zero_delta_still_counts_as_a_matched_row(stocks):
    # MySQL reports changed rows unless the connection asks for found rows; a no-op row must not look like a
    # failed guard (updated_at changes anyway, but the guard must not depend on that).
    a, b, *_ = stocks
    _apply_in_transaction({a.pk: (0, 0), b.pk: (0, 1)})
    assert _numbers(stocks)[:2] == [(10, 0), (20, 1)]


def test_empty_deltas_do_nothing(stocks):
    _apply_in_transaction({})
    assert _numbers(stocks) == [(10, 0), (20, 0), (30, 0), (40, 0)]


def test_reserving_exactly_what_is_available_is_allowed(stocks):
    a, *_ = stocks
    _apply_in_transaction({a.pk: (0, 10)})
    assert _numbers(stocks)[0] == (10, 10)


@pytest.mark.parametrize(
    ("delta", "start"),
    [
        pytest.param((0, 11), (10, 0), id="over-reserve"),
        pytest.param((0, -1), (10, 0), id="negative-reserved"),
        pytest.param((-11, 0), (10, 0), id="negative-on-hand"),
        pytest.param((-8, 0), (10, 3), id="on-hand-below-reserved"),
        pytest.param((-9, -1), (10, 3), id="deduct-leaves-on-hand-below-reserved"),
        pytest.param((0, -4), (10, 3), id="release-more-than-reserved"),
    ],
)
def test_refuses_a_change_that_breaks_a_guard(stocks, delta, start):
    a, *_ = stocks
    Stock.objects.filter(pk=a.pk).update(on_hand=start[0], reserved=start[1])
    with pytest.raises(StockChangedConcurrently):
        _apply_in_transaction({a.pk: delta})
    assert _numbers(stocks)[0] == start


@pytest.mark.parametrize("failing", [0, 1, 3], ids=["first-row-fails", "middle-row-fails", "last-row-fails"])
def test_one_failing_guard_rolls_back_every_row(stocks, failing):
    deltas = {s.pk: (0, 5) for s in stocks}
    deltas[stocks[failing].pk] = (0, 1000)
    with pytest.raises(StockChangedConcurrently):
        _apply_in_transaction(deltas)
    assert _numbers(stocks) == [(10, 0), (20, 0), (30, 0), (40, 0)]


def test_failure_rolls_back_the_callers_other_writes(stocks):
    a, b, *_ = stocks
    with pytest.raises(StockChangedConcurrently), transaction.atomic():
        Stock.objects.filter(pk=b.pk).update(on_hand=99)
        apply_stock_deltas({a.pk: (0, 1), b.pk: (0, 100)})
    assert _numbers(stocks)[:2] == [(10, 0), (20, 0)]


def test_unknown_row_counts_as_a_failed_guard(stocks):
    a, *_ = stocks
    missing = max(s.pk for s in stocks) + 1000
    with pytest.raises(StockChangedConcurrently):
        _apply_in_transaction({a.pk: (0, 1), missing: (0, 1)})
    assert _numbers(stocks)[0] == (10, 0)


def test_rows_not_named_are_untouched(stocks):
    a, b, c, d = stocks
    before = Stock.objects.get(pk=d.pk).updated_at
    _apply_in_transaction({a.pk: (1, 1), c.pk: (2, 2)})
    assert _numbers(stocks) == [(11, 1), (20, 0), (32, 2), (40, 0)]
    assert Stock.objects.get(pk=d.pk).updated_at == before


def test_updated_at_moves_on(stocks):
    a, *_ = stocks
    before = Stock.objects.get(pk=a.pk).updated_at
    _apply_in_transaction({a.pk: (0, 1)})
    assert Stock.objects.get(pk=a.pk).updated_at > before


def test_many_rows_in_one_statement(django_assert_num_queries):
    warehouse = WarehouseFactory()
    stocks = [stock_of(stock_sku(warehouse=warehouse, on_hand=100), warehouse) for _ in range(60)]
    deltas = {s.pk: (i % 3, i % 7) for i, s in enumerate(stocks)}
    with transaction.atomic(), django_assert_num_queries(1):
        apply_stock_deltas(deltas)
    assert _numbers(stocks) == [(100 + i % 3, i % 7) for i in range(60)]

"""The stock ledger: movements written and applied by one guarded UPDATE for many rows, all or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oms.catalog.tests.factories import SkuFactory
from oms.inventory.errors import StockChangedConcurrently
from oms.inventory.ledger import Movement, open_stock, post_movements, posting_movements
from oms.inventory.models import Stock, StockMovement
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


def _post(deltas: dict[int, tuple[int, int]]) -> None:
    movements = [
        Movement(kind=StockMovement.Kind.ADJUSTMENT, stock_id=pk, on_hand_delta=on_hand, reserved_delta=reserved)
        for pk, (on_hand, reserved) in deltas.items()
    ]
    post_movements(movements=movements, actor=None)


def _apply_in_transaction(deltas: dict[int, tuple[int, int]]) -> None:
    with transaction.atomic():
        _post(deltas)


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
        _post({a.pk: (0, 1), b.pk: (0, 100)})
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


def test_many_rows_in_one_update_and_one_insert(django_assert_num_queries):
    warehouse = WarehouseFactory()
    stocks = [stock_of(stock_sku(warehouse=warehouse, on_hand=100), warehouse) for _ in range(60)]
    deltas = {s.pk: (i % 3, i % 7) for i, s in enumerate(stocks)}
    with transaction.atomic(), django_assert_num_queries(2):
        _post(deltas)
    assert _numbers(stocks) == [(100 + i % 3, i % 7) for i in range(60)]


# --- Movements as the ledger writes them ---------------------------------------------------------------------


def _history(stock: Stock) -> tuple[int, int]:
    moved = StockMovement.objects.filter(stock=stock).aggregate(o=Sum("on_hand_delta"), r=Sum("reserved_delta"))
    return moved["o"] or 0, moved["r"] or 0


def test_movements_sum_to_the_stock_after_every_posting(stocks, staff):
    a, b, *_ = stocks
    with transaction.atomic():
        post_movements(
            movements=[
                Movement(kind=StockMovement.Kind.RESERVE, stock_id=a.pk, reserved_delta=3),
                Movement(kind=StockMovement.Kind.RESERVE, stock_id=a.pk, reserved_delta=2, note="second line"),
                Movement(kind=StockMovement.Kind.RECEIPT, stock_id=b.pk, on_hand_delta=7, note="x" * 300),
            ],
            actor=staff,
        )
    assert _numbers(stocks)[:2] == [(10, 5), (27, 0)]
    for stock in Stock.objects.filter(pk__in=[a.pk, b.pk]):
        assert _history(stock) == (stock.on_hand, stock.reserved)
    written = list(StockMovement.objects.filter(actor=staff).order_by("id").values_list("kind", "stock_id", "note"))
    assert written == [("reserve", a.pk, ""), ("reserve", a.pk, "second line"), ("receipt", b.pk, "x" * 200)]


def test_a_failed_guard_writes_no_movement(stocks):
    a, *_ = stocks
    before = StockMovement.objects.count()
    with pytest.raises(StockChangedConcurrently), transaction.atomic():
        post_movements(
            movements=[Movement(kind=StockMovement.Kind.RESERVE, stock_id=a.pk, reserved_delta=11)], actor=None
        )
    assert StockMovement.objects.count() == before
    assert _numbers(stocks)[0] == (10, 0)


def test_a_row_named_by_sku_and_warehouse_is_found_or_opened_for_added_units(stocks):
    a, *_ = stocks
    elsewhere = WarehouseFactory()
    with transaction.atomic():
        post_movements(
            movements=[
                Movement(kind=StockMovement.Kind.RETURN, sku_id=a.sku_id, warehouse_id=a.warehouse_id, on_hand_delta=2),
                Movement(kind=StockMovement.Kind.RECEIPT, sku_id=a.sku_id, warehouse_id=elsewhere.pk, on_hand_delta=5),
            ],
            actor=None,
        )
    assert _numbers(stocks)[0] == (12, 0)
    opened = Stock.objects.get(sku_id=a.sku_id, warehouse=elsewhere)
    assert (opened.on_hand, opened.reserved, _history(opened)) == (5, 0, (5, 0))


def test_taking_units_from_a_row_that_does_not_exist_fails_and_opens_nothing(stocks):
    a, *_ = stocks
    elsewhere = WarehouseFactory()
    with pytest.raises(StockChangedConcurrently), transaction.atomic():
        post_movements(
            movements=[
                Movement(kind=StockMovement.Kind.DEDUCT, sku_id=a.sku_id, warehouse_id=elsewhere.pk, on_hand_delta=-1)
            ],
            actor=None,
        )
    assert not Stock.objects.filter(warehouse=elsewhere).exists()


def test_the_stock_update_comes_last_except_on_mysql(stocks):
    # PostgreSQL/SQLite: the contended rows are locked only from the last statement to the commit. MySQL/MariaDB:
    # first, before any insert share-locks the stock rows it references (two such share locks would deadlock).
    a, *_ = stocks
    with (
        transaction.atomic(),
        CaptureQueriesContext(connection) as captured,
        posting_movements(
            movements=[Movement(kind=StockMovement.Kind.RESERVE, stock_id=a.pk, reserved_delta=1)], actor=None
        ),
    ):
        StockMovement.objects.count()  # the with-block's own statement
    statements = [q["sql"].lstrip().split()[0].upper() for q in captured.captured_queries]
    expected = ["UPDATE", "INSERT", "SELECT"] if connection.vendor == "mysql" else ["INSERT", "SELECT", "WITH"]
    if connection.vendor == "sqlite":
        expected[-1] = "UPDATE"
    assert statements == expected


@pytest.mark.django_db(transaction=True)
def test_posting_outside_a_transaction_is_refused(stocks):
    a, *_ = stocks
    with pytest.raises(TransactionManagementError):
        post_movements(
            movements=[Movement(kind=StockMovement.Kind.RESERVE, stock_id=a.pk, reserved_delta=1)], actor=None
        )
    assert _numbers(stocks)[0] == (10, 0)


def test_open_stock_writes_rows_with_their_receipts(staff):
    sku, other = SkuFactory(), SkuFactory()
    warehouse = WarehouseFactory()
    at = timezone.now() - timedelta(days=30)
    with transaction.atomic():
        opened = open_stock(
            units={(sku.pk, warehouse.pk): 8, (other.pk, warehouse.pk): 3}, actor=staff, note="Opening", at=at
        )
    assert [(s.sku_id, s.on_hand, s.reserved) for s in opened] == [(sku.pk, 8, 0), (other.pk, 3, 0)]
    for stock in opened:
        receipt = StockMovement.objects.get(stock=stock)
        assert (receipt.kind, receipt.on_hand_delta, receipt.actor, receipt.note) == (
            "receipt",
            stock.on_hand,
            staff,
            "Opening",
        )
        assert receipt.created_at == at

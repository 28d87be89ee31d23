"""Concurrent writers never lose a count: each rollup change is one atomic ``x = x + n`` upsert.

Real threads on their own connections (PostgreSQL, MariaDB): placements and payments of one day all count into the
same rollup keys at once; the totals must be exact, and no worker may fail (a deadlock would show here).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from oms.common.testing import results_of, run_together
from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders.services import OrderLineInput, place_order
from oms.payments.services import record_offline_payment
from oms.reporting import rollups
from oms.reporting.models import SalesRollup, SkuRollup
from oms.reporting.rollups import Changes, Key

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]
WORKERS = 20


def test_concurrent_upserts_into_one_key_all_count():
    key = Key(timezone.localdate(), 7, "alipay")

    def add() -> None:
        changes = Changes()
        changes.add_sales(key, orders=1, gross_cents=1999)
        with transaction.atomic():
            rollups.apply(changes)

    results_of(run_together([add for _ in range(WORKERS * 2)]))
    totals = SalesRollup.objects.filter(day=key.day, warehouse_id=7).aggregate(n=Sum("orders"), g=Sum("gross_cents"))
    assert totals == {"n": WORKERS * 2, "g": WORKERS * 2 * 1999}


def test_concurrent_placements_and_payments_count_every_order(address):
    warehouse = WarehouseFactory()
    sku = stock_sku(warehouse=warehouse, on_hand=1000, price=Decimal("12.34"))
    User.objects.bulk_create([User(username=f"rollup-buyer{i:02d}") for i in range(WORKERS)])
    buyers = list(User.objects.filter(username__startswith="rollup-buyer"))
    staff = User.objects.create(username="rollup-staff", is_staff=True)

    def buy(buyer: User):
        return lambda: place_order(customer=buyer, items=[OrderLineInput(sku.code, 2)], address=address).order

    orders = results_of(run_together([buy(buyer) for buyer in buyers]))

    def pay(order):
        return lambda: record_offline_payment(order=order, actor=staff, reference="race")

    results_of(run_together([pay(order) for order in orders]))
    totals = SalesRollup.objects.aggregate(
        orders=Sum("orders"), paid=Sum("paid_orders"), units=Sum("units"), gross=Sum("gross_cents")
    )
    per_order_cents = int(orders[0].total_amount * 100)
    assert totals == {"orders": WORKERS, "paid": WORKERS, "units": 2 * WORKERS, "gross": WORKERS * per_order_cents}
    assert SalesRollup.objects.filter(payment_method="").aggregate(n=Sum("orders"))["n"] == 0  # all moved on payment
    assert SkuRollup.objects.get(sku=sku).units == 2 * WORKERS

"""``oms rollups rebuild [--since]``: rewrites the rollups from the source tables, with progress."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from oms.inventory.tests.factories import WarehouseFactory, stock_sku
from oms.orders.services import OrderLineInput, place_order
from oms.payments.services import record_offline_payment
from oms.reporting.models import SalesRollup
from oms.reports.aggregate import aggregate_all, stored_rollups, without_zeros

pytestmark = pytest.mark.django_db


def test_rebuild_restores_lost_and_wrong_rows(customer, staff, address):
    sku = stock_sku(warehouse=WarehouseFactory(), on_hand=10, price=Decimal("20.00"))
    for days_back in (5, 1):
        at = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=days_back), time(9)))
        order = place_order(customer=customer, items=[OrderLineInput(sku.code, 1)], address=address, now=at).order
        record_offline_payment(order=order, actor=staff, reference="x", paid_at=at + timedelta(minutes=2))
    expected = stored_rollups()
    assert expected == without_zeros(aggregate_all())
    recent = timezone.localdate() - timedelta(days=2)
    SalesRollup.objects.filter(day__gte=recent).update(gross_cents=1)  # damaged
    SalesRollup.objects.filter(day__lt=recent).delete()  # lost

    out = io.StringIO()
    call_command("rollups", "rebuild", "--since", recent.isoformat(), stdout=out)
    assert "100 %" in out.getvalue() and "Rebuilt" in out.getvalue()
    assert SalesRollup.objects.filter(day__lt=recent).count() == 0  # days before --since left alone
    assert stored_rollups().sales == {k: v for k, v in expected.sales.items() if k.day >= recent}

    call_command("rollups", "rebuild", stdout=io.StringIO())
    assert stored_rollups() == expected


def test_rebuild_refuses_a_bad_day():
    with pytest.raises(CommandError):
        call_command("rollups", "rebuild", "--since", "yesterday")

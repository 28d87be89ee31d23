"""``oms plan``: forecasts now, then prints the suggestions as a table; the periodic job does the same for all."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from oms.planning.models import Forecast
from oms.planning.tasks import compute_forecasts
from oms.planning.tests.factories import record_demand

pytestmark = pytest.mark.django_db


def test_plan_forecasts_and_prints_a_table(tea, cup):
    record_demand(tea, units_per_day=[3] * 60)
    out, err = StringIO(), StringIO()

    call_command("plan", stdout=out, stderr=err)

    lines = out.getvalue().splitlines()
    assert lines[0].split()[:3] == ["SKU", "avail", "on"]
    assert lines[1].split()[:4] == ["TEA", "10", "0", "mean"] and "121" in lines[1].split()
    assert lines[2].split()[0] == "CUP"
    assert "2 SKU forecasts made on" in err.getvalue()
    assert Forecast.objects.filter(warehouse__isnull=True).count() == 2


def test_plan_one_sku_in_one_warehouse(tea, cup, warehouse):
    out = StringIO()
    call_command("plan", "--sku", "CUP", "--warehouse", "SH-01", stdout=out, stderr=StringIO())
    assert [line.split()[0] for line in out.getvalue().splitlines()] == ["SKU", "CUP"]
    assert list(Forecast.objects.values_list("sku__code", "warehouse__code")) == [("CUP", "SH-01")]


def test_plan_stored_computes_nothing_and_bad_codes_are_errors(tea):
    call_command("plan", "--stored", stdout=StringIO(), stderr=StringIO())
    assert not Forecast.objects.exists()
    with pytest.raises(CommandError, match="No SKU NOPE"):
        call_command("plan", "--sku", "NOPE", stdout=StringIO())
    with pytest.raises(CommandError, match="No warehouse NOWHERE"):
        call_command("plan", "--warehouse", "NOWHERE", stdout=StringIO())


def test_the_periodic_job_forecasts_every_sku_for_the_shop_and_each_warehouse(tea, cup, warehouse):
    assert compute_forecasts.delay().get() == 4
    assert Forecast.objects.count() == 4

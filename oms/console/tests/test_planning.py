"""Planning in the console: the inventory page's plan by urgency, a SKU's forecast chart, policy form and audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from oms.accounts.tests.factories import UserFactory
from oms.inventory.tests.factories import stock_sku
from oms.planning.models import PolicyChange
from oms.planning.tests.factories import forecast_demand
from oms.purchasing.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tea(warehouse):
    sku = stock_sku(warehouse=warehouse, on_hand=10, code="TEA", price=Decimal("50.00"))
    forecast_demand(sku, units_per_day=[3] * 60)
    return sku


def test_the_inventory_page_plans_by_urgency_with_stock_out_dates(staff_browser, warehouse, tea):
    calm = stock_sku(warehouse=warehouse, on_hand=60, code="CALM")
    forecast_demand(calm, units_per_day=[1] * 60)

    response = staff_browser.get("/console/inventory/")

    plan = response.context["plan"]
    assert [s.code for s in plan] == ["TEA", "CALM"]
    html = response.content.decode()
    assert 'href="/console/inventory/TEA/planning/"' in html
    assert plan[0].stockout_on.strftime("%Y-%m-%d") in html and "From the demand forecasts made on" in html


def test_the_sku_page_draws_the_forecast_with_its_history(staff_browser, tea):
    response = staff_browser.get("/console/inventory/TEA/planning/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="forecast-chart-data"' in html and "vendor/chart.umd.js" in html
    chart = response.context["chart"]
    assert [ds["label"] for ds in chart["datasets"]] == ["Units ordered", "Forecast"]
    assert chart["datasets"][0]["data"][-57] == 3 and chart["datasets"][1]["data"][-1] == 3.0
    assert "by the mean model from 60 days of orders" in html
    assert response.context["suggestion"].quantity == 121
    assert staff_browser.get("/console/inventory/NOPE/planning/").status_code == 404


def test_staff_edit_the_policy_and_the_change_is_audited(staff_browser, staff, tea):
    SupplierFactory(code="ACME", lead_days=5)

    response = staff_browser.post(
        "/console/inventory/TEA/planning/",
        {"supplier": "ACME", "pack_size": "10", "service_level": "0.99"},
        follow=True,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Planning policy of TEA saved." in html
    changes = {(c.field, c.new_value, c.actor) for c in PolicyChange.objects.all()}
    assert changes == {("supplier", "ACME", staff), ("pack_size", "10", staff), ("service_level", "0.99", staff)}
    assert response.context["effective"].lead_days == 5 and response.context["suggestion"].quantity % 10 == 0
    bad = staff_browser.post("/console/inventory/TEA/planning/", {"holding_cost": "1", "holding_rate": "0.2"})
    assert bad.status_code == 400 and PolicyChange.objects.count() == 3


def test_who_may_not_change_the_policy_only_sees_it(tea):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_stock"))
    client = Client()
    client.force_login(viewer)

    page = client.get("/console/inventory/TEA/planning/")
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post("/console/inventory/TEA/planning/", {"pack_size": "10"}).status_code == 403
    assert not PolicyChange.objects.exists()

"""Planning endpoints: a SKU's policy (read, change, audit), suggestions, a draft purchase order from them."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from oms.accounts.tests.factories import UserFactory
from oms.planning.models import PolicyChange
from oms.planning.tests.factories import forecast_demand
from oms.purchasing.models import PurchaseOrder

pytestmark = pytest.mark.django_db

SUGGESTIONS = "/api/v1/planning/suggestions/"


def planning_url(code: str) -> str:
    return f"/api/v1/skus/{code}/planning/"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == code
    return body


def test_get_shows_own_fields_the_effective_policy_and_where_each_comes_from(staff_client, tea):
    body = staff_client.get(planning_url("TEA")).json()

    assert body["sku"] == "TEA" and body["own"] is None and body["changes"] == []
    effective = body["effective"]
    assert (effective["lead_days"], effective["order_cost"], effective["holding_rate"]) == (7, "50.00", "0.2500")
    assert effective["sources"]["lead_days"] == "default" and effective["supplier"] is None


def test_patch_sets_and_clears_fields_and_is_audited(staff_client, staff, tea, supplier):
    response = staff_client.patch(
        planning_url("TEA"), {"supplier": "ACME", "service_level": "0.98", "pack_size": 12}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["own"]["supplier"] == "ACME" and body["own"]["service_level"] == "0.9800"
    assert body["effective"]["lead_days"] == 5 and body["effective"]["sources"]["lead_days"] == "supplier"
    assert {(c["field"], c["old_value"], c["new_value"], c["actor"]) for c in body["changes"]} == {
        ("supplier", "", "ACME", staff.username),
        ("service_level", "", "0.98", staff.username),
        ("pack_size", "", "12", staff.username),
    }
    cleared = staff_client.patch(planning_url("TEA"), {"pack_size": None}, format="json").json()
    assert cleared["effective"]["pack_size"] == 1 and cleared["effective"]["sources"]["pack_size"] == "default"
    assert cleared["changes"][0]["field"] == "pack_size" and cleared["changes"][0]["new_value"] == ""


def test_patch_validates_its_body(staff_client, tea):
    assert_error(staff_client.patch(planning_url("TEA"), {"colour": "red"}, format="json"), 400, "validation_error")
    assert_error(staff_client.patch(planning_url("TEA"), {"lead_days": 0}, format="json"), 400, "validation_error")
    both = {"holding_cost": "2.00", "holding_rate": "0.2"}
    assert_error(staff_client.patch(planning_url("TEA"), both, format="json"), 400, "validation_error")
    assert_error(staff_client.patch(planning_url("TEA"), {"supplier": "NOBODY"}, format="json"), 404, "not_found")
    assert_error(staff_client.patch(planning_url("NOPE"), {"pack_size": 2}, format="json"), 404, "not_found")
    assert not PolicyChange.objects.exists()


def test_suggestions_list_the_most_urgent_first(staff_client, tea, cup):
    forecast_demand(tea, units_per_day=[3] * 60)

    body = staff_client.get(SUGGESTIONS).json()

    first = body["results"][0]
    assert body["count"] == 2 and first["sku"] == "TEA"
    assert (first["reorder_point"], first["eoq"], first["suggested_quantity"], first["reorder_now"]) == (
        21, 121, 121, True,
    )  # fmt: skip
    assert first["forecast_method"] == "mean" and first["stockout_on"] is not None and first["order_by"]
    assert [r["sku"] for r in staff_client.get(f"{SUGGESTIONS}?due=true").json()["results"]] == ["TEA"]
    assert [r["sku"] for r in staff_client.get(f"{SUGGESTIONS}?sku=CUP").json()["results"]] == ["CUP"]
    here = staff_client.get(f"{SUGGESTIONS}?warehouse=SH-01").json()["results"]
    assert {r["warehouse"] for r in here} == {"SH-01"}
    assert_error(staff_client.get(f"{SUGGESTIONS}?warehouse=NOWHERE"), 404, "not_found")
    assert_error(staff_client.get(f"{SUGGESTIONS}?colour=red"), 400, "validation_error")


def test_create_from_suggestions(staff_client, supplier, warehouse, tea):
    forecast_demand(tea, units_per_day=[3] * 60)
    body = {"supplier": "ACME", "warehouse": "SH-01", "skus": ["TEA"]}

    response = staff_client.post("/api/v1/purchase-orders/from-suggestions/", body, format="json")

    assert response.status_code == 201, response.content
    assert [(line["sku"], line["quantity"]) for line in response.json()["lines"]] == [("TEA", 121)]
    again = staff_client.post("/api/v1/purchase-orders/from-suggestions/", body, format="json")
    assert assert_error(again, 400, "validation_error")["details"] == {"not_needed": ["TEA"]}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", planning_url("TEA")),
        ("patch", planning_url("TEA")),
        ("get", SUGGESTIONS),
        ("post", "/api/v1/purchase-orders/from-suggestions/"),
    ],
)
def test_customers_and_staff_without_rights_are_refused(customer_client, supplier, warehouse, tea, method, path):
    clerk = APIClient()
    clerk.force_authenticate(UserFactory(username="clerk", is_staff=True))  # staff, but in no staff group
    body = {"pack_size": 2} if method == "patch" else {"supplier": "ACME", "warehouse": "SH-01", "skus": ["TEA"]}

    for client in (customer_client, clerk):
        assert_error(getattr(client, method)(path, body, format="json"), 403, "permission_denied")
    assert_error(getattr(APIClient(), method)(path, body, format="json"), 401, "not_authenticated")
    assert not PolicyChange.objects.exists() and not PurchaseOrder.objects.exists()

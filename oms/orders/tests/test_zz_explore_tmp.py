import json
import pytest
from oms.inventory.tests.factories import stock_sku

@pytest.mark.django_db
def test_x(customer_client, address):
    client = customer_client
    client.raise_request_exception = False
    sku = stock_sku(on_hand=5)
    for body in ["[" * 100000 + "]" * 100000, '{"items": [{"sku": "%s", "quantity": 1e400}], "shipping_address": {}}' % sku.code,
                 '{"a": NaN}', "x" * 5_000_000]:
        r = client.post("/api/v1/orders/", body, content_type="application/json")
        print(r.status_code, r.content[:200])
    r = client.post("/api/v1/orders/", {"items": [{"sku": sku.code, "quantity": 1}], "shipping_address": address}, format="json", HTTP_IDEMPOTENCY_KEY="é"*10)
    print(r.status_code, r.content[:200])
    r = client.get("/api/v1/orders/?cursor=zzz")
    print(r.status_code, r.content[:200])
    r = client.get("/api/v1/orders/?created_from=2024-13-01")
    print(r.status_code, r.content[:200])
    r = client.get("/api/nope/")
    print(r.status_code, r.content[:200])
    r = client.get("/api/schema/")
    print(r.status_code, r["content-type"], r.content[:100])
    r = client.get("/api/docs/")
    print(r.status_code, r["content-type"])

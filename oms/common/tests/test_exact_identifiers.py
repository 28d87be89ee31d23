"""Identifiers compare exactly on every database, whatever collation the database was created with.

The MariaDB run creates its test database with the server's default collation (utf8mb4_general_ci: case- and
accent-insensitive, trailing spaces ignored), as a new user's database is; the identifier columns must carry a
binary collation of their own.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection

from oms.catalog.models import Sku
from oms.catalog.tests.factories import ProductFactory
from oms.common.fields import ExactCharField
from oms.inventory.tests.factories import stock_sku
from oms.orders.models import Order
from oms.orders.tests.test_api import order_body, place

pytestmark = pytest.mark.django_db

EXACT_COLUMNS = sorted(
    (model._meta.db_table, field.column)
    for model in apps.get_models()
    for field in model._meta.local_fields
    if isinstance(field, ExactCharField)
)


def test_the_identifiers_are_exact_fields():
    expected = {
        ("catalog_sku", "code"),
        ("inventory_warehouse", "code"),
        ("orders_order", "order_no"),
        ("orders_order", "idempotency_key"),
        ("orders_orderitem", "sku_code"),
        ("payments_payment", "out_trade_no"),
        ("payments_payment", "gateway_trade_no"),
        ("payments_inboundnotification", "notify_id"),
        ("payments_refund", "out_request_no"),
        ("payments_refund", "idempotency_key"),
        ("purchasing_supplier", "code"),
        ("purchasing_purchaseorder", "po_no"),
        ("shipping_shipment", "tracking_no"),
        ("shipping_trackingevent", "carrier_event_id"),
        ("shipping_shipmentline", "sku_code"),
    }
    assert expected <= set(EXACT_COLUMNS)


@pytest.mark.skipif(connection.vendor != "mysql", reason="MySQL/MariaDB only: other databases compare exactly")
def test_mariadb_columns_carry_a_binary_collation_on_a_case_insensitive_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()")
        [database_collation] = cursor.fetchone()
        cursor.execute(
            "SELECT TABLE_NAME, COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = DATABASE()"
        )
        collations = {(table, column): collation for table, column, collation in cursor.fetchall()}
    assert not database_collation.endswith("_bin"), "the test database should have the server's default collation"
    wrong = {column: collations[column] for column in EXACT_COLUMNS if not collations[column].endswith("_bin")}
    assert wrong == {}


def test_keys_differing_only_in_case_are_two_orders(customer_client, address):
    sku = stock_sku(on_hand=10)
    body = order_body(address, (sku.code, 1))
    lower = place(customer_client, body, key="retry-key-abc")
    upper = place(customer_client, body, key="retry-key-ABC")
    again = place(customer_client, body, key="retry-key-abc")

    assert (lower.status_code, upper.status_code, again.status_code) == (201, 201, 200)
    assert lower.json()["order_no"] != upper.json()["order_no"]
    assert again.json()["order_no"] == lower.json()["order_no"]
    assert Order.objects.count() == 2


@pytest.mark.parametrize("other", ["TEA-abc", "TEA-ABC ", "TEA-ÀBC"])
def test_codes_differing_in_case_accent_or_trailing_space_are_distinct(other):
    product = ProductFactory()
    first = Sku.objects.create(product=product, code="TEA-ABC", name="Tea", price=Decimal("1.00"))
    second = Sku.objects.create(product=product, code=other, name="Tea", price=Decimal("1.00"))  # unique index: 2
    assert Sku.objects.get(code="TEA-ABC") == first
    assert Sku.objects.get(code=other) == second

"""``oms demo`` makes what a Chinese shop would have: Chinese product, SKU, customer, supplier and warehouse names,
real provinces, cities and districts, mainland mobiles and postal codes; every code stays as the README has it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from oms.catalog.models import Product, Sku
from oms.inventory.models import Warehouse
from oms.orders.models import Order
from oms.purchasing.models import Supplier
from oms.regions import regions
from oms.regions.validation import MOBILE, POSTAL_CODE

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def demo(db) -> None:
    call_command("demo", orders=16, verbosity=0)


def test_names_are_chinese_and_codes_unchanged(demo):
    assert all(HAN.search(name) for name in Product.objects.values_list("name", flat=True))
    assert all(HAN.search(name) for name in Sku.objects.values_list("name", flat=True))
    assert Sku.objects.get(code="TEA-001-50G").name == "西湖龙井 50克罐装"
    assert set(Warehouse.objects.values_list("code", flat=True)) == {"SH-01", "BJ-01", "GZ-01", "CD-01"}
    for name, region in Warehouse.objects.values_list("name", "region"):
        assert HAN.search(name) and region in regions.provinces(), (name, region)
    assert set(Supplier.objects.values_list("code", flat=True)) == {"FJ-TEA", "JDZ-CER", "SZ-ELEC"}
    assert all(HAN.search(name) for name in Supplier.objects.values_list("name", flat=True))
    customers = get_user_model().objects.filter(is_staff=False)
    assert customers.filter(username="alice").exists() and customers.filter(username="bob").exists()
    for user in customers:
        assert user.username.isascii() and HAN.search(user.last_name + user.first_name), user.username


def test_addresses_are_real_places_with_mainland_mobiles(demo):
    addresses = list(Order.objects.values_list("shipping_address", flat=True))
    assert len(addresses) == 16
    for address in addresses:
        assert regions.is_valid(address["province"], address["city"], address["district"]), address
        assert MOBILE.fullmatch(address["phone"]) and POSTAL_CODE.fullmatch(address["postal_code"]), address
        assert HAN.search(address["name"]) and HAN.search(address["address"]), address
        assert " " not in address["name"]  # 王伟, not 王 伟

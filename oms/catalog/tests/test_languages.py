"""Catalog refusals in Chinese and English: the same code and details, the message in the request's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from oms.catalog.models import Sku
from oms.catalog.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db

SKUS = "/api/v1/skus/"


def test_a_taken_sku_code_in_both_languages(staff_client):
    SkuFactory(code="TEA-1")
    body = {"code": "TEA-1", "name": "Again", "price": "1.00"}

    en = staff_client.post(SKUS, body, format="json", headers={"Accept-Language": "en"})
    zh = staff_client.post(SKUS, body, format="json", headers={"Accept-Language": "zh-CN"})

    assert en.status_code == zh.status_code == 409
    assert en.json()["code"] == zh.json()["code"] == "conflict"
    assert en.json()["details"] == zh.json()["details"] == {"code": "TEA-1"}
    assert en.json()["message"] == "SKU TEA-1 already exists; choose another code."
    assert zh.json()["message"] == "SKU TEA-1 已存在，请换一个编码。"


def test_customers_may_not_create_skus_in_both_languages(customer_client):
    body = {"code": "TEA-1", "name": "Green tea", "price": "19.90"}
    zh = customer_client.post(SKUS, body, format="json", headers={"Accept-Language": "zh-CN"})

    assert zh.status_code == 403 and zh.json()["code"] == "permission_denied"
    assert zh.json()["message"] == "只有商品管理员工才能新建 SKU。"


def test_model_names_in_chinese():
    with translation.override("zh-hans"):
        assert Sku._meta.get_field("code").verbose_name == "SKU 编码"
        assert Sku._meta.get_field("product").verbose_name == "商品"

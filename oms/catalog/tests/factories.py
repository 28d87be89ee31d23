from __future__ import annotations

from decimal import Decimal

import factory

from oms.catalog.models import Product, Sku


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")


class SkuFactory(factory.django.DjangoModelFactory[Sku]):
    class Meta:
        model = Sku
        django_get_or_create = ("code",)

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.LazyAttribute(lambda s: f"Item {s.code}")
    price = Decimal("19.90")

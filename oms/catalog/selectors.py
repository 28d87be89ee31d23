from __future__ import annotations

from django.db.models import F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from oms.catalog.models import Sku


def skus_with_availability(*, code: str | None = None, search: str | None = None) -> QuerySet[Sku]:
    """Active SKUs annotated with ``available`` = on hand − reserved over active warehouses."""
    skus = Sku.objects.filter(is_active=True).annotate(
        available=Coalesce(
            Sum(F("stocks__on_hand") - F("stocks__reserved"), filter=Q(stocks__warehouse__is_active=True)),
            Value(0),
        )
    )
    if code:
        skus = skus.filter(code=code)
    if search:
        skus = skus.filter(Q(code__icontains=search) | Q(name__icontains=search))
    return skus.order_by("code")

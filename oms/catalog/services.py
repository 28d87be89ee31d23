from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from oms.catalog.models import Product, Sku
from oms.common.errors import Conflict


@transaction.atomic
def create_sku(*, code: str, name: str, price: Decimal, product: Product | None = None) -> Sku:
    """Create a SKU (and a product of the same name when none is given). Raises Conflict on a taken code."""
    taken = _("SKU %(code)s already exists; choose another code.") % {"code": code}
    if Sku.objects.filter(code=code).exists():
        raise Conflict(taken, details={"code": code})
    product = product or Product.objects.create(name=name)
    try:
        with transaction.atomic():
            return Sku.objects.create(product=product, code=code, name=name, price=price)
    except IntegrityError as exc:  # a concurrent create won the race
        raise Conflict(taken, details={"code": code}) from exc

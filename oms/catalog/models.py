from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from oms.common.fields import ExactCharField


class Product(models.Model):
    """What a shopper sees; sold as one or more SKUs (sizes, colours)."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Sku(models.Model):
    """A sellable unit with its own code, price and stock."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="skus")
    code = ExactCharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))])
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "SKU"
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=models.Q(price__gte=0), name="sku_price_not_negative")]
        permissions = [("manage_catalog", "Can create and change SKUs through the API")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

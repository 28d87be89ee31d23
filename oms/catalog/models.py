from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.common.fields import ExactCharField


class Product(models.Model):
    """What a shopper sees; sold as one or more SKUs (sizes, colours)."""

    name = models.CharField(max_length=200, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name


class Sku(models.Model):
    """A sellable unit with its own code, price and stock."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="skus", verbose_name=_("product"))
    code = ExactCharField(max_length=64, unique=True, verbose_name=_("SKU code"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))], verbose_name=_("price")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=models.Q(price__gte=0), name="sku_price_not_negative")]
        permissions = [("manage_catalog", "Can create and change SKUs through the API")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

"""Catalog in the Django admin: products with their SKUs inline."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oms.catalog.models import Product, Sku
from oms.common.admin import money_column

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _SkuCount(TypedDict):
    sku_count: int


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0
    fields = ("code", "name", "price", "is_active")
    show_change_link = True
    # SKUs that were ever ordered are protected by order items; switch them off instead.
    can_delete = False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "sku_count", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    inlines = [SkuInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        products: QuerySet[Product] = super().get_queryset(request).annotate(sku_count=Count("skus"))
        return products

    @admin.display(description=_("SKUs"), ordering="sku_count")
    def sku_count(self, obj: WithAnnotations[Product, _SkuCount]) -> int:
        return obj.sku_count


@admin.register(Sku)
class SkuAdmin(admin.ModelAdmin):
    list_display = ("code", "name", money_column("price", _("Price")), "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    autocomplete_fields = ("product",)
    readonly_fields = ("created_at",)

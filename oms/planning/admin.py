"""Planning in the Django admin: suppliers' policies are edited here; SKU policies change through the API and the
console (audited), so here they, their audit and the stored forecasts are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from oms.planning.models import Forecast, PolicyChange, SkuPolicy, SupplierPolicy


@admin.register(SupplierPolicy)
class SupplierPolicyAdmin(admin.ModelAdmin):
    list_display = ("supplier", "order_cost", "holding_cost", "holding_rate", "service_level", "pack_size",
                    "min_order_quantity")  # fmt: skip
    autocomplete_fields = ("supplier",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SkuPolicy)
class SkuPolicyAdmin(ReadOnlyAdmin):
    list_display = ("sku", "supplier", "order_cost", "holding_cost", "holding_rate", "lead_days", "service_level",
                    "pack_size", "min_order_quantity", "updated_at")  # fmt: skip
    list_select_related = ("sku", "supplier")


@admin.register(PolicyChange)
class PolicyChangeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "sku", "field", "old_value", "new_value", "actor")
    list_select_related = ("sku", "actor")


@admin.register(Forecast)
class ForecastAdmin(ReadOnlyAdmin):
    list_display = ("made_on", "sku", "warehouse", "method", "mean_daily", "sigma_daily", "mase", "history_days")
    list_filter = ("made_on", "method")
    list_select_related = ("sku", "warehouse")
    exclude = ("daily", "history")

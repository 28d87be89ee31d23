"""Inventory in the Django admin.

Stock numbers are never edited as fields: the form's "set on hand to" goes through
``oms.inventory.services.set_stock_level``, which locks the row and writes the movement. Movements and
allocations are history, so they are read-only here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oms.common.errors import OmsError
from oms.inventory.models import Allocation, Stock, StockMovement, Warehouse
from oms.inventory.services import set_stock_level

# Rows at or below this many available units count as "low" in the stock list filter.
LOW_STOCK_THRESHOLD = 10


class ReadOnlyAdmin(admin.ModelAdmin):
    """History rows: staff may look, never add, edit or delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "priority", "region", "is_active")
    list_filter = ("is_active", "region")
    search_fields = ("code", "name", "region")


class StockForm(forms.ModelForm):
    new_on_hand = forms.IntegerField(
        label=_("Set on hand to"),
        min_value=0,
        max_value=1_000_000_000,
        required=False,
        help_text=_("Units physically in the warehouse after a count or a receipt. Leave empty to keep."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=200, required=False, help_text=_("Why, for the movement history.")
    )

    class Meta:
        model = Stock
        fields = ("sku", "warehouse")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance._state.adding and cleaned.get("new_on_hand") is None:
            self.add_error("new_on_hand", gettext("A new stock row needs its units on hand."))
        return cleaned


class AvailabilityFilter(admin.SimpleListFilter):
    title = _("availability")
    parameter_name = "availability"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        low = gettext("Low (≤ %(count)s available)") % {"count": LOW_STOCK_THRESHOLD}
        return [("out", gettext("Out of stock")), ("low", low)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Stock]) -> QuerySet[Stock]:
        available = F("on_hand") - F("reserved")
        if self.value() == "out":
            return queryset.alias(free=available).filter(free__lte=0)
        if self.value() == "low":
            return queryset.alias(free=available).filter(free__lte=LOW_STOCK_THRESHOLD)
        return queryset


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    form = StockForm
    list_display = ("sku", "warehouse", "on_hand", "reserved", "available", "updated_at")
    list_filter = (AvailabilityFilter, "warehouse")
    list_select_related = ("sku", "warehouse")
    search_fields = ("sku__code", "sku__name")
    autocomplete_fields = ("sku",)
    show_full_result_count = False

    def get_fields(self, request: HttpRequest, obj: Stock | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("sku", "warehouse", "new_on_hand", "note")
        return ("sku", "warehouse", "on_hand", "reserved", "available", "updated_at", "new_on_hand", "note")

    def get_readonly_fields(self, request: HttpRequest, obj: Stock | None = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("sku", "warehouse", "on_hand", "reserved", "available", "updated_at")

    # Setting stock is the manage_stock right (as in the API), not Django's generic change_stock.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("inventory.manage_stock"))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm("inventory.manage_stock"))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # movements and allocations point at stock rows: history must stay whole

    @admin.display(description=_("available"))
    def available(self, obj: Stock) -> int:
        return obj.available

    def save_model(self, request: HttpRequest, obj: Stock, form: StockForm, change: bool) -> None:
        on_hand = form.cleaned_data.get("new_on_hand")
        if on_hand is None:
            return
        note = form.cleaned_data.get("note") or gettext("Set in admin")
        actor = request.user if request.user.is_authenticated else None  # the admin only serves signed-in staff
        stock = set_stock_level(sku=obj.sku, warehouse=obj.warehouse, on_hand=on_hand, actor=actor, note=note)
        # The admin logs and redirects with ``obj``: make it the row the service wrote.
        obj.pk = stock.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OmsError as exc:
            # The service refused (e.g. below the reserved units); the admin's transaction has rolled back.
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "sku",
        "warehouse",
        "kind",
        "on_hand_delta",
        "reserved_delta",
        "order",
        "actor",
    )
    list_filter = ("kind", "stock__warehouse")
    list_select_related = ("stock__sku", "stock__warehouse", "order", "actor")
    search_fields = ("=stock__sku__code", "=order__order_no")
    search_help_text = _("Exact SKU code or order number")
    show_full_result_count = False
    fields = (
        "created_at",
        "sku",
        "warehouse",
        "kind",
        "on_hand_delta",
        "reserved_delta",
        "order",
        "actor",
        "note",
    )
    readonly_fields = fields

    @admin.display(description="SKU", ordering="stock__sku__code")
    def sku(self, obj: StockMovement) -> str:
        return obj.stock.sku.code

    @admin.display(description=_("warehouse"), ordering="stock__warehouse__code")
    def warehouse(self, obj: StockMovement) -> str:
        return obj.stock.warehouse.code


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ("order", "sku", "warehouse", "quantity", "status")
    list_filter = ("status", "stock__warehouse")
    list_select_related = ("order", "stock__sku", "stock__warehouse")
    search_fields = ("=order__order_no", "=stock__sku__code")
    search_help_text = _("Exact order number or SKU code")
    show_full_result_count = False
    fields = ("order", "sku", "warehouse", "quantity", "status")
    readonly_fields = fields

    @admin.display(description="SKU", ordering="stock__sku__code")
    def sku(self, obj: Allocation) -> str:
        return obj.stock.sku.code

    @admin.display(description=_("warehouse"), ordering="stock__warehouse__code")
    def warehouse(self, obj: Allocation) -> str:
        return obj.stock.warehouse.code
